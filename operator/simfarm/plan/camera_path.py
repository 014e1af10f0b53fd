"""The camera path: where the camera and every object are at each frame, outside Blender.

One pure function of the plan and the clip length gives, per frame, the
local transform of each camera rig part (``vocabulary.CameraRigPart``), the
lens FOV, the camera's world matrix and every object's displacement. The
layout step frames the scene with it, captions state only what it shows,
the render worker keys its Blender rig from it frame by frame, and the
ground truth is checked against it — so the four can never drift apart.

Rig frames (scene axes are in ``geometry``):

- ``root`` stands on ``framing.target`` (moving with a followed object) and
  turns about z by ``yaw - 90°``, so its +x points from the target towards
  a camera at ``yaw``; orbit keys add to this turn.
- ``framing_pivot`` tilts the arm about its y by ``-pitch``, raising the
  camera ``pitch`` degrees above the horizon; vertical orbits add to it.
- ``animation_pivot`` carries the camera out along the arm to
  ``framing.distance``; dolly, pan and crane keys offset it. Key positions
  are (along the arm, to the camera's *left*, up), so the pivot's y is the
  key's y mirrored.
- ``camera`` looks back along the arm (down the pivot's -x) with z up; tilt
  keys turn it, zoom keys widen its horizontal FOV.

Timing: a part's keys are spread evenly from frame 1 over
``(frames - 1) / speed_factor`` frames (above 1 the move ends early and
holds; below 1 the clip ends mid-move) and eased in and out like a camera
operator would (smoothstep, what Blender's Bezier keys with flat handles
trace between two keys). Objects move in straight lines at their plan
speed; an object standing on a moving one travels with it.

Matrices follow Blender: ``camera_to_world`` maps camera coordinates (x
right, y up, looking down -z) to the scene.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from . import geometry
from . import vocabulary as vocab
from .models import RigKeyframe, ScenePlan, SceneObject

Part = vocab.CameraRigPart
LOOK_BACK_ALONG_ARM = (90.0, 0.0, 90.0)  # degrees: the camera's -z along the arm's -x, its y along z
KEY_TO_RIG_AXES = np.array((1.0, -1.0, 1.0))  # key (x, y-left, z) -> rig (x, y-right, z)


@dataclass(frozen=True)
class CameraPath:
    """Every frame of one variant's clip, as arrays indexed by ``frames``."""

    frames: np.ndarray  # (F,) frame numbers, 1-based like Blender's
    locations: dict[Part, np.ndarray]  # part -> (F, 3) local location
    rotations: dict[Part, np.ndarray]  # part -> (F, 3) local XYZ Euler, radians
    fov: np.ndarray  # (F,) horizontal field of view, degrees
    camera_to_world: np.ndarray  # (F, 4, 4)
    object_offsets: np.ndarray  # (F, N, 3) each object's displacement from its frame-1 position

    @property
    def camera_positions(self) -> np.ndarray:
        return self.camera_to_world[:, :3, 3]


def ease(u: np.ndarray) -> np.ndarray:
    """Smoothstep: zero velocity at both ends."""
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def move_progress(frames: np.ndarray, clip_frames: int, speed_factor: float) -> np.ndarray:
    """Linear progress 0..1 of the camera move at each frame (before easing)."""
    span = (clip_frames - 1) / speed_factor
    if span <= 0:
        return np.zeros(len(frames))
    return np.clip((frames - 1) / span, 0.0, 1.0)


def body_length(obj: SceneObject) -> float:
    """The longer side of an object's footprint: the unit of its movement speed."""
    return max(obj.dimensions[0], obj.dimensions[1])


def velocity(objects: list[SceneObject], index: int, yaw: float) -> np.ndarray:
    """Metres per second of an object, including what it stands on."""
    obj = objects[index]
    own = np.zeros(3)
    if obj.movement is not None:
        own = np.array(geometry.movement_vector(vocab.DIRECTION_VIEW_VECTORS[obj.movement.direction], yaw))
        own = own * obj.movement.speed * body_length(obj)
    if obj.on_top_of is not None:
        own = own + velocity(objects, obj.on_top_of, yaw)
    return own


def object_offsets(plan: ScenePlan, frames: np.ndarray, fps: int) -> np.ndarray:
    seconds = (frames - 1) / fps
    velocities = np.array([velocity(plan.objects, i, plan.orientation.yaw) for i in range(len(plan.objects))])
    return seconds[:, None, None] * velocities[None, :, :]


def euler_matrices(angles: np.ndarray) -> np.ndarray:
    """(F, 3) XYZ Euler angles in radians -> (F, 3, 3) rotations ``Rz · Ry · Rx``, Blender's convention."""
    x, y, z = angles[:, 0], angles[:, 1], angles[:, 2]
    cx, sx, cy, sy, cz, sz = np.cos(x), np.sin(x), np.cos(y), np.sin(y), np.cos(z), np.sin(z)
    return np.stack([
        np.stack([cz * cy, cz * sy * sx - sz * cx, cz * sy * cx + sz * sx], axis=-1),
        np.stack([sz * cy, sz * sy * sx + cz * cx, sz * sy * cx - cz * sx], axis=-1),
        np.stack([-sy, cy * sx, cy * cx], axis=-1),
    ], axis=1)


def local_matrices(location: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    matrices = np.zeros((len(location), 4, 4))
    matrices[:, :3, :3] = euler_matrices(rotation)
    matrices[:, :3, 3] = location
    matrices[:, 3, 3] = 1.0
    return matrices


def _keyed(base: np.ndarray, keys: list[RigKeyframe], channel: str, progress: np.ndarray, convert) -> np.ndarray:
    """One channel of one part's keys at every frame; ``base`` plus the eased key values between keys."""
    points = [(number, convert(getattr(key, channel))) for number, key in enumerate(keys)
              if getattr(key, channel) is not None]
    base = np.asarray(base, dtype=float)
    if len(points) < 2:
        constant = base + (points[0][1] if points else 0.0)
        return np.broadcast_to(constant, (len(progress), *base.shape)).copy()
    numbers = np.array([number for number, _ in points], dtype=float)
    values = np.array([value for _, value in points], dtype=float).reshape(len(points), *base.shape)
    reached = np.clip(progress * max(len(keys) - 1, 1), numbers[0], numbers[-1])  # key number at each frame
    upper = np.clip(np.searchsorted(numbers, reached, side="right"), 1, len(numbers) - 1)
    lower = upper - 1
    span = numbers[upper] - numbers[lower]
    weight = ease((reached - numbers[lower]) / span).reshape(-1, *([1] * base.ndim))
    return base + values[lower] + (values[upper] - values[lower]) * weight


def camera_path(plan: ScenePlan, clip_frames: int, fps: int, frames: np.ndarray | None = None) -> CameraPath:
    """The camera and objects at ``frames`` (default every frame of the clip) of a laid-out plan."""
    if plan.framing.target is None or plan.framing.distance is None:
        raise ValueError("the plan has no layout (framing.target/distance); run plan.layout first")
    frames = np.arange(1, clip_frames + 1, dtype=float) if frames is None else np.asarray(frames, dtype=float)
    offsets = object_offsets(plan, frames, fps)
    progress = move_progress(frames, clip_frames, plan.animation.speed_factor)
    by_part: dict[Part, list[RigKeyframe]] = defaultdict(list)
    for key in plan.animation.keyframes:
        by_part[key.part].append(key)

    root = np.array(plan.framing.target, dtype=float)
    followed = [i for i, obj in enumerate(plan.objects) if obj.camera_follow]
    bases = {
        Part.root: (root, (0.0, 0.0, plan.orientation.yaw - 90.0)),
        Part.framing_pivot: ((0.0, 0.0, 0.0), (0.0, -plan.orientation.pitch, 0.0)),
        Part.animation_pivot: ((plan.framing.distance, 0.0, 0.0), (0.0, 0.0, 0.0)),
        Part.camera: ((0.0, 0.0, 0.0), LOOK_BACK_ALONG_ARM),
    }
    locations, rotations = {}, {}
    for part, (location, rotation) in bases.items():
        keys = by_part.get(part, [])
        locations[part] = _keyed(np.array(location, dtype=float), keys, "position", progress,
                                 lambda value: np.array(value) * KEY_TO_RIG_AXES)
        rotations[part] = _keyed(np.radians(rotation), keys, "rotation", progress, np.radians)
    if followed:
        locations[Part.root] = locations[Part.root] + offsets[:, followed[0], :]
    fov = _keyed(np.array(plan.framing.fov), by_part.get(Part.camera, []), "fov_offset", progress, float)

    world = np.broadcast_to(np.eye(4), (len(frames), 4, 4))
    for part in Part:  # outermost first
        world = world @ local_matrices(locations[part], rotations[part])
    return CameraPath(frames=frames, locations=locations, rotations=rotations, fov=np.asarray(fov, dtype=float),
                      camera_to_world=world, object_offsets=offsets)


def framing_distance(fov_degrees: float, coverage_factor: float, focus_size: float) -> float:
    """Distance at which a horizontal FOV spans ``coverage_factor × focus_size``."""
    return coverage_factor * focus_size / 2 / math.tan(math.radians(fov_degrees) / 2)
