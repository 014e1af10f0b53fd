"""Stand-in node: a request deleted mid-render has its Jobs and pods collected by the garbage collector.
(The operator restarting mid-render runs on the real node: real_node/test_e2e_real_failures.py.)"""

from __future__ import annotations

from support.waiting import wait_for

from e2e_config import REQUEST_NAMESPACE
from e2e_support import running_pod

RENDER_TIMEOUT = 300


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
