"""Real node: ``kubectl apply`` → the operator pod (the built operator image) → Indexed Jobs → the
scheduler and a real kubelet → render containers (the built render image) → MP4s in MinIO →
``status.outputs`` and ``kubectl get vr``; models of the default library, planned from the entries the
operator image carries and rendered from the files the render image carries; what the containers run
as, seen on the running processes; and every query of the shipped Grafana dashboard answered by
Prometheus from the operator's metrics."""

from __future__ import annotations

import io
import json
import re
import time
from typing import Any

import av
import pytest
import yaml

from simfarm.cluster.manifests import ASSEMBLE, CONTAINER, RENDER, S3_SECRET_MOUNT
from simfarm.plan.models import RequestPlan
from simfarm.storage import parse_location
from support.kube_state import completion_index, container_state, exit_code
from support.node import GPU_RESOURCE
from support.prometheus import SCRAPE_SECONDS
from support.waiting import wait_for

from support.minio import REPO_ROOT

from e2e_config import EXAMPLES, OPERATOR_SELECTOR, REQUEST_NAMESPACE, TINY_RENDER

RENDER_TIMEOUT = 420
SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount"
DASHBOARD = REPO_ROOT / "charts" / "simfarm" / "dashboards" / "simfarm.json"


def observe(container) -> dict[str, Any] | None:
    """What the kernel says about a running container's first process (None if it just ended).
    Mount points as the pod spec names them (the images' /var/run is a link to /run)."""
    try:
        status, mounts = container.status(), container.mounts()
    except (FileNotFoundError, ProcessLookupError):
        return None
    named = sorted("/var" + point if point.startswith("/run/") else point for point in mounts)
    return {"uid": status["Uid"].split(), "gid": status["Gid"].split(), "root": mounts.get("/", []),
            "mounts": named}


@pytest.fixture(scope="module")
def rendered(control_plane, cluster_state, node, prometheus) -> dict[str, Any]:
    """One request (2 variants x 2 shards, 2 pods at a time) rendered while Prometheus scrapes; the
    render containers are looked at while they run."""
    name = "real-red-car"
    manifest = yaml.safe_load((EXAMPLES / "short-video.yaml").read_text())
    manifest["metadata"] = {"name": name, "namespace": REQUEST_NAMESPACE}
    manifest["spec"] = {**manifest["spec"], "render": dict(TINY_RENDER), **cluster_state.request_defaults,
                        "variants": 2, "framesPerShard": TINY_RENDER["frames"] // 2, "parallelism": 2}
    started = time.time()
    control_plane.kubectl("apply", "-f", "-", stdin=yaml.safe_dump(manifest))
    seen: dict[str, dict[str, Any]] = {}

    def finished() -> dict[str, Any] | None:
        for container in node.containers():
            if container.name == CONTAINER and container.pid and container.pod not in seen:
                if (observed := observe(container)) is not None:
                    seen[container.pod] = observed
        request = cluster_state.video_request(name)
        return request if request and request.get("status", {}).get("phase") in ("Succeeded", "Failed") else None

    done = wait_for(finished, f"VideoRequest {name} to finish", RENDER_TIMEOUT, interval=0.3,
                    details=lambda: cluster_state.report(name))
    time.sleep(3 * SCRAPE_SECONDS)  # the last scrapes after the end
    return {"name": name, "request": done, "started": started, "ended": time.time(), "containers": seen}


def test_the_operator_runs_from_its_image_as_uid_1000_on_a_read_only_root(control_plane, chart_release, node):
    pod = json.loads(control_plane.kubectl("get", "pods", "-n", chart_release, "-l", OPERATOR_SELECTOR,
                                           "-o", "json").stdout)["items"][0]
    assert all(c["ready"] for c in pod["status"]["containerStatuses"]), pod["status"]  # its readiness probe passed
    (operator,) = [c for c in node.containers() if c.pod == pod["metadata"]["name"]]
    observed = observe(operator)
    assert observed["uid"] == ["1000"] * 4 and observed["gid"] == ["1000"] * 4, observed
    assert "ro" in observed["root"], observed
    assert SERVICE_ACCOUNT_TOKEN in observed["mounts"] and S3_SECRET_MOUNT in observed["mounts"], observed
    probe = control_plane.kubectl("exec", "-n", chart_release, pod["metadata"]["name"], "--", "python3", "-c",
                                  "import os\ntry:\n open('/probe', 'w')\nexcept OSError as e:\n print(e.strerror)\n"
                                  "print(os.getuid(), sorted(k for k in os.listdir('/var/run/secrets/simfarm/s3') if k[0] != '.'))")
    assert probe.stdout.split("\n")[0] == "Read-only file system", probe.stdout
    assert "1000 ['AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']" in probe.stdout


def test_video_request_renders_in_containers_into_minio(rendered, cluster_state, control_plane, minio_server):
    name, status = rendered["name"], rendered["request"]["status"]
    report = cluster_state.report(name)
    assert status["phase"] == "Succeeded", report
    assert status["progress"] == "4/4" and status["shards"]["succeeded"] == 4, report

    uid = rendered["request"]["metadata"]["uid"]
    render_pods, assemble_pods = cluster_state.pods(uid, RENDER), cluster_state.pods(uid, ASSEMBLE)
    assert sorted(completion_index(p) for p in render_pods) == [0, 1, 2, 3], report
    assert sorted(completion_index(p) for p in assemble_pods) == [0, 1], report
    for pod in render_pods + assemble_pods:
        assert exit_code(pod) == 0, report
    for pod in render_pods:  # each worker's summary came back as its termination message, and in its log
        message = container_state(pod)["terminated"]["message"]
        summary = json.loads(message)
        assert (summary["command"], summary["frames"], summary["engine"]) == ("shard", 4, "WORKBENCH"), report
        assert summary["threads"] == 1, report  # Blender's threads: the pod's 800m CPU limit, rounded up
        assert pod["spec"]["containers"][0]["resources"]["limits"][GPU_RESOURCE] == "1"
        log = control_plane.kubectl("logs", pod["metadata"]["name"], "-n", REQUEST_NAMESPACE).stdout
        assert json.loads(log.strip().splitlines()[-1]) == summary, log[-2000:]
        assert re.search(r"Saved: '.*frame_\d+\.png'", log), log[-2000:]  # Blender's own output, not only ours

    assert [output["variant"] for output in status["outputs"]] == [0, 1], report
    observer = minio_server.client()
    # the operator image's library entries were planned, the render image's library files rendered
    location = parse_location(status["plan"]["uri"])
    plan = RequestPlan.model_validate_json(observer.get_object(location.bucket, location.key).read())
    models = [obj.asset.uri for scene in plan.variants for obj in scene.objects]
    assert any(uri.startswith("library://sweethome3d/") for uri in models), models
    for output in status["outputs"]:
        location = parse_location(output["uri"])
        video = observer.get_object(location.bucket, location.key).read()
        with av.open(io.BytesIO(video)) as container:
            stream = container.streams.video[0]
            frames = sum(1 for _ in container.decode(stream))
            assert (stream.width, stream.height, frames) == (TINY_RENDER["width"], TINY_RENDER["height"],
                                                             TINY_RENDER["frames"]), output
        assert output["caption"] and output["url"].startswith(minio_server.endpoint_url), output

    table = control_plane.kubectl("get", "vr", name, "-n", REQUEST_NAMESPACE).stdout.splitlines()
    assert table[1].split()[:4] == [name, "Succeeded", "4/4", "2"], table


def test_render_containers_run_as_uid_1000_read_only_without_a_service_account_token(rendered):
    seen = rendered["containers"]
    assert len(seen) >= 2, f"saw {len(seen)} running render containers: {seen}"
    for pod, observed in seen.items():
        assert observed["uid"] == ["1000"] * 4 and observed["gid"] == ["1000"] * 4, (pod, observed)
        assert "ro" in observed["root"], (pod, observed)
        assert SERVICE_ACCOUNT_TOKEN not in observed["mounts"], (pod, observed)
        assert {"/tmp", "/var/cache/simfarm", S3_SECRET_MOUNT} <= set(observed["mounts"]), (pod, observed)


def dashboard_queries() -> list[tuple[str, str]]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"] for target in panel.get("targets", [])]


def test_every_dashboard_query_returns_data_from_prometheus(rendered, prometheus):
    """Each query as Grafana sends it over the render's time range: a range query, ``$__rate_interval``
    being four scrape intervals (Grafana's rule when the step is shorter)."""
    targets = prometheus.targets()
    assert targets and all(t["health"] == "up" for t in targets if t["labels"].get("pod")), targets
    start, end, step = rendered["started"], rendered["ended"], SCRAPE_SECONDS
    empty = []
    for title, expression in dashboard_queries():
        query = expression.replace("$__rate_interval", f"{4 * SCRAPE_SECONDS}s")
        series = prometheus.query_range(query, start, end, step)
        values = [float(v) for s in series for _, v in s["values"]]
        if not any(v == v for v in values):  # only NaN, or nothing
            empty.append(f"{title}: {query} -> {series}")
    assert not empty, "dashboard queries without data:\n" + "\n".join(empty)
