"""Run the real `helm` ($TESTBIN/helm) over charts/simfarm and parse what it renders."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from support.minio import REPO_ROOT, require_binary

CHART = REPO_ROOT / "charts" / "simfarm"
RELEASE = "demo"
NAMESPACE = "simfarm"
CLUSTER_SCOPED_KINDS = {"ClusterRole", "ClusterRoleBinding", "ClusterKopfPeering", "CustomResourceDefinition"}
PROMETHEUS_OPERATOR_API = "monitoring.coreos.com/v1"


@dataclass(frozen=True)
class Combination:
    """A values file (as a dict) plus the API versions the pretend cluster serves."""

    values: dict[str, Any] = field(default_factory=dict)
    api_versions: tuple[str, ...] = ()


EXTERNAL_S3 = {"storage": {"mode": "external", "external": {
    "endpoint": "https://s3.eu-west-1.amazonaws.com", "accessKeyId": "AKIAEXAMPLE", "secretAccessKey": "example-secret"}}}

COMBINATIONS: dict[str, Combination] = {
    "default": Combination(),
    "namespaced-rbac": Combination({"watch": {"scope": "namespaces", "namespaces": ["renders", "previews"]}}),
    "namespaced-rbac-release-namespace": Combination({"watch": {"scope": "namespaces"}}),
    "external-s3": Combination(EXTERNAL_S3),
    "external-s3-existing-secret": Combination(
        {"storage": {"mode": "external", "external": {"existingSecret": "my-s3"}}}),
    "bundled-minio": Combination({"storage": {"mode": "minio", "minio": {"persistence": {
        "size": "100Gi", "storageClass": "fast-ssd"}}}}),
    "servicemonitor-auto-with-prometheus-operator": Combination(api_versions=(PROMETHEUS_OPERATOR_API,)),
    "servicemonitor-always": Combination({"metrics": {"serviceMonitor": {
        "create": "always", "labels": {"release": "kube-prometheus-stack"}}}}),
    "servicemonitor-never-with-prometheus-operator": Combination(
        {"metrics": {"serviceMonitor": {"create": "never"}}}, api_versions=(PROMETHEUS_OPERATOR_API,)),
    "render-defaults": Combination({"render": {
        "gpuResource": "nvidia.com/mig-1g.10gb", "nodeSelector": {"pool": "gpu"}, "runtimeClassName": "nvidia",
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]}}),
    "kueue-on": Combination({"kueue": {"enabled": True}}),
    "kueue-on-namespaced": Combination({"kueue": {"enabled": True, "clusterQueue": "gpus"},
                                        "watch": {"scope": "namespaces", "namespaces": ["renders", "previews"]}}),
    "replicas-2-peering": Combination({"replicas": 2}),
    "replicas-2-peering-namespaced": Combination(
        {"replicas": 2, "watch": {"scope": "namespaces", "namespaces": ["renders", "previews"]}}),
    "llm-rewriter": Combination({"rewriter": {"llm": {
        "baseUrl": "https://llm.example.com/v1", "model": "scene-writer", "apiKey": "sk-example"}}}),
    "llm-rewriter-existing-secret": Combination({"rewriter": {"llm": {"existingSecret": "my-llm"}}}),
    "no-vector-store": Combination({"vectorStore": {"mode": "none"}}),
    "external-vector-store": Combination({"vectorStore": {"mode": "external", "url": "https://chroma.example.com:8443"}}),
    "catalog-url-policy": Combination({"catalogs": {
        "urlPolicy": {"allowedHosts": ["mirror.internal", "10.20.0.0/16"], "deniedNetworks": ["172.20.0.0/16"]},
        "limits": {"maxRecords": 5000, "maxRecordBytes": 4096, "maxSourceBytes": 1048576, "maxAssetBytes": 52428800},
        "import": {"batchSize": 64, "resources": {"requests": {"cpu": "2", "memory": "2Gi"}}}},
        "vectorStore": {"networkPolicy": False, "port": 9100, "persistence": {"size": "50Gi"}}}),
    "everything-off": Combination({"grafanaDashboard": {"enabled": False},
                                   "metrics": {"serviceMonitor": {"create": "never"}}, **EXTERNAL_S3}),
}


def helm(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(require_binary("helm")), *map(str, args)], capture_output=True, text=True,
                          timeout=120, cwd=REPO_ROOT)


def values_args(values_file: Path | None, api_versions: Iterable[str] = ()) -> list[str]:
    args = ["--values", str(values_file)] if values_file else []
    for api in api_versions:
        args += ["--api-versions", api]
    return args


def write_values(values: dict[str, Any], directory: Path) -> Path:
    path = directory / "values.yaml"
    path.write_text(yaml.safe_dump(values))
    return path


def template(values_file: Path | None = None, api_versions: Sequence[str] = ()) -> list[dict[str, Any]]:
    """`helm template` → the rendered documents (CRDs included), or an AssertionError with helm's stderr."""
    done = helm("template", RELEASE, CHART, "--namespace", NAMESPACE, "--include-crds",
                *values_args(values_file, api_versions))
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def render(combination: Combination, directory: Path) -> list[dict[str, Any]]:
    return template(write_values(combination.values, directory), combination.api_versions)


def of_kind(docs: Iterable[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def one(docs: Iterable[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [doc for doc in of_kind(docs, kind) if name is None or doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def operator_deployment(docs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return one(docs, "Deployment", f"{RELEASE}-simfarm-operator")


def operator_container(docs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    (container,) = operator_deployment(docs)["spec"]["template"]["spec"]["containers"]
    return container


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    """Environment variables by name: their value, or their valueFrom."""
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}
