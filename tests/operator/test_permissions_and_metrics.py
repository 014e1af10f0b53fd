"""The recorded RBAC list matches the calls the operator makes; metrics are served under recorded names."""

from __future__ import annotations

import urllib.request

from simfarm import metrics
from simfarm.cluster.permissions import API_RULES
from support.fake_llm import FakeChatServer

from catalog_support import asset_catalog, import_now
from operator_support import CATALOGS_URL, JOBS_URL, NAMESPACE, SECRETS_URL, VR_URL, eventually, phase_of, write
from operator_objects import secret, summary, video_request, worker_pod

VERB_OF_ACTION = {"LIST": "list", "WATCH": "watch", "FETCH": "get", "CREATE": "create", "DELETE": "delete"}


def used_permissions(requests) -> set[tuple[str, str, str]]:
    used = set()
    for request in requests:
        if (request.resource is None or request.resource.plural is None or request.action is None
                or request.headers.get("User-Agent", "").startswith("kmock")):
            continue  # discovery, or the test's own requests
        verb = request.method.value.lower() if request.action.value == "UPDATE" else VERB_OF_ACTION[request.action.value]
        resource = request.resource.plural + (f"/{request.subresource}" if request.subresource else "")
        used.add((request.resource.group or "", resource, verb))
    return used


async def test_recorded_permissions_are_exactly_the_calls_made(cluster, operator, tmp_path):
    """A request through every path (its LLM endpoint Secret, plan, a left-over Job, assembly, completion,
    deletion with cleanup) and a catalog through its own (import Job, status, deletion with cleanup)."""
    with FakeChatServer() as llm:  # answers 500: planned by the rules rewriter after trying the endpoint
        await write(cluster, "POST", SECRETS_URL, secret("audit-llm", baseUrl=llm.base_url, apiKey=llm.api_key,
                                                          model="scene-writer"))
        await audit_every_path(cluster)
    assert llm.requests, "the request's endpoint was not used"
    await audit_catalog_path(cluster, tmp_path)

    recorded = {(rule.group, rule.resource, verb) for rule in API_RULES for verb in rule.verbs}
    assert used_permissions(list(cluster)) == recorded


async def audit_every_path(cluster) -> None:
    request = video_request("audit", variants=1, render={"frames": 8}, framesPerShard=4,
                            output={"deleteOnRemoval": True},
                            rewriter={"backend": "llm", "endpointSecretRef": "audit-llm"})
    labels = {"app.kubernetes.io/managed-by": "simfarm-operator", "app.kubernetes.io/component": "render",
              "simfarm.dev/request-uid": request["metadata"]["uid"]}
    job = {"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {"name": "audit-render", "namespace": NAMESPACE, "labels": labels},
           "spec": {"completions": 2, "template": {"metadata": {"labels": labels}, "spec": {}}}}
    await write(cluster, "POST", JOBS_URL, job)  # left by a killed operator: read, not re-created
    await write(cluster, "POST", VR_URL, request)
    render = await eventually(lambda: phase_of(cluster, "audit", "Rendering"), "phase Rendering")
    await write(cluster, "POST", f"/api/v1/namespaces/{NAMESPACE}/pods",
                worker_pod(job, 0, exit_code=0, message=summary(0, 0, 4)))
    await write(cluster, "PATCH", f"{JOBS_URL}/audit-render/status", {"status": {"completedIndexes": "0-1"}})
    await eventually(lambda: phase_of(cluster, "audit", "Assembling"), "phase Assembling")
    await write(cluster, "PATCH", f"{JOBS_URL}/audit-assemble/status", {"status": {"completedIndexes": "0"}})
    await eventually(lambda: phase_of(cluster, "audit", "Succeeded"), "phase Succeeded")
    await cluster.delete(f"{VR_URL}/audit")
    await eventually(lambda: cluster.objects["simfarm.dev/v1alpha1/videorequests", NAMESPACE, "audit"].deleted,
                     "deletion finished")
    assert render


async def test_metrics_and_probes_are_served(operator):
    server = metrics.serve(0, ready=lambda: True, host="127.0.0.1")
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert urllib.request.urlopen(f"{base}/healthz", timeout=5).status == 200
        assert urllib.request.urlopen(f"{base}/readyz", timeout=5).status == 200
        text = urllib.request.urlopen(f"{base}/metrics", timeout=5).read().decode()
    finally:
        server.shutdown()
    exported = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")}
    assert exported <= set(metrics.METRIC_NAMES), exported - set(metrics.METRIC_NAMES)
    assert {"simfarm_requests", "simfarm_shards"} <= exported


async def audit_catalog_path(cluster, workdir) -> None:
    await write(cluster, "POST", CATALOGS_URL, asset_catalog("audit", "http://127.0.0.1:9/records.jsonl"))
    status = await import_now(cluster, "audit", workdir)  # loopback is refused: the import fails, saying so
    assert status["phase"] == "Failed" and "loopback" in status["message"]
    await cluster.delete(f"{CATALOGS_URL}/audit")
    await eventually(lambda: cluster.objects["simfarm.dev/v1alpha1/assetcatalogs", NAMESPACE, "audit"].deleted,
                     "catalog deletion finished")
