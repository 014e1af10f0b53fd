"""The real node's cluster, for this folder: everything in a network namespace of the test's own
(``support.network``): etcd, the API server, controllers and scheduler (``support.cluster``), MinIO,
containerd + runc + CNI + kube-proxy + kubelet (``support.node``) and Prometheus. The tests reach
them through forwarders on 127.0.0.1.

* ``chart_release``: ``helm install`` with ``replicas: 1``: the operator runs from the built
  operator image as a real pod (its probes, its ServiceAccount token, a read-only root filesystem,
  the S3 Secret mounted as the chart mounts it); the Deployment must become Available.
* render Jobs run the built render image (``render.image``, the chart's default), requesting
  ``nvidia.com/gpu``, which the node advertises as an extended resource (its pods run on the CPU).
* ``prometheus`` scrapes the operator pods behind the chart's metrics Service.

Needs root, ``make testbin`` (kubelet, containerd, …), ``make system-packages`` (runc, CNI plugins,
iptables) and ``make images`` (the node imports them from the builder's storage); when one is
missing the tests skip locally and fail in CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from support.cluster import CONTROL_PLANE_BINARIES, LocalCluster
from support.kube_state import ClusterState
from support.minio import MinioServer, in_ci, require_binary
from support.network import IsolatedNetwork
from support.node import NODE_BINARIES, RealNode, built_images, missing_system_parts
from support.processes import running
from support.prometheus import Prometheus

from e2e_config import (METRICS_SERVICE, OPERATOR_SELECTOR, REAL_NODE_RESOURCES, RELEASE_NAMESPACE,
                        REQUEST_NAMESPACE)
from e2e_support import external_storage, helm_install


def require(condition: bool, reason: str) -> None:
    if not condition:
        if in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="package")
def network() -> Iterator[IsolatedNetwork]:
    require(os.geteuid() == 0, "the real node needs root (namespaces, mounts, cgroups)")
    missing = missing_system_parts()
    require(not missing, f"the real node needs {', '.join(missing)}: run `make system-packages`")
    isolated = IsolatedNetwork()
    try:
        yield isolated
    finally:
        isolated.close()


@pytest.fixture(scope="package")
def images() -> list[str]:
    """The operator and render images, as ``make images`` tagged them (the chart's defaults)."""
    present = built_images()
    missing = [name for name, found in present.items() if not found]
    require(not missing, f"images {', '.join(missing)} not built: run `make images BASE_IMAGE=local`")
    return list(present)


@pytest.fixture(scope="package")
def control_plane(network: IsolatedNetwork, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    for name in CONTROL_PLANE_BINARIES + NODE_BINARIES:
        require_binary(name)
    with running(LocalCluster(require_binary("etcd").parent, tmp_path_factory.mktemp("real-cluster"),
                              network=network, controllers="*")) as cluster:
        yield cluster


@pytest.fixture(scope="package")
def minio_server(network: IsolatedNetwork, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MinioServer]:
    """This folder's MinIO: on the node IP, where pods reach it (the session one is on loopback)."""
    with running(MinioServer(require_binary("minio"), tmp_path_factory.mktemp("real-minio"), network=network)) as server:
        yield server


@pytest.fixture(scope="package")
def node(control_plane: LocalCluster, network: IsolatedNetwork, images: list[str],
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealNode]:
    with running(RealNode(control_plane, network, control_plane.bin_dir, tmp_path_factory.mktemp("real-node")),
                 images=images) as real:
        yield real


@pytest.fixture(scope="package")
def chart_release(control_plane: LocalCluster, node: RealNode, minio_server: MinioServer,
                  tmp_path_factory: pytest.TempPathFactory) -> str:
    """The release's namespace, once the operator Deployment (the built image) is Available."""
    helm_install(control_plane, {
        "replicas": 1,
        "watch": {"scope": "namespaces", "namespaces": [REQUEST_NAMESPACE]},
        "storage": external_storage(minio_server),
        "operator": {"pollSeconds": 1},
        "metrics": {"serviceMonitor": {"create": "never"}},
        # No cluster DNS on the test node, so the bundled store's Service name would not resolve:
        # requests here use the built-in library (AssetCatalogs are tested on the stand-in).
        "vectorStore": {"mode": "none"},
    }, tmp_path_factory.mktemp("real-helm"))
    rollout = control_plane.kubectl("rollout", "status", "deployment", "-n", RELEASE_NAMESPACE,
                                    "-l", OPERATOR_SELECTOR, "--timeout=420s", check=False, timeout=450)
    assert rollout.returncode == 0, (f"the operator Deployment did not become Available: {rollout.stderr}\n"
                                     f"{operator_log(control_plane)}\n{describe_operator(control_plane)}\n"
                                     f"{node.logs()}")
    return RELEASE_NAMESPACE


def operator_log(control_plane: LocalCluster, lines: int = 40) -> str:
    result = control_plane.kubectl("logs", "-n", RELEASE_NAMESPACE, "-l", OPERATOR_SELECTOR, f"--tail={lines}",
                                   "--all-containers", "--prefix", check=False)
    return f"--- operator pod log ---\n{result.stdout or result.stderr}"


def describe_operator(control_plane: LocalCluster) -> str:
    return control_plane.kubectl("describe", "pods", "-n", RELEASE_NAMESPACE, "-l", OPERATOR_SELECTOR,
                                 check=False).stdout[-3000:]


@pytest.fixture(scope="package")
def prometheus(control_plane: LocalCluster, chart_release: str, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[Prometheus]:
    with running(Prometheus(require_binary("prometheus"), control_plane, tmp_path_factory.mktemp("prometheus"),
                            namespace=chart_release, service=METRICS_SERVICE)) as server:
        server.wait_for_scrapes()
        yield server


@pytest.fixture(scope="package")
def cluster_state(control_plane: LocalCluster, chart_release: str) -> ClusterState:
    def pod_log(pod) -> str:
        result = control_plane.kubectl("logs", pod["metadata"]["name"], "-n", pod["metadata"]["namespace"],
                                       "--tail=15", check=False)
        return result.stdout.strip() or result.stderr.strip() or "(empty)"

    return ClusterState(control_plane.api_client(), REQUEST_NAMESPACE, pod_log,
                        lambda: operator_log(control_plane), request_defaults={"resources": REAL_NODE_RESOURCES})
