"""SceneDraft: what a rewriter understood from a prompt, before any dice are rolled.

Every field the prompt did not fix is ``None`` (or empty); the combiner fills
those from the variant's seed and never overrides what is set here. The LLM
rewriter is asked for JSON matching this model's schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from . import vocabulary as vocab
from .models import Model, PoseName

# left_of/right_of/in_front_of/behind: as the camera sees them; next_to: in a neighbouring cell.
# facing: next to the target and turned towards it ("two chairs facing each other");
# side_by_side: next to the target in the same row across the view ("a dog and a cat side by side");
# under: below the target, which stands over it ("a cat under a table"); over: above or towering over
# the target without standing on it ("a lamp above a table", "a tower looms over a hut").
# The combiner places the last four as next_to until it honours them.
RelationKind = Literal["left_of", "right_of", "in_front_of", "behind", "next_to", "facing", "side_by_side",
                       "under", "over"]
SpeedName = Literal["slow", "moderate", "fast"]
AnimationSpeedName = Literal["slow", "medium", "fast", "faster"]
CameraAngle = Literal["eye_level", "low_angle", "high_angle", "overhead"]
ScaleName = Literal["tiny", "small", "small-medium", "medium", "medium-large", "large", "huge"]
AnimationName = Literal[
    "static", "pan_left", "pan_right", "orbit_left", "orbit_right", "orbit_up", "orbit_down",
    "dolly_in", "dolly_out", "zoom_in", "zoom_out", "tilt_up", "tilt_down", "tilt_left",
    "tilt_right", "crane_up", "crane_down",
]
MAX_OBJECTS = 24  # objects in one draft: what one scene lays out
FramingName = Literal["extreme_closeup", "closeup", "medium_closeup", "medium", "medium_wide", "wide", "extreme_wide"]


class DraftMovement(Model):
    direction: vocab.Direction | None = Field(None, description="Camera-relative; null = the object moves, way open")
    speed: SpeedName | None = None


class DraftRelation(Model):
    kind: RelationKind
    target: int = Field(ge=0, description="Index of the other object in `objects`")


class DraftObject(Model):
    name: str = Field(min_length=1, max_length=80, description="Head noun, singular: 'car'")
    description: str = Field(min_length=1, max_length=200, description="Noun phrase with adjectives: 'red vintage car'")
    color: str | None = Field(None, max_length=40)
    material: str | None = Field(None, max_length=40)
    scale: ScaleName | None = None
    movement: DraftMovement | None = None
    camera_follow: bool = False
    on_top_of: int | None = Field(None, ge=0)
    relation: DraftRelation | None = None
    pose: PoseName | None = Field(None, description="A pose the prompt states: 'a man sitting on a bench', "
                                                    "'a woman lying on a sofa', 'a standing girl'")


class DraftEffects(Model):
    bloom: vocab.Level | None = None
    ssao: vocab.Level | None = None
    ssrr: vocab.Level | None = None
    motionblur: vocab.Level | None = None


class SceneDraft(Model):
    objects: list[DraftObject] = Field(min_length=1, max_length=MAX_OBJECTS)
    camera_animation: AnimationName | None = None
    animation_speed: AnimationSpeedName | None = None
    framing: FramingName | None = None
    camera_angle: CameraAngle | None = None
    background: str | None = Field(None, max_length=200, description="Background/lighting phrase: 'sunset'")
    floor: str | None = Field(None, max_length=200, description="Floor phrase: 'marble floor'")
    effects: DraftEffects = Field(default_factory=DraftEffects)

    @model_validator(mode="after")
    def _valid_references(self) -> "SceneDraft":
        count = len(self.objects)
        if sum(o.camera_follow for o in self.objects) > 1:
            raise ValueError("at most one object can be followed by the camera")
        for i, obj in enumerate(self.objects):
            targets = [obj.on_top_of] + ([obj.relation.target] if obj.relation else [])
            for target in targets:
                if target is not None and (target >= count or target == i):
                    raise ValueError(f"objects[{i}] refers to object {target}, which is not another object")
        return self
