"""Continuity between the shots of a film: what one shot fixes for the next.

A film keeps its world across cuts, as a film crew would on one set:

- **held objects**: an entity already seen in the set starts the shot where
  it was when last seen — a moving one where its last shot left it, its
  heading too unless it moves on — so the layout step places only what is
  new (``Continuity.held``);
- **the 180° rule**: between consecutive shots of the same subject the
  camera stays on one side of the line of action — the way the subject
  moves, else the line from the subject to the other entity both shots
  show, else the way the subject faces — so left and right, and screen
  direction, do not flip at the cut; a shot that asks to cross the line
  gets the other side (``Continuity.yaw_range``).

Everything here is a pure function of laid-out ScenePlans and their clips'
render settings; the film planner calls it between shots and ``lay_out``
honours the result.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np

from .camera_path import camera_path, object_offsets
from .models import RenderSettings, ScenePlan, Vec3

AXIS_MARGIN = 25.0  # degrees the camera keeps from the line of action at the cut
WIDER_AXIS_MARGIN = 50.0  # a second try when the camera stood too close to the line
MOVING = 1e-6  # metres per second below which a subject counts as still


@dataclass(frozen=True)
class YawRange:
    """Camera bearings ``start`` .. ``start + width`` degrees, going anticlockwise."""

    start: float
    width: float

    def __contains__(self, yaw: float) -> bool:
        return (yaw - self.start) % 360.0 <= self.width

    def draw(self, rng: random.Random) -> int:
        """A whole-degree bearing inside the range (the combiner's bearings are whole degrees)."""
        return int(math.ceil(self.start) + rng.randrange(0, max(1, int(self.width)))) % 360

    def nearest(self, yaw: float) -> float:
        """``yaw`` if inside, else the closer end of the range."""
        if yaw in self:
            return yaw
        end = (self.start + self.width) % 360.0
        to_start = min((yaw - self.start) % 360.0, (self.start - yaw) % 360.0)
        to_end = min((yaw - end) % 360.0, (end - yaw) % 360.0)
        return round(math.ceil(self.start) % 360.0 if to_start <= to_end else math.floor(end) % 360.0, 3)


@dataclass(frozen=True)
class Held:
    """Where an object stands when its shot begins, fixed by earlier shots."""

    position: Vec3
    heading: float


@dataclass(frozen=True)
class Continuity:
    """What earlier shots fix for a shot: held objects (by object index) and the camera's side."""

    held: dict[int, Held] = field(default_factory=dict)
    yaw_range: YawRange | None = None

    def allows(self, yaw: float) -> bool:
        return self.yaw_range is None or yaw in self.yaw_range


@dataclass(frozen=True)
class ActionLine:
    """A line on the ground through ``origin`` along ``direction`` (unit, x-y)."""

    origin: np.ndarray
    direction: np.ndarray

    def side(self, point: np.ndarray) -> float:
        """> 0 left of the line (looking along it), < 0 right of it, in metres."""
        offset = np.asarray(point[:2], dtype=float) - self.origin
        return float(self.direction[0] * offset[1] - self.direction[1] * offset[0])

    def yaw_range(self, side: float, margin: float = AXIS_MARGIN) -> YawRange:
        """Bearings whose camera stands on ``side`` of the line, at least ``margin`` degrees off it.

        A camera at bearing θ stands in direction (sin θ, −cos θ) from what it looks at, which is left of
        a line at angle α exactly when cos(θ − α) < 0.
        """
        alpha = math.degrees(math.atan2(self.direction[1], self.direction[0]))
        start = alpha + 90.0 + margin if side > 0 else alpha - 90.0 + margin
        return YawRange(round(start % 360.0, 3), 180.0 - 2 * margin)


def positions_at(plan: ScenePlan, settings: RenderSettings, frame: int) -> np.ndarray:
    """(N, 3) bottom centres of every object's box at ``frame`` of its clip."""
    start = np.array([obj.position for obj in plan.objects], dtype=float)
    return start + object_offsets(plan, np.array([float(frame)]), settings.fps)[0]


def camera_position(plan: ScenePlan, settings: RenderSettings, frame: int) -> np.ndarray:
    return camera_path(plan, settings.frames, settings.fps, np.array([float(frame)])).camera_positions[0]


def action_line(plan: ScenePlan, settings: RenderSettings, subject: int, partner: int | None,
                frame: int) -> ActionLine:
    """The line of action at ``frame``: where the subject moves, else towards the partner, else where it faces."""
    positions = positions_at(plan, settings, frame)
    origin = positions[subject, :2]
    velocity = object_offsets(plan, np.array([1.0 + settings.fps]), settings.fps)[0, subject, :2]
    if np.linalg.norm(velocity) > MOVING:
        direction = velocity
    elif partner is not None and np.linalg.norm(positions[partner, :2] - origin) > 1e-6:
        direction = positions[partner, :2] - origin
    else:
        heading = math.radians(plan.objects[subject].heading)
        direction = np.array((math.sin(heading), -math.cos(heading)))  # the front (-y) turned by the heading
    return ActionLine(origin, direction / np.linalg.norm(direction))


def end_states(plan: ScenePlan, settings: RenderSettings) -> list[Held]:
    """Where each object stands at the last frame of its clip, and its heading."""
    ends = positions_at(plan, settings, settings.frames)
    return [Held(tuple(round(float(v), 4) for v in end), obj.heading) for end, obj in zip(ends, plan.objects)]
