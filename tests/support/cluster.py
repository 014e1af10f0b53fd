"""A real Kubernetes control plane on 127.0.0.1 for the e2e tests: etcd, kube-apiserver,
kube-controller-manager and kube-scheduler, from ``$TESTBIN`` (``make testbin``).

Everything lives in one temporary directory (certificates, etcd data, logs,
kubeconfigs) and binds to 127.0.0.1 on free ports. Authentication is by
client certificate (the admin user is in ``system:masters``) or by
service-account token; authorization is ``Node,RBAC``, so a token of the
chart's ServiceAccount gets exactly what the chart's RBAC grants.

Where it runs is a ``support.network`` choice: on this machine's loopback
(the default), or inside the real node's own network namespace, where it binds
the node IP (so that pods reach it through the ``kubernetes`` Service) and the
tests reach it through forwarders on 127.0.0.1.

With the stand-in node (``support.node_agent``, no kubelet) the controller
manager runs every controller except the node lifecycle controller
(``-nodelifecycle``): the agent's Nodes send no heartbeats, and that controller
would otherwise taint them unreachable and evict their pods. A real kubelet
sends heartbeats: ``controllers="*"``.
"""

from __future__ import annotations

import re
import ssl
import subprocess
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client, config

from .minio import free_port
from .network import LOOPBACK, Loopback
from .pki import CertificateAuthority, KeyPair, SigningKey, signing_key
from .processes import Daemon

CONTROL_PLANE_BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl")
ADMIN_USER = "simfarm-e2e-admin"
SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"
SERVICE_CIDR = "10.96.0.0/16"
KUBERNETES_SERVICE_IP = "10.96.0.1"  # the first address of SERVICE_CIDR
STAND_IN_CONTROLLERS = "*,-nodelifecycle"  # see the module doc


def _https_ok(url: str, context: ssl.SSLContext) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2, context=context) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, ssl.SSLError):
        return False


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def kubeconfig(server: str, ca_file: Path, user: dict[str, str], name: str = "e2e") -> dict[str, Any]:
    """A kubeconfig for one cluster and one user (``client-certificate``/``client-key`` or ``token``)."""
    return {
        "apiVersion": "v1", "kind": "Config", "current-context": name,
        "clusters": [{"name": name, "cluster": {"server": server, "certificate-authority": str(ca_file)}}],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
    }


class LocalCluster:
    """The control plane; ``start()`` returns when the API is ready and controllers work."""

    def __init__(self, bin_dir: Path, workdir: Path, *, network=None,
                 controllers: str = STAND_IN_CONTROLLERS) -> None:
        self.bin_dir = bin_dir
        self.workdir = workdir
        self.network = network or Loopback()
        self.controllers = controllers
        self.api_port = free_port()
        self.etcd_port, self.etcd_peer_port = free_port(), free_port()
        self.controller_manager_port, self.scheduler_port = free_port(), free_port()
        self.daemons: list[Daemon] = []
        self.admin_kubeconfig = workdir / "admin.kubeconfig"  # the tests' (kubectl, helm, Python)
        self.internal_kubeconfig = workdir / "internal.kubeconfig"  # the cluster's own daemons'
        self.authority: CertificateAuthority | None = None

    @property
    def host(self) -> str:
        return self.network.host

    @property
    def server(self) -> str:
        """The API server's URL from the tests (a forwarder when it runs in a namespace)."""
        return f"https://{LOOPBACK}:{self.network.expose(self.host, self.api_port)}"

    @property
    def internal_server(self) -> str:
        """The API server's URL inside the cluster's network (daemons, the node, Prometheus)."""
        return f"https://{self.host}:{self.api_port}"

    @property
    def ca_file(self) -> Path:
        return self.workdir / "pki" / "ca.crt"

    def reachable(self, host: str, port: int) -> str:
        """``host:port`` of the cluster's network as the tests reach it."""
        return f"{LOOPBACK}:{self.network.expose(host, port)}"

    # ---- lifecycle ----

    def start(self, timeout: float = 120.0) -> None:
        pki = self.workdir / "pki"
        authority = self.authority = CertificateAuthority(pki)
        serving = authority.issue("apiserver", common_name="kube-apiserver", server_names=tuple(dict.fromkeys((
            LOOPBACK, self.host, KUBERNETES_SERVICE_IP, "localhost", "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local"))))
        admin = authority.issue("admin", common_name=ADMIN_USER, groups=("system:masters",))
        # the API server's identity towards kubelets (kubectl logs/exec): the kubelet asks whether it may
        kubelet_client = authority.issue("apiserver-kubelet-client", common_name="kube-apiserver-kubelet-client",
                                         groups=("system:masters",))
        tokens = signing_key(pki)
        admin_user = {"client-certificate": str(admin.cert), "client-key": str(admin.key)}
        self.write_kubeconfig(self.internal_kubeconfig, admin_user, server=self.internal_server)
        try:
            self._start_etcd(timeout)
            self._start_apiserver(authority.pair, serving, tokens, admin, kubelet_client, timeout)
            self.write_kubeconfig(self.admin_kubeconfig, admin_user)
            controller_manager = self._start_controllers(authority.pair, tokens, timeout)
            # pods need their namespace's ``default`` ServiceAccount: the controllers' work is visible
            controller_manager.wait_until(lambda: self._service_account_exists("default", "default"),
                                          "ServiceAccount default/default", timeout)
        except BaseException:
            self.stop()
            raise

    def _launch(self, name: str, command: Sequence[str | Path]) -> Daemon:
        daemon = Daemon(name, self.network.command([str(self.bin_dir / name), *map(str, command)]),
                        self.workdir / "logs" / f"{name}.log", cwd=self.workdir).start()
        self.daemons.append(daemon)
        return daemon

    def _start_etcd(self, timeout: float) -> None:
        client_url, peer_url = f"http://{LOOPBACK}:{self.etcd_port}", f"http://{LOOPBACK}:{self.etcd_peer_port}"
        etcd = self._launch("etcd", [
            "--name", "e2e", "--data-dir", self.workdir / "etcd",
            "--listen-client-urls", client_url, "--advertise-client-urls", client_url,
            "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
            "--initial-cluster", f"e2e={peer_url}", "--unsafe-no-fsync", "--log-level", "warn",
        ])
        health = f"http://{self.reachable(LOOPBACK, self.etcd_port)}/health"
        etcd.wait_until(lambda: _http_ok(health), "healthy etcd", timeout)

    def _start_apiserver(self, ca: KeyPair, serving: KeyPair, tokens: SigningKey, admin: KeyPair,
                         kubelet_client: KeyPair, timeout: float) -> None:
        # the kubernetes Service's endpoints may not be a loopback IP: on loopback, no reconciler
        reconciler = ["--endpoint-reconciler-type=none"] if self.host == LOOPBACK else []
        apiserver = self._launch("kube-apiserver", [
            f"--etcd-servers=http://{LOOPBACK}:{self.etcd_port}",
            f"--bind-address={self.host}", f"--advertise-address={self.host}", f"--secure-port={self.api_port}",
            *reconciler,
            f"--tls-cert-file={serving.cert}", f"--tls-private-key-file={serving.key}",
            f"--kubelet-client-certificate={kubelet_client.cert}", f"--kubelet-client-key={kubelet_client.key}",
            "--kubelet-preferred-address-types=InternalIP",  # no DNS here for node names
            f"--client-ca-file={ca.cert}", f"--cert-dir={self.workdir / 'apiserver-certs'}",
            "--authorization-mode=Node,RBAC",
            # what a production cluster enables on top of the defaults; the operator's RBAC accounts for it
            "--enable-admission-plugins=OwnerReferencesPermissionEnforcement",
            f"--service-account-issuer={SERVICE_ACCOUNT_ISSUER}",
            f"--service-account-key-file={tokens.public}", f"--service-account-signing-key-file={tokens.private}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            "--profiling=false",
        ])
        context = ssl.create_default_context(cafile=str(ca.cert))
        context.load_cert_chain(str(admin.cert), str(admin.key))
        apiserver.wait_until(lambda: _https_ok(f"{self.server}/readyz", context), "ready API server", timeout)

    def _start_controllers(self, ca: KeyPair, tokens: SigningKey, timeout: float) -> Daemon:
        kubeconfig_flags = [f"--{flag}={self.internal_kubeconfig}"
                            for flag in ("kubeconfig", "authentication-kubeconfig", "authorization-kubeconfig")]
        controller_manager = self._launch("kube-controller-manager", [
            *kubeconfig_flags,
            f"--bind-address={LOOPBACK}", f"--secure-port={self.controller_manager_port}",
            f"--cert-dir={self.workdir / 'controller-manager-certs'}",
            f"--controllers={self.controllers}",
            f"--service-account-private-key-file={tokens.private}", f"--root-ca-file={ca.cert}",
            "--use-service-account-credentials", "--leader-elect=false",
        ])
        scheduler = self._launch("kube-scheduler", [
            *kubeconfig_flags,
            f"--bind-address={LOOPBACK}", f"--secure-port={self.scheduler_port}",
            f"--cert-dir={self.workdir / 'scheduler-certs'}", "--leader-elect=false",
        ])
        unverified = ssl.create_default_context()
        unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE  # self-signed serving certs
        for daemon, port in ((controller_manager, self.controller_manager_port), (scheduler, self.scheduler_port)):
            healthz = f"https://{self.reachable(LOOPBACK, port)}/healthz"
            daemon.wait_until(lambda: _https_ok(healthz, unverified), "healthy /healthz", timeout)
        return controller_manager

    def _service_account_exists(self, namespace: str, name: str) -> bool:
        result = self.kubectl("get", "serviceaccount", name, "-n", namespace, check=False)
        return result.returncode == 0

    def stop(self) -> None:
        """Stop everything, newest first, and check that no process of this cluster is left."""
        for daemon in reversed(self.daemons):
            daemon.stop()
        self.daemons.clear()
        ours = f"{re.escape(str(self.bin_dir))}/.*{re.escape(str(self.workdir))}"
        leftovers = subprocess.run(["pgrep", "-f", ours], capture_output=True, text=True).stdout
        if leftovers.strip():
            raise RuntimeError(f"control plane processes left running: {leftovers.split()}")

    def logs(self, lines: int = 20) -> str:
        return "\n".join(f"--- {d.name} ---\n{d.log_tail(lines)}" for d in self.daemons)

    # ---- clients ----

    def write_kubeconfig(self, path: Path, user: dict[str, str], server: str | None = None) -> Path:
        path.write_text(yaml.safe_dump(kubeconfig(server or self.server, self.ca_file, user)))
        return path

    def api_client(self) -> client.ApiClient:
        """A Python client logged in as the admin."""
        return config.new_client_from_config(config_file=str(self.admin_kubeconfig))

    def kubectl(self, *args: str, kubeconfig: Path | None = None, stdin: str | None = None,
                check: bool = True, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """``kubectl`` as the admin (or with ``kubeconfig``); raises with its stderr when ``check`` fails."""
        command = [str(self.bin_dir / "kubectl"), f"--kubeconfig={kubeconfig or self.admin_kubeconfig}", *args]
        result = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} exited {result.returncode}: "
                                 f"{result.stderr.strip() or result.stdout.strip()}")
        return result

    def service_account_kubeconfig(self, namespace: str, name: str, path: Path, duration: str = "2h") -> Path:
        """A kubeconfig holding a fresh token of ServiceAccount ``namespace/name`` (``kubectl create token``)."""
        token = self.kubectl("create", "token", name, "-n", namespace, f"--duration={duration}").stdout.strip()
        return self.write_kubeconfig(path, {"token": token})

