"""A shot list as users write it: ``spec.shots`` of a VideoRequest and ``simfarm render --shots FILE``.

One model for both (camelCase on the wire, like the rest of the spec), so a
file that renders locally can be pasted into a manifest and back.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from ..errors import InputError
from .draft import AnimationName, FramingName
from .models import MAX_FRAMES, MAX_PROMPT_CHARS, MAX_SHOTS, Model

MAX_SHOT_SECONDS = 3_600


@dataclass(frozen=True)
class ShotRequest:
    """One shot as asked for: its words, and optionally its length, camera move, framing and a wish to
    cross the 180° line."""

    prompt: str
    frames: int | None = None  # None: the request's clip length
    camera: str | None = None  # a camera animation name (vocabulary.CAMERA_ANIMATIONS)
    framing: str | None = None  # a framing name (vocabulary.FRAMINGS)
    cross_axis: bool = False
    mentions: dict[str, str] = field(default_factory=dict)  # from a story reader: words -> its entity id


class ShotSpec(Model):
    """One shot of a film: what it shows, and optionally how long, which camera move and framing."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, json_schema_extra={
        "not": {"required": ["seconds", "frames"]},
        "x-kubernetes-validations": [{"rule": "!(has(self.seconds) && has(self.frames))",
                                      "message": "set at most one of seconds or frames"}],
    })

    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS, description="What the shot shows, in words")
    seconds: float | None = Field(None, gt=0, le=MAX_SHOT_SECONDS,
                                  description="Length of the shot; frames = ceil(seconds × fps). Default: the "
                                              "render length")
    frames: int | None = Field(None, ge=1, le=MAX_FRAMES,
                               description="Length of the shot in frames (instead of seconds)")
    camera: AnimationName | None = Field(None, description="Camera move of the shot; default: what the prompt "
                                                           "says, else drawn per variant")
    framing: FramingName | None = Field(None, description="Shot size; default: what the prompt says, else drawn "
                                                          "per variant")
    cross_axis: bool = Field(False, description="Cross the 180° line at the cut into this shot: the camera "
                                                "takes the other side of the action")

    @model_validator(mode="after")
    def _one_length(self) -> "ShotSpec":
        if self.seconds is not None and self.frames is not None:
            raise ValueError("set at most one of seconds or frames")
        return self

    def request(self, fps: int, default_frames: int) -> ShotRequest:
        frames = self.frames if self.frames is not None else (
            math.ceil(self.seconds * fps) if self.seconds is not None else default_frames)
        return ShotRequest(prompt=self.prompt, frames=frames, camera=self.camera, framing=self.framing,
                           cross_axis=self.cross_axis)


SHOT_LIST = TypeAdapter(list[ShotSpec])


def load_shots(path: Path) -> list[ShotSpec]:
    """A shot list from a JSON or YAML file: a list of shots, or ``{"shots": [...]}``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise InputError(f"{path} is not UTF-8 text (byte {error.start})") from None
    data = _parse(text, path)
    if isinstance(data, dict) and set(data) == {"shots"}:
        data = data["shots"]
    if not isinstance(data, list) or not 1 <= len(data) <= MAX_SHOTS:
        raise InputError(f"{path}: expected a list of 1 to {MAX_SHOTS} shots (each with a prompt), "
                         f"or an object with one key 'shots'")
    try:
        return SHOT_LIST.validate_python(data)
    except ValidationError as error:
        problems = "; ".join(f"shots[{'.'.join(map(str, e['loc']))}]: {e['msg']}" for e in error.errors()[:5])
        raise InputError(f"{path}: {problems}") from None


def _parse(text: str, path: Path) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}: not JSON ({error.msg} at line {error.lineno})") from None
    try:
        import yaml
    except ImportError:
        raise InputError(f"{path}: reading YAML needs PyYAML (pip install pyyaml), or give a .json file") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not YAML ({' '.join(str(error).split())[:200]})") from None
