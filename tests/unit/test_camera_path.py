"""The camera path and the layout, outside Blender: what each move does, where things stand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simfarm.plan import vocabulary as vocab
from simfarm.plan.camera_path import camera_path, ease, move_progress
from simfarm.plan.claims import camera_motion, camera_move_holds, kept_in_view, strict
from simfarm.plan.layout import footprint, lay_out
from simfarm.plan.models import (
    Animation, CatalogRef, Framing, Movement, ObjectScale, Orientation, RenderSettings, RigKeyframe, ScenePlan,
    SceneObject,
)
from simfarm.plan.planner import Planner
from simfarm.plan.visibility import track_from_plan
from simfarm.retrieval import builtin

SETTINGS = RenderSettings(width=320, height=180, frames=48, fps=24)


def _object(kind, placement, scale="medium", **fields):
    return SceneObject(name=kind, description=kind, placement=placement,
                       asset=CatalogRef(uri=f"procedural://object/{kind}", size_m=builtin.real_size(kind)),
                       scale=ObjectScale(factor=vocab.SCALES_BY_NAME[scale].factor, name=scale), **fields)


def _plan(objects=None, *, animation="static", yaw=30.0, pitch=20.0, speed_factor=1.0,
          framing=Framing(name="medium", fov=40, coverage_factor=1.4)):
    keys = [RigKeyframe(part=k.part, position=k.position, rotation=k.rotation, fov_offset=k.fov_offset)
            for k in vocab.ANIMATIONS_BY_NAME[animation].keyframes]
    plan = ScenePlan(index=0, seed=4, objects=objects or [_object("chair", 3), _object("table", 5)],
                     orientation=Orientation(yaw=yaw, pitch=pitch), framing=framing.model_copy(),
                     animation=Animation(name=animation, keyframes=keys, speed_factor=speed_factor))
    lay_out(plan, None, SETTINGS)
    return plan


def test_a_static_camera_sits_at_its_yaw_and_pitch_and_looks_at_the_target():
    plan = _plan(yaw=30.0, pitch=20.0)
    path = camera_path(plan, SETTINGS.frames, SETTINGS.fps)
    target = np.array(plan.framing.target)
    position = path.camera_positions[0]
    offset = position - target
    assert np.linalg.norm(offset) == pytest.approx(plan.framing.distance, rel=1e-9)
    assert math.degrees(math.asin(offset[2] / np.linalg.norm(offset))) == pytest.approx(20.0)
    bearing = np.array((math.sin(math.radians(30.0)), -math.cos(math.radians(30.0))))  # Rz(yaw)·(0, -1)
    assert offset[:2] / np.linalg.norm(offset[:2]) == pytest.approx(bearing)
    forward = -path.camera_to_world[0, :3, 2]
    assert forward == pytest.approx(-offset / np.linalg.norm(offset))
    assert path.camera_to_world[0, 2, 0] == pytest.approx(0.0, abs=1e-12)  # no roll: the right axis is level
    assert np.allclose(path.camera_to_world, path.camera_to_world[0])


@pytest.mark.parametrize("name", [a.name for a in vocab.CAMERA_ANIMATIONS])
def test_every_camera_move_does_what_its_name_says(name):
    plan = _plan(animation=name)
    track = track_from_plan(plan, SETTINGS)
    motion = camera_motion(track, 0, len(track.frames) - 1)
    assert camera_move_holds(name, motion), motion
    others = [a.name for a in vocab.CAMERA_ANIMATIONS if a.name != name and camera_move_holds(a.name, motion)]
    assert not others, f"{name} also reads as {others}: {motion}"


def test_moves_are_eased_and_speed_factor_sets_when_they_end():
    assert ease(np.array([0.0, 0.5, 1.0])).tolist() == [0.0, 0.5, 1.0]
    frames = np.arange(1, 49, dtype=float)
    assert move_progress(frames, 48, 2.0)[24:].tolist() == [1.0] * 24  # done halfway, then holds
    assert move_progress(frames, 48, 0.5)[-1] == pytest.approx(0.5)  # the clip ends mid-move
    fast = camera_path(_plan(animation="pan_right", speed_factor=2.0), 48, 24)
    assert np.allclose(fast.camera_to_world[30:], fast.camera_to_world[-1])
    assert not np.allclose(fast.camera_to_world[10], fast.camera_to_world[-1])


def test_a_followed_object_carries_the_rig():
    car = _object("car", 4, movement=Movement(direction="left", speed=0.5), camera_follow=True)
    path = camera_path(_plan([car, _object("tree", 0)]), SETTINGS.frames, SETTINGS.fps)
    travel = path.object_offsets[-1, 0]
    assert np.linalg.norm(travel) > 0.5
    assert path.camera_positions[-1] - path.camera_positions[0] == pytest.approx(travel)


def test_the_layout_stands_objects_apart_on_the_grid_and_stacks_on_tops():
    objects = [_object("table", 3), _object("cup", 3, on_top_of=0), _object("sofa", 5), _object("lamp", 1)]
    plan = _plan(objects, yaw=0.0)
    table, cup, sofa, lamp = plan.objects
    assert table.dimensions == pytest.approx(builtin.real_size("table"))
    assert cup.position[:2] == table.position[:2] and cup.position[2] == pytest.approx(table.dimensions[2])
    assert table.position[0] < sofa.position[0]  # column 0 is left of column 2 at yaw 0
    assert lamp.position[1] > table.position[1]  # row 0 is at the back
    ground = [table, sofa, lamp]
    for a in ground:
        for b in ground:
            if a is not b:
                (ax, ay), (bx, by) = footprint(a), footprint(b)
                apart_x = abs(a.position[0] - b.position[0]) >= (ax + bx) / 2
                apart_y = abs(a.position[1] - b.position[1]) >= (ay + by) / 2
                assert apart_x or apart_y, (a.name, b.name)


def test_moving_objects_face_where_they_go():
    car = _object("car", 4, movement=Movement(direction="right", speed=0.3))
    plan = _plan([car], yaw=0.0)
    front = (math.sin(math.radians(plan.objects[0].heading)), -math.cos(math.radians(plan.objects[0].heading)))
    assert front == pytest.approx((1.0, 0.0), abs=1e-9)


def test_the_framing_keeps_every_object_in_view_over_the_clip():
    for name in ("pan_left", "tilt_up", "crane_down", "dolly_out", "tilt_right"):
        plan = _plan([_object("chair", 0), _object("barrel", 4), _object("bench", 8)], animation=name,
                     framing=Framing(name="closeup", fov=20, coverage_factor=1.1))
        track = track_from_plan(plan, SETTINGS)
        with strict():
            assert all(kept_in_view(track, i) for i in range(3)), (name, plan.warnings)


@pytest.mark.parametrize("prompt,wish", [
    ("an extreme close-up of five cups, the camera pans left", "extreme_closeup"),
    ("a close-up of a car driving to the right quickly and a tree, tilt down", "closeup"),
    ("an extreme close-up of a sofa, a lamp and a bookshelf, dolly out", "extreme_closeup"),
])
def test_the_framing_asked_for_is_kept_or_the_change_is_said(prompt, wish):
    for scene in Planner().plan(prompt, variants=3, seed=3, settings=SETTINGS).plan.variants:
        changed = [w for w in scene.warnings if "does not keep every object in view; framed as" in w]
        assert (scene.framing.name == wish) != bool(changed), (scene.framing.name, scene.warnings)
        assert scene.framing.coverage_factor in vocab.FRAMINGS_BY_NAME[scene.framing.name].coverage
