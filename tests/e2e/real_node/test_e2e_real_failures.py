"""Real node: the failures that matter most, with real containers.

* permanent: the worker's S3 credentials may not write variant 1's objects (an S3 policy on a MinIO
  user of its own). Retrying cannot fix that: the worker exits 3, the Job fails that index at once
  (one pod, despite ``retries: 2``), and variant 0 still succeeds.
* a render container killed mid-render (SIGKILL through containerd, as an OOM kill or a crash): its
  pod fails with 137, the Job starts another pod for that index, and the request succeeds.
* the operator pod deleted mid-request: the Deployment starts a new one, which resumes the request
  from its status and finishes it, with the same Job (none created twice).
"""

from __future__ import annotations

import json

from simfarm.cluster.manifests import CONTAINER, RENDER
from support.kube_state import completion_index, container_state, exit_code
from support.waiting import wait_for

from e2e_config import OPERATOR_SELECTOR, RELEASE_NAMESPACE, REQUEST_NAMESPACE
from e2e_support import minio_user_denied, running_pod, s3_secret

RENDER_TIMEOUT = 420


def test_permanent_failure_fails_its_index_only(submit, cluster_state, control_plane, minio_server, tmp_path):
    name = "no-write-variant-1"
    user, password = minio_user_denied(minio_server, tmp_path, f"simfarm/{REQUEST_NAMESPACE}/{name}/*/variants/1/*")
    secret = s3_secret(control_plane, "s3-no-variant-1", minio_server.endpoint_url, user, password,
                       minio_server.region)
    request = submit(name, variants=2, retries=2, parallelism=2, output={"s3SecretRef": secret})
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


def test_a_render_container_killed_mid_render_is_retried(submit, cluster_state, node):
    name = "killed-mid-render"
    uid = submit(name, variants=1, retries=2)["metadata"]["uid"]

    def running_worker():
        pod = running_pod(cluster_state, uid)
        if pod is None:
            return None
        return next((c for c in node.containers()
                     if c.pod == pod["metadata"]["name"] and c.name == CONTAINER and c.pid), None)

    victim = wait_for(running_worker, "a running render container", RENDER_TIMEOUT, interval=0.3,
                      details=lambda: cluster_state.report(name))
    node.kill(victim)

    done = cluster_state.wait_for_phase(name, ("Succeeded", "Failed"), RENDER_TIMEOUT)
    report = cluster_state.report(name)
    assert done["status"]["phase"] == "Succeeded", report
    pods = cluster_state.pods(uid, RENDER)
    assert sorted(exit_code(pod) for pod in pods) == [0, 137], report  # SIGKILL, then a new pod for the index
    assert {completion_index(pod) for pod in pods} == {0}, report
    killed = next(pod for pod in pods if exit_code(pod) == 137)
    assert killed["metadata"]["name"] == victim.pod, report


def operator_pods(control_plane) -> list[dict]:
    listing = control_plane.kubectl("get", "pods", "-n", RELEASE_NAMESPACE, "-l", OPERATOR_SELECTOR, "-o", "json")
    return json.loads(listing.stdout)["items"]


def test_operator_pod_deleted_mid_request_resumes_without_a_second_job(submit, cluster_state, control_plane):
    name = "operator-pod-deleted"
    uid = submit(name, variants=2, parallelism=1)["metadata"]["uid"]
    wait_for(lambda: running_pod(cluster_state, uid), "a running render pod", RENDER_TIMEOUT, interval=0.5,
             details=lambda: cluster_state.report(name))
    (job_before,) = cluster_state.jobs(uid, RENDER)
    (old,) = operator_pods(control_plane)

    control_plane.kubectl("delete", "pod", old["metadata"]["name"], "-n", RELEASE_NAMESPACE, "--wait=true",
                          "--timeout=120s", timeout=150)

    def new_operator_ready():
        return next((p for p in operator_pods(control_plane) if p["metadata"]["uid"] != old["metadata"]["uid"]
                     and all(c.get("ready") for c in p["status"].get("containerStatuses") or [{}])), None)

    wait_for(new_operator_ready, "a new operator pod, Ready", RENDER_TIMEOUT, interval=1,
             details=lambda: cluster_state.report(name))
    done = cluster_state.wait_for_phase(name, ("Succeeded", "Failed"), RENDER_TIMEOUT)
    report = cluster_state.report(name)
    assert done["status"]["phase"] == "Succeeded", report
    assert [o["variant"] for o in done["status"]["outputs"]] == [0, 1], report
    assert [job["metadata"]["uid"] for job in cluster_state.jobs(uid)] == [job_before["metadata"]["uid"]], report
