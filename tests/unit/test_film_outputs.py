"""What a film writes and how it is sharded: WebVTT cues, film.json, shards over shots × chunks, the
shot-list format of spec.shots and --shots, and the operator's view of a film."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from simfarm.cluster.reconcile import parse_spec
from simfarm.cluster.spec import PlanSummary, VideoRequestSpec
from simfarm.cluster.status import JobProgress, needs_assembly, variant_outcome
from simfarm.errors import InputError
from simfarm.plan.film_outputs import film_document, timestamp, webvtt
from simfarm.plan.models import RenderSettings, RequestPlan
from simfarm.plan.planner import Planner
from simfarm.plan.sharding import clip_lengths, plan_shards, scene_of, shard_at, shard_count
from simfarm.plan.shots import ShotRequest, ShotSpec, load_shots
from support.film_video import webvtt_cues

@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner()


def film(planner, lengths, fps=24, variants=2, frames_per_shard=0) -> RequestPlan:
    words = ["a green kettle sits on a table", "the kettle slides to the right", "close-up of the kettle",
             "a white mug stands beside the kettle", "the mug tips over", "slow orbit around the table"]
    shots = [ShotRequest(words[i % len(words)], frames=n) for i, n in enumerate(lengths)]
    settings = RenderSettings(width=64, height=36, fps=fps, frames=8, engine="WORKBENCH")
    return planner.plan_film(shots, settings=settings, variants=variants, frames_per_shard=frames_per_shard).plan


@pytest.mark.parametrize("lengths,fps", [((8, 8, 8), 8), ((13, 1, 29, 7), 24), ((50, 31), 30), ((3,), 12)])
def test_webvtt_has_one_cue_per_shot_on_its_frames(planner, lengths, fps):
    plan = film(planner, lengths, fps, variants=1)
    text = webvtt(plan, 0)
    cues = webvtt_cues(text, fps)
    assert cues == [(shot.index + 1, shot.first_frame, shot.last_frame, scene.caption)
                    for shot, scene in zip(plan.film.shots, plan.variants)]
    assert text.rstrip().endswith(plan.variants[-1].caption) and "-->" not in plan.variants[0].caption


def test_timestamps_are_webvtt_clock_times():
    assert timestamp(0) == "00:00:00.000"
    assert timestamp(3725.0416666) == "01:02:05.042"
    assert timestamp(59.9996) == "00:01:00.000"


def test_film_json_lists_shots_cuts_entities_and_sets(planner):
    plan = film(planner, (5, 7, 4))
    for variant in range(2):
        doc = json.loads(json.dumps(film_document(plan, variant)))
        assert doc["format"] == "simfarm.film/1" and doc["frames"] == 16 and doc["cuts"] == [6, 13]
        assert [(s["first_frame"], s["last_frame"]) for s in doc["shots"]] == [(1, 5), (6, 12), (13, 16)]
        assert [s["caption"] for s in doc["shots"]] == [scene.caption for scene in plan.scenes_of(variant)]
        assert doc["shots"][2]["annotations"] == "shots/2/annotations.json"
        (kettle,) = [e for e in doc["entities"] if e["name"] == "kettle"]
        assert kettle["shots"] == [0, 1, 2] and kettle["color"] == "green"
        for shot, scene in zip(doc["shots"], plan.scenes_of(variant)):
            ids = [o["id"] for o in shot["objects"] if o["entity"] == kettle["id"]]
            assert len(ids) == 1
            assert list(scene.objects[ids[0] - 1].dimensions) == kettle["dimensions"]
        assert [s["set"] for s in doc["sets"]] == [0] and doc["sets"][0]["shots"] == [0, 1, 2]
    with pytest.raises(ValueError, match="not a film"):
        film_document(plan.model_copy(update={"film": None}), 0)


# ---------------------------------------------------------------- sharding


def test_shards_run_variant_then_shot_then_chunk(planner):
    plan = film(planner, (10, 3, 7), variants=2, frames_per_shard=4)
    shards = plan_shards(plan)
    per_variant = [(s.shot, s.first_frame, s.last_frame) for s in shards if s.variant == 0]
    assert per_variant == [(0, 1, 4), (0, 5, 8), (0, 9, 10), (1, 1, 3), (2, 1, 4), (2, 5, 7)]
    assert len(shards) == shard_count(2, clip_lengths(plan), 4) == 12
    for variant in range(2):
        video = [f for s in shards if s.variant == variant for f in range(s.video_first_frame, s.video_last_frame + 1)]
        assert video == list(range(1, 21))  # each shard lands where its shot lies in the film, no gap, no overlap
    for shard in shards:
        assert scene_of(plan, shard).shot == shard.shot and scene_of(plan, shard).index == shard.variant
        assert shard_at(shard.index, 2, clip_lengths(plan), 4, film=True) == shard


def test_plain_requests_shard_as_before(planner):
    plan = planner.plan("a red cube", variants=3, settings=RenderSettings(frames=10, engine="WORKBENCH"),
                        frames_per_shard=4).plan
    shards = plan_shards(plan)
    assert [(s.variant, s.shot, s.first_frame, s.last_frame) for s in shards[:3]] == [
        (0, None, 1, 4), (0, None, 5, 8), (0, None, 9, 10)]
    assert all(s.video_first_frame == s.first_frame for s in shards)


def test_the_operator_maps_failed_shards_to_film_variants_and_always_assembles_films():
    summary = PlanSummary(uri="s3://b/p/plan.json", variants=2, shards=6, frames_per_variant=20, frames_per_shard=0,
                          shot_frames=[10, 3, 7], rewriter="rules")
    progress = JobProgress(total=6, succeeded=frozenset({0, 1, 2, 3, 5}), failed=frozenset({4}), running=0,
                           finished=True)
    outcome = variant_outcome(summary, progress, {})
    assert outcome.succeeded == [0] and list(outcome.failed) == [1]
    assert needs_assembly(summary)
    single = summary.model_copy(update={"shards": 2, "shot_frames": []})
    assert not needs_assembly(single)


# ---------------------------------------------------------------- shot lists and the spec


def test_shot_spec_lengths_in_seconds_or_frames():
    assert ShotSpec(prompt="a cat", seconds=1.01).request(24, 48).frames == 25
    assert ShotSpec(prompt="a cat", frames=7).request(24, 48).frames == 7
    assert ShotSpec(prompt="a cat").request(24, 48).frames == 48
    request = ShotSpec.model_validate({"prompt": "a cat", "camera": "pan_left", "crossAxis": True}).request(24, 8)
    assert (request.camera, request.cross_axis) == ("pan_left", True)
    with pytest.raises(ValidationError, match="at most one of seconds or frames"):
        ShotSpec(prompt="a cat", seconds=1, frames=3)


def test_shot_files_in_json_and_yaml(tmp_path):
    (tmp_path / "shots.json").write_text(json.dumps({"shots": [{"prompt": "a dog", "frames": 5}]}))
    (tmp_path / "shots.yaml").write_text("- prompt: a dog\n  seconds: 2\n- prompt: it sits\n  framing: closeup\n")
    assert [s.frames for s in load_shots(tmp_path / "shots.json")] == [5]
    assert [s.framing for s in load_shots(tmp_path / "shots.yaml")] == [None, "closeup"]


@pytest.mark.parametrize("text,name,message", [
    ("[]", "empty.json", "expected a list of 1 to 50 shots"),
    ('[{"prompt": "a dog", "camera": "spin"}]', "bad.json", r"shots\[0.camera\]"),
    ('[{"seconds": 2}]', "noprompt.json", r"shots\[0.prompt\]: Field required"),
    ("{not json", "broken.json", "not JSON"),
    ("- prompt: [unclosed", "broken.yaml", "not YAML"),
    ("{story: a dog}", "story.yaml", "expected a list"),
])
def test_bad_shot_files_say_what_is_wrong(tmp_path, text, name, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(InputError, match=message):
        load_shots(tmp_path / name)
    with pytest.raises(InputError, match="cannot read"):
        load_shots(tmp_path / "missing.json")


def test_spec_takes_exactly_one_of_prompt_story_or_shots():
    story = VideoRequestSpec.model_validate({"story": "A dog runs. It stops.", "render": {"frames": 8}})
    shots = VideoRequestSpec.model_validate({"shots": [{"prompt": "a dog", "seconds": 1}], "render": {"frames": 8}})
    assert story.is_film and shots.is_film
    assert not VideoRequestSpec.model_validate({"prompt": "a dog"}).is_film
    for bad in ({"prompt": "a", "story": "b"}, {"story": "b", "shots": [{"prompt": "c"}]}, {}):
        with pytest.raises(InputError, match="exactly one of prompt, story or shots"):
            parse_spec(bad)
    assert shots.to_api()["shots"] == [{"prompt": "a dog", "seconds": 1.0, "crossAxis": False}]
