"""Where a test cluster's daemons listen, and how the tests reach them.

* ``Loopback``: everything on 127.0.0.1 of this machine (the stand-in node's cluster).
* ``IsolatedNetwork``: a network namespace and a mount namespace of the test's own, held by one
  ``unshare`` process, for the real node. Inside: ``lo`` and an interface carrying the node IP
  (``NODE_IP``; one end of a veth pair whose ends both stay inside: the kernels here lack the
  dummy link type), later the CNI bridge and the pods' veths; every daemon started through
  ``command()`` runs there. Nothing touches this machine's interfaces, routes or iptables: the test
  reaches a daemon through ``expose(host, port)``, a forwarder listening on 127.0.0.1 here whose
  upstream sockets are opened from threads that entered the namespace (``setns``).

  The mount namespace is private and has fresh tmpfs on ``/run`` and ``/var/lib``: what
  containerd, runc, the CNI plugins and the kubelet write there by default (shim sockets, pod
  network namespaces, CNI caches, ``/var/lib/kubelet/device-plugins``) and every mount they make
  (overlay root filesystems, Secret volumes) vanish with the namespace, when its last process ends.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import socket
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .tcp_proxy import TcpProxy

LOOPBACK = "127.0.0.1"
NODE_IP = "172.30.0.2"  # the node interface of the isolated namespace
NODE_PREFIX = 24
CLONE_NEWNET = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)


class Loopback:
    """The machine's own loopback: daemons run as they are, tests connect directly."""

    host = LOOPBACK

    def command(self, command: list[str]) -> list[str]:
        return command

    def expose(self, host: str, port: int) -> int:
        return port

    def close(self) -> None:
        pass


def _enter_network_namespace(path: str) -> None:
    """Move the calling thread (only it) into the network namespace at ``path``."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"setns({path}): {os.strerror(error)}")
    finally:
        os.close(fd)


HOLDER_SCRIPT = f"""
set -e
mount -t tmpfs -o mode=0755 simfarm-run /run
mount -t tmpfs -o mode=0755 simfarm-var-lib /var/lib
ip link set lo up
ip link add node0 type veth peer name node0-peer
ip addr add {NODE_IP}/{NODE_PREFIX} dev node0
ip link set node0-peer up
ip link set node0 up
echo ready
exec sleep infinity
"""


class IsolatedNetwork:
    """A network + mount namespace; ``close()`` ends it (after its daemons were stopped)."""

    host = NODE_IP

    def __init__(self) -> None:
        self._holder = subprocess.Popen(
            ["unshare", "--net", "--mount", "--propagation", "private", "sh", "-c", HOLDER_SCRIPT],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        line = self._holder.stdout.readline().strip()
        if line != "ready":
            self._holder.kill()
            _, err = self._holder.communicate(timeout=10)
            raise RuntimeError(f"could not make the test's network namespace: {err.strip() or line}")
        self.pid = self._holder.pid
        self.net_ns = f"/proc/{self.pid}/ns/net"
        self.mount_ns = f"/proc/{self.pid}/ns/mnt"
        self.net_ns_id = os.stat(self.net_ns).st_ino
        self.mount_ns_id = os.stat(self.mount_ns).st_ino
        self._dialers = ThreadPoolExecutor(4, thread_name_prefix="netns-dial",
                                           initializer=_enter_network_namespace, initargs=(self.net_ns,))
        self._forwarders: dict[tuple[str, int], TcpProxy] = {}
        self._lock = threading.Lock()

    def command(self, command: list[str]) -> list[str]:
        """``command`` run inside the namespaces (``nsenter``: the same mount namespace for all)."""
        return ["nsenter", f"--target={self.pid}", "--net", "--mount", "--", *command]

    def run(self, *command: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(self.command(list(command)), capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited {result.returncode}: {result.stderr.strip()}")
        return result

    def dial(self, address: tuple[str, int], timeout: float = 5.0) -> socket.socket:
        """A TCP connection to ``address`` inside the namespace."""
        return self._dialers.submit(socket.create_connection, address, timeout).result()

    def expose(self, host: str, port: int) -> int:
        """A port on 127.0.0.1 here that relays to ``host:port`` inside the namespace."""
        with self._lock:
            if (host, port) not in self._forwarders:
                self._forwarders[(host, port)] = TcpProxy(port, cut=False, target_host=host, dial=self.dial).start()
            return self._forwarders[(host, port)].port

    def processes(self) -> list[int]:
        """Processes inside the namespaces, the holder excepted."""
        inside = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == self.pid:
                continue
            try:
                if os.stat(entry / "ns" / "mnt").st_ino in (self.mount_ns_id,) or \
                        os.stat(entry / "ns" / "net").st_ino == self.net_ns_id:
                    inside.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
        return inside

    def close(self) -> None:
        """Stop the forwarders and the holder: the namespaces, their mounts and interfaces go with it.
        Then check that nothing of the test cluster reached this machine's own namespaces."""
        for forwarder in self._forwarders.values():
            forwarder.close()
        self._forwarders.clear()
        self._dialers.shutdown(wait=False, cancel_futures=True)
        if self._holder.poll() is None:
            self._holder.kill()
            self._holder.wait(timeout=15)
        if leftovers := host_leftovers():
            raise RuntimeError(f"the test cluster left things on this machine: {leftovers}")


# What the node would leave in this machine's namespaces if it ran there: its interfaces, its
# iptables chains, its mounts (state directories, pod network namespaces, kubelet volumes).
NODE_LINKS = re.compile(r"^(cni0|node0|veth)")
NODE_CHAINS = re.compile(r"^:(KUBE-|CNI-)")
NODE_MOUNTS = re.compile(r"/(pytest-of-[^/]+/[^/]+/real-|run/netns/cni-|var/lib/kubelet|run/containerd)")


def host_leftovers() -> list[str]:
    found = []
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    found += [f"link {line.split(':')[1].strip()}" for line in links.splitlines()
              if NODE_LINKS.match(line.split(":")[1].strip())]
    iptables = shutil.which("iptables-save") or "/usr/sbin/iptables-save"
    if os.path.exists(iptables):
        rules = subprocess.run([iptables], capture_output=True, text=True).stdout
        found += [f"iptables chain {line.split()[0][1:]}" for line in rules.splitlines() if NODE_CHAINS.match(line)]
    found += [f"mount {line.split()[4]}" for line in Path("/proc/self/mountinfo").read_text().splitlines()
              if NODE_MOUNTS.search(line.split()[4])]
    return found
