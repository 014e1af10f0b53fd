"""A VideoRequest through its whole life: Job, progress, assembly, outputs, failures, restarts, deletion.

The tests play the Job controller and the workers: they patch Jobs' status,
create finished pods with termination messages, and put the files a worker
would write under the output root (a local directory here).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from simfarm import metrics
from simfarm.plan.models import RequestPlan

from simfarm.storage import parse_location

from operator_support import JOBS_URL, NAMESPACE, VR_URL, Operator, eventually, phase_of, read, write
from operator_objects import summary, video_request, worker_pod

FULL_SPEC = {
    "variants": 2, "seed": 7,
    "render": {"width": 320, "height": 180, "fps": 12, "frames": 24, "engine": "EEVEE", "samples": 8},
    "framesPerShard": 12, "parallelism": 3, "retries": 1,
    "resources": {"gpu": 1, "gpuResource": "nvidia.com/gpu", "cpu": "4", "memory": "6Gi"},
    "nodeSelector": {"gpu": "l4"},
    "tolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
    "priorityClassName": "render-batch", "queueName": "render-queue",
    "output": {"bucket": "videos", "s3SecretRef": "team-s3"},
    "ttlSecondsAfterFinished": 3600,
}


def output_dir(tmp_path: Path, request: dict) -> Path:
    return tmp_path / "out" / NAMESPACE / request["metadata"]["name"] / request["metadata"]["uid"].replace("-", "")[:8]


def publish_video(tmp_path: Path, request: dict, variant: int, caption: str) -> None:
    """What the worker leaves behind for one variant."""
    directory = output_dir(tmp_path, request) / "variants" / str(variant)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "video.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (directory / "caption.txt").write_text(caption)


async def job_of(cluster, name: str) -> dict | None:
    return await read(cluster, f"{JOBS_URL}/{name}")


async def set_job_status(cluster, name: str, **status) -> None:
    await write(cluster, "PATCH", f"{JOBS_URL}/{name}/status", {"status": status})


def expected_pod_spec(command: list[str], extra_env: list[dict], *, gpu: bool) -> dict:
    compute = {"cpu": "4", "memory": "6Gi", **({"nvidia.com/gpu": "1"} if gpu else {})}
    return {
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{
            "name": "worker",
            "image": "registry.test/simfarm-render:test",
            "command": command,
            "env": [{"name": "SIMFARM_S3_SECRET_DIR", "value": "/var/run/secrets/simfarm/s3"},
                    {"name": "TMPDIR", "value": "/tmp"},
                    {"name": "HOME", "value": "/tmp"},
                    {"name": "SIMFARM_ASSET_CACHE", "value": "/var/cache/simfarm"},
                    {"name": "SIMFARM_URL_POLICY", "value": '{"allowedHosts": [], "deniedNetworks": []}'},
                    {"name": "SIMFARM_ASSET_MAX_BYTES", "value": str(2 * 1024**3)},
                    *({"name": name, "valueFrom": {"resourceFieldRef": {
                        "containerName": "worker", "resource": "limits.cpu", "divisor": "1"}}}
                      for name in ("SIMFARM_CPUS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")),
                    *extra_env],
            "resources": {"requests": compute, "limits": compute},
            "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]}},
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": [{"name": "scratch", "mountPath": "/tmp"},
                             {"name": "asset-cache", "mountPath": "/var/cache/simfarm"},
                             {"name": "s3", "mountPath": "/var/run/secrets/simfarm/s3", "readOnly": True}],
        }],
        "volumes": [{"name": "scratch", "emptyDir": {}}, {"name": "asset-cache", "emptyDir": {}},
                    {"name": "s3", "secret": {"secretName": "team-s3"}}],
        "nodeSelector": {"gpu": "l4"},
        "tolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "priorityClassName": "render-batch",
    }


def expected_job(request: dict, component: str, completions: int, pod_spec: dict) -> dict:
    labels = {"app.kubernetes.io/managed-by": "simfarm-operator", "app.kubernetes.io/component": component,
              "simfarm.dev/request": request["metadata"]["name"],
              "simfarm.dev/request-uid": request["metadata"]["uid"]}
    return {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {
            "name": f"{request['metadata']['name']}-{component}", "namespace": NAMESPACE,
            "labels": {**labels, "kueue.x-k8s.io/queue-name": "render-queue"},
            "ownerReferences": [{"apiVersion": "simfarm.dev/v1alpha1", "kind": "VideoRequest",
                                 "name": request["metadata"]["name"], "uid": request["metadata"]["uid"],
                                 "controller": True, "blockOwnerDeletion": True}],
        },
        "spec": {
            "completionMode": "Indexed", "completions": completions, "parallelism": min(3, completions),
            "backoffLimitPerIndex": 1, "maxFailedIndexes": completions,
            "podFailurePolicy": {"rules": [
                {"action": "FailIndex",
                 "onExitCodes": {"containerName": "worker", "operator": "In", "values": [3]}},
                {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]},
            ]},
            "template": {"metadata": {"labels": labels}, "spec": pod_spec},
            "ttlSecondsAfterFinished": 3600,
        },
    }


async def test_request_renders_shards_assembles_and_succeeds(cluster, operator, tmp_path):
    request = video_request("clip", **FULL_SPEC)
    await write(cluster, "POST", VR_URL, request)

    render = await eventually(lambda: job_of(cluster, "clip-render"), "the render Job")
    plan_dir = output_dir(tmp_path, request)
    plan_uri = str(plan_dir / "plan.json")
    assert render == expected_job(request, "render", 4, expected_pod_spec(
        ["simfarm-render", "shard", "--plan", plan_uri], [], gpu=True))
    plan = RequestPlan.model_validate_json((plan_dir / "plan.json").read_text())
    assert (len(plan.variants), plan.settings.frames, plan.frames_per_shard) == (2, 24, 12)

    rendering = await eventually(lambda: phase_of(cluster, "clip", "Rendering"), "phase Rendering")
    assert rendering["status"]["plan"] == {"uri": plan_uri, "variants": 2, "shards": 4, "framesPerVariant": 24,
                                           "framesPerShard": 12, "rewriter": "rules", "warnings": plan.warnings}
    assert rendering["status"]["progress"] == "0/4"

    frames_before = metrics.REGISTRY.get_sample_value(
        "simfarm_rendered_frames_total", {"engine": "EEVEE", "device": "gpu"}) or 0
    for index in (0, 1):
        await write(cluster, "POST", f"/api/v1/namespaces/{NAMESPACE}/pods", worker_pod(
            render, index, exit_code=0, message=summary(index // 2, index, 12, engine="EEVEE", device="gpu")))
    await set_job_status(cluster, "clip-render", completedIndexes="0-1", active=2)

    async def two_done():
        body = await read(cluster, f"{VR_URL}/clip")
        return body["status"].get("progress") == "2/4" and body
    body = await eventually(two_done, "progress 2/4")
    assert body["status"]["shards"] == {"total": 4, "succeeded": 2, "failed": 0, "running": 2}
    await eventually(lambda: metrics.REGISTRY.get_sample_value(
        "simfarm_rendered_frames_total", {"engine": "EEVEE", "device": "gpu"}) == frames_before + 24,
        "frames counted from termination messages")

    await set_job_status(cluster, "clip-render", completedIndexes="0-3", active=0,
                         conditions=[{"type": "Complete", "status": "True"}])
    await eventually(lambda: phase_of(cluster, "clip", "Assembling"), "phase Assembling")
    assemble = await job_of(cluster, "clip-assemble")
    pick = ('set -- $SIMFARM_VARIANTS; shift "$JOB_COMPLETION_INDEX"; '
            'exec simfarm-render assemble --plan "$SIMFARM_PLAN" --variant "$1"')
    assert assemble == expected_job(request, "assemble", 2, expected_pod_spec(
        ["sh", "-c", pick], [{"name": "SIMFARM_PLAN", "value": plan_uri},
                             {"name": "SIMFARM_VARIANTS", "value": "0 1"}], gpu=False))

    for variant in (0, 1):
        publish_video(tmp_path, request, variant, f"Caption of variant {variant}.")
    await set_job_status(cluster, "clip-assemble", completedIndexes="0-1",
                         conditions=[{"type": "Complete", "status": "True"}])
    done = await eventually(lambda: phase_of(cluster, "clip", "Succeeded"), "phase Succeeded")
    status = done["status"]
    video = plan_dir / "variants" / "0" / "video.mp4"
    assert status["outputs"][0] == {"variant": 0, "uri": str(video), "url": video.resolve().as_uri(),
                                    "caption": "Caption of variant 0.",
                                    "credits": str(video.parent / "credits.txt"),
                                    "annotations": str(video.parent / "annotations.json")}
    assert [o["variant"] for o in status["outputs"]] == [0, 1]
    assert status["progress"] == "4/4" and status["failedVariants"] == []
    assert {c["type"]: c["status"] for c in status["conditions"]} == {"Planned": "True", "Ready": "True"}
    assert set(status["timings"]) >= {"rewrite", "plan", "render", "assemble", "total"}


def videos_counted() -> dict[str, float]:
    return {outcome: metrics.REGISTRY.get_sample_value("simfarm_videos_total", {"outcome": outcome})
            for outcome in ("succeeded", "failed")}


async def test_permanent_index_failure_fails_its_variant_only(cluster, operator, tmp_path):
    videos_before = videos_counted()
    request = video_request("partial", variants=3, render={"frames": 8})
    await write(cluster, "POST", VR_URL, request)
    render = await eventually(lambda: job_of(cluster, "partial-render"), "the render Job")
    assert render["spec"]["completions"] == 3  # one shard per variant: no assembly

    await write(cluster, "POST", f"/api/v1/namespaces/{NAMESPACE}/pods", worker_pod(
        render, 1, exit_code=3, message="asset procedural://cube-x is not in the catalog"))
    for variant in (0, 2):
        publish_video(tmp_path, request, variant, f"Variant {variant}.")
    await set_job_status(cluster, "partial-render", completedIndexes="0,2", failedIndexes="1",
                         conditions=[{"type": "Failed", "status": "True", "reason": "FailedIndexes"}])

    done = await eventually(lambda: phase_of(cluster, "partial", "Succeeded"), "phase Succeeded")
    status = done["status"]
    assert [o["variant"] for o in status["outputs"]] == [0, 2]
    assert status["failedVariants"] == [1]
    assert status["failures"] == ["variant 1: shard 1: invalid input (exit 3): "
                                  "asset procedural://cube-x is not in the catalog"]
    partial = next(c for c in status["conditions"] if c["type"] == "PartiallyFailed")
    assert partial["status"] == "True" and "1 of 3 variants failed" in partial["message"]
    assert await job_of(cluster, "partial-assemble") is None
    assert videos_counted() == {"succeeded": videos_before["succeeded"] + 2, "failed": videos_before["failed"] + 1}


async def test_request_fails_when_every_variant_fails(cluster, operator):
    videos_before = videos_counted()
    await write(cluster, "POST", VR_URL, video_request("doomed", variants=2, render={"frames": 8}))
    render = await eventually(lambda: job_of(cluster, "doomed-render"), "the render Job")
    for index in (0, 1):
        await write(cluster, "POST", f"/api/v1/namespaces/{NAMESPACE}/pods", worker_pod(
            render, index, exit_code=137, message="", attempt=index))
    await set_job_status(cluster, "doomed-render", failedIndexes="0-1",
                         conditions=[{"type": "Failed", "status": "True"}])

    failed = await eventually(lambda: phase_of(cluster, "doomed", "Failed"), "phase Failed")
    ready = next(c for c in failed["status"]["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"]) == ("False", "AllVariantsFailed")
    assert failed["status"]["message"].startswith("all 2 variants failed: variant 0: shard 0: Error (exit 137)")
    assert "outputs" not in failed["status"]
    assert videos_counted() == {"succeeded": videos_before["succeeded"], "failed": videos_before["failed"] + 2}


async def test_invalid_spec_fails_permanently_without_a_job(cluster, operator):
    errors_before = metrics.REGISTRY.get_sample_value("simfarm_errors_total", {"reason": "invalid_spec"}) or 0
    # Within every CRD limit, but 3600 s at 120 fps is more frames than a plan allows.
    await write(cluster, "POST", VR_URL, video_request("toolong", render={"seconds": 3600, "fps": 120}))
    failed = await eventually(lambda: phase_of(cluster, "toolong", "Failed"), "phase Failed")
    ready = next(c for c in failed["status"]["conditions"] if c["type"] == "Ready")
    assert ready["reason"] == "InvalidSpec" and "frames" in ready["message"]
    assert await job_of(cluster, "toolong-render") is None
    # kmock keeps no resourceVersion, so kopf may see a stale copy and run the handler twice: at least once.
    assert metrics.REGISTRY.get_sample_value("simfarm_errors_total", {"reason": "invalid_spec"}) > errors_before


async def test_restart_mid_request_continues_without_a_second_job(cluster, operator, tmp_path):
    request = video_request("survivor", variants=1, render={"frames": 8})
    await write(cluster, "POST", VR_URL, request)
    await eventually(lambda: phase_of(cluster, "survivor", "Rendering"), "phase Rendering")
    await operator.stop()

    # The Job progresses while no operator runs; a new one must pick it up, not create another.
    await set_job_status(cluster, "survivor-render", completedIndexes="0",
                         conditions=[{"type": "Complete", "status": "True"}])
    publish_video(tmp_path, request, 0, "A survivor.")
    await operator.start()
    done = await eventually(lambda: phase_of(cluster, "survivor", "Succeeded"), "phase Succeeded")
    assert done["status"]["outputs"][0]["caption"] == "A survivor."
    jobs = (await read(cluster, JOBS_URL))["items"]
    assert [j["metadata"]["name"] for j in jobs] == ["survivor-render"]
    assert None not in cluster.objects["batch/v1/jobs", NAMESPACE, "survivor-render"].history  # never re-made


async def test_job_left_by_a_killed_operator_is_adopted_not_duplicated(cluster, operator):
    """The worst moment to die: the Job was created, the status does not say so yet. The next run reads it."""
    request = video_request("racer", variants=1, render={"frames": 8})
    labels = {"app.kubernetes.io/managed-by": "simfarm-operator", "app.kubernetes.io/component": "render",
              "simfarm.dev/request": "racer", "simfarm.dev/request-uid": request["metadata"]["uid"]}
    left_over = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {
        "name": "racer-render", "namespace": NAMESPACE, "labels": labels, "annotations": {"left": "over"}},
        "spec": {"completions": 1, "template": {"metadata": {"labels": labels}}}}
    await write(cluster, "POST", JOBS_URL, left_over)
    await write(cluster, "POST", VR_URL, request)

    await eventually(lambda: phase_of(cluster, "racer", "Rendering"), "phase Rendering")
    history = cluster.objects["batch/v1/jobs", NAMESPACE, "racer-render"].history
    assert None not in history and history[-1]["metadata"]["annotations"] == {"left": "over"}  # the same Job
    reads = [r for r in list(cluster) if r.method == "GET" and r.url.path == f"{JOBS_URL}/racer-render"]
    assert reads, "the creation conflict must be answered by reading the existing Job"


async def test_spec_change_after_planning_is_rejected(cluster, operator):
    await write(cluster, "POST", VR_URL, video_request("fixed", variants=1, render={"frames": 8}))
    await eventually(lambda: phase_of(cluster, "fixed", "Rendering"), "phase Rendering")
    await write(cluster, "PATCH", f"{VR_URL}/fixed", {"metadata": {"generation": 2}, "spec": {"variants": 5}})

    async def rejected():
        body = await read(cluster, f"{VR_URL}/fixed")
        return next((c for c in body["status"]["conditions"] if c["type"] == "SpecRejected"), None)
    condition = await eventually(rejected, "condition SpecRejected")
    assert condition["status"] == "True" and condition["reason"] == "ImmutableAfterPlanning"
    assert "generation 2 ignored" in condition["message"]
    body = await read(cluster, f"{VR_URL}/fixed")
    assert body["status"]["plannedSpec"]["variants"] == 1 and body["status"]["plan"]["shards"] == 1
    assert (await job_of(cluster, "fixed-render"))["spec"]["completions"] == 1


async def test_delete_on_removal_removes_stored_objects(cluster, operator, tmp_path):
    request = video_request("tidy", variants=1, render={"frames": 8}, output={"deleteOnRemoval": True})
    await write(cluster, "POST", VR_URL, request)
    await eventually(lambda: phase_of(cluster, "tidy", "Rendering"), "phase Rendering")
    body = await read(cluster, f"{VR_URL}/tidy")
    assert body["metadata"]["finalizers"] == ["simfarm.dev/cleanup"]
    job = await job_of(cluster, "tidy-render")
    assert job["metadata"]["ownerReferences"][0]["uid"] == request["metadata"]["uid"]  # the GC deletes it
    assert (output_dir(tmp_path, request) / "plan.json").exists()

    response = await cluster.delete(f"{VR_URL}/tidy")
    assert response.status == 200
    await eventually(lambda: not os.path.exists(output_dir(tmp_path, request)), "the request's objects deleted")
    await eventually(lambda: cluster.objects["simfarm.dev/v1alpha1/videorequests", NAMESPACE, "tidy"].deleted,
                     "the request released by its finalizer")


async def test_without_delete_on_removal_a_finished_request_has_no_finalizer(cluster, operator, tmp_path):
    """kopf holds a finalizer only while its timer tracks the Jobs; a finished request is deleted at once."""
    request = video_request("keep", variants=1, render={"frames": 8})
    await write(cluster, "POST", VR_URL, request)
    await eventually(lambda: phase_of(cluster, "keep", "Rendering"), "phase Rendering")
    publish_video(tmp_path, request, 0, "Kept.")
    await set_job_status(cluster, "keep-render", completedIndexes="0",
                         conditions=[{"type": "Complete", "status": "True"}])
    await eventually(lambda: phase_of(cluster, "keep", "Succeeded"), "phase Succeeded")

    async def released():
        return not (await read(cluster, f"{VR_URL}/keep"))["metadata"].get("finalizers")
    await eventually(released, "no finalizer")
    await cluster.delete(f"{VR_URL}/keep")
    assert cluster.objects["simfarm.dev/v1alpha1/videorequests", NAMESPACE, "keep"].deleted
    assert json.loads((output_dir(tmp_path, request) / "plan.json").read_text())["prompt"]


async def test_plan_is_published_into_a_bucket_the_operator_creates(cluster, planner, minio_server, monkeypatch):
    """A new S3 server (the chart's bundled MinIO) has no buckets: publishing plan.json creates the bucket."""
    monkeypatch.delenv("SIMFARM_OUTPUT_ROOT")
    for name, value in minio_server.env().items():
        monkeypatch.setenv(name, value)
    observer = minio_server.client()
    assert not observer.bucket_exists("fresh-videos")
    running = Operator(planner)
    await running.start()
    try:
        await write(cluster, "POST", VR_URL, video_request("fresh", render={"frames": 8},
                                                           output={"bucket": "fresh-videos"}))
        rendering = await eventually(lambda: phase_of(cluster, "fresh", "Rendering"), "phase Rendering")
    finally:
        await running.stop()
    plan = parse_location(rendering["status"]["plan"]["uri"])
    assert plan.bucket == "fresh-videos"
    assert RequestPlan.model_validate_json(observer.get_object(plan.bucket, plan.key).read()).prompt
