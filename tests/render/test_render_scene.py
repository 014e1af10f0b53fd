"""What the plan says is what the video shows: movement, scale, camera moves."""

from __future__ import annotations

import numpy as np
import pytest

from simfarm.plan.models import Framing, Movement

from render_helpers import decode, difference, render, request, scene_object, variant

CAMERA_MOVES = ["orbit_left", "orbit_up", "dolly_in", "pan_right", "zoom_out", "tilt_down", "crane_up"]
MEDIUM_SHOT = Framing(name="medium", fov=35, coverage_factor=1.2)
# Mean block difference between two frames (see render_helpers.difference):
# an unchanged picture stays well below STILL, a visible change goes above MOVED.
STILL, MOVED = 2.0, 4.0


def _street_scene(camera: str):
    objects = [scene_object("car", 4, color="red"), scene_object("tree", 0, "small"), scene_object("house", 2)]
    return request([variant(objects, camera=camera, framing=MEDIUM_SHOT)], frames=4)


def _first_and_last(plan, directory):
    render(plan, directory)
    frames = decode(directory / "variants/0/video.mp4")
    return frames[0], frames[-1]


def test_moving_object_changes_frames_static_scene_does_not(tmp_path):
    moving = scene_object("cube", 4, color="red", movement=Movement(direction="right", speed=5.0))
    still = scene_object("cube", 4, color="red")

    moved = _first_and_last(request([variant([moving, scene_object("cone", 0)], framing=MEDIUM_SHOT)], frames=6),
                            tmp_path / "moving")
    held = _first_and_last(request([variant([still, scene_object("cone", 0)], framing=MEDIUM_SHOT)], frames=6),
                           tmp_path / "still")

    assert difference(*moved) > MOVED
    assert difference(*held) < STILL


def _colour_pixels(frame: np.ndarray, channel: int) -> int:
    """Pixels where one channel clearly dominates the other two."""
    rgb = frame.astype(np.int16)
    others = [c for c in range(3) if c != channel]
    return int(((rgb[..., channel] > 60) & (rgb[..., channel] > 1.8 * rgb[..., others].max(axis=-1))).sum())


@pytest.mark.parametrize("huge_colour", ["red", "blue"])
def test_huge_object_covers_more_pixels_than_tiny(huge_colour, tmp_path):
    tiny_colour = "blue" if huge_colour == "red" else "red"
    objects = [scene_object("cube", 3, "huge", color=huge_colour), scene_object("cube", 5, "tiny", color=tiny_colour)]
    plan = request([variant(objects, pitch=10, framing=MEDIUM_SHOT)], frames=1, width=320, height=180)

    render(plan, tmp_path)

    frame = decode(tmp_path / "variants/0/video.mp4")[0]
    channel = {"red": 0, "blue": 2}
    huge, tiny = _colour_pixels(frame, channel[huge_colour]), _colour_pixels(frame, channel[tiny_colour])
    assert tiny > 0, "the tiny object must be visible"
    assert huge > 20 * tiny  # largest dimension 3.0 vs 0.25: ~144× the area


@pytest.mark.parametrize("move", CAMERA_MOVES)
def test_camera_animation_changes_the_view(move, tmp_path):
    first, last = _first_and_last(_street_scene(move), tmp_path)

    assert difference(first, last) > MOVED


def test_static_camera_holds_the_view(tmp_path):
    first, last = _first_and_last(_street_scene("static"), tmp_path)

    assert difference(first, last) < STILL
