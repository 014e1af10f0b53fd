"""Captions written from a finished ScenePlan, so they describe what is rendered.

Size words come from each object's scale, relations from where the objects
stand as the camera sees them at the start of the shot, motion directions
are camera-relative like the plan's, and the background and floor are named
after the catalog entries retrieval chose. The wording varies by the
variant's seed (for dataset diversity) but never its meaning.
"""

from __future__ import annotations

import random
import re
from itertools import groupby

from . import geometry
from . import vocabulary as vocab
from .models import ScenePlan, SceneObject

SIZE_WORDS = {
    "tiny": ("tiny", "very small"),
    "small": ("small", "little"),
    "small-medium": ("smallish", "fairly small"),
    "medium": ("medium-sized", "mid-sized"),
    "medium-large": ("sizable", "fairly large"),
    "large": ("large", "big"),
    "huge": ("huge", "enormous", "giant"),
}
DIRECTION_WORDS = {
    vocab.Direction.left: "to the left",
    vocab.Direction.right: "to the right",
    vocab.Direction.forward: "towards the camera",
    vocab.Direction.backward: "away from the camera",
    vocab.Direction.up: "upward",
}
SPEED_ADVERBS = {"slow": "slowly", "moderate": "steadily", "fast": "quickly"}
MOVE_VERBS = ("moves", "travels", "glides")
LEVEL_WORDS = {vocab.Level.low: "subtle", vocab.Level.medium: "moderate", vocab.Level.high: "strong",
               vocab.Level.extreme: "extreme"}
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
SIDE_MARGIN = 0.3  # grid cells


def caption(plan: ScenePlan) -> str:
    rng = random.Random(plan.seed)
    sentences = [
        _objects_sentence(plan, rng),
        *_stacking_sentences(plan),
        *_relation_sentences(plan),
        *_motion_sentences(plan, rng),
        _follow_sentence(plan),
        _camera_sentence(plan),
        _shot_sentence(plan),
        _setting_sentence(plan),
        _look_sentence(plan),
    ]
    return " ".join(_tidy(s) for s in sentences if s and s.strip())


def _tidy(sentence: str) -> str:
    sentence = re.sub(r"\s+", " ", sentence).strip().rstrip(".")
    return sentence[0].upper() + sentence[1:] + "."


def shown_as(obj: SceneObject) -> str:
    """What the viewer sees: the prompt's words, or the stand-in asset's name when retrieval fell back."""
    if obj.asset.fallback and obj.asset.name:
        return obj.asset.name.lower()
    return obj.description


def _article(phrase: str) -> str:
    return ("an " if phrase[:1] in "aeiou" else "a ") + phrase


def _objects_sentence(plan: ScenePlan, rng: random.Random) -> str:
    groups = []
    for (text, scale), items in groupby(plan.objects, key=lambda o: (shown_as(o), o.scale.name)):
        count = len(list(items))
        size = rng.choice(SIZE_WORDS[scale])
        groups.append(f"{NUMBER_WORDS[count]} {size} {_plural(text)}" if count > 1 else _article(f"{size} {text}"))
    listed = groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]
    return rng.choice(("The scene shows {}", "{} stand in the scene", "In view are {}")).format(listed)


def _plural(text: str) -> str:
    head, _, last = text.rpartition(" ")
    if re.search(r"(s|x|z|ch|sh)$", last):
        last += "es"
    elif re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}".strip()


def _the(obj: SceneObject) -> str:
    return f"the {shown_as(obj)}"


def _stacking_sentences(plan: ScenePlan) -> list[str]:
    return [
        f"{_the(obj)} rests on top of {_the(plan.objects[obj.on_top_of])}"
        for obj in plan.objects
        if obj.on_top_of is not None
    ]


def _relation_sentences(plan: ScenePlan) -> list[str]:
    """Each floor-standing object against the next distinct one, as the camera sees them."""
    standing = [o for o in plan.objects if o.on_top_of is None]
    sentences = []
    for first, second in zip(standing, standing[1:]):
        if shown_as(first) == shown_as(second):
            continue
        relation = view_relation(first.placement, second.placement, plan.orientation.yaw)
        if relation:
            sentences.append(f"{_the(first)} is {relation} {_the(second)}")
    return sentences


def view_relation(placement: int, other: int, yaw: float) -> str | None:
    side, depth = geometry.view_coordinates(*geometry.grid_position(placement, 1.0), yaw)
    other_side, other_depth = geometry.view_coordinates(*geometry.grid_position(other, 1.0), yaw)
    if side < other_side - SIDE_MARGIN:
        return "to the left of"
    if side > other_side + SIDE_MARGIN:
        return "to the right of"
    if depth < other_depth - SIDE_MARGIN:
        return "in front of"
    if depth > other_depth + SIDE_MARGIN:
        return "behind"
    return None


def _motion_sentences(plan: ScenePlan, rng: random.Random) -> list[str]:
    sentences = []
    for obj in plan.objects:
        if obj.movement is None:
            continue
        band = vocab.speed_band(obj.movement.speed).name
        verb = rng.choice(MOVE_VERBS)
        sentences.append(f"{_the(obj)} {verb} {DIRECTION_WORDS[obj.movement.direction]} {SPEED_ADVERBS[band]}")
    return sentences


def _follow_sentence(plan: ScenePlan) -> str:
    followed = [o for o in plan.objects if o.camera_follow]
    return f"the camera follows {_the(followed[0])}" if followed else ""


def _camera_sentence(plan: ScenePlan) -> str:
    animation = vocab.ANIMATIONS_BY_NAME[plan.animation.name]
    if animation.name == "static":
        return animation.phrase
    factor = plan.animation.speed_factor
    pace = "slowly" if factor < vocab.ANIMATION_SPEEDS["medium"].low else (
        "quickly" if factor >= vocab.ANIMATION_SPEEDS["fast"].low else "")
    return f"{animation.phrase} {pace}"


def _shot_sentence(plan: ScenePlan) -> str:
    framing = vocab.FRAMINGS_BY_NAME[plan.framing.name].phrase
    pitch = plan.orientation.pitch
    if pitch < 10:
        height = "at eye level"
    elif pitch < 35:
        height = "from slightly above"
    elif pitch < 60:
        height = "from a high angle"
    else:
        height = "from overhead"
    return f"{framing} {height}"


def _setting_sentence(plan: ScenePlan) -> str:
    background = plan.background.name or plan.background.query
    floor = plan.stage.material.name or plan.stage.material.query
    parts = []
    if background:
        parts.append(f"the background is {background.lower()}")
    if floor:
        parts.append(f"the floor is {floor.lower()}")
    return ", and ".join(parts)


def _look_sentence(plan: ScenePlan) -> str:
    post = plan.postprocessing
    levels = {"bloom": post.bloom.level, "ssao": post.ssao.level, "ssrr": post.ssrr.level,
              "motionblur": post.motionblur.level}
    looks = [f"{LEVEL_WORDS[level]} {vocab.EFFECTS[name].phrase}" for name, level in levels.items()
             if level != vocab.Level.none]
    if not looks:
        return ""
    return "the image has " + (looks[0] if len(looks) == 1 else ", ".join(looks[:-1]) + " and " + looks[-1])
