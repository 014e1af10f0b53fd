"""Every Kubernetes API call the operator makes, as RBAC rules: the Helm chart's Role renders these.

``API_RULES`` is checked against the requests actually seen by the API
emulator in tests/operator (both ways: nothing missing, nothing unused).
The other lists are needed without being API calls the emulator can see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    group: str
    resource: str  # "plural" or "plural/subresource"
    verbs: tuple[str, ...]


API_RULES: tuple[Rule, ...] = (
    # kopf: watch requests; patch finalizers, progress annotations and status
    Rule("simfarm.dev", "videorequests", ("list", "watch", "patch")),
    Rule("simfarm.dev", "videorequests/status", ("patch",)),
    # kopf: watch catalogs (planning's index, the import timer); patch finalizers, annotations and status
    Rule("simfarm.dev", "assetcatalogs", ("list", "watch", "patch")),
    Rule("simfarm.dev", "assetcatalogs/status", ("patch",)),
    # reconcile.ensure_job (render, assemble and import Jobs): create, or read the existing one after a
    # restart; kopf indexes: list/watch. Never delete: owner references do that.
    Rule("batch", "jobs", ("create", "get", "list", "watch")),
    # kopf indexes + event handler on the Jobs' pods (termination messages)
    Rule("", "pods", ("list", "watch")),
    # kopf.info / kopf.warn
    Rule("", "events", ("create",)),
    # reconcile.request_llm: the Secret a request names in spec.rewriter.endpointSecretRef (never listed)
    Rule("", "secrets", ("get",)),
)

# kopf.adopt sets blockOwnerDeletion, which the OwnerReferencesPermissionEnforcement
# admission plugin allows only to whoever may update the owner's finalizers.
ADMISSION_RULES: tuple[Rule, ...] = (
    Rule("simfarm.dev", "videorequests/finalizers", ("update",)),
    Rule("simfarm.dev", "assetcatalogs/finalizers", ("update",)),
)

# Only with `simfarm operator --peering NAME` (more than one replica): kopf's peering
# objects, namespaced with --namespace, cluster-wide with --all-namespaces.
PEERING_RULES: tuple[Rule, ...] = (
    Rule("kopf.dev", "kopfpeerings", ("list", "watch", "patch")),
    Rule("kopf.dev", "clusterkopfpeerings", ("list", "watch", "patch")),
)


def rbac_rules(*, peering: bool = False) -> list[dict[str, Any]]:
    """The rules as a Role's ``rules:`` list."""
    rules = API_RULES + ADMISSION_RULES + (PEERING_RULES if peering else ())
    return [{"apiGroups": [r.group], "resources": [r.resource], "verbs": list(r.verbs)} for r in rules]
