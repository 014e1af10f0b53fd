"""Wording the lexicon lacks goes to the nearest vocabulary entry by embedding similarity (real MiniLM)."""

import pytest

from simfarm.rewriter.rules import RulesRewriter


@pytest.fixture(scope="module")
def rules():
    return RulesRewriter()


@pytest.mark.parametrize("prompt,slot,value", [
    ("a vase, the camera circles it", "camera_animation", "orbit_left"),
    ("a vase, the camera swings round", "camera_animation", "orbit_left"),
    ("a vase, the camera gets closer", "camera_animation", "dolly_in"),
    ("a vase, the camera backs off", "camera_animation", "dolly_out"),
    ("a vase, the camera lifts up high", "camera_animation", "crane_up"),
])
def test_unmatched_camera_phrases_map_to_nearest(rules, prompt, slot, value):
    draft = rules.rewrite(prompt)
    assert getattr(draft, slot) == value
    assert [o.name for o in draft.objects] == ["vase"]


@pytest.mark.parametrize("word,scale", [("immense", "huge"), ("oversized", "huge"), ("pocket-sized", "small")])
def test_unknown_size_adjectives_map_to_nearest_scale(rules, word, scale):
    assert rules.rewrite(f"an {word} robot").objects[0].scale == scale


@pytest.mark.parametrize("word", ["vintage", "rusty", "modern", "shiny"])
def test_unrelated_adjectives_stay_below_threshold(rules, word):
    assert rules.rewrite(f"a {word} robot").objects[0].scale is None


@pytest.mark.parametrize("clause", ["the camera was bought in 1998", "the camera is red", "the camera is expensive"])
def test_unrelated_camera_talk_changes_nothing(rules, clause):
    draft = rules.rewrite(f"a vase, {clause}")
    assert draft.camera_animation is None and draft.framing is None and draft.camera_angle is None
