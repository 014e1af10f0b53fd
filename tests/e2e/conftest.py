"""The e2e fixtures: one real control plane per session, GPU nodes run by the node agent, the Helm
chart installed against the test MinIO, and the operator as a local process using the chart's
ServiceAccount (so the chart's RBAC is what it gets).

* ``control_plane``: etcd + kube-apiserver + kube-controller-manager + kube-scheduler
  (``support.cluster``), from ``$TESTBIN``; skipped locally when missing, failed in CI.
* ``gpu_nodes``: two Nodes with ``nvidia.com/gpu`` capacity, each run by a ``NodeAgent``
  that runs the pods of Jobs as local processes (the real ``simfarm-render`` worker).
* ``chart_release``: ``helm install simfarm charts/simfarm -n simfarm-system`` with the
  bundled MinIO off (``storage.mode: external`` at the session MinIO), the bundled vector store
  off (``vectorStore.mode: external`` at the session's ``chroma run``), the tests' local HTTP
  servers on the catalog URL allow-list (they listen on 127.0.0.1), serving the namespace
  ``renders``, and ``replicas: 0``: no kubelet could run the operator's image.
* ``operator``: ``simfarm operator --namespace renders`` with a token of the chart's
  ServiceAccount (``kubectl create token``), S3 settings read from the chart's Secret and the
  catalog settings read from the chart's operator Deployment. The session MinIO starts without
  buckets: the operator creates the requests' bucket, as with the chart's MinIO.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.chroma import ChromaServer
from support.cluster import CONTROL_PLANE_BINARIES, LocalCluster
from support.kube_state import ClusterState
from support.minio import MinioServer, require_binary
from support.node_agent import NodeAgent
from support.operator_process import OperatorProcess

from e2e_config import (CATALOG_IMPORT_BATCH, CATALOG_SETTINGS, CHART, EXAMPLES, GPU_NODES, RELEASE,
                        RELEASE_NAMESPACE, REQUEST_NAMESPACE, S3_SECRET, SERVICE_ACCOUNT, TINY_RENDER, VENV_BIN)



@pytest.fixture(scope="session")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    bin_dir = require_binary(CONTROL_PLANE_BINARIES[0]).parent
    for name in CONTROL_PLANE_BINARIES[1:]:
        require_binary(name)
    cluster = LocalCluster(bin_dir, tmp_path_factory.mktemp("cluster"))
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def chart_release(control_plane: LocalCluster, minio_server: MinioServer, chroma_server: ChromaServer,
                  tmp_path_factory: pytest.TempPathFactory) -> str:
    """The release's namespace, once ``helm install`` is done and the CRD is established."""
    helm = require_binary("helm")
    workdir = tmp_path_factory.mktemp("helm")
    values = workdir / "values.yaml"
    values.write_text(yaml.safe_dump({
        "replicas": 0,  # the operator runs as a local process (fixture ``operator``)
        "watch": {"scope": "namespaces", "namespaces": [REQUEST_NAMESPACE]},
        "storage": {"mode": "external", "region": minio_server.region, "external": {
            "endpoint": minio_server.endpoint_url, "accessKeyId": minio_server.access_key,
            "secretAccessKey": minio_server.secret_key}},
        "metrics": {"serviceMonitor": {"create": "never"}},
        "vectorStore": {"mode": "external", "url": chroma_server.url},
        "catalogs": {"urlPolicy": {"allowedHosts": ["127.0.0.1"], "deniedNetworks": ["10.96.0.0/12"]},
                     "import": {"batchSize": CATALOG_IMPORT_BATCH}},
    }))
    control_plane.kubectl("create", "namespace", REQUEST_NAMESPACE)
    helm_home = {f"HELM_{kind}_HOME": str(workdir / kind.lower()) for kind in ("CACHE", "CONFIG", "DATA")}
    run_helm(helm, ["install", RELEASE, str(CHART), "--namespace", RELEASE_NAMESPACE, "--create-namespace",
                    "--values", str(values), f"--kubeconfig={control_plane.admin_kubeconfig}"], helm_home)
    control_plane.kubectl("wait", "--for=condition=Established", "--timeout=60s",
                          "crd/videorequests.simfarm.dev")
    return RELEASE_NAMESPACE


def chart_catalog_settings(control_plane: LocalCluster, namespace: str) -> dict[str, str]:
    """The catalog settings the chart gives the operator pod (vector store, URL policy, caps, import Jobs)."""
    deployment = json.loads(control_plane.kubectl("get", "deployment", f"{RELEASE}-operator", "-n", namespace,
                                                  "-o", "json").stdout)
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return {item["name"]: item["value"] for item in container["env"] if item["name"] in CATALOG_SETTINGS}


def run_helm(helm: Path, args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run([str(helm), *args], capture_output=True, text=True, timeout=120,
                            env={**os.environ, **env})
    assert result.returncode == 0, f"helm {' '.join(args[:2])} failed: {result.stderr.strip()}"
    return result.stdout


@pytest.fixture(scope="session")
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
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def cluster_state(control_plane: LocalCluster, gpu_nodes: list[NodeAgent], operator: OperatorProcess
                  ) -> ClusterState:
    return ClusterState(control_plane.api_client(), REQUEST_NAMESPACE, gpu_nodes, operator.log_tail)


@pytest.fixture
def submit(control_plane: LocalCluster, cluster_state: ClusterState) -> Callable[..., dict[str, Any]]:
    """``submit(name, **spec)``: ``kubectl apply`` examples/short-video.yaml renamed, with the tiny
    render settings and ``spec`` on top; returns the created VideoRequest."""

    def submit(name: str, example: str = "short-video.yaml", **spec: Any) -> dict[str, Any]:
        manifest = yaml.safe_load((EXAMPLES / example).read_text())
        manifest["metadata"] = {"name": name, "namespace": REQUEST_NAMESPACE}
        manifest["spec"] = {**manifest["spec"], "render": dict(TINY_RENDER), **spec}
        control_plane.kubectl("apply", "-f", "-", stdin=yaml.safe_dump(manifest))
        return cluster_state.video_request(name)

    return submit
