"""The operator (real kopf, real handlers) against kmock's Kubernetes emulator over HTTP on 127.0.0.1.

``cluster`` is the emulator with the resources the operator uses declared;
``operator`` starts/stops the operator as an asyncio task (stop = kill: the
task is cancelled wherever it is). Both the operator's kopf and its
Kubernetes client find the emulator through a kubeconfig in ``$KUBECONFIG``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

os.environ.setdefault("SIMFARM_POLL_SECONDS", "0.2")  # read when the handlers are imported

import kmock as kmocklib  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

import simfarm.cluster.handlers  # noqa: E402, F401 - registers the handlers
from operator_support import CLUSTER_SCOPED, RESOURCES, Operator  # noqa: E402
from simfarm.cluster.config import OperatorConfig  # noqa: E402
from simfarm.cluster.reconcile import load_planner, open_catalog  # noqa: E402
from simfarm.plan.planner import Planner  # noqa: E402
from support.chroma import ChromaServer  # noqa: E402


@pytest.fixture
def cluster(kmock: kmocklib.KubernetesEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            chroma_server: ChromaServer) -> kmocklib.KubernetesEmulator:
    for resource, (kind, subresources) in RESOURCES.items():
        kmock.resources[resource] = kmocklib.ResourceInfo(
            kind=kind, singular=kind.lower(), namespaced=kind not in CLUSTER_SCOPED, subresources=subresources,
            verbs={"get", "list", "watch", "create", "update", "patch", "delete"})
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "kmock",
        "clusters": [{"name": "kmock", "cluster": {"server": str(kmock.url).rstrip("/")}}],
        "users": [{"name": "kmock", "user": {"token": "test"}}],
        "contexts": [{"name": "kmock", "context": {"cluster": "kmock", "user": "kmock"}}],
    }))
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("SIMFARM_RENDER_IMAGE", "registry.test/simfarm-render:test")
    monkeypatch.setenv("SIMFARM_OUTPUT_ROOT", str(tmp_path / "out"))
    monkeypatch.setenv("SIMFARM_VECTOR_STORE_URL", chroma_server.url)  # the chart's bundled vector store
    monkeypatch.setenv("SIMFARM_OPERATOR_IMAGE", "registry.test/simfarm-operator:test")
    return kmock


@pytest.fixture(scope="session")
def planner(chroma_server: ChromaServer) -> Planner:
    """The real planner on the shared vector store, loaded once (seconds) and shared by every operator the
    tests start."""
    return load_planner(open_catalog(OperatorConfig(vector_store_url=chroma_server.url)))


@pytest.fixture
async def operator(cluster: kmocklib.KubernetesEmulator, planner: Planner) -> AsyncIterator[Operator]:
    running = Operator(planner)
    await running.start()
    try:
        yield running
    finally:
        if running.thread is not None:
            await running.stop()
