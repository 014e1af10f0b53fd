"""Stand-in node: a transient storage failure is retried by the Job (per-index retries at work).

The workers reach S3 through a network path that is cut until the first attempt has failed (the
worker's own storage retries included). That pod exits 1, the Job starts another pod for the index,
and the request succeeds. (The permanent failure, exit 3, runs on the real node:
real_node/test_e2e_real_failures.py.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from simfarm.cluster.manifests import RENDER
from support.kube_state import completion_index, container_state, exit_code
from support.tcp_proxy import TcpProxy
from support.waiting import wait_for

from e2e_support import s3_secret

RENDER_TIMEOUT = 300


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
