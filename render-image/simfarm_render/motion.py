"""Object movement in Blender: the straight lines of ``simfarm.plan.camera_path``.

Each moving object's root is keyed at the first and last frame of the clip
with linear interpolation, which is exactly the path's constant velocity
(the plan's direction and speed, plus whatever its support does).
"""

from __future__ import annotations

import bpy
import numpy as np

from simfarm.plan.camera_path import object_offsets
from simfarm.plan.models import ScenePlan

from . import keyframes


def animate_movement(plan: ScenePlan, roots: list[bpy.types.Object], fps: int, frames: int) -> None:
    if frames < 2:
        return
    ends = object_offsets(plan, np.array([1.0, float(frames)]), fps)
    for index, root in enumerate(roots):
        travel = ends[1, index]
        if not np.any(travel):
            continue
        start = root.location.copy()
        keyframes.insert(root, "location", 1)
        root.location = start + type(start)(travel)
        keyframes.insert(root, "location", frames)
        keyframes.set_interpolation(root)
        root.location = start
