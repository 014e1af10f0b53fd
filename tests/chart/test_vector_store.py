"""The chart's vector store and catalog settings: the bundled ChromaDB server (`chroma run` from the operator
image, a PVC, a Service, a NetworkPolicy letting only the operator and the import pods in) or an external URL,
and the URL policy, caps and import settings handed to the operator exactly as the values give them."""

from __future__ import annotations

import json

from support.chart import COMBINATIONS, NAMESPACE, RELEASE, env_of, of_kind, one, operator_container, render
from simfarm.cluster.config import OperatorConfig
from simfarm.retrieval.remote import ImportLimits, UrlPolicy

STORE = f"{RELEASE}-simfarm-vector-store"


def test_the_bundled_store_is_chroma_run_on_a_volume_behind_a_service(tmp_path):
    docs = render(COMBINATIONS["default"], tmp_path)
    deployment = one(docs, "Deployment", STORE)
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["chroma", "run", "--path", "/data", "--host", "0.0.0.0", "--port", "8000"]
    assert container["image"] == operator_container(docs)["image"]  # clients and server share one chromadb
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert deployment["spec"]["strategy"]["type"] == "Recreate"
    assert deployment["spec"]["template"]["spec"]["automountServiceAccountToken"] is False
    claim = one(docs, "PersistentVolumeClaim", STORE)
    assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi"
    service = one(docs, "Service", STORE)
    assert service["spec"]["ports"][0]["port"] == 8000
    env = env_of(operator_container(docs))
    assert env["SIMFARM_VECTOR_STORE_URL"] == f"http://{STORE}.{NAMESPACE}.svc:8000"
    assert env["SIMFARM_OPERATOR_IMAGE"] == operator_container(docs)["image"]


def test_only_the_operator_and_import_pods_reach_the_bundled_store(tmp_path):
    policy = one(render(COMBINATIONS["default"], tmp_path), "NetworkPolicy", STORE)
    (rule,) = policy["spec"]["ingress"]
    operator, imports = rule["from"]
    assert operator["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "operator"
    assert imports == {"namespaceSelector": {}, "podSelector": {"matchLabels": {
        "app.kubernetes.io/managed-by": "simfarm-operator", "app.kubernetes.io/component": "catalog-import"}}}
    (tmp_path / "off").mkdir()
    assert not of_kind(render(COMBINATIONS["catalog-url-policy"], tmp_path / "off"), "NetworkPolicy")


def test_an_external_store_is_only_a_url(tmp_path):
    docs = render(COMBINATIONS["external-vector-store"], tmp_path)
    assert not [doc for doc in docs if doc["metadata"]["name"] == STORE]
    assert env_of(operator_container(docs))["SIMFARM_VECTOR_STORE_URL"] == "https://chroma.example.com:8443"


def test_catalog_settings_reach_the_operator_as_the_values_say(tmp_path):
    docs = render(COMBINATIONS["catalog-url-policy"], tmp_path)
    env = env_of(operator_container(docs))
    config = OperatorConfig.from_environ({key: value for key, value in env.items() if isinstance(value, str)})
    assert config.url_policy == UrlPolicy.of(["mirror.internal", "10.20.0.0/16"], ["172.20.0.0/16"])
    assert config.import_limits == ImportLimits(max_records=5000, max_record_bytes=4096, max_source_bytes=1048576)
    assert config.asset_max_bytes == 52428800 and config.import_batch == 64
    assert config.import_resources == {"requests": {"cpu": "2", "memory": "2Gi"}, "limits": {"memory": "3Gi"}}
    assert config.vector_store_url == f"http://{STORE}.{NAMESPACE}.svc:9100"
    assert one(docs, "Service", STORE)["spec"]["ports"][0]["port"] == 9100
    (tmp_path / "defaults").mkdir()
    defaults = env_of(operator_container(render(COMBINATIONS["default"], tmp_path / "defaults")))
    assert json.loads(defaults["SIMFARM_URL_POLICY"]) == {"allowedHosts": [], "deniedNetworks": ["10.96.0.0/12"]}


def test_without_a_store_the_operator_gets_no_url(tmp_path):
    docs = render(COMBINATIONS["no-vector-store"], tmp_path)
    assert not [doc for doc in docs if doc["metadata"]["name"] == STORE]
    assert "SIMFARM_VECTOR_STORE_URL" not in env_of(operator_container(docs))
