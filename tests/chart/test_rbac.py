"""The chart's RBAC grants exactly what the operator records it needs (simfarm.cluster.permissions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.chart import COMBINATIONS, of_kind, render
from simfarm.cluster import permissions

# kopf peers through cluster-scoped objects when it serves every namespace, namespaced ones otherwise.
PEERING_RESOURCE = {"cluster": "clusterkopfpeerings", "namespaces": "kopfpeerings"}


def triples(rules) -> set[tuple[str, str, str]]:
    return {(group, resource, verb) for rule in rules for group in rule["apiGroups"]
            for resource in rule["resources"] for verb in rule["verbs"]}


def needed(scope: str, replicas: int) -> set[tuple[str, str, str]]:
    """The operator's recorded rules; with peering, those of the one peering resource kopf uses in this scope."""
    standalone = permissions.rbac_rules(peering=False)
    if replicas == 1:
        return triples(standalone)
    peering = [rule for rule in permissions.rbac_rules(peering=True) if rule not in standalone]
    return triples(standalone + [rule for rule in peering if rule["resources"] == [PEERING_RESOURCE[scope]]])


def test_peering_rules_are_the_two_kopf_peering_resources() -> None:
    peering = {r.resource for r in permissions.PEERING_RULES}
    assert peering == set(PEERING_RESOURCE.values())


@pytest.mark.parametrize("name", ["default", "replicas-2-peering", "namespaced-rbac", "replicas-2-peering-namespaced"])
def test_rendered_roles_equal_the_operators_needs(name: str, tmp_path: Path) -> None:
    combination = COMBINATIONS[name]
    scope = combination.values.get("watch", {}).get("scope", "cluster")
    docs = render(combination, tmp_path)
    roles = of_kind(docs, "ClusterRole" if scope == "cluster" else "Role")
    assert roles, "no role rendered"
    for role in roles:
        rules = role["rules"]
        assert all(rule.keys() == {"apiGroups", "resources", "verbs"} for rule in rules), "no resourceNames/URLs"
        assert sum(len(r["apiGroups"]) * len(r["resources"]) * len(r["verbs"]) for r in rules) == len(triples(rules))
        assert triples(rules) == needed(scope, combination.values.get("replicas", 1))
