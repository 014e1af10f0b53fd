"""The operator crashing mid-render, and a request deleted mid-render, on a real control plane."""

from __future__ import annotations

from simfarm.cluster.manifests import RENDER
from support.waiting import wait_for

from e2e_config import REQUEST_NAMESPACE

RENDER_TIMEOUT = 300


def running_pod(cluster_state, uid: str):
    return next((p for p in cluster_state.pods(uid, RENDER) if p["status"].get("phase") == "Running"), None)


def test_operator_killed_mid_render_continues_without_a_second_job(submit, cluster_state, operator):
    name = "operator-restart"
    uid = submit(name, variants=2)["metadata"]["uid"]
    wait_for(lambda: running_pod(cluster_state, uid), "a running render pod", RENDER_TIMEOUT, interval=0.5,
             details=lambda: cluster_state.report(name))
    (job_before,) = cluster_state.jobs(uid, RENDER)

    operator.kill()
    operator.start()

    done = cluster_state.wait_for_phase(name, ("Succeeded", "Failed"), RENDER_TIMEOUT)
    report = cluster_state.report(name)
    assert done["status"]["phase"] == "Succeeded", report
    assert [o["variant"] for o in done["status"]["outputs"]] == [0, 1], report
    assert [job["metadata"]["uid"] for job in cluster_state.jobs(uid)] == [job_before["metadata"]["uid"]], report


def test_deleting_a_request_collects_its_jobs_and_pods(submit, cluster_state, control_plane):
    name = "deleted-mid-render"
    uid = submit(name, variants=2)["metadata"]["uid"]
    wait_for(lambda: running_pod(cluster_state, uid), "a running render pod", RENDER_TIMEOUT, interval=0.5,
             details=lambda: cluster_state.report(name))

    control_plane.kubectl("delete", "videorequest", name, "-n", REQUEST_NAMESPACE, "--wait=true", "--timeout=60s")

    def collected() -> bool:
        return not cluster_state.jobs(uid) and not cluster_state.pods(uid)

    def leftovers() -> str:
        jobs = [j["metadata"]["name"] for j in cluster_state.jobs(uid)]
        pods = [(p["metadata"]["name"], p["status"].get("phase"), p["metadata"].get("deletionTimestamp"))
                for p in cluster_state.pods(uid)]
        return f"jobs left: {jobs}\npods left: {pods}"

    wait_for(collected, "the garbage collector to delete the request's Jobs and pods", 120, interval=0.5,
             details=leftovers)
