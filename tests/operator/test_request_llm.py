"""Per-request LLM settings: ``spec.rewriter.model``, and the endpoint Secret named by
``spec.rewriter.endpointSecretRef`` (keys baseUrl, apiKey, optional model) in the request's namespace."""

from __future__ import annotations

import asyncio
import json

from simfarm import metrics
from support.fake_llm import FakeChatServer, Reply

from operator_support import JOBS_URL, SECRETS_URL, VR_URL, eventually, phase_of, read, write
from operator_objects import secret, video_request

# An answer true to the request's prompt ("a red cube spins on a wooden table"): the llm backend keeps only
# what the prompt says.
DRAFT = {"objects": [{"name": "cube", "color": "red", "on_top_of": 1}, {"name": "table"}]}


async def test_each_request_plans_with_its_endpoint_key_and_model(cluster, operator):
    with FakeChatServer(api_key="team-key", script=[Reply(json.dumps(DRAFT)) for _ in range(4)]) as llm:
        await write(cluster, "POST", SECRETS_URL, secret("team-llm", baseUrl=llm.base_url, apiKey="team-key",
                                                         model="secret-model"))
        await write(cluster, "POST", VR_URL, video_request("own-model", rewriter={
            "backend": "llm", "endpointSecretRef": "team-llm", "model": "request-model"}))
        await write(cluster, "POST", VR_URL, video_request("secret-model", rewriter={
            "backend": "llm", "endpointSecretRef": "team-llm"}))
        for name in ("own-model", "secret-model"):
            rendering = await eventually(lambda: phase_of(cluster, name, "Rendering"), f"{name} Rendering")
            assert rendering["status"]["plan"]["rewriter"] == "llm", rendering["status"]["plan"]["warnings"]
    # The Secret's key was accepted (else 401 and the rules rewriter); spec.model wins over the Secret's.
    assert {request["model"] for request in llm.requests} == {"request-model", "secret-model"}


async def test_a_missing_endpoint_secret_is_retried_without_planning(cluster, operator):
    errors_before = metrics.REGISTRY.get_sample_value("simfarm_errors_total", {"reason": "endpoint_secret"}) or 0
    await write(cluster, "POST", VR_URL, video_request("no-secret", rewriter={
        "backend": "llm", "endpointSecretRef": "absent"}))
    await eventually(lambda: (metrics.REGISTRY.get_sample_value(
        "simfarm_errors_total", {"reason": "endpoint_secret"}) or 0) > errors_before, "the missing Secret noticed")
    await asyncio.sleep(0.5)
    status = (await read(cluster, f"{VR_URL}/no-secret"))["status"]
    assert status["phase"] == "Planning" and "plan" not in status
    assert (await read(cluster, JOBS_URL))["items"] == []
