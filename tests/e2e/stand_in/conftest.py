"""The stand-in node's cluster: one real control plane on loopback for this folder, GPU Nodes run by
the node agent, the Helm chart installed against the session MinIO, and the operator as a local
process using the chart's ServiceAccount (so the chart's RBAC is what it gets).

* ``control_plane``: etcd + kube-apiserver + kube-controller-manager + kube-scheduler
  (``support.cluster``), from ``$TESTBIN``; skipped locally when missing, failed in CI.
* ``gpu_nodes``: two Nodes with ``nvidia.com/gpu`` capacity, each run by a ``NodeAgent``
  that runs the pods of Jobs as local processes (the real ``simfarm-render`` worker).
* ``chart_release``: ``helm install simfarm charts/simfarm -n simfarm-system`` with the
  bundled MinIO off (``storage.mode: external`` at the session MinIO), the bundled vector store
  off (``vectorStore.mode: external`` at the session's ``chroma run``), the tests' local HTTP
  servers on the catalog URL allow-list (they listen on 127.0.0.1), serving the namespace
  ``renders``, and ``replicas: 0``: the operator runs as a local process here.
* ``operator``: ``simfarm operator --namespace renders`` with a token of the chart's
  ServiceAccount (``kubectl create token``), S3 settings read from the chart's Secret and the
  catalog settings from the chart's operator Deployment. The session MinIO starts without
  buckets: the operator creates the requests' bucket, as with the chart's MinIO.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
import yaml

from support.chroma import ChromaServer
from support.cluster import CONTROL_PLANE_BINARIES, LocalCluster
from support.kube_state import ClusterState
from support.minio import MinioServer, require_binary
from support.node_agent import NodeAgent
from support.operator_process import OperatorProcess
from support.processes import running

from e2e_config import (CATALOG_IMPORT_BATCH, CATALOG_SETTINGS, GPU_NODES, RELEASE, RELEASE_NAMESPACE,
                        REQUEST_NAMESPACE, S3_SECRET, SERVICE_ACCOUNT, VENV_BIN)
from e2e_support import external_storage, helm_install


@pytest.fixture(scope="package")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    bin_dir = require_binary(CONTROL_PLANE_BINARIES[0]).parent
    for name in CONTROL_PLANE_BINARIES[1:]:
        require_binary(name)
    with running(LocalCluster(bin_dir, tmp_path_factory.mktemp("cluster"))) as cluster:
        yield cluster


@pytest.fixture(scope="package")
def gpu_nodes(control_plane: LocalCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[NodeAgent]]:
    workdir = tmp_path_factory.mktemp("nodes")
    agents = [NodeAgent(control_plane.api_client(), name, workdir / name, VENV_BIN) for name in GPU_NODES]
    try:
        for agent in agents:
            agent.register()
            agent.start()
        yield agents
    finally:
        for agent in agents:
            agent.stop()


@pytest.fixture(scope="package")
def chart_release(control_plane: LocalCluster, minio_server: MinioServer, chroma_server: ChromaServer,
                  tmp_path_factory: pytest.TempPathFactory) -> str:
    """The release's namespace, once ``helm install`` is done and the CRD is established."""
    helm_install(control_plane, {
        "replicas": 0,  # the operator runs as a local process (fixture ``operator``)
        "watch": {"scope": "namespaces", "namespaces": [REQUEST_NAMESPACE]},
        "storage": external_storage(minio_server),
        "metrics": {"serviceMonitor": {"create": "never"}},
        "vectorStore": {"mode": "external", "url": chroma_server.url},
        "catalogs": {"urlPolicy": {"allowedHosts": ["127.0.0.1"], "deniedNetworks": ["10.96.0.0/12"]},
                     "import": {"batchSize": CATALOG_IMPORT_BATCH}},
    }, tmp_path_factory.mktemp("helm"))
    return RELEASE_NAMESPACE


def chart_catalog_settings(control_plane: LocalCluster, namespace: str) -> dict[str, str]:
    """The catalog settings the chart gives the operator pod (vector store, URL policy, caps, import Jobs)."""
    deployment = json.loads(control_plane.kubectl("get", "deployment", f"{RELEASE}-operator", "-n", namespace,
                                                  "-o", "json").stdout)
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return {item["name"]: item["value"] for item in container["env"] if item["name"] in CATALOG_SETTINGS}


@pytest.fixture(scope="package")
def operator(control_plane: LocalCluster, chart_release: str, gpu_nodes: list[NodeAgent],
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[OperatorProcess]:
    workdir = tmp_path_factory.mktemp("operator")
    kubeconfig = control_plane.service_account_kubeconfig(chart_release, SERVICE_ACCOUNT, workdir / "kubeconfig")
    s3_dir = workdir / "s3-secret"  # the chart's Secret, as the operator pod would mount it
    s3_dir.mkdir()
    secret = control_plane.kubectl("get", "secret", S3_SECRET, "-n", chart_release, "-o", "yaml").stdout
    for key, value in yaml.safe_load(secret)["data"].items():
        (s3_dir / key).write_bytes(base64.b64decode(value))
    process = OperatorProcess(VENV_BIN / "simfarm", ["--namespace", REQUEST_NAMESPACE], env={
        "PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(workdir), "KUBECONFIG": str(kubeconfig),
        "SIMFARM_S3_SECRET_DIR": str(s3_dir), "SIMFARM_S3_SECRET": S3_SECRET,
        "SIMFARM_POLL_SECONDS": "1", "SIMFARM_HOME": str(workdir / "home"), "HF_HUB_OFFLINE": "1",
        **chart_catalog_settings(control_plane, chart_release),
    }, workdir=workdir)
    with running(process):
        yield process


@pytest.fixture(scope="package")
def cluster_state(control_plane: LocalCluster, gpu_nodes: list[NodeAgent], operator: OperatorProcess
                  ) -> ClusterState:
    agents = {agent.node: agent for agent in gpu_nodes}

    def pod_log(pod) -> str:
        agent = agents.get(pod["spec"].get("nodeName"))
        return agent.pod_log(pod["metadata"]["namespace"], pod["metadata"]["name"]) if agent else "(not on a node)"

    return ClusterState(control_plane.api_client(), REQUEST_NAMESPACE, pod_log, operator.log_tail)
