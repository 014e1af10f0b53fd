"""The camera rig: nested empties per ``vocabulary.CameraRigPart``, animated
by the plan's keyframes.

Rig frames (see geometry.py for the scene axes):

- ``root`` sits on the focus point and turns about z by ``yaw - 90°``, so
  that the arm's local +x points from the focus towards a camera at ``yaw``
  (``Rz(yaw)·(0, -1, 0)``); orbit keys add to this turn.
- ``framing_pivot`` tilts the arm about its local y by ``-pitch``, raising
  the camera ``pitch`` degrees above the horizon; vertical orbits add to it.
- ``animation_pivot`` carries the camera out along the arm to the framing
  distance; dolly, pan and crane keys offset it: x along the arm towards the
  camera, z up, and y to the camera's *left*, the reading under which the
  vocabulary's ``pan_right`` keys (y from 1.5 to -0.5) move the camera to its
  right, as its caption says. Blender's frame has y to the camera's right,
  so key positions are mirrored in y.
- ``camera`` looks back along the arm (down its -x) with z up; tilt keys
  turn it about its own axes and zoom keys widen its horizontal FOV.

Framing: the frame is ``coverage_factor`` × the focus size wide at the focus
point, for the plan's horizontal FOV.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import bpy
from mathutils import Vector

from simfarm.plan.models import RigKeyframe, ScenePlan
from simfarm.plan.vocabulary import CameraRigPart

from . import keyframes
from .objects import PlacedObject

LOOK_BACK_ALONG_ARM = (math.radians(90), 0.0, math.radians(90))
KEY_TO_RIG_AXES = Vector((1.0, -1.0, 1.0))  # vocabulary (x, y-left, z) -> rig (x, y-right, z)
CAMERA_INTERPOLATION = "BEZIER"  # eases in and out like a camera operator


@dataclass(frozen=True)
class Focus:
    centre: Vector
    size: float
    follow: PlacedObject | None


def focus_of(plan: ScenePlan, placed: list[PlacedObject]) -> Focus:
    """The camera_follow object if any, else the bounds of every object."""
    for plan_object, obj in zip(plan.objects, placed):
        if plan_object.camera_follow:
            return Focus(obj.centre, obj.size, obj)
    low = Vector(min(obj.minimum[i] for obj in placed) for i in range(3))
    high = Vector(max(obj.maximum[i] for obj in placed) for i in range(3))
    return Focus((low + high) / 2, max(high - low), None)


def framing_distance(fov_degrees: float, coverage_factor: float, focus_size: float) -> float:
    """Distance at which a horizontal FOV spans ``coverage_factor × focus_size``."""
    return coverage_factor * focus_size / 2 / math.tan(math.radians(fov_degrees) / 2)


def add_camera_rig(scene: bpy.types.Scene, plan: ScenePlan, focus: Focus, frames: int) -> bpy.types.Object:
    rig = {part: bpy.data.objects.new(f"rig:{part.value}", None) for part in CameraRigPart}
    lens = bpy.data.cameras.new("lens")
    lens.sensor_fit = "HORIZONTAL"
    lens.clip_start, lens.clip_end = 0.05, 5000.0
    rig[CameraRigPart.camera] = bpy.data.objects.new("camera", lens)
    parent = None
    for part in CameraRigPart:
        scene.collection.objects.link(rig[part])
        rig[part].parent = parent
        parent = rig[part]
    scene.camera = rig[CameraRigPart.camera]

    distance = framing_distance(plan.framing.fov, plan.framing.coverage_factor, focus.size)
    root_location = focus.centre if focus.follow is None else _follow(rig[CameraRigPart.root], focus)
    base = {
        CameraRigPart.root: (tuple(root_location), (0.0, 0.0, math.radians(plan.orientation.yaw - 90))),
        CameraRigPart.framing_pivot: ((0.0, 0.0, 0.0), (0.0, -math.radians(plan.orientation.pitch), 0.0)),
        CameraRigPart.animation_pivot: ((distance, 0.0, 0.0), (0.0, 0.0, 0.0)),
        CameraRigPart.camera: ((0.0, 0.0, 0.0), LOOK_BACK_ALONG_ARM),
    }
    for part, (location, rotation) in base.items():
        rig[part].location, rig[part].rotation_euler = location, rotation
    lens.angle = math.radians(plan.framing.fov)
    _animate(rig, base, plan, frames)
    return rig[CameraRigPart.camera]


def _follow(root: bpy.types.Object, focus: Focus) -> Vector:
    """Make the root copy the followed object's location; returns the root's own offset from it."""
    constraint = root.constraints.new("COPY_LOCATION")
    constraint.target, constraint.use_offset = focus.follow.root, True
    return focus.centre - focus.follow.root.location


def _animate(rig, base, plan: ScenePlan, frames: int) -> None:
    """Spread each part's keys evenly from frame 1 over ``(frames - 1) / speed_factor`` frames.

    With ``speed_factor`` above 1 the move ends early and holds; below 1 the
    clip ends before the move does.
    """
    by_part: dict[CameraRigPart, list[RigKeyframe]] = defaultdict(list)
    for key in plan.animation.keyframes:
        by_part[key.part].append(key)
    span = (frames - 1) / plan.animation.speed_factor
    for part, keys in by_part.items():
        obj = rig[part]
        step = span / (len(keys) - 1) if len(keys) > 1 else 0.0
        for number, key in enumerate(keys):
            frame = 1 + number * step
            if key.position is not None:
                obj.location = Vector(base[part][0]) + Vector(key.position) * KEY_TO_RIG_AXES
                keyframes.insert(obj, "location", frame, CAMERA_INTERPOLATION)
            if key.rotation is not None:
                obj.rotation_euler = [b + math.radians(r) for b, r in zip(base[part][1], key.rotation)]
                keyframes.insert(obj, "rotation_euler", frame, CAMERA_INTERPOLATION)
            if key.fov_offset is not None:
                obj.data.angle = math.radians(plan.framing.fov + key.fov_offset)
                keyframes.insert(obj.data, "lens", frame, CAMERA_INTERPOLATION)
