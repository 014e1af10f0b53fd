"""Object movement: ``movement.speed`` scene units per second in the plan's
direction, whatever the frame rate.

Directions are relative to the camera's starting view
(``vocabulary.DIRECTION_VIEW_VECTORS``); ``geometry.movement_vector`` turns
them into scene axes for the plan's yaw, so "left" is left on screen.

Frame ``f`` is ``(f - 1) / fps`` seconds into the clip. An object standing on
a moving one travels with it.
"""

from __future__ import annotations

from mathutils import Vector

from simfarm.plan.geometry import movement_vector
from simfarm.plan.models import SceneObject
from simfarm.plan.vocabulary import DIRECTION_VIEW_VECTORS

from . import keyframes
from .objects import PlacedObject


def velocity(plan_objects: list[SceneObject], index: int, yaw: float) -> Vector:
    """Scene units per second of an object, including what it stands on."""
    plan_object = plan_objects[index]
    own = Vector((0.0, 0.0, 0.0))
    if plan_object.movement is not None:
        direction = movement_vector(DIRECTION_VIEW_VECTORS[plan_object.movement.direction], yaw)
        own = Vector(direction) * plan_object.movement.speed
    if plan_object.on_top_of is not None:
        own += velocity(plan_objects, plan_object.on_top_of, yaw)
    return own


def animate_movement(plan_objects: list[SceneObject], placed: list[PlacedObject], yaw: float, fps: int,
                     frames: int) -> None:
    """Key a linear path from frame 1 to the last frame for every moving object."""
    if frames < 2:
        return
    for index, obj in enumerate(placed):
        speed = velocity(plan_objects, index, yaw)
        if speed.length == 0:
            continue
        start = obj.root.location.copy()
        keyframes.insert(obj.root, "location", 1)
        obj.root.location = start + speed * ((frames - 1) / fps)
        keyframes.insert(obj.root, "location", frames)
        obj.root.location = start
