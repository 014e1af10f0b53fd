"""Failures on a real control plane: the Job's pod failure policy and per-index retries at work.

* permanent: the worker's S3 credentials may not write variant 1's objects (an S3 policy on a
  MinIO user of its own). Retrying cannot fix that: the worker exits 3, the Job fails that index
  at once (one pod, despite ``retries: 2``), and variant 0 still succeeds.
* transient: the workers reach S3 through a network path that is cut until the first attempt
  has failed (the worker's own storage retries included). That pod exits 1, the Job starts
  another pod for the index, and the request succeeds.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator

import pytest
from minio.credentials import StaticProvider
from minio.minioadmin import MinioAdmin

from simfarm.cluster.manifests import RENDER
from support.kube_state import completion_index, container_state, exit_code
from support.tcp_proxy import TcpProxy
from support.waiting import wait_for

from e2e_config import REQUEST_NAMESPACE

RENDER_TIMEOUT = 300


def s3_secret(control_plane, name: str, endpoint: str, access_key: str, secret_key: str, region: str) -> str:
    """A worker S3 Secret in the request namespace, with the keys of the chart's own."""
    control_plane.kubectl("create", "secret", "generic", name, "-n", REQUEST_NAMESPACE,
                          f"--from-literal=AWS_ENDPOINT_URL={endpoint}", f"--from-literal=AWS_REGION={region}",
                          f"--from-literal=AWS_ACCESS_KEY_ID={access_key}",
                          f"--from-literal=AWS_SECRET_ACCESS_KEY={secret_key}")
    return name


def minio_user_denied(minio_server, tmp_path, denied_keys: str) -> tuple[str, str]:
    """A new MinIO user that may do anything except put objects matching ``denied_keys``."""
    admin = MinioAdmin(endpoint=f"127.0.0.1:{minio_server.port}", secure=False,
                       credentials=StaticProvider(minio_server.access_key, minio_server.secret_key))
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::*"]},
        {"Effect": "Deny", "Action": ["s3:PutObject"], "Resource": [f"arn:aws:s3:::{denied_keys}"]}]}))
    user, password = f"worker-{secrets.token_hex(4)}", secrets.token_hex(16)
    admin.policy_add(user, str(policy))
    admin.user_add(user, password)
    admin.attach_policy([user], user=user)
    return user, password


def test_permanent_failure_fails_its_index_only(submit, cluster_state, control_plane, minio_server, tmp_path):
    name = "no-write-variant-1"
    user, password = minio_user_denied(minio_server, tmp_path, f"simfarm/{REQUEST_NAMESPACE}/{name}/*/variants/1/*")
    secret = s3_secret(control_plane, "s3-no-variant-1", minio_server.endpoint_url, user, password,
                       minio_server.region)
    request = submit(name, variants=2, retries=2, output={"s3SecretRef": secret})
    done = cluster_state.wait_for_phase(name, ("Succeeded", "Failed"), RENDER_TIMEOUT)
    report = cluster_state.report(name)
    status = done["status"]
    assert status["phase"] == "Succeeded" and status["failedVariants"] == [1], report
    assert [output["variant"] for output in status["outputs"]] == [0], report
    assert any(c["type"] == "PartiallyFailed" and c["status"] == "True" for c in status["conditions"]), report
    assert "AccessDenied" in " ".join(status["failures"]), report

    pods = cluster_state.pods(request["metadata"]["uid"], RENDER)
    failed = [pod for pod in pods if completion_index(pod) == 1]
    assert len(failed) == 1 and exit_code(failed[0]) == 3, report  # failed at once: no retry
    assert json.loads(container_state(failed[0])["terminated"]["message"])["permanent"] is True, report
    (job,) = cluster_state.jobs(request["metadata"]["uid"], RENDER)
    assert job["status"].get("failedIndexes") == "1" and job["status"].get("completedIndexes") == "0", report


@pytest.fixture
def cut_path_to_minio(minio_server) -> Iterator[TcpProxy]:
    proxy = TcpProxy(minio_server.port).start()
    try:
        yield proxy
    finally:
        proxy.close()


def test_transient_failure_is_retried(submit, cluster_state, control_plane, minio_server, cut_path_to_minio):
    name = "flaky-network"
    secret = s3_secret(control_plane, "s3-flaky-path", cut_path_to_minio.url, minio_server.access_key,
                       minio_server.secret_key, minio_server.region)
    request = submit(name, variants=1, retries=2, output={"s3SecretRef": secret})
    uid = request["metadata"]["uid"]

    def failed_pod():
        return next((pod for pod in cluster_state.pods(uid, RENDER) if exit_code(pod) is not None), None)

    first = wait_for(failed_pod, "the first render pod to fail", RENDER_TIMEOUT, interval=0.5,
                     details=lambda: cluster_state.report(name))
    assert exit_code(first) == 1, cluster_state.report(name)  # retryable
    assert json.loads(container_state(first)["terminated"]["message"])["permanent"] is False
    assert cut_path_to_minio.refused > 0
    cut_path_to_minio.mend()

    done = cluster_state.wait_for_phase(name, ("Succeeded", "Failed"), RENDER_TIMEOUT)
    report = cluster_state.report(name)
    assert done["status"]["phase"] == "Succeeded", report
    pods = cluster_state.pods(uid, RENDER)
    assert sorted(exit_code(pod) for pod in pods) == [0, 1], report  # the same index, twice
    assert {completion_index(pod) for pod in pods} == {0}, report
