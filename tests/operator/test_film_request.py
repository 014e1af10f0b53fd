"""A film VideoRequest (spec.story or spec.shots): one render Job over variants × shots, assembly of every
film even when each shot is one shard, a failed shot failing only its film, and the film's outputs in status."""

from __future__ import annotations

from simfarm.plan.models import RequestPlan

from operator_support import VR_URL, eventually, phase_of, read, write
from operator_objects import video_request
from test_lifecycle import job_of, output_dir, publish_video, set_job_status

STORY = "A red ball rolls to the left. The ball stops beside a blue box. It rolls back to the right."


def film_request(name: str, **source) -> dict:
    request = video_request(name, variants=2, render={"frames": 8, "fps": 8, "engine": "WORKBENCH"}, **source)
    del request["spec"]["prompt"]
    return request


async def test_story_request_renders_every_shot_and_assembles_each_film(cluster, operator, tmp_path):
    request = film_request("ballad", story=STORY)
    await write(cluster, "POST", VR_URL, request)
    render = await eventually(lambda: job_of(cluster, "ballad-render"), "the render Job")
    assert render["spec"]["completions"] == 6  # 2 variants × 3 shots, one shard each
    plan_dir = output_dir(tmp_path, request)
    plan = RequestPlan.model_validate_json((plan_dir / "plan.json").read_text())
    assert plan.film.story == STORY and len(plan.film.shots) == 3 and plan.settings.frames == 24

    rendering = await eventually(lambda: phase_of(cluster, "ballad", "Rendering"), "phase Rendering")
    summary = rendering["status"]["plan"]
    assert (summary["variants"], summary["shards"], summary["framesPerVariant"], summary["shotFrames"]) == (
        2, 6, 24, [8, 8, 8])
    planned = next(c for c in rendering["status"]["conditions"] if c["type"] == "Planned")
    assert planned["message"] == "2 variants of 3 shots in 6 shards"

    # shard 4 is variant 1's second shot: that film fails, the other is assembled
    await set_job_status(cluster, "ballad-render", completedIndexes="0-3,5", failedIndexes="4",
                         conditions=[{"type": "Failed", "status": "True", "reason": "FailedIndexes"}])
    await eventually(lambda: phase_of(cluster, "ballad", "Assembling"), "phase Assembling")
    assemble = await job_of(cluster, "ballad-assemble")
    assert assemble["spec"]["completions"] == 1
    assert {"name": "SIMFARM_VARIANTS", "value": "0"} in assemble["spec"]["template"]["spec"]["containers"][0]["env"]

    publish_video(tmp_path, request, 0, "A red ball rolls to the left.\nThe red ball is beside a blue box.\n")
    await set_job_status(cluster, "ballad-assemble", completedIndexes="0",
                         conditions=[{"type": "Complete", "status": "True"}])
    done = await eventually(lambda: phase_of(cluster, "ballad", "Succeeded"), "phase Succeeded")
    status = done["status"]
    assert status["failedVariants"] == [1] and status["failures"][0].startswith("variant 1: shard 4")
    (output,) = status["outputs"]
    folder = plan_dir / "variants" / "0"
    assert output["film"] == {"shots": 3, "script": str(folder / "captions.vtt"), "film": str(folder / "film.json"),
                              "groundTruth": str(folder / "shots")}
    assert output["caption"].splitlines()[0] == "A red ball rolls to the left."


async def test_shot_list_request_plans_each_shot_with_its_own_length(cluster, operator, tmp_path):
    shots = [{"prompt": "a green cactus in a desert", "seconds": 0.5},
             {"prompt": "the cactus, close-up", "frames": 3, "camera": "zoom_in"},
             {"prompt": "slow orbit around the cactus", "crossAxis": True}]
    request = film_request("cactus", shots=shots)
    request["spec"]["framesPerShard"] = 4
    await write(cluster, "POST", VR_URL, request)
    render = await eventually(lambda: job_of(cluster, "cactus-render"), "the render Job")
    plan = RequestPlan.model_validate_json((output_dir(tmp_path, request) / "plan.json").read_text())
    assert [shot.frames for shot in plan.film.shots] == [4, 3, 8]
    assert render["spec"]["completions"] == 2 * (1 + 1 + 2)
    assert plan.film.shots[2].cross_axis and {s.animation.name for s in plan.variants if s.shot == 1} == {"zoom_in"}
    body = await read(cluster, f"{VR_URL}/cactus")
    assert body["spec"]["shots"][0] == {"prompt": "a green cactus in a desert", "seconds": 0.5}
