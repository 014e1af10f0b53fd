"""A real Kubernetes node for the e2e tests: containerd 2 + runc + the CNI bridge + kube-proxy + a
kubelet of the control plane's version, inside the test's own namespaces (``support.network``).

``RealNode.start()`` writes the configurations into its work directory, starts containerd, imports
the images (the pod sandbox image made by ``support.node_images``, and the images ``make images``
built, streamed from the builder's storage as docker-archives: no copy on disk), starts kube-proxy (the ``kubernetes`` Service the operator pod
talks to) and the kubelet, waits for the Node to be Ready and advertises its GPUs as an extended
resource (``nvidia.com/gpu`` on the Node's status, the documented way for resources without a
device plugin): render pods request GPUs exactly as on a GPU cluster, and run on the CPU.

``stop()`` leaves nothing behind, and checks it: containers and shims killed, the node's cgroups
(all under ``cgroupRoot``, a name of this run) removed, the kernel settings the kubelet changes
(``vm.overcommit_memory``, ``kernel.panic``, ``kernel.panic_on_oops``) put back. Mounts, the
bridge, veths, pod namespaces and iptables chains live in the test's namespaces and end with them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .cluster import LocalCluster
from .minio import REPO_ROOT, free_port
from .network import IsolatedNetwork, NODE_IP
from .node_images import PAUSE_IMAGE, write_pause_archive
from .processes import Daemon
from .waiting import wait_for

NODE_BINARIES = ("kubelet", "kube-proxy", "containerd", "containerd-shim-runc-v2", "ctr", "pause")
CNI_PLUGINS = Path("/usr/lib/cni")  # Debian's containernetworking-plugins
POD_CIDR = "10.245.0.0/24"
GPU_RESOURCE = "nvidia.com/gpu"
CRI_NAMESPACE = "k8s.io"
# What kubelet's container manager sets when protectKernelDefaults is off (put back by stop()).
KUBELET_SYSCTLS = ("vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops",
                   "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes")
CGROUP_ROOT = Path("/sys/fs/cgroup")


def system_binary(name: str) -> str | None:
    return shutil.which(name) or next((str(p) for p in (Path("/usr/sbin") / name, Path("/sbin") / name)
                                       if p.exists()), None)


def image_builder() -> list[str]:
    """The builder ``make images`` used (.ci/images.sh: buildah first, else podman)."""
    name = os.environ.get("BUILDER") or ("buildah" if shutil.which("buildah") else "podman")
    return [name]


def builder_env() -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": os.environ.get("CONTAINERS_CONF") or str(REPO_ROOT / ".ci" / "containers.conf")}


def built_images() -> dict[str, bool]:
    """The images ``make images`` builds (the chart's defaults), and whether the builder holds each."""
    names = subprocess.run(["bash", str(REPO_ROOT / ".ci" / "images.sh"), "names"], capture_output=True, text=True,
                           check=True).stdout.split()
    present = {}
    for name in names:
        found = subprocess.run(image_builder() + ["images", "-q", name], capture_output=True, text=True,
                               env=builder_env())
        present[name] = found.returncode == 0 and bool(found.stdout.strip())
    return present


def missing_system_parts() -> list[str]:
    """What the node needs from the distribution (``make system-packages``) and lacks."""
    missing = [name for name in ("runc", "iptables", "unshare", "nsenter", "ip") if system_binary(name) is None]
    missing += [f"{CNI_PLUGINS}/{p}" for p in ("bridge", "host-local", "loopback") if not (CNI_PLUGINS / p).exists()]
    return missing


@dataclass(frozen=True)
class Container:
    """A container as containerd runs it."""

    id: str
    pod: str
    namespace: str
    name: str
    pid: int | None  # of its running task, None when it is not running

    def status(self) -> dict[str, str]:
        """``/proc/<pid>/status`` of its first process: what the kernel says it runs as."""
        lines = Path(f"/proc/{self.pid}/status").read_text().splitlines()
        return dict(line.split(":\t", 1) for line in lines if ":\t" in line)

    def mounts(self) -> dict[str, list[str]]:
        """Its mount table: mount point → options (``/proc/<pid>/mountinfo``, the container's view)."""
        table = {}
        for line in Path(f"/proc/{self.pid}/mountinfo").read_text().splitlines():
            fields = line.split()
            table[fields[4]] = fields[5].split(",")
        return table


class RealNode:
    def __init__(self, cluster: LocalCluster, network: IsolatedNetwork, bin_dir: Path, workdir: Path,
                 name: str = "gpu-node-real", gpus: int = 2) -> None:
        self.cluster = cluster
        self.network = network
        self.bin_dir = bin_dir
        self.workdir = workdir
        self.name = name
        self.gpus = gpus
        self.cgroup_name = f"simfarm-e2e-{os.getpid()}"
        self.socket = workdir / "containerd" / "containerd.sock"
        self.daemons: list[Daemon] = []
        self._sysctls = {key: (Path("/proc/sys") / key).read_text() for key in KUBELET_SYSCTLS}

    # ---- lifecycle ----

    def start(self, images: list[str], timeout: float = 240.0) -> None:
        try:
            self._make_cgroup_root()
            self._start_containerd(timeout)
            pause = write_pause_archive(self.bin_dir / "pause", self.workdir / "pause.tar")
            with pause.open("rb") as archive:
                self._import(archive)
            for image in images:
                self.import_built_image(image)
            self._start_kube_proxy()
            self._start_kubelet(timeout)
            self._advertise_gpus()
        except BaseException:
            self.stop(check=False)
            raise

    def _make_cgroup_root(self) -> None:
        """``cgroupRoot`` in every hierarchy (the kubelet wants it there); a cpuset needs its CPUs and memory nodes."""
        for hierarchy in CGROUP_ROOT.iterdir():
            if not (hierarchy / "cgroup.procs").exists():
                continue
            ours = hierarchy / self.cgroup_name
            ours.mkdir(exist_ok=True)
            for setting in ("cpuset.cpus", "cpuset.mems"):
                if (hierarchy / setting).exists():
                    (ours / setting).write_text((hierarchy / setting).read_text())

    def _env(self) -> dict[str, str]:
        return {"PATH": f"{self.bin_dir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME": str(self.workdir)}

    def _launch(self, name: str, command: list[str]) -> Daemon:
        daemon = Daemon(name, self.network.command([str(self.bin_dir / name), *command]),
                        self.workdir / "logs" / f"{name}.log", env=self._env(), cwd=self.workdir).start()
        self.daemons.append(daemon)
        return daemon

    def _start_containerd(self, timeout: float) -> None:
        root = self.workdir / "containerd"
        cni = self.workdir / "cni"
        cni.mkdir(parents=True, exist_ok=True)
        (cni / "10-simfarm-e2e.conflist").write_text(json.dumps({
            "cniVersion": "1.0.0", "name": "simfarm-e2e", "plugins": [
                {"type": "bridge", "bridge": "cni0", "isGateway": True, "ipMasq": False, "hairpinMode": True,
                 "ipam": {"type": "host-local", "ranges": [[{"subnet": POD_CIDR}]],
                          "routes": [{"dst": "0.0.0.0/0"}], "dataDir": str(self.workdir / "cni-ipam")}},
                {"type": "portmap", "capabilities": {"portMappings": True}}]}))
        config = root / "config.toml"
        root.mkdir(parents=True, exist_ok=True)
        runtime = 'plugins."io.containerd.cri.v1.runtime"'
        config.write_text(f"""version = 3
root = "{root / 'root'}"
state = "{root / 'state'}"

[grpc]
  address = "{self.socket}"

[ttrpc]
  address = "{self.socket}.ttrpc"

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "{PAUSE_IMAGE}"

[{runtime}]
  # root here cannot lower oom_score_adj, and the host's hugetlb controller is cgroup v2 only
  restrict_oom_score_adj = true
  disable_hugetlb_controller = true
  tolerate_missing_hugetlb_controller = true
  netns_mounts_under_state_dir = true
  [{runtime}.containerd]
    default_runtime_name = "runc"
    [{runtime}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [{runtime}.containerd.runtimes.runc.options]
        BinaryName = "{system_binary('runc')}"
        SystemdCgroup = false
  [{runtime}.cni]
    bin_dirs = ["{CNI_PLUGINS}"]
    conf_dir = "{cni}"
""")
        containerd = self._launch("containerd", ["--config", str(config)])
        containerd.wait_until(lambda: self.ctr("version", check=False).returncode == 0, "containerd answering", timeout)

    def ctr(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return self.network.run(str(self.bin_dir / "ctr"), f"--address={self.socket}", f"--namespace={CRI_NAMESPACE}",
                                *args, check=check, timeout=timeout)

    def _import(self, archive: Any, timeout: float = 900) -> None:
        """``ctr images import`` of a docker-archive read from the file object ``archive``; the layers'
        blobs go once unpacked (the snapshots are what containers run from)."""
        command = self.network.command([str(self.bin_dir / "ctr"), f"--address={self.socket}",
                                        f"--namespace={CRI_NAMESPACE}", "images", "import", "--local",
                                        "--discard-unpacked-layers", "-"])
        result = subprocess.run(command, stdin=archive, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"ctr images import failed: {result.stderr.strip()}")

    def import_built_image(self, image: str) -> None:
        """Stream ``image`` from the image builder's storage (``make images``) into containerd."""
        push = subprocess.Popen(image_builder() + ["push", "--quiet", image, f"docker-archive:/dev/stdout:{image}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=builder_env())
        try:
            self._import(push.stdout)
        finally:
            push.stdout.close()
            _, errors = push.communicate(timeout=60)
        if push.returncode != 0:
            raise RuntimeError(f"exporting {image} from the image builder failed: {errors.decode().strip()}")

    def _node_credentials(self) -> tuple[Path, Path]:
        authority = self.cluster.authority
        client = authority.issue(f"kubelet-{self.name}", common_name=f"system:node:{self.name}",
                                 groups=("system:nodes",))
        kubeconfig = self.cluster.write_kubeconfig(
            self.workdir / "kubelet.kubeconfig", {"client-certificate": str(client.cert), "client-key": str(client.key)},
            server=self.cluster.internal_server)
        serving = authority.issue(f"kubelet-{self.name}-serving", common_name=self.name,
                                  server_names=(NODE_IP, self.name))
        return kubeconfig, serving

    def _start_kube_proxy(self) -> None:
        client = self.cluster.authority.issue("kube-proxy", common_name="system:kube-proxy")
        kubeconfig = self.cluster.write_kubeconfig(
            self.workdir / "kube-proxy.kubeconfig",
            {"client-certificate": str(client.cert), "client-key": str(client.key)}, server=self.cluster.internal_server)
        config = self.workdir / "kube-proxy.yaml"
        config.write_text(yaml.safe_dump({
            "apiVersion": "kubeproxy.config.k8s.io/v1alpha1", "kind": "KubeProxyConfiguration",
            "clientConnection": {"kubeconfig": str(kubeconfig)}, "mode": "iptables",
            "hostnameOverride": self.name, "clusterCIDR": POD_CIDR,
            "metricsBindAddress": f"127.0.0.1:{free_port()}", "healthzBindAddress": f"127.0.0.1:{free_port()}",
            # leave the kernel's conntrack settings alone (they are not per namespace)
            "conntrack": {"maxPerCore": 0, "min": 0, "tcpEstablishedTimeout": "0s", "tcpCloseWaitTimeout": "0s"},
        }))
        self._launch("kube-proxy", ["--config", str(config)])

    def _start_kubelet(self, timeout: float) -> None:
        kubeconfig, serving = self._node_credentials()
        root = self.workdir / "kubelet"
        resolv = self.workdir / "resolv.conf"
        resolv.write_text("# no cluster DNS on the test node\n")
        config = self.workdir / "kubelet.yaml"
        config.write_text(yaml.safe_dump({
            "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
            "containerRuntimeEndpoint": f"unix://{self.socket}",
            "cgroupDriver": "cgroupfs", "failCgroupV1": False, "cgroupRoot": f"/{self.cgroup_name}",
            "failSwapOn": False,
            "address": NODE_IP, "port": free_port(), "readOnlyPort": 0,
            "healthzBindAddress": "127.0.0.1", "healthzPort": free_port(),
            "tlsCertFile": str(serving.cert), "tlsPrivateKeyFile": str(serving.key),
            "authentication": {"anonymous": {"enabled": False}, "webhook": {"enabled": True},
                               "x509": {"clientCAFile": str(self.cluster.ca_file)}},
            "authorization": {"mode": "Webhook"},
            "podLogsDir": str(self.workdir / "pod-logs"), "resolvConf": str(resolv),
            "maxPods": 20, "serializeImagePulls": False,
            # the imported images must stay, and a busy shared disk must not evict the test's pods
            "imageGCHighThresholdPercent": 100, "imageGCLowThresholdPercent": 99,
            "evictionHard": {"memory.available": "100Mi", "nodefs.available": "256Mi", "imagefs.available": "256Mi",
                             "nodefs.inodesFree": "1%", "imagefs.inodesFree": "1%"},
            "staticPodPath": "", "registerNode": True,
        }))
        kubelet = self._launch("kubelet", [
            f"--config={config}", f"--kubeconfig={kubeconfig}", f"--root-dir={root}",
            f"--hostname-override={self.name}", f"--node-ip={NODE_IP}", "--v=1"])
        kubelet.wait_until(self.ready, f"Node {self.name} Ready", timeout)

    def node(self) -> dict[str, Any] | None:
        result = self.cluster.kubectl("get", "node", self.name, "-o", "json", check=False)
        return json.loads(result.stdout) if result.returncode == 0 else None

    def ready(self) -> bool:
        node = self.node()
        return bool(node) and any(c["type"] == "Ready" and c["status"] == "True"
                                  for c in node["status"].get("conditions", []))

    def _advertise_gpus(self) -> None:
        patch = json.dumps([{"op": "add", "path": f"/status/capacity/{GPU_RESOURCE.replace('/', '~1')}",
                             "value": str(self.gpus)}])
        self.cluster.kubectl("patch", "node", self.name, "--subresource=status", "--type=json", "-p", patch)
        wait_for(lambda: (self.node() or {}).get("status", {}).get("allocatable", {}).get(GPU_RESOURCE) == str(self.gpus),
                 f"{GPU_RESOURCE} allocatable on {self.name}", 60, interval=0.5)

    # ---- containers, as containerd sees them ----

    def containers(self) -> list[Container]:
        tasks = {}
        for line in self.ctr("tasks", "ls").stdout.splitlines()[1:]:
            fields = line.split()
            if len(fields) >= 3 and fields[2] == "RUNNING":
                tasks[fields[0]] = int(fields[1])
        found = []
        for container_id in self.ctr("containers", "ls", "-q").stdout.split():
            info = self.ctr("containers", "info", container_id, check=False)
            if info.returncode != 0:
                continue  # removed meanwhile
            labels = json.loads(info.stdout).get("Labels") or {}
            if labels.get("io.cri-containerd.kind") != "container":
                continue  # a pod sandbox
            found.append(Container(container_id, labels.get("io.kubernetes.pod.name", ""),
                                   labels.get("io.kubernetes.pod.namespace", ""),
                                   labels.get("io.kubernetes.container.name", ""), tasks.get(container_id)))
        return found

    def kill(self, container: Container) -> None:
        """SIGKILL the container's processes, as the OOM killer or a crash would."""
        self.ctr("tasks", "kill", "--signal", "SIGKILL", container.id)

    def logs(self, lines: int = 20) -> str:
        return "\n".join(f"--- {d.name} ---\n{d.log_tail(lines)}" for d in self.daemons)

    # ---- teardown ----

    def _cgroups(self) -> list[Path]:
        """This node's cgroup directories in every hierarchy, deepest first."""
        tops = [hierarchy / self.cgroup_name for hierarchy in CGROUP_ROOT.iterdir() if (hierarchy / self.cgroup_name).is_dir()]
        found = [path for top in tops for path in top.rglob("*") if path.is_dir()] + tops
        return sorted(found, key=lambda path: len(path.parts), reverse=True)

    def _processes(self) -> set[int]:
        """Every process of this node: in the test's namespaces (daemons, shims) or its cgroups (pods)."""
        pids = set(self.network.processes())
        for cgroup in self._cgroups():
            procs = cgroup / "cgroup.procs"
            if procs.exists():
                pids.update(int(pid) for pid in procs.read_text().split())
        return pids

    def stop(self, check: bool = True) -> None:
        kubelet = next((d for d in self.daemons if d.name == "kubelet"), None)
        if kubelet is not None:
            kubelet.stop()  # first, or it would restart what is killed below
        for daemon in reversed(self.daemons):
            daemon.stop()
        self.daemons.clear()
        deadline = time.monotonic() + 30
        while (pids := self._processes()) and time.monotonic() < deadline:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.2)
        for cgroup in self._cgroups():
            try:
                cgroup.rmdir()
            except OSError:
                pass
        for key, value in self._sysctls.items():
            (Path("/proc/sys") / key).write_text(value)
        if check:
            self.check_nothing_left()

    def check_nothing_left(self) -> None:
        problems = []
        if pids := self._processes():
            problems.append(f"processes left: {sorted(pids)}")
        if cgroups := self._cgroups():
            problems.append(f"cgroups left: {[str(c) for c in cgroups]}")
        changed = [key for key, value in self._sysctls.items() if (Path("/proc/sys") / key).read_text() != value]
        if changed:
            problems.append(f"kernel settings not restored: {changed}")
        if problems:
            raise RuntimeError("the real node left things behind: " + "; ".join(problems))
