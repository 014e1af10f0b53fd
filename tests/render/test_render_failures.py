"""Exit codes a Job can act on: 3 for permanent input errors, with a one-line reason."""

from __future__ import annotations

import json

from render_helpers import request, run_worker, scene_object, variant, write_plan


def _assert_permanent(result, words: str) -> None:
    assert result.returncode == 3, result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("simfarm-render shard: error: ") and words in last_line
    assert result.summary["permanent"] is True and words in result.summary["error"]


def test_invalid_plan_is_permanent(tmp_path):
    plan = json.loads(request([variant([scene_object("cube", 4)])]).to_json())
    plan["settings"]["width"] = 65  # odd widths cannot be encoded as yuv420p
    (tmp_path / "plan.json").write_text(json.dumps(plan))

    result = run_worker("shard", "--plan", str(tmp_path / "plan.json"), "--index", "0")

    _assert_permanent(result, "width must be even")


def test_missing_plan_is_permanent(tmp_path):
    result = run_worker("shard", "--plan", str(tmp_path / "nowhere/plan.json"), "--index", "0")

    _assert_permanent(result, "nowhere/plan.json")


def test_shard_index_out_of_range_is_permanent(tmp_path):
    path = write_plan(request([variant([scene_object("cube", 4)])]), tmp_path)

    result = run_worker("shard", "--plan", str(path), env={"JOB_COMPLETION_INDEX": "5"})

    _assert_permanent(result, "out of range")


def test_unknown_procedural_object_is_permanent(tmp_path):
    plan = request([variant([scene_object("cube", 4, uri="procedural://object/unicorn")])])

    result = run_worker("shard", "--plan", str(write_plan(plan, tmp_path)), "--index", "0")

    _assert_permanent(result, "unicorn")
