"""A kubelet stand-in for the e2e tests: registers a GPU Node and runs the pods bound to it.

It watches the pods whose ``spec.nodeName`` is its node and runs those owned
by a Job (the chart's operator pod, owned by a ReplicaSet, is left alone:
the tests run the operator as a local process). The image is ignored: the
container's ``command + args`` run as a local process with ``PATH`` starting
at the virtualenv's ``bin``, so ``simfarm-render`` and ``sh -c '… exec
simfarm-render …'`` both run the real worker. At most ``max_running`` pods
run at once; more wait, ``Pending``.

What it does as a kubelet would:

* environment: ``envFrom`` (Secrets, ConfigMaps, with prefixes), then ``env``
  with ``value`` or ``valueFrom`` ``fieldRef`` (so the Job controller's
  ``JOB_COMPLETION_INDEX`` comes from the pod's completion-index
  annotation), ``secretKeyRef`` and ``configMapKeyRef``;
* volumes: ``emptyDir``, ``secret`` and ``configMap`` become directories in
  the pod's sandbox. The process cannot see the real mount paths, so every
  environment value that is a mount path or lies under one is rewritten to
  the sandbox directory (e.g. ``SIMFARM_S3_SECRET_DIR``, ``TMPDIR``, ``HOME``);
  command arguments are not rewritten;
* termination message: ``terminationMessagePath`` becomes a sandbox file,
  passed to the worker as ``SIMFARM_TERMINATION_LOG`` (the worker's own
  override of ``/dev/termination-log``); with ``FallbackToLogsOnError`` a
  failed container without a message gets its log's tail, as the kubelet does;
* status, through the API: ``Pending`` (waiting, ``ContainerCreating``) when
  accepted, ``Running`` when started, then ``Succeeded``/``Failed`` with
  ``state.terminated`` (``exitCode``, ``reason``, ``message``). Pods have
  ``restartPolicy: Never`` (others are refused): a container runs once;
* deletion: a pod being deleted has its process group sent SIGTERM (SIGKILL
  after the grace period) and is then deleted with grace period 0.

Each pod's output is kept in ``<workdir>/logs/<namespace>_<pod>.log``.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
import shutil
import signal
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kubernetes import client
from kubernetes.utils.quantity import parse_quantity
from kubernetes.watch.watch import iter_resp_lines

from .processes import signal_group

logger = logging.getLogger("e2e.node_agent")

GPU_RESOURCE = "nvidia.com/gpu"
TERMINATION_LOG_ENV = "SIMFARM_TERMINATION_LOG"  # simfarm_render.report's override of /dev/termination-log
MAX_MESSAGE_BYTES = 4096
FALLBACK_LOG_LINES = 80
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"  # keeps the scheduler's PodScheduled condition
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
FIELD_PATHS = {
    "metadata.name": ("metadata", "name"), "metadata.namespace": ("metadata", "namespace"),
    "metadata.uid": ("metadata", "uid"), "spec.nodeName": ("spec", "nodeName"),
    "spec.serviceAccountName": ("spec", "serviceAccountName"),
}
LABEL_OR_ANNOTATION = re.compile(r"^metadata\.(labels|annotations)\['(.+)'\]$")


class PodSetupError(Exception):
    """The pod cannot be started (unsupported feature, missing Secret key): it fails with this message."""


@dataclass(frozen=True)
class NodeCapacity:
    cpu: str = "8"
    memory: str = "32Gi"
    pods: str = "20"
    gpus: int = 2

    def resources(self) -> dict[str, str]:
        return {"cpu": self.cpu, "memory": self.memory, "pods": self.pods, GPU_RESOURCE: str(self.gpus)}


@dataclass(frozen=True)
class LocalContainer:
    """What a pod's container becomes on this machine."""

    command: list[str]
    env: dict[str, str]
    cwd: Path
    termination_log: Path
    message_policy: str


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def owned_by_job(pod: dict[str, Any]) -> bool:
    return any(ref.get("kind") == "Job" for ref in pod["metadata"].get("ownerReferences") or [])


def field_value(pod: dict[str, Any], path: str) -> str:
    """A ``fieldRef`` as the kubelet resolves it."""
    match = LABEL_OR_ANNOTATION.match(path)
    if match:
        return (pod["metadata"].get(match.group(1)) or {}).get(match.group(2), "")
    if path in ("status.hostIP", "status.podIP"):
        return "127.0.0.1"
    if path not in FIELD_PATHS:
        raise PodSetupError(f"fieldRef {path} is not supported by the node agent")
    section, key = FIELD_PATHS[path]
    return pod[section].get(key) or ""


def resource_value(pod: dict[str, Any], container: dict[str, Any], ref: dict[str, Any],
                   capacity: NodeCapacity) -> str:
    """A ``resourceFieldRef`` as the kubelet resolves it: the named container's limit (the node's capacity
    when it sets none) or request, over the divisor, rounded up."""
    section, _, name = ref["resource"].partition(".")
    if section not in ("limits", "requests") or name not in ("cpu", "memory"):
        raise PodSetupError(f"resourceFieldRef {ref['resource']} is not supported by the node agent")
    named = ref.get("containerName") or container["name"]
    (target,) = [c for c in pod["spec"]["containers"] if c["name"] == named]
    value = ((target.get("resources") or {}).get(section) or {}).get(name)
    if value is None:
        value = capacity.resources()[name] if section == "limits" else "0"
    return str(math.ceil(parse_quantity(value) / parse_quantity(str(ref.get("divisor", "1")))))


def mapped_path(value: str, mounts: dict[str, Path]) -> str:
    """``value`` with a leading mount path replaced by its local directory (longest mount first)."""
    for mount_path in sorted(mounts, key=len, reverse=True):
        if value == mount_path or value.startswith(mount_path.rstrip("/") + "/"):
            return str(mounts[mount_path]) + value[len(mount_path.rstrip("/")):]
    return value


def exit_code_of(returncode: int) -> int:
    """A process killed by signal N exits 128+N in a container."""
    return 128 - returncode if returncode < 0 else returncode


class NodeAgent:
    """One Node: ``register()`` it, ``start()`` running its pods, ``stop()`` (kills what still runs)."""

    def __init__(self, api: client.ApiClient, node: str, workdir: Path, bin_dir: Path, *,
                 max_running: int = 2, capacity: NodeCapacity = NodeCapacity()) -> None:
        self.core = client.CoreV1Api(api)
        self.node = node
        self.workdir = workdir
        self.bin_dir = bin_dir
        self.capacity = capacity
        self._executor = ThreadPoolExecutor(max_workers=max_running, thread_name_prefix=f"{node}-pod")
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._accepted: set[str] = set()
        self._running: dict[str, subprocess.Popen] = {}
        self._watcher = threading.Thread(target=self._watch, name=f"{node}-watch", daemon=True)

    # ---- node ----

    def register(self) -> None:
        """Create the Node, report it Ready with its capacity (CPU, memory, pods, GPUs), untaint it."""
        resources = self.capacity.resources()
        self.core.create_node({"apiVersion": "v1", "kind": "Node", "metadata": {
            "name": self.node, "labels": {"kubernetes.io/hostname": self.node, "kubernetes.io/os": "linux",
                                          "simfarm.dev/e2e-node": "true"}}})
        self.core.patch_node_status(self.node, {"status": {
            "capacity": resources, "allocatable": resources,
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "simfarm e2e node agent", "lastHeartbeatTime": now(),
                            "lastTransitionTime": now()}],
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}, {"type": "Hostname", "address": self.node}],
            "nodeInfo": {"architecture": "amd64", "operatingSystem": "linux", "kubeletVersion": "e2e-agent",
                         "bootID": "", "containerRuntimeVersion": "local-process://", "kernelVersion": "",
                         "kubeProxyVersion": "", "machineID": "", "osImage": "", "systemUUID": ""},
        }}, _content_type=MERGE_PATCH)
        # The API server's TaintNodesByCondition admission taints a new Node not-ready; the node lifecycle
        # controller (disabled in support.cluster: no heartbeats here) would lift it once the Node is Ready.
        self.core.patch_node(self.node, {"spec": {"taints": None}}, _content_type=MERGE_PATCH)

    def start(self) -> None:
        self._watcher.start()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            running = list(self._running.values())
        for process in running:
            signal_group(process.pid, signal.SIGKILL)
        self._watcher.join(timeout=15)
        self._executor.shutdown(wait=True, cancel_futures=True)

    def pod_log(self, namespace: str, name: str, lines: int = 15) -> str:
        log = self._log_file(namespace, name)
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"

    # ---- watching ----

    def _watch(self) -> None:
        selector = f"spec.nodeName={self.node}"
        while not self._stopping.is_set():
            try:
                listing = json.loads(self.core.list_pod_for_all_namespaces(
                    field_selector=selector, _preload_content=False).data)
                for pod in listing["items"]:
                    self._sync(pod, deleted=False)
                self._follow(selector, listing["metadata"]["resourceVersion"])
            except Exception as error:  # the API server restarting, an expired resourceVersion: list again
                if not self._stopping.is_set():
                    logger.warning("%s: watch failed (%s); listing again", self.node, error)
                    self._stopping.wait(0.5)

    def _follow(self, selector: str, resource_version: str) -> None:
        while not self._stopping.is_set():
            response = self.core.list_pod_for_all_namespaces(
                field_selector=selector, watch=True, resource_version=resource_version, timeout_seconds=5,
                allow_watch_bookmarks=True, _preload_content=False, _request_timeout=30)
            try:
                for line in iter_resp_lines(response):
                    event = json.loads(line)
                    if event["type"] == "ERROR":
                        raise RuntimeError(f"watch error: {event['object'].get('message')}")
                    resource_version = event["object"]["metadata"]["resourceVersion"]
                    if event["type"] != "BOOKMARK":
                        self._sync(event["object"], deleted=event["type"] == "DELETED")
                    if self._stopping.is_set():
                        return
            finally:
                response.release_conn()

    def _sync(self, pod: dict[str, Any], *, deleted: bool) -> None:
        if not owned_by_job(pod):
            return
        uid = pod["metadata"]["uid"]
        if deleted or pod["metadata"].get("deletionTimestamp"):
            with self._lock:
                process = self._running.get(uid)
            if process is not None:
                signal_group(process.pid, signal.SIGTERM)
                grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
                kill_later = threading.Timer(grace, signal_group, (process.pid, signal.SIGKILL))
                kill_later.daemon = True
                kill_later.start()
            elif not deleted:
                self._delete_now(pod)
            return
        if pod["status"].get("phase") in ("Succeeded", "Failed"):
            return
        with self._lock:
            if uid in self._accepted:
                return
            self._accepted.add(uid)
        self._executor.submit(self._run_pod, pod)

    # ---- running a pod ----

    def _run_pod(self, pod: dict[str, Any]) -> None:
        try:
            current = self._read(pod)
            if current is None or self._stopping.is_set():
                return
            if current["metadata"].get("deletionTimestamp"):
                self._delete_now(current)
                return
            self._execute(current)
        except Exception:
            logger.exception("%s: pod %s/%s", self.node, pod["metadata"]["namespace"], pod["metadata"]["name"])

    def _execute(self, pod: dict[str, Any]) -> None:
        meta = pod["metadata"]
        container_spec = pod["spec"]["containers"][0]
        sandbox = self.workdir / "sandboxes" / meta["uid"]
        self._patch_status(pod, {"phase": "Pending", "containerStatuses": [
            self._container_status(container_spec, {"waiting": {"reason": "ContainerCreating"}}, ready=False)]})
        started = now()
        try:
            container = self._prepare(pod, sandbox)
        except PodSetupError as error:
            self._report_exit(pod, container_spec, 128, "StartError", str(error), started)
            return
        log_file = self._log_file(meta["namespace"], meta["name"])
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("ab") as log:
            try:
                process = subprocess.Popen(container.command, env=container.env, cwd=container.cwd,
                                           stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                           start_new_session=True)
            except OSError as error:
                self._report_exit(pod, container_spec, 128, "StartError", str(error), started)
                return
        with self._lock:
            self._running[meta["uid"]] = process
        try:
            self._patch_status(pod, {
                "phase": "Running", "startTime": started,
                "conditions": self._conditions(True, started),
                "containerStatuses": [self._container_status(
                    container_spec, {"running": {"startedAt": started}}, ready=True)]})
            code = exit_code_of(process.wait())
        finally:
            with self._lock:
                self._running.pop(meta["uid"], None)
        message = self._termination_message(container, code, log_file)
        self._report_exit(pod, container_spec, code, "Completed" if code == 0 else "Error", message, started)
        shutil.rmtree(sandbox, ignore_errors=True)
        current = self._read(pod)
        if current is not None and current["metadata"].get("deletionTimestamp"):
            self._delete_now(current)

    def _prepare(self, pod: dict[str, Any], sandbox: Path) -> LocalContainer:
        spec, namespace = pod["spec"], pod["metadata"]["namespace"]
        if spec.get("restartPolicy") != "Never":
            raise PodSetupError(f"restartPolicy {spec.get('restartPolicy')}: the node agent runs Never pods only")
        if len(spec["containers"]) != 1 or spec.get("initContainers"):
            raise PodSetupError("the node agent runs pods with exactly one container and no init containers")
        container = spec["containers"][0]
        command = list(container.get("command") or []) + list(container.get("args") or [])
        if not command:
            raise PodSetupError("no command: the node agent cannot run an image's entrypoint")
        volumes = {v["name"]: self._materialise(v, namespace, sandbox / "volumes" / v["name"])
                   for v in spec.get("volumes") or []}
        mounts = {m["mountPath"]: volumes[m["name"]] / m.get("subPath", "") for m in container.get("volumeMounts") or []}
        env = {name: mapped_path(value, mounts) for name, value in self._environment(pod, container).items()}
        termination_log = sandbox / "termination-log"
        termination_log.touch()
        cwd = sandbox / "workdir"
        cwd.mkdir()
        env.update(PATH=f"{self.bin_dir}:{SYSTEM_PATH}", **{TERMINATION_LOG_ENV: str(termination_log)})
        return LocalContainer(command, env, cwd, termination_log,
                              container.get("terminationMessagePolicy", "File"))

    def _environment(self, pod: dict[str, Any], container: dict[str, Any]) -> dict[str, str]:
        namespace = pod["metadata"]["namespace"]
        env: dict[str, str] = {}
        for source in container.get("envFrom") or []:
            kind = "secret" if "secretRef" in source else "configmap"
            ref = source.get("secretRef") or source.get("configMapRef")
            data = self._data(kind, namespace, ref["name"], optional=ref.get("optional", False))
            env.update({source.get("prefix", "") + key: value for key, value in data.items()})
        for variable in container.get("env") or []:
            env[variable["name"]] = self._env_value(pod, container, variable)
        return env

    def _env_value(self, pod: dict[str, Any], container: dict[str, Any], variable: dict[str, Any]) -> str:
        source = variable.get("valueFrom")
        if source is None:
            return variable.get("value", "")
        if "fieldRef" in source:
            return field_value(pod, source["fieldRef"]["fieldPath"])
        if "resourceFieldRef" in source:
            return resource_value(pod, container, source["resourceFieldRef"], self.capacity)
        kind, ref = (("secret", source["secretKeyRef"]) if "secretKeyRef" in source
                     else ("configmap", source.get("configMapKeyRef")))
        if ref is None:
            raise PodSetupError(f"env {variable['name']}: {sorted(source)} is not supported by the node agent")
        data = self._data(kind, pod["metadata"]["namespace"], ref["name"], optional=ref.get("optional", False))
        if ref["key"] not in data and not ref.get("optional", False):
            raise PodSetupError(f"env {variable['name']}: {kind} {ref['name']} has no key {ref['key']}")
        return data.get(ref["key"], "")

    def _materialise(self, volume: dict[str, Any], namespace: str, directory: Path) -> Path:
        directory.mkdir(parents=True)
        if "emptyDir" in volume:
            return directory
        if "secret" in volume or "configMap" in volume:
            kind, source = (("secret", volume["secret"]) if "secret" in volume else ("configmap", volume["configMap"]))
            name = source.get("secretName") or source.get("name")
            data = self._data(kind, namespace, name, optional=source.get("optional", False))
            items = source.get("items") or [{"key": key, "path": key} for key in data]
            for item in items:
                if item["key"] not in data:
                    raise PodSetupError(f"volume {volume['name']}: {kind} {name} has no key {item['key']}")
                target = directory / item["path"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(data[item["key"]])
            return directory
        raise PodSetupError(f"volume {volume['name']}: only emptyDir, secret and configMap volumes are supported")

    def _data(self, kind: str, namespace: str, name: str, *, optional: bool) -> dict[str, str]:
        """A Secret's (decoded) or ConfigMap's data; ``{}`` for a missing optional one."""
        try:
            if kind == "secret":
                secret = self.core.read_namespaced_secret(name, namespace)
                return {key: base64.b64decode(value).decode() for key, value in (secret.data or {}).items()}
            return dict(self.core.read_namespaced_config_map(name, namespace).data or {})
        except client.ApiException as error:
            if error.status == 404 and optional:
                return {}
            raise PodSetupError(f"{kind} {namespace}/{name}: {error.status} {error.reason}") from None

    @staticmethod
    def _termination_message(container: LocalContainer, code: int, log_file: Path) -> str:
        message = container.termination_log.read_bytes()[:MAX_MESSAGE_BYTES].decode(errors="replace")
        if not message.strip() and code != 0 and container.message_policy == "FallbackToLogsOnError":
            tail = log_file.read_text(errors="replace").splitlines()[-FALLBACK_LOG_LINES:]
            message = "\n".join(tail)[-MAX_MESSAGE_BYTES:]
        return message

    # ---- reporting ----

    @staticmethod
    def _container_status(container: dict[str, Any], state: dict[str, Any], *, ready: bool) -> dict[str, Any]:
        return {"name": container["name"], "image": container["image"], "imageID": "", "ready": ready,
                "restartCount": 0, "started": "running" in state, "state": state}

    @staticmethod
    def _conditions(ready: bool, at: str) -> list[dict[str, str]]:
        status = "True" if ready else "False"
        return [{"type": "Initialized", "status": "True", "lastTransitionTime": at},
                {"type": "ContainersReady", "status": status, "lastTransitionTime": at},
                {"type": "Ready", "status": status, "lastTransitionTime": at}]

    def _report_exit(self, pod: dict[str, Any], container: dict[str, Any], code: int, reason: str, message: str,
                     started: str) -> None:
        finished = now()
        terminated = {"exitCode": code, "reason": reason, "message": message, "startedAt": started,
                      "finishedAt": finished}
        self._patch_status(pod, {
            "phase": "Succeeded" if code == 0 else "Failed",
            "conditions": self._conditions(False, finished),
            "containerStatuses": [self._container_status(container, {"terminated": terminated}, ready=False)]})

    def _patch_status(self, pod: dict[str, Any], status: dict[str, Any]) -> None:
        meta = pod["metadata"]
        try:
            self.core.patch_namespaced_pod_status(meta["name"], meta["namespace"], {"status": status},
                                                  _content_type=STRATEGIC_MERGE_PATCH)
        except client.ApiException as error:
            if error.status != 404:  # deleted meanwhile: nothing to report to
                raise

    def _read(self, pod: dict[str, Any]) -> dict[str, Any] | None:
        meta = pod["metadata"]
        try:
            current = json.loads(self.core.read_namespaced_pod(meta["name"], meta["namespace"],
                                                               _preload_content=False).data)
        except client.ApiException as error:
            if error.status == 404:
                return None
            raise
        return current if current["metadata"]["uid"] == meta["uid"] else None

    def _delete_now(self, pod: dict[str, Any]) -> None:
        """What the kubelet does once a deleted pod's containers are gone: delete with grace period 0."""
        meta = pod["metadata"]
        try:
            self.core.delete_namespaced_pod(meta["name"], meta["namespace"], grace_period_seconds=0,
                                            body=client.V1DeleteOptions(
                                                grace_period_seconds=0,
                                                preconditions=client.V1Preconditions(uid=meta["uid"])))
        except client.ApiException as error:
            if error.status not in (404, 409):
                raise

    def _log_file(self, namespace: str, name: str) -> Path:
        return self.workdir / "logs" / f"{namespace}_{name}.log"

