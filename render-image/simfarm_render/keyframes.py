"""Keyframes with an explicit interpolation.

Blender 5 stores keys in layered actions (reached through a slot's channel
bag), and the interpolation of new keys is a user preference that bpy in
background mode does not apply; so keys are inserted first and their
interpolation set afterwards, on every F-curve of the owner.
"""

from __future__ import annotations

import bpy
from bpy_extras import anim_utils


def insert(owner: bpy.types.ID, data_path: str, frame: float) -> None:
    """Key ``owner.<data_path>`` at ``frame`` with its current value."""
    owner.keyframe_insert(data_path, frame=frame)


def set_interpolation(owner: bpy.types.ID, interpolation: str = "LINEAR") -> None:
    """Give every key of ``owner`` this interpolation (LINEAR: straight between keys, as the plan's paths are),
    and carry the last motion on past the last key (the frame after a shard, which motion vectors look at)."""
    animation = owner.animation_data
    if animation is None or animation.action is None:
        return
    channels = anim_utils.action_get_channelbag_for_slot(animation.action, animation.action_slot)
    for curve in channels.fcurves:
        curve.extrapolation = "LINEAR"
        for point in curve.keyframe_points:
            point.interpolation = interpolation
