"""What the real API server accepts: the chart's manifests and the examples (``kubectl apply
--dry-run=server``), invalid VideoRequests (rejected by the CRD's schema), and the operator
ServiceAccount's permissions (``kubectl auth can-i --as=…``): what it needs and nothing more. The invalid
specs are the unit layer's list (tests/support/invalid_specs.py): the API server must blame the same field."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import yaml

from simfarm.cluster.permissions import ADMISSION_RULES, API_RULES, Rule
from support.invalid_specs import (INVALID_CATALOG_SPECS, INVALID_SPECS, RULE_REFUSED_SPECS, VALID_CATALOG_SPEC,
                                   VALID_SPEC, InvalidCatalogSpec, InvalidSpec)

from e2e_config import EXAMPLES, RELEASE_NAMESPACE, REQUEST_NAMESPACE, SERVICE_ACCOUNT

from support.chart import COMBINATIONS, render  # the chart tests' value combinations

# APIs of add-ons the chart can target, which this bare control plane does not serve.
ADD_ON_APIS = {"monitoring.coreos.com/v1": "Prometheus Operator", "kueue.x-k8s.io/v1beta1": "Kueue"}
ALL_VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")
OPERATOR = f"system:serviceaccount:{RELEASE_NAMESPACE}:{SERVICE_ACCOUNT}"


def dry_run(control_plane, documents: list[dict[str, Any]], namespace: str | None = None):
    args = ["apply", "--dry-run=server", "-f", "-"] + (["-n", namespace] if namespace else [])
    return control_plane.kubectl(*args, stdin=yaml.safe_dump_all(documents), check=False)


# ---- chart and examples ----

@pytest.mark.parametrize("name", COMBINATIONS)
def test_chart_manifests_pass_server_side_validation(name, control_plane, chart_release, tmp_path):
    documents = render(COMBINATIONS[name], tmp_path)
    served = set(control_plane.kubectl("api-versions").stdout.split())
    add_ons = {doc["apiVersion"] for doc in documents if doc["apiVersion"] not in served}
    assert add_ons <= set(ADD_ON_APIS), f"manifests of APIs neither served nor known add-ons: {add_ons - set(ADD_ON_APIS)}"
    namespaces = sorted({doc["metadata"]["namespace"] for doc in documents if doc["metadata"].get("namespace")})
    control_plane.kubectl("apply", "-f", "-", stdin=yaml.safe_dump_all(
        [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}} for ns in namespaces]))
    checked = [doc for doc in documents if doc["apiVersion"] in served]
    result = dry_run(control_plane, checked)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("(server dry run)") == len(checked), result.stdout


@pytest.mark.parametrize("example", sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.glob("**/*.yaml")))
def test_example_passes_server_side_validation(example, control_plane, chart_release):
    documents = list(yaml.safe_load_all((EXAMPLES / example).read_text()))
    result = dry_run(control_plane, documents, REQUEST_NAMESPACE)
    assert result.returncode == 0, result.stderr


# ---- invalid AssetCatalogs (the CEL rules too, which only the API server evaluates) ----

@pytest.mark.parametrize("case", INVALID_CATALOG_SPECS.values(), ids=INVALID_CATALOG_SPECS.keys())
def test_invalid_asset_catalog_is_rejected_naming_the_field(case: InvalidCatalogSpec, control_plane, chart_release):
    catalog = {"apiVersion": "simfarm.dev/v1alpha1", "kind": "AssetCatalog",
               "metadata": {"name": "checked", "namespace": REQUEST_NAMESPACE}, "spec": case.spec}
    result = dry_run(control_plane, [catalog])
    assert result.returncode != 0, f"accepted: {case.spec}"
    assert f"spec.{case.field}" in result.stderr, result.stderr


def test_the_valid_base_catalog_is_accepted(control_plane, chart_release):
    result = dry_run(control_plane, [{"apiVersion": "simfarm.dev/v1alpha1", "kind": "AssetCatalog",
                                      "metadata": {"name": "checked", "namespace": REQUEST_NAMESPACE},
                                      "spec": VALID_CATALOG_SPEC}])
    assert result.returncode == 0, result.stderr


# ---- invalid VideoRequests ----

def valid_request() -> dict[str, Any]:
    """The request every invalid case breaks one field of."""
    return {"apiVersion": "simfarm.dev/v1alpha1", "kind": "VideoRequest",
            "metadata": {"name": "checked", "namespace": REQUEST_NAMESPACE}, "spec": VALID_SPEC}


def test_the_valid_base_request_is_accepted(control_plane, chart_release):
    result = dry_run(control_plane, [valid_request()])
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("case", INVALID_SPECS.values(), ids=INVALID_SPECS.keys())
def test_invalid_video_request_is_rejected_naming_the_field(case: InvalidSpec, control_plane, chart_release):
    request = {**valid_request(), "spec": case.spec}
    result = dry_run(control_plane, [request])
    assert result.returncode != 0, f"accepted: {request['spec']}"
    # "": the spec as a whole (its oneOf, or its CEL rule when the oneOf passes)
    blamed = [f"spec.{case.field}"] if case.field else ['"spec" must validate one and only one schema',
                                                        "spec: Invalid value"]
    assert any(text in result.stderr for text in blamed), result.stderr


@pytest.mark.parametrize("case,message", RULE_REFUSED_SPECS.values(), ids=RULE_REFUSED_SPECS.keys())
def test_a_pass_the_engine_cannot_make_is_refused_by_the_api_server(case: InvalidSpec, message: str, control_plane,
                                                                    chart_release):
    result = dry_run(control_plane, [{**valid_request(), "spec": case.spec}])
    assert result.returncode != 0 and f"spec.{case.field}" in result.stderr and message in result.stderr, result.stderr


# ---- RBAC ----

def can_i(control_plane, verb: str, rule: Rule, namespace: str | None) -> bool:
    plural, _, subresource = rule.resource.partition("/")
    resource = f"{plural}.{rule.group}" if rule.group else plural
    args = ["auth", "can-i", verb, resource, f"--as={OPERATOR}"]
    args += [f"--subresource={subresource}"] if subresource else []
    args += ["-n", namespace] if namespace else ["--all-namespaces"]
    return control_plane.kubectl(*args, check=False).stdout.strip() == "yes"


def permission_matrix() -> list[tuple[str, Rule, str | None, bool]]:
    """(verb, resource, namespace or None for all, expected answer)."""
    needed = API_RULES + ADMISSION_RULES
    matrix = []
    for rule in needed:
        for verb in ALL_VERBS:
            matrix.append((verb, rule, REQUEST_NAMESPACE, verb in rule.verbs))  # exactly what it needs
            matrix.append((verb, rule, "default", False))  # only where it serves requests
    secrets, nodes = Rule("", "secrets", ()), Rule("", "nodes", ())
    # Secrets: get in the served namespace only (a request's endpointSecretRef), never listed or watched.
    never = [(verb, secrets, None) for verb in ("get", "list", "watch")]
    never += [("create", Rule("", "pods/exec", ()), REQUEST_NAMESPACE)]
    never += [(verb, nodes, None) for verb in ("create", "update", "patch", "delete")]
    # AssetCatalogs are the users' to create and delete; the operator only watches them and patches status.
    never += [(verb, Rule("simfarm.dev", "assetcatalogs", ()), REQUEST_NAMESPACE)
              for verb in ("create", "update", "delete")]
    never += [("delete", Rule("batch", "jobs", ()), REQUEST_NAMESPACE)]
    never += [(verb, Rule("", "nodes/status", ()), None) for verb in ("update", "patch")]
    matrix += [(verb, rule, namespace, False) for verb, rule, namespace in never]
    return matrix


def test_operator_service_account_can_do_what_it_needs_and_nothing_more(control_plane, chart_release):
    matrix = permission_matrix()
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda row: can_i(control_plane, row[0], row[1], row[2]), matrix))
    wrong = [f"{verb} {rule.group or 'core'}/{rule.resource} in {namespace or 'all namespaces'}: "
             f"{'yes' if answer else 'no'}, expected {'yes' if expected else 'no'}"
             for (verb, rule, namespace, expected), answer in zip(matrix, answers) if answer != expected]
    assert not wrong, "\n".join(wrong)
