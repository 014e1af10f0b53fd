"""Keyframe insertion with an explicit interpolation.

Blender 5 stores keys in layered actions, where reaching an F-curve takes
slot lookups; the interpolation of new keys is a user preference, so it is
set for each insertion instead.
"""

from __future__ import annotations

import bpy


def insert(owner: bpy.types.ID, data_path: str, frame: float, interpolation: str = "LINEAR") -> None:
    """Key ``owner.<data_path>`` at ``frame`` with its current value."""
    preferences = bpy.context.preferences.edit
    previous = preferences.keyframe_new_interpolation_type
    preferences.keyframe_new_interpolation_type = interpolation
    try:
        owner.keyframe_insert(data_path, frame=frame)
    finally:
        preferences.keyframe_new_interpolation_type = previous
