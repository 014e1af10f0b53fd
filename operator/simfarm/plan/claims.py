"""Caption claims checked against scene geometry: one definition of what is true.

A ``Claim`` (in ``models``) is one checkable statement of a caption; here
each kind gets its test against a ``visibility.SceneTrack`` — made from the
plan, from the worker's Blender scene or from an ``annotations.json`` — so
the planner, the worker and ``simfarm verify`` agree on what "in view",
"to the left of" or "the camera pans right" mean:

- ``visible``: the object shows ≥ 80 % of its box, big enough to make out,
  on ≥ 90 % of the claimed frames, and is hidden behind others on at most
  half of them;
- ``relation``: left/right by the boxes' centres on screen, in front/behind
  by depth, on ≥ 90 % of the claimed frames, both objects seen;
- ``stacked``: the top object's bottom rests on the support's top surface
  (its box top, or where the catalog says things rest on it: a chair's
  seat), its centre over the support's footprint, on every claimed frame;
- ``pose``: a person's box, its height over its longer side, is in the band
  of the pose (``vocabulary.POSE_BANDS``) on the first claimed frame;
- ``motion``: the object's on-screen travel over the claimed frames (left,
  right, up in the picture; towards/away from the camera by depth);
- ``speed``: its travel in the world, in its own lengths per second, is in
  the named band;
- ``follow``: the object stays in the middle of the picture while it moves;
- ``travel``: a followed object's travel in the world, relative to the
  camera's first view;
- ``camera``: the move the camera makes, measured in its own first-frame
  axes (pans slide sideways without turning, orbits turn about the scene,
  tilts turn without moving, zooms change the FOV); with a followed object
  (the claim's object) its travel, which the camera shares, is left out;
- ``pace``: "slowly" — the camera still moves at the end; "quickly" — its
  move is over before the last fifth of the clip;
- ``shot``: how much of the picture the objects' 3D boxes fill on the first frame;
- ``angle``: how high the camera is above the objects on the first frame.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from . import vocabulary as vocab
from .models import Claim
from .visibility import SceneTrack, project



@dataclass(frozen=True)
class Thresholds:
    """What counts as true. The caption writer states a claim only if it holds under ``STRICT``,
    so the real scene, measured under ``NORMAL`` by the worker and ``verify``, agrees with it."""

    in_view: float = 0.8  # share of an object's box inside the frame
    holds: float = 0.9  # share of the claimed frames a per-frame claim must hold on
    hidden: float = 0.5  # share of an object covered by nearer ones that counts as hidden
    hidden_frames: float = 0.5  # an object may be hidden on at most this share of the frames
    min_size: float = 0.02  # an object's box diagonal, as a share of the image diagonal, to be made out
    side_margin: float = 0.15  # "left of": centres apart by this share of the wider box
    depth_margin: float = 0.15  # "in front of": depths apart by this share of the larger object
    screen_travel: float = 0.03  # share of the frame an object must cross on screen to "move left"
    depth_travel: float = 0.03  # share of its depth it must close or open to move towards/away
    follow_box: float = 0.25  # a followed object's centre stays within this share of the frame of the middle
    camera_slide: float = 0.1  # share of the frame's half-width at the scene the camera must move to pan or crane
    dolly: float = 0.03  # share of the scene's distance the camera must move to dolly
    camera_turn: float = 10.0  # degrees an orbit must turn the view
    turn_fraction: float = 0.1  # share of the vertical FOV a tilt or roll must turn
    zoom_change: float = 2.0  # degrees of FOV
    shot_tolerance: float = 1.35  # a shot's coverage band, widened by this factor either way
    angle_tolerance: float = 3.0  # degrees either side of an angle band
    pose_margin: float = 0.0  # share by which each pose band shrinks at its ends


NORMAL = Thresholds()
STRICT = Thresholds(in_view=0.88, holds=0.95, hidden=0.3, hidden_frames=0.3, min_size=0.03, side_margin=0.3, depth_margin=0.3,
                    screen_travel=0.06, depth_travel=0.06, follow_box=0.2, camera_slide=0.15, dolly=0.05, camera_turn=15.0,
                    turn_fraction=0.15, zoom_change=3.0, shot_tolerance=1.2, angle_tolerance=-1.0,
                    pose_margin=0.05)
_active: contextvars.ContextVar[Thresholds] = contextvars.ContextVar("thresholds", default=NORMAL)
STACK_TOLERANCE = 0.01  # metres, plus 2 % of the support's height
STILL = (1e-4, 0.05, 0.05)  # share of distance, degrees of turn, degrees of FOV: no camera move
MOVE_PURITY = 0.8  # a pan, crane or dolly goes this straight along its own axis (cosine)
PACE_SLOW_TAIL = 0.1  # "slowly": still moving in the last tenth of the clip
PACE_FAST_TAIL = 0.2  # "quickly": done before the last fifth


@contextlib.contextmanager
def strict() -> Iterator[None]:
    """Check claims under ``STRICT`` inside the block."""
    token = _active.set(STRICT)
    try:
        yield
    finally:
        _active.reset(token)


def thresholds() -> Thresholds:
    return _active.get()


ANGLES = {"eye_level": (-90.0, 10.0), "slightly_above": (10.0, 35.0), "high": (35.0, 60.0), "overhead": (60.0, 90.0)}


@dataclass(frozen=True)
class ClaimCheck:
    claim: Claim
    holds: bool
    frames: list[int]  # claimed frames on which it holds
    measured: str  # what the geometry showed, for people


def seen(track: SceneTrack, index: int) -> np.ndarray:
    """Per frame: object ``index`` shows enough of its box, big enough to make out."""
    obj = track.objects[index]
    size = np.nan_to_num(np.hypot(obj.size[:, 0], obj.size[:, 1]))
    t = thresholds()
    return (obj.in_view >= t.in_view) & (size >= t.min_size * math.hypot(track.width, track.height))


def hidden(track: SceneTrack, index: int) -> np.ndarray:
    return track.objects[index].occluded > thresholds().hidden


def kept_in_view(track: SceneTrack, index: int, window: np.ndarray | None = None) -> bool:
    window = np.ones(len(track.frames), dtype=bool) if window is None else window
    t = thresholds()
    return bool(seen(track, index)[window].mean() >= t.holds and hidden(track, index)[window].mean() <= t.hidden_frames)


def relation_per_frame(track: SceneTrack, a: int, b: int, kind: str) -> np.ndarray:
    """Per frame: does ``a`` stand ``kind`` (left_of, right_of, in_front_of, behind) ``b``, both seen?"""
    first, second = track.objects[a], track.objects[b]
    both = seen(track, a) & seen(track, b)
    with np.errstate(invalid="ignore"):
        if kind in ("left_of", "right_of"):
            margin = thresholds().side_margin * np.maximum(first.size[:, 0], second.size[:, 0])
            apart = first.centre[:, 0] - second.centre[:, 0]
            holds = apart < -margin if kind == "left_of" else apart > margin
        else:
            margin = thresholds().depth_margin * np.maximum(_extent(first.corners), _extent(second.corners))
            apart = first.depth - second.depth
            holds = apart < -margin if kind == "in_front_of" else apart > margin
    return both & np.nan_to_num(holds).astype(bool)


def _extent(corners: np.ndarray) -> np.ndarray:
    """(F,) largest side of each frame's box of world corners."""
    return (corners.max(axis=1) - corners.min(axis=1)).max(axis=1)


def _stacked(track: SceneTrack, top: int, support: int) -> np.ndarray:
    upper, lower = track.objects[top].corners, track.objects[support].corners
    bottom, height = lower[:, :, 2].min(axis=1), lower[:, :, 2].max(axis=1) - lower[:, :, 2].min(axis=1)
    gap = np.abs(upper[:, :, 2].min(axis=1) - (bottom + track.objects[support].top_share * height))
    centre = upper[:, :, :2].mean(axis=1)
    inside = np.all((centre >= lower[:, :, :2].min(axis=1)) & (centre <= lower[:, :, :2].max(axis=1)), axis=1)
    return (gap <= STACK_TOLERANCE + 0.02 * height) & inside


def pose_shown(track: SceneTrack, index: int, position: int) -> str | None:
    """The pose an object's box shows on one frame: its sides from the corners (x, then y, then z varying
    fastest, as ``visibility.box_corners`` and the worker's ground truth order them)."""
    corners = track.objects[index].corners[position]
    width, depth, height = (float(np.linalg.norm(corners[k] - corners[0])) for k in (4, 2, 1))
    return vocab.pose_of(width, depth, height, thresholds().pose_margin)


def screen_travel(track: SceneTrack, index: int, first: int, last: int) -> dict[str, float]:
    """How far an object went on screen between two frame positions: shares of the frame and of depth."""
    obj = track.objects[index]
    dx = (obj.centre[last, 0] - obj.centre[first, 0]) / track.width
    dy = (obj.centre[last, 1] - obj.centre[first, 1]) / track.height
    closer = (obj.depth[first] - obj.depth[last]) / max(obj.depth[first], 1e-6)
    return {"left": -dx, "right": dx, "up": -dy, "forward": closer, "backward": -closer}


def screen_direction(track: SceneTrack, index: int, first: int, last: int) -> str | None:
    """The direction an object is seen to move in, if it clearly moves at all."""
    travel = screen_travel(track, index, first, last)
    t = thresholds()
    scaled = {direction: value / (t.depth_travel if direction in ("forward", "backward") else t.screen_travel)
              for direction, value in travel.items()}
    best = max(scaled, key=scaled.get)
    return best if scaled[best] >= 1.0 and np.isfinite(scaled[best]) else None


def body_travel(track: SceneTrack, index: int, first: int, last: int) -> np.ndarray:
    """World displacement of an object's box centre."""
    corners = track.objects[index].corners
    return corners[last].mean(axis=0) - corners[first].mean(axis=0)


def body_length(track: SceneTrack, index: int) -> float:
    corners = track.objects[index].corners[0]
    return float(max(np.ptp(corners[:, 0]), np.ptp(corners[:, 1]), 1e-6))


def world_direction(track: SceneTrack, index: int, first: int, last: int) -> str | None:
    """The way an object travels in the world, in the axes of the camera's first view."""
    move = body_travel(track, index, first, last)
    camera = track.camera_to_world[first]
    right, forward = camera[:3, 0], -camera[:3, 2]
    flat_forward = forward - forward[2] * np.array((0.0, 0.0, 1.0))
    flat_forward /= max(np.linalg.norm(flat_forward), 1e-9)
    components = {"right": move @ right, "left": -(move @ right), "backward": move @ flat_forward,
                  "forward": -(move @ flat_forward), "up": move[2]}
    best = max(components, key=components.get)
    return best if components[best] >= 0.2 * body_length(track, index) else None


def speed_band(track: SceneTrack, index: int, first: int, last: int, fps: int) -> str:
    seconds = max(track.frames[last] - track.frames[first], 1) / fps
    lengths = float(np.linalg.norm(body_travel(track, index, first, last))) / body_length(track, index)
    return vocab.speed_band(lengths / seconds).name


@dataclass(frozen=True)
class CameraMotion:
    """The camera's change between two frames, in the first frame's axes."""

    right: float  # moved to the camera's right, in half-widths of the frame at the scene's distance
    up: float  # moved up (world z), in the same unit
    forward: float  # moved along its view, as a share of the scene's distance
    heading: float  # degrees its view turned about world z (positive: to the left, anticlockwise)
    pitch: float  # degrees its view turned up
    roll: float  # degrees it rolled anticlockwise as the viewer sees it (top to the left)
    fov: float  # degrees of horizontal FOV gained
    vertical_fov: float  # degrees, at the first frame
    along: tuple[float, float, float]  # how much of the move is to the right, up, forward (|cosines|; 0 if none)


def _angles(camera: np.ndarray) -> tuple[float, float, float]:
    forward, right = -camera[:3, 2], camera[:3, 0]
    up = camera[:3, 1]
    heading = math.degrees(math.atan2(forward[1], forward[0]))
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, forward[2]))))
    roll = math.degrees(math.atan2(right[2], up[2]))
    return heading, pitch, roll


def camera_motion(track: SceneTrack, first: int, last: int, carried_by: int | None = None) -> CameraMotion:
    """``carried_by``: the followed object, whose travel the camera shares and which is not part of its move."""
    start, end = track.camera_to_world[first], track.camera_to_world[last]
    distance = max(float(np.median([obj.depth[first] for obj in track.objects])), 1e-6)
    carried = body_travel(track, carried_by, first, last) if carried_by is not None else 0.0
    move = end[:3, 3] - start[:3, 3] - carried
    half_width = distance * track.width / 2 / track.K[first, 0, 0]
    (h0, p0, r0), (h1, p1, r1) = _angles(start), _angles(end)
    fov0, fov1 = (2 * math.degrees(math.atan(track.width / 2 / track.K[f, 0, 0])) for f in (first, last))
    vertical = 2 * math.degrees(math.atan(track.height / 2 / track.K[first, 1, 1]))
    turn = (h1 - h0 + 180.0) % 360.0 - 180.0
    length = float(np.linalg.norm(move))
    along = tuple(abs(float(move @ axis)) / length if length > 0 else 0.0
                  for axis in (start[:3, 0], np.array((0.0, 0.0, 1.0)), -start[:3, 2]))
    return CameraMotion(right=float(move @ start[:3, 0]) / half_width, up=float(move[2]) / half_width,
                        forward=float(move @ -start[:3, 2]) / distance, heading=turn, pitch=p1 - p0, roll=r1 - r0,
                        fov=fov1 - fov0, vertical_fov=vertical, along=along)


def camera_move_holds(move: str, motion: CameraMotion) -> bool:
    """Does the measured motion look like the named camera move?"""
    t = thresholds()
    turn = max(t.turn_fraction * motion.vertical_fov, 0.3)
    level = abs(motion.heading) < 1.0 and abs(motion.pitch) < 1.0
    still = math.hypot(motion.right, motion.up, motion.forward) < STILL[0]
    sideways, upward, onward = (share >= MOVE_PURITY for share in motion.along)
    tests = {
        "static": still and max(abs(motion.heading), abs(motion.pitch), abs(motion.roll)) < STILL[1]
                  and abs(motion.fov) < STILL[2],
        "pan_left": motion.right < -t.camera_slide and level and sideways,
        "pan_right": motion.right > t.camera_slide and level and sideways,
        "orbit_left": motion.heading < -t.camera_turn and motion.right < 0,
        "orbit_right": motion.heading > t.camera_turn and motion.right > 0,
        "orbit_up": motion.up > 0 and motion.pitch < -turn,
        "orbit_down": motion.up < 0 and motion.pitch > turn,
        "dolly_in": motion.forward > t.dolly and abs(motion.fov) < STILL[2] and level and onward,
        "dolly_out": motion.forward < -t.dolly and abs(motion.fov) < STILL[2] and level and onward,
        "zoom_in": motion.fov < -t.zoom_change and still,
        "zoom_out": motion.fov > t.zoom_change and still,
        "tilt_up": motion.pitch > turn and still,
        "tilt_down": motion.pitch < -turn and still,
        "tilt_left": motion.roll > turn and still,
        "tilt_right": motion.roll < -turn and still,
        "crane_up": motion.up > t.camera_slide and level and upward,
        "crane_down": motion.up < -t.camera_slide and level and upward,
    }
    return tests[move]


def camera_still_after(track: SceneTrack, frame_position: int) -> bool:
    """Does the camera hold still from ``frame_position`` to the end?"""
    cameras = track.camera_to_world[frame_position:]
    fovs = track.K[frame_position:, 0, 0]
    return bool(np.allclose(cameras, cameras[0], atol=1e-7) and np.allclose(fovs, fovs[0], rtol=1e-9))


def coverage(track: SceneTrack, objects: list[int], position: int) -> float:
    """Frame width over the width on screen of the objects' 3D boxes (or height, whichever fills more).

    The 3D boxes, not the tight 2D ones: a shot's size is about the subject's extent, which a horse's
    thin legs or a chair's open back do not change.
    """
    corners = np.concatenate([track.objects[i].corners[position] for i in objects])[None]
    pixels, _ = project(corners, track.world_to_camera[position:position + 1], track.K[position:position + 1])
    if np.isnan(pixels).any():
        return math.inf
    width = np.ptp(pixels[0, :, 0])
    height = np.ptp(pixels[0, :, 1])
    fill = max(width / track.width, height / track.height)
    return float(1 / fill) if fill > 0 else math.inf


def elevation(track: SceneTrack, objects: list[int], position: int) -> float:
    """Degrees the camera stands above the objects' joint centre, on one frame."""
    corners = np.concatenate([track.objects[i].corners[position] for i in objects])
    centre = (corners.min(axis=0) + corners.max(axis=0)) / 2
    offset = track.camera_to_world[position][:3, 3] - centre
    return math.degrees(math.atan2(offset[2], math.hypot(offset[0], offset[1])))


def angle_name(degrees: float) -> str:
    return next(name for name, (low, high) in ANGLES.items() if degrees < high or name == "overhead")


def check(claim: Claim, track: SceneTrack, fps: int) -> ClaimCheck:
    """Does ``claim`` hold on ``track`` over the frames it claims?"""
    window = (track.frames >= claim.first_frame) & (track.frames <= claim.last_frame)
    positions = np.flatnonzero(window)
    if len(positions) == 0:
        return ClaimCheck(claim, False, [], "no frame of the track is in the claimed range")
    first, last = int(positions[0]), int(positions[-1])
    subjects = claim.objects
    per_frame = None
    if claim.kind == "visible":
        per_frame = seen(track, subjects[0]) & ~hidden(track, subjects[0])
        holds = kept_in_view(track, subjects[0], window)
        measured = (f"seen on {seen(track, subjects[0])[window].mean():.0%}, "
                    f"hidden on {hidden(track, subjects[0])[window].mean():.0%} of the frames")
    elif claim.kind == "relation":
        per_frame = relation_per_frame(track, subjects[0], subjects[1], claim.value)
        holds = per_frame[window].mean() >= thresholds().holds
        measured = f"holds on {per_frame[window].mean():.0%} of the frames"
    elif claim.kind == "stacked":
        per_frame = _stacked(track, subjects[0], subjects[1])
        holds = bool(per_frame[window].all())
        measured = f"rests on it on {per_frame[window].mean():.0%} of the frames"
    elif claim.kind == "pose":
        shown = pose_shown(track, subjects[0], first)
        holds, measured = shown == claim.value, f"its box shows {shown or 'no pose'}"
    elif claim.kind == "motion":
        direction = screen_direction(track, subjects[0], first, last)
        holds, measured = direction == claim.value, f"moves {direction or 'nowhere clear'} on screen"
    elif claim.kind == "travel":
        direction = world_direction(track, subjects[0], first, last)
        holds, measured = direction == claim.value, f"travels {direction or 'nowhere clear'}"
    elif claim.kind == "speed":
        band = speed_band(track, subjects[0], first, last, fps)
        holds, measured = band == claim.value, f"speed is {band}"
    elif claim.kind == "follow":
        centre = track.objects[subjects[0]].centre
        off = np.abs(centre - (track.width / 2, track.height / 2)) / (track.width, track.height)
        per_frame = np.all(np.nan_to_num(off, nan=1.0) <= thresholds().follow_box, axis=1)
        moved = world_direction(track, subjects[0], first, last) is not None
        holds = bool(per_frame[window].mean() >= thresholds().holds and moved)
        measured = f"near the middle on {per_frame[window].mean():.0%} of the frames"
    elif claim.kind == "camera":
        motion = camera_motion(track, first, last, subjects[0] if subjects else None)
        holds = camera_move_holds(claim.value, motion)
        measured = (f"moved right {motion.right:+.3f}, up {motion.up:+.3f}, forward {motion.forward:+.3f}; turned "
                    f"{motion.heading:+.1f}° left-right, {motion.pitch:+.1f}° up, rolled {motion.roll:+.1f}°; "
                    f"FOV {motion.fov:+.1f}°")
    elif claim.kind == "pace":
        tail = PACE_SLOW_TAIL if claim.value == "slowly" else PACE_FAST_TAIL
        start = first + int(math.floor((last - first) * (1 - tail)))
        still = camera_still_after(track, start)
        holds = (not still) if claim.value == "slowly" else still
        measured = "still moving at the end" if not still else "done before the end"
    elif claim.kind == "shot":
        value = coverage(track, subjects, first)
        band = vocab.FRAMINGS_BY_NAME[claim.value].coverage
        widen = thresholds().shot_tolerance
        holds = band.low / widen <= value <= band.high * widen
        measured = f"frame is {value:.2f}× the objects' size"
    elif claim.kind == "angle":
        degrees = elevation(track, subjects, first)
        low, high = ANGLES[claim.value]
        margin = thresholds().angle_tolerance
        holds = low - margin <= degrees <= high + margin
        measured = f"camera {degrees:.1f}° above the objects"
    else:  # pragma: no cover - the model's Literal lists every kind
        raise ValueError(f"unknown claim kind {claim.kind!r}")
    if per_frame is not None:
        frames = [int(f) for f in track.frames[window & per_frame]]
    else:
        frames = [int(f) for f in track.frames[window]] if holds else []
    return ClaimCheck(claim, bool(holds), frames, measured)


def check_all(claims: list[Claim], track: SceneTrack, fps: int) -> list[ClaimCheck]:
    return [check(claim, track, fps) for claim in claims]
