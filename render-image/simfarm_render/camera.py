"""The camera rig in Blender, keyed frame by frame from ``simfarm.plan.camera_path``.

The rig keeps its nested parts (``vocabulary.CameraRigPart``: root, framing
pivot, animation pivot, camera) so an artist opening the scene sees the
move as it was designed, but every value comes from the pure camera path:
each part's local location and rotation and the lens are keyed on every
frame the shard renders (and one either side, for motion blur and motion
vectors) and on the frames its claim check looks at, with linear
interpolation between frames. Blender therefore puts the camera exactly
where the planner, the captions and the ground truth assume it is.
"""

from __future__ import annotations

import math

import bpy
import numpy as np

from simfarm.plan.camera_path import CameraPath, camera_path
from simfarm.plan.models import RenderSettings, ScenePlan
from simfarm.plan.vocabulary import CameraRigPart

from . import keyframes

SENSOR_WIDTH_MM = 36.0


def focal_length(fov_degrees: float) -> float:
    """Blender's lens (mm) for a horizontal FOV on the rig's sensor."""
    return SENSOR_WIDTH_MM / 2 / math.tan(math.radians(fov_degrees) / 2)


def shard_key_frames(first: int, last: int) -> np.ndarray:
    """The frames to key for rendering ``first..last``: those and one either side (the one after the
    clip's last frame too: its motion vectors point there)."""
    return np.arange(max(1, first - 1), last + 2, dtype=float)


def add_camera_rig(scene: bpy.types.Scene, plan: ScenePlan, settings: RenderSettings,
                   frames: np.ndarray) -> tuple[bpy.types.Object, CameraPath]:
    """The rig, keyed on ``frames``; returns the camera and the path it follows."""
    rig = {part: bpy.data.objects.new(f"rig:{part.value}", None) for part in CameraRigPart}
    lens = bpy.data.cameras.new("lens")
    lens.sensor_fit, lens.sensor_width = "HORIZONTAL", SENSOR_WIDTH_MM
    lens.clip_start, lens.clip_end = 0.05, 100000.0
    rig[CameraRigPart.camera] = bpy.data.objects.new("camera", lens)
    parent = None
    for part in CameraRigPart:
        scene.collection.objects.link(rig[part])
        rig[part].parent = parent
        parent = rig[part]
    scene.camera = rig[CameraRigPart.camera]

    path = camera_path(plan, settings.frames, settings.fps, frames)
    for position, frame in enumerate(path.frames):
        for part in CameraRigPart:
            rig[part].location = path.locations[part][position]
            rig[part].rotation_euler = path.rotations[part][position]
            keyframes.insert(rig[part], "location", float(frame))
            keyframes.insert(rig[part], "rotation_euler", float(frame))
        lens.lens = focal_length(float(path.fov[position]))
        keyframes.insert(lens, "lens", float(frame))
    for owner in (*rig.values(), lens):
        keyframes.set_interpolation(owner)
    return rig[CameraRigPart.camera], path
