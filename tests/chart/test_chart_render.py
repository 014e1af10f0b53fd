"""`helm lint` and `helm template` over every values combination; the rendered manifests, parsed and checked."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from pathlib import Path

import kopf
import pytest
import yaml

from support.chart import (CHART, CLUSTER_SCOPED_KINDS, COMBINATIONS, NAMESPACE, RELEASE, Combination, env_of, helm,
                           of_kind, one, operator_container, operator_deployment, render, values_args, write_values)
from simfarm import metrics
from simfarm.cluster.config import OperatorConfig
from simfarm.cluster.manifests import RequestRef, render_job
from simfarm.cluster.spec import VideoRequestSpec
from support.minio import REPO_ROOT, free_port

CHART_META = yaml.safe_load((CHART / "Chart.yaml").read_text())
# What runs in the operator container: simfarm and kopf (POD_ID is kopf's peering identity).
OPERATOR_SOURCE = "\n".join(p.read_text() for package in (REPO_ROOT / "operator" / "simfarm", Path(kopf.__file__).parent)
                            for p in package.rglob("*.py"))
STANDARD_LABELS = {
    "app.kubernetes.io/name": "simfarm",
    "app.kubernetes.io/instance": RELEASE,
    "app.kubernetes.io/version": CHART_META["appVersion"],
    "app.kubernetes.io/part-of": "simfarm",
    "app.kubernetes.io/managed-by": "Helm",
    "helm.sh/chart": f"simfarm-{CHART_META['version']}",
}
WATCHED = ["renders", "previews"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """Every combination rendered once for the module."""
    return {name: render(combination, tmp_path_factory.mktemp(name)) for name, combination in COMBINATIONS.items()}


def objects(docs: list[dict]) -> list[dict]:
    """The chart's own objects (the CRDs come from crds/ and carry no release labels)."""
    return [doc for doc in docs if doc["kind"] != "CustomResourceDefinition"]


@pytest.mark.parametrize("name", COMBINATIONS)
def test_helm_lint_passes(name: str, tmp_path: Path) -> None:
    combination = COMBINATIONS[name]
    done = helm("lint", CHART, "--strict", *values_args(write_values(combination.values, tmp_path)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 chart(s) failed" in done.stdout


@pytest.mark.parametrize("name", COMBINATIONS)
def test_every_manifest_is_a_named_kubernetes_object(name: str, rendered: dict[str, list[dict]]) -> None:
    docs = rendered[name]
    seen = set()
    for doc in docs:
        assert {"apiVersion", "kind", "metadata"} <= set(doc), doc
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", doc["metadata"]["name"]), doc["metadata"]
        assert len(doc["metadata"]["name"]) <= 63 or doc["kind"] == "CustomResourceDefinition"
        scoped = doc["kind"] in CLUSTER_SCOPED_KINDS
        assert ("namespace" in doc["metadata"]) != scoped, f"{doc['kind']} {doc['metadata']['name']}"
        key = (doc["kind"], doc["metadata"].get("namespace"), doc["metadata"]["name"])
        assert key not in seen, f"duplicate {key}"
        seen.add(key)


@pytest.mark.parametrize("name", COMBINATIONS)
def test_labels_are_standard_and_selectors_match_pods(name: str, rendered: dict[str, list[dict]]) -> None:
    docs = objects(rendered[name])
    for doc in docs:
        labels = doc["metadata"]["labels"]
        assert STANDARD_LABELS.items() <= labels.items(), doc["metadata"]
        assert labels["app.kubernetes.io/component"]
    pods = {}
    for deployment in of_kind(docs, "Deployment"):
        selector = deployment["spec"]["selector"]["matchLabels"]
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= pod_labels.items()
        assert STANDARD_LABELS.items() <= pod_labels.items()
        pods[deployment["metadata"]["name"]] = pod_labels
    for service in of_kind(docs, "Service"):
        matching = [n for n, labels in pods.items() if service["spec"]["selector"].items() <= labels.items()]
        assert len(matching) == 1, f"Service {service['metadata']['name']} selects {matching}"


@pytest.mark.parametrize("name", COMBINATIONS)
def test_deployments_run_locked_down(name: str, rendered: dict[str, list[dict]]) -> None:
    for deployment in of_kind(rendered[name], "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in pod["containers"]:
            assert container["securityContext"] == {
                "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}
            assert container["resources"]["requests"]["memory"] and container["resources"]["limits"]["memory"]
            mounts = {m["mountPath"] for m in container["volumeMounts"]}
            assert "/tmp" in mounts, "read-only root: /tmp must be a volume"


@pytest.mark.parametrize("name", COMBINATIONS)
def test_references_resolve(name: str, rendered: dict[str, list[dict]]) -> None:
    """Service accounts, role bindings, mounted Secrets and claims name objects that exist."""
    docs = rendered[name]
    values = COMBINATIONS[name].values
    present = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs}
    brought = {("Secret", NAMESPACE, values.get("storage", {}).get("external", {}).get("existingSecret")),
               ("Secret", NAMESPACE, values.get("rewriter", {}).get("llm", {}).get("existingSecret"))}
    exists = present | brought
    for deployment in of_kind(docs, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        if "serviceAccountName" in pod:
            assert ("ServiceAccount", NAMESPACE, pod["serviceAccountName"]) in exists
        for volume in pod["volumes"]:
            if "secret" in volume:
                assert ("Secret", NAMESPACE, volume["secret"]["secretName"]) in exists
            if "persistentVolumeClaim" in volume:
                assert ("PersistentVolumeClaim", NAMESPACE, volume["persistentVolumeClaim"]["claimName"]) in exists
        for container in pod["containers"]:
            for source in container.get("envFrom", []):
                assert ("Secret", NAMESPACE, source["secretRef"]["name"]) in exists
            for variable in container.get("env", []):
                if "secretKeyRef" in variable.get("valueFrom", {}):
                    ref = variable["valueFrom"]["secretKeyRef"]
                    secrets = [s for s in of_kind(docs, "Secret")
                               if (s["metadata"]["namespace"], s["metadata"]["name"]) == (NAMESPACE, ref["name"])]
                    assert len(secrets) == 1 and ref["key"] in secrets[0]["stringData"], ref
    for binding in of_kind(docs, "RoleBinding") + of_kind(docs, "ClusterRoleBinding"):
        namespace = binding["metadata"].get("namespace")
        assert (binding["roleRef"]["kind"], namespace, binding["roleRef"]["name"]) in exists
        for subject in binding["subjects"]:
            assert ("ServiceAccount", subject["namespace"], subject["name"]) in exists


@pytest.mark.parametrize("name", COMBINATIONS)
def test_operator_reads_every_setting_the_chart_gives_it(name: str, rendered: dict[str, list[dict]]) -> None:
    """No dead settings: each variable the chart sets (directly or from its Secrets) is read by the operator."""
    docs = rendered[name]
    container = operator_container(docs)
    names = set(env_of(container))
    for source in container.get("envFrom", []):
        created = [s for s in of_kind(docs, "Secret") if s["metadata"]["name"] == source["secretRef"]["name"]]
        names |= {key for secret in created for key in secret["stringData"]}
    s3_secret = env_of(container)["SIMFARM_S3_SECRET"]
    names |= {key for s in of_kind(docs, "Secret") if s["metadata"]["name"] == s3_secret for key in s["stringData"]}
    names -= {"HOME"}  # for libraries writing caches, with a read-only root filesystem
    for blas in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):  # read by the embedding's BLAS library
        assert env_of(container)[blas]["resourceFieldRef"]["resource"] == "limits.cpu"
        names.remove(blas)
    for variable in sorted(names):
        assert re.search(rf"""["']{variable}["']""", OPERATOR_SOURCE), f"{variable} is set but read nowhere"


def test_probes_hit_paths_the_operator_serves(rendered: dict[str, list[dict]]) -> None:
    container = operator_container(rendered["default"])
    port = {p["name"]: p["containerPort"] for p in container["ports"]}["metrics"]
    assert f"--metrics-port={port}" in container["args"]
    listen = free_port()
    server = metrics.serve(listen, ready=threading.Event().is_set, host="127.0.0.1")
    try:
        for probe, expected in (("livenessProbe", 200), ("readinessProbe", 503), ("startupProbe", 503)):
            assert container[probe]["httpGet"]["port"] == "metrics"
            url = f"http://127.0.0.1:{listen}{container[probe]['httpGet']['path']}"
            try:
                status = urllib.request.urlopen(url, timeout=5).status
            except urllib.error.HTTPError as error:  # not ready yet: 503
                status = error.code
            assert status == expected, f"{probe} {url}"
    finally:
        server.shutdown()


@pytest.mark.parametrize("name,peering", [("default", False), ("replicas-2-peering", True),
                                          ("replicas-2-peering-namespaced", True)])
def test_one_replica_recreates_and_more_replicas_peer(name: str, peering: bool,
                                                      rendered: dict[str, list[dict]]) -> None:
    docs = rendered[name]
    deployment = operator_deployment(docs)
    args = operator_container(docs)["args"]
    assert deployment["spec"]["strategy"]["type"] == ("RollingUpdate" if peering else "Recreate")
    assert (f"--peering={RELEASE}-simfarm" in args) == peering
    peerings = of_kind(docs, "ClusterKopfPeering") + of_kind(docs, "KopfPeering")
    if not peering:
        assert peerings == []
    elif "namespaced" in name:
        assert sorted((p["kind"], p["metadata"]["namespace"]) for p in peerings) == [
            ("KopfPeering", ns) for ns in sorted(WATCHED)]
    else:
        assert [(p["kind"], p["metadata"]["name"]) for p in peerings] == [("ClusterKopfPeering", f"{RELEASE}-simfarm")]
    assert {p["metadata"]["name"] for p in peerings} <= {f"{RELEASE}-simfarm"}


@pytest.mark.parametrize("name,scope_args,role_namespaces", [
    ("default", ["--all-namespaces"], None),
    ("namespaced-rbac", ["--namespace=renders", "--namespace=previews"], WATCHED),
    ("namespaced-rbac-release-namespace", [f"--namespace={NAMESPACE}"], [NAMESPACE]),
])
def test_watch_scope_sets_flags_and_role_kind(name: str, scope_args: list[str], role_namespaces: list[str] | None,
                                              rendered: dict[str, list[dict]]) -> None:
    docs = rendered[name]
    args = operator_container(docs)["args"]
    assert args[0] == "operator"
    assert [a for a in args if a.startswith(("--namespace", "--all-namespaces"))] == scope_args
    if role_namespaces is None:
        assert len(of_kind(docs, "ClusterRole")) == len(of_kind(docs, "ClusterRoleBinding")) == 1
        assert of_kind(docs, "Role") == of_kind(docs, "RoleBinding") == []
    else:
        assert of_kind(docs, "ClusterRole") == of_kind(docs, "ClusterRoleBinding") == []
        for kind in ("Role", "RoleBinding"):
            assert sorted(d["metadata"]["namespace"] for d in of_kind(docs, kind)) == sorted(role_namespaces)


def s3_secrets(docs: list[dict]) -> list[dict]:
    return [s for s in of_kind(docs, "Secret") if s["metadata"]["labels"]["app.kubernetes.io/component"] == "storage"]


def test_bundled_minio_gets_generated_credentials_shared_with_the_operator(rendered: dict[str, list[dict]]) -> None:
    docs = rendered["bundled-minio"]
    minio = one(docs, "Deployment", f"{RELEASE}-simfarm-minio")
    service = one(docs, "Service", f"{RELEASE}-simfarm-minio")
    claim = one(docs, "PersistentVolumeClaim", f"{RELEASE}-simfarm-minio")
    assert claim["spec"]["resources"]["requests"]["storage"] == "100Gi"
    assert claim["spec"]["storageClassName"] == "fast-ssd"
    (secret,) = s3_secrets(docs)
    data = secret["stringData"]
    port = service["spec"]["ports"][0]["port"]
    assert data["AWS_ENDPOINT_URL"] == f"http://{service['metadata']['name']}.{NAMESPACE}.svc:{port}"
    assert len(data["AWS_SECRET_ACCESS_KEY"]) == 40 and data["AWS_ACCESS_KEY_ID"].startswith("simfarm-")
    env = env_of(minio["spec"]["template"]["spec"]["containers"][0])
    assert env["MINIO_ROOT_USER"]["secretKeyRef"] == {"name": secret["metadata"]["name"], "key": "AWS_ACCESS_KEY_ID"}
    assert env["MINIO_ROOT_PASSWORD"]["secretKeyRef"] == {
        "name": secret["metadata"]["name"], "key": "AWS_SECRET_ACCESS_KEY"}
    assert env_of(operator_container(docs))["SIMFARM_S3_SECRET"] == secret["metadata"]["name"]
    assert [s["metadata"]["name"] for s in s3_secrets(rendered["default"])] == [secret["metadata"]["name"]]


@pytest.mark.parametrize("name", ["external-s3", "external-s3-existing-secret", "everything-off"])
def test_external_s3_has_no_minio(name: str, rendered: dict[str, list[dict]]) -> None:
    docs = rendered[name]
    assert [d for d in objects(docs) if d["metadata"]["labels"]["app.kubernetes.io/component"] == "minio"] == []
    secret_name = env_of(operator_container(docs))["SIMFARM_S3_SECRET"]
    volumes = operator_deployment(docs)["spec"]["template"]["spec"]["volumes"]
    assert {"name": "s3", "secret": {"secretName": secret_name}} in volumes
    if name == "external-s3-existing-secret":
        assert secret_name == "my-s3" and s3_secrets(docs) == []
    else:
        (secret,) = s3_secrets(docs)
        assert secret["stringData"] == {
            "AWS_ENDPOINT_URL": "https://s3.eu-west-1.amazonaws.com", "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "example-secret"}


def test_s3_secret_is_copied_to_every_served_namespace(rendered: dict[str, list[dict]]) -> None:
    namespaces = sorted(s["metadata"]["namespace"] for s in s3_secrets(rendered["namespaced-rbac"]))
    assert namespaces == sorted([NAMESPACE, *WATCHED])
    contents = {json.dumps(s["stringData"], sort_keys=True) for s in s3_secrets(rendered["namespaced-rbac"])}
    assert len(contents) == 1, "every copy holds the same generated credentials"


@pytest.mark.parametrize("name,expected", [
    ("default", False), ("servicemonitor-auto-with-prometheus-operator", True), ("servicemonitor-always", True),
    ("servicemonitor-never-with-prometheus-operator", False)])
def test_servicemonitor_follows_value_and_cluster_api(name: str, expected: bool,
                                                      rendered: dict[str, list[dict]]) -> None:
    docs = rendered[name]
    monitors = of_kind(docs, "ServiceMonitor")
    assert len(monitors) == int(expected)
    if expected:
        (monitor,) = monitors
        service = one(docs, "Service", f"{RELEASE}-simfarm-metrics")
        assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
        assert monitor["spec"]["endpoints"][0]["port"] in {p["name"] for p in service["spec"]["ports"]}
        assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
        extra = COMBINATIONS[name].values.get("metrics", {}).get("serviceMonitor", {}).get("labels", {})
        assert extra.items() <= monitor["metadata"]["labels"].items()


@pytest.mark.parametrize("name,queues", [
    ("default", []), ("kueue-on", [(NAMESPACE, "simfarm-gpu")]),
    ("kueue-on-namespaced", [("previews", "gpus"), ("renders", "gpus")])])
def test_kueue_local_queue_per_request_namespace(name: str, queues: list[tuple[str, str]],
                                                 rendered: dict[str, list[dict]]) -> None:
    local_queues = of_kind(rendered[name], "LocalQueue")
    assert sorted((q["metadata"]["namespace"], q["spec"]["clusterQueue"]) for q in local_queues) == queues
    assert {q["metadata"]["name"] for q in local_queues} <= {"simfarm"}


@pytest.mark.parametrize("name,secret,created", [
    ("default", None, False), ("llm-rewriter", f"{RELEASE}-simfarm-llm", True),
    ("llm-rewriter-existing-secret", "my-llm", False)])
def test_llm_endpoint_reaches_the_operator_through_a_secret(name: str, secret: str | None, created: bool,
                                                            rendered: dict[str, list[dict]]) -> None:
    docs = rendered[name]
    container = operator_container(docs)
    assert [s["secretRef"]["name"] for s in container.get("envFrom", [])] == ([secret] if secret else [])
    llm_secrets = [s for s in of_kind(docs, "Secret") if s["metadata"]["name"].endswith("-llm")]
    assert len(llm_secrets) == int(created)
    if created:
        assert llm_secrets[0]["stringData"] == {"SIMFARM_LLM_BASE_URL": "https://llm.example.com/v1",
                                                "SIMFARM_LLM_MODEL": "scene-writer",
                                                "SIMFARM_LLM_API_KEY": "sk-example"}


def test_operator_settings_reach_the_operator(tmp_path: Path) -> None:
    values = {"render": {"image": "registry.example/render:9"},
              "operator": {"pollSeconds": 2.5, "presignSeconds": 3600, "outputRoot": "s3://videos/farm"}}
    env = env_of(operator_container(render(Combination(values), tmp_path)))
    assert env["SIMFARM_RENDER_IMAGE"] == "registry.example/render:9"
    assert (env["SIMFARM_POLL_SECONDS"], env["SIMFARM_PRESIGN_SECONDS"]) == ("2.5", "3600")
    assert env["SIMFARM_OUTPUT_ROOT"] == "s3://videos/farm"


def render_pod_of(rendered_docs: list[dict], spec: dict) -> tuple[dict, dict]:
    """The render Job (and its pod spec) the operator would make from the chart's settings for ``spec``."""
    environ = {name: value for name, value in env_of(operator_container(rendered_docs)).items()
               if isinstance(value, str)}
    config = OperatorConfig.from_environ(environ)
    job = render_job(RequestRef("renders", "clip", "0b9e6a4e-1111-2222-3333-444455556666"),
                     VideoRequestSpec.model_validate({"prompt": "a cube", "render": {"frames": 8}, **spec}),
                     "s3://simfarm/plan.json", 1, config)
    return job, job["spec"]["template"]["spec"]


def test_render_defaults_reach_the_render_pods(rendered: dict[str, list[dict]]) -> None:
    """Chart values → operator environment → OperatorConfig → the render Job, for a spec that sets none."""
    job, pod = render_pod_of(rendered["render-defaults"], {})
    assert pod["containers"][0]["resources"]["limits"]["nvidia.com/mig-1g.10gb"] == "1"
    assert pod["nodeSelector"] == {"pool": "gpu"}
    assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert pod["runtimeClassName"] == "nvidia"
    assert "kueue.x-k8s.io/queue-name" not in job["metadata"]["labels"]

    _, plain = render_pod_of(rendered["default"], {})
    assert plain["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert not {"nodeSelector", "tolerations", "runtimeClassName"} & plain.keys()


def test_the_spec_wins_over_the_render_defaults(rendered: dict[str, list[dict]]) -> None:
    _, pod = render_pod_of(rendered["render-defaults"], {
        "resources": {"gpuResource": "amd.com/gpu"}, "nodeSelector": {"pool": "a100"},
        "tolerations": [{"key": "team", "operator": "Equal", "value": "vision"}]})
    assert "amd.com/gpu" in pod["containers"][0]["resources"]["limits"]
    assert pod["nodeSelector"] == {"pool": "a100"}
    assert pod["tolerations"] == [{"key": "team", "operator": "Equal", "value": "vision"}]
    assert pod["runtimeClassName"] == "nvidia"  # no spec field: always the operator's


@pytest.mark.parametrize("name,spec,queue", [
    ("default", {}, None), ("kueue-on", {}, "simfarm"), ("kueue-on", {"queueName": "team-a"}, "team-a")])
def test_kueue_local_queue_is_the_default_queue(name: str, spec: dict, queue: str | None,
                                                rendered: dict[str, list[dict]]) -> None:
    job, _ = render_pod_of(rendered[name], spec)
    assert job["metadata"]["labels"].get("kueue.x-k8s.io/queue-name") == queue


@pytest.mark.parametrize("name", ["default", "everything-off"])
def test_grafana_dashboard_config_map(name: str, rendered: dict[str, list[dict]]) -> None:
    maps = [m for m in of_kind(rendered[name], "ConfigMap") if m["metadata"]["labels"].get("grafana_dashboard")]
    if name == "everything-off":
        assert maps == []
        return
    (dashboard,) = maps
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    shipped = json.loads((CHART / "dashboards" / "simfarm.json").read_text())
    assert json.loads(dashboard["data"]["simfarm.json"]) == shipped
