"""Captions describe what is rendered: sizes follow scales, relations follow the camera's yaw."""

import re

import pytest

from simfarm.plan import vocabulary as vocab
from simfarm.plan.captions import SIZE_WORDS, caption
from simfarm.plan.combiner import combine
from simfarm.plan.models import (
    Animation, Framing, Movement, ObjectScale, Orientation, ScenePlan, SceneObject,
)


def scene(objects, yaw=0.0, pitch=20.0, animation="static", seed=1):
    return ScenePlan(index=0, seed=seed, objects=objects, orientation=Orientation(yaw=yaw, pitch=pitch),
                     framing=Framing(name="medium", fov=35, coverage_factor=1.2), animation=Animation(name=animation))


def thing(name, placement, scale="medium", **extra):
    factor = vocab.SCALES_BY_NAME[scale].factor
    return SceneObject(name=name, description=name, placement=placement,
                       scale=ObjectScale(factor=factor, name=scale), **extra)


@pytest.mark.parametrize("scale", [s.name for s in vocab.SCALES])
def test_size_words_follow_scale_factors(scale):
    text = caption(scene([thing("vase", 4, scale)]))
    assert any(f" {word} vase" in text for word in SIZE_WORDS[scale])
    other_words = {w for name, words in SIZE_WORDS.items() if name != scale for w in words}
    assert not any(re.search(rf"\b{re.escape(w)} vase", text) for w in other_words)


def test_size_words_are_ordered_like_their_factors():
    assert list(SIZE_WORDS) == [s.name for s in vocab.SCALES]


@pytest.mark.parametrize("yaw,expected", [(0, "to the left of"), (180, "to the right of"), (90, "behind"),
                                          (270, "in front of")])
def test_relations_follow_the_camera_yaw(yaw, expected):
    text = caption(scene([thing("cat", 3), thing("box", 5)], yaw=yaw))
    assert f"The cat is {expected} the box." in text


def test_motion_follow_stacking_and_camera_move_are_described():
    objects = [thing("box", 4), thing("cup", 4, on_top_of=0),
               thing("car", 0, movement=Movement(direction="left", speed=0.2), camera_follow=True)]
    text = caption(scene(objects, animation="orbit_right"))
    assert "The cup rests on top of the box." in text
    assert re.search(r"The car (moves|travels|glides) to the left slowly\.", text)
    assert "The camera follows the car." in text
    assert "orbits to the right" in text


def test_copies_are_counted_and_text_is_clean(rules):
    for plan in combine(rules.rewrite("three red cubes next to a lamp, wide shot, at sunset"), variants=20, seed=4):
        text = caption(plan)
        assert "three " in text.lower() and "red cubes" in text
        assert "  " not in text and ". ." not in text and " ." not in text and ",," not in text
        assert all(sentence[0].isupper() for sentence in text.split(". ") if sentence)
        assert "wide shot" in text and "sunset" in text


def test_fallback_assets_are_named_as_rendered():
    stand_in = thing("dragon", 4)
    stand_in.asset.fallback, stand_in.asset.name = True, "Cube"
    assert "cube" in caption(scene([stand_in])) and "dragon" not in caption(scene([stand_in]))
