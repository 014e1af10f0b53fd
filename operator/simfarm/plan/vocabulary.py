"""The scene vocabulary: every discrete choice a ScenePlan can make.

The values (animation keyframes, framing FOV/coverage ranges, scale factors,
postprocessing ranges, orientation limits) follow the Simverse data files so
that plans stay comparable with datasets made by the ancestor. Two of its
faults are fixed here: level ranges are half-open and never overlap, and a
bigger scale name always means a bigger factor.

Keyframes are in the camera rig's own terms (see ``CameraRigPart``) and
``plan.camera_path`` interprets them. Two of the ancestor's moves are
changed so that each does what its name says: the tilt-left and tilt-right
keys were swapped (its "tilt left" rolled the camera to the right), and
orbits start at the plan's yaw instead of 90° away from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Mapping


class CameraRigPart(str, Enum):
    """The nested empties of the camera rig, outermost first.

    ``root`` sits at the scene centre and turns about Z (yaw, orbits);
    ``framing_pivot`` tilts the arm up and down (pitch, vertical orbits);
    ``animation_pivot`` offsets the camera along the arm (dolly, pan, crane);
    ``camera`` is the lens itself (tilts, zoom by FOV offset).
    """

    root = "root"
    framing_pivot = "framing_pivot"
    animation_pivot = "animation_pivot"
    camera = "camera"


@dataclass(frozen=True)
class RigKey:
    """One rig part's transform at one keyframe.

    ``position`` is along the rig part's local axes (x: along the arm, away
    from the subject; y: sideways, positive to the camera's left, so
    ``pan_right`` runs y from +1.5 to -0.5; z: up), in units of a quarter
    of the framing distance here and in metres in a plan (the layout step
    scales them to the scene);
    ``rotation`` is in degrees about x, y, z; ``fov_offset`` in degrees is
    added to the framing FOV (positive = wider).
    """

    part: CameraRigPart
    position: tuple[float, float, float] | None = None
    rotation: tuple[float, float, float] | None = None
    fov_offset: float | None = None


@dataclass(frozen=True)
class CameraAnimation:
    name: str
    keyframes: tuple[RigKey, ...]  # two keys: start and end, empty when static
    phrase: str  # caption fragment: "The camera orbits to the left"
    synonyms: tuple[str, ...] = ()


def _keys(part: CameraRigPart, kind: str, start, end) -> tuple[RigKey, ...]:
    return (RigKey(part, **{kind: start}), RigKey(part, **{kind: end}))


_R, _F, _A, _C = (CameraRigPart.root, CameraRigPart.framing_pivot,
                  CameraRigPart.animation_pivot, CameraRigPart.camera)

CAMERA_ANIMATIONS: tuple[CameraAnimation, ...] = (
    CameraAnimation("static", (), "The camera holds still",
                    ("static", "no camera movement", "still camera", "locked off", "fixed camera",
                     "the camera does not move", "stationary camera", "tripod shot")),
    CameraAnimation("pan_left", _keys(_A, "position", (0, -1.5, 0), (0, 0.5, 0)),
                    "The camera pans to the left",
                    ("pan left", "pans left", "pans to the left", "camera slides left", "sweeps left")),
    CameraAnimation("pan_right", _keys(_A, "position", (0, 1.5, 0), (0, -0.5, 0)),
                    "The camera pans to the right",
                    ("pan right", "pans right", "pans to the right", "camera slides right", "sweeps right")),
    CameraAnimation("orbit_left", _keys(_R, "rotation", (0, 0, 0), (0, 0, -90)),
                    "The camera orbits to the left around the scene",
                    ("orbit left", "orbits left", "orbits to the left", "circles left",
                     "counter-clockwise orbit", "counterclockwise orbit", "orbit", "orbits",
                     "orbits around", "circles around", "arc shot", "sweeps around", "revolves around",
                     "goes around", "360")),
    CameraAnimation("orbit_right", _keys(_R, "rotation", (0, 0, 0), (0, 0, 90)),
                    "The camera orbits to the right around the scene",
                    ("orbit right", "orbits right", "orbits to the right", "circles right",
                     "clockwise orbit", "circles clockwise")),
    CameraAnimation("orbit_up", _keys(_F, "rotation", (0, 0, 0), (0, -30, 0)),
                    "The camera arcs upward over the scene",
                    ("orbit up", "orbits up", "orbits upward", "arcs up", "arcs over", "arcs overhead")),
    CameraAnimation("orbit_down", _keys(_F, "rotation", (0, -30, 0), (0, 0, 0)),
                    "The camera arcs downward towards the scene",
                    ("orbit down", "orbits down", "orbits downward", "arcs down", "swoops down")),
    CameraAnimation("dolly_in", _keys(_A, "position", (4, 0, 0), (0, 0, 0)),
                    "The camera dollies in",
                    ("dolly in", "dollies in", "push in", "pushes in", "moves closer", "approaches",
                     "tracks in", "moves in")),
    CameraAnimation("dolly_out", _keys(_A, "position", (0, 0, 0), (4, 0, 0)),
                    "The camera dollies out",
                    ("dolly out", "dollies out", "pull back", "pulls back", "pulls out", "moves away",
                     "tracks out", "backs away")),
    CameraAnimation("zoom_in", _keys(_C, "fov_offset", 10, 0), "The camera zooms in",
                    ("zoom in", "zooms in", "zooming in", "punch in", "tighten the shot")),
    CameraAnimation("zoom_out", _keys(_C, "fov_offset", 0, 10), "The camera zooms out",
                    ("zoom out", "zooms out", "zooming out", "widen the shot")),
    CameraAnimation("tilt_up", _keys(_C, "rotation", (-25, 0, 0), (5, 0, 0)), "The camera tilts up",
                    ("tilt up", "tilts up", "tilts upward", "looks up", "pans up")),
    CameraAnimation("tilt_down", _keys(_C, "rotation", (25, 0, 0), (-5, 0, 0)), "The camera tilts down",
                    ("tilt down", "tilts down", "tilts downward", "looks down", "pans down")),
    CameraAnimation("tilt_left", _keys(_C, "rotation", (0, 25, 0), (0, -5, 0)), "The camera tilts to the left",
                    ("tilt left", "tilts left", "tilts to the left", "rolls left", "dutch left")),
    CameraAnimation("tilt_right", _keys(_C, "rotation", (0, -25, 0), (0, 5, 0)), "The camera tilts to the right",
                    ("tilt right", "tilts right", "tilts to the right", "rolls right", "dutch right")),
    CameraAnimation("crane_up", _keys(_A, "position", (0, 0, 0), (0, 0, 2)), "The camera cranes up",
                    ("crane up", "cranes up", "boom up", "booms up", "pedestal up", "camera rises",
                     "rises above")),
    CameraAnimation("crane_down", _keys(_A, "position", (0, 0, 2), (0, 0, 0)), "The camera cranes down",
                    ("crane down", "cranes down", "boom down", "booms down", "pedestal down",
                     "camera descends", "camera lowers")),
)
ANIMATIONS_BY_NAME: Mapping[str, CameraAnimation] = {a.name: a for a in CAMERA_ANIMATIONS}


@dataclass(frozen=True)
class Range:
    """Half-open interval [low, high): neighbouring levels never overlap."""

    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value < self.high


@dataclass(frozen=True)
class Framing:
    name: str
    fov: Range  # degrees, horizontal
    coverage: Range  # frame width / focus object size
    phrase: str
    synonyms: tuple[str, ...] = ()
    # Whether the name fits a shot of several objects: close-ups frame one thing (or a detail of it); "an
    # extreme close-up" of a car and a cabin that fill the frame together is a misleading label.
    suits_group: bool = True


FRAMINGS: tuple[Framing, ...] = (
    Framing("extreme_closeup", Range(10, 15), Range(0.7, 1.1), "an extreme close-up",
            ("extreme close-up", "extreme closeup", "macro shot", "macro", "extremely close"), suits_group=False),
    Framing("closeup", Range(15, 24), Range(1.0, 1.2), "a close-up",
            ("close-up", "closeup", "close up", "tight shot", "up close"), suits_group=False),
    Framing("medium_closeup", Range(24, 30), Range(0.8, 1.2), "a medium close-up",
            ("medium close-up", "medium closeup", "medium close up"), suits_group=False),
    Framing("medium", Range(30, 40), Range(1.0, 1.5), "a medium shot",
            ("medium shot", "mid shot", "mid-shot", "medium framing")),
    Framing("medium_wide", Range(40, 55), Range(1.5, 2.0), "a medium wide shot",
            ("medium wide", "medium-wide", "medium wide shot", "full shot")),
    Framing("wide", Range(55, 70), Range(2.0, 3.0), "a wide shot",
            ("wide shot", "wide angle", "wide-angle", "long shot", "establishing shot", "wide")),
    Framing("extreme_wide", Range(70, 90), Range(3.0, 4.0), "an extreme wide shot",
            ("extreme wide", "extreme wide shot", "extreme long shot", "very wide", "panoramic")),
)
FRAMINGS_BY_NAME: Mapping[str, Framing] = {f.name: f for f in FRAMINGS}


@dataclass(frozen=True)
class Scale:
    name: str
    factor: float  # multiplier on the asset's real-world size: "a huge cat" is a cat 2.5 times life size
    words: tuple[str, ...]  # adjectives that select this scale in a prompt


# Ordered smallest to largest; factors strictly increase (tested). "medium" is life size.
SCALES: tuple[Scale, ...] = (
    Scale("tiny", 0.35, ("tiny", "miniature", "minuscule", "teeny", "itsy-bitsy", "extra small", "microscopic", "wee",
                        "very small")),
    Scale("small", 0.6, ("small", "little", "mini", "petite", "undersized")),
    Scale("small-medium", 0.8, ("smallish", "small-ish", "medium-small", "small-medium")),
    Scale("medium", 1.0, ("medium", "medium-sized", "average", "normal-sized", "regular-sized")),
    Scale("medium-large", 1.3, ("sizable", "largish", "medium-large", "hefty", "bulky")),
    Scale("large", 1.7, ("large", "big", "tall")),
    Scale("huge", 2.5, ("huge", "giant", "gigantic", "enormous", "massive", "colossal", "towering",
                        "very large", "very big", "humongous",
                        "gargantuan", "mammoth", "titanic")),
)
SCALES_BY_NAME: Mapping[str, Scale] = {s.name: s for s in SCALES}
SCALE_BY_WORD: Mapping[str, Scale] = {w: s for s in SCALES for w in s.words}


class Direction(str, Enum):
    """Object movement directions, relative to the camera's view at the start of the shot.

    A prompt's "drives to the left" must look leftward on screen whatever the
    camera's yaw, so directions are in view axes; ``geometry.movement_vector``
    turns them into scene axes.
    """

    left = "left"
    right = "right"
    forward = "forward"  # towards the camera
    backward = "backward"  # away from the camera
    up = "up"


# (sideways, depth, up) in view axes: +sideways is screen right, +depth is farther away.
DIRECTION_VIEW_VECTORS: Mapping[Direction, tuple[float, float, float]] = {
    Direction.left: (-1.0, 0.0, 0.0),
    Direction.right: (1.0, 0.0, 0.0),
    Direction.forward: (0.0, -1.0, 0.0),
    Direction.backward: (0.0, 1.0, 0.0),
    Direction.up: (0.0, 0.0, 1.0),
}


@dataclass(frozen=True)
class SpeedBand:
    name: str
    speed: Range  # scene units per second
    words: tuple[str, ...]


MOVEMENT_SPEEDS: tuple[SpeedBand, ...] = (
    SpeedBand("slow", Range(0.1, 0.3), ("slowly", "slow", "gently", "gradually", "leisurely", "crawls",
                                          "drifts", "creeps")),
    SpeedBand("moderate", Range(0.3, 0.6), ("steadily", "moderately", "at a moderate pace", "at a steady pace")),
    SpeedBand("fast", Range(0.6, 1.2), ("fast", "quickly", "rapidly", "swiftly", "speeds", "races", "zooms",
                                          "rushes", "dashes")),
)
SPEEDS_BY_NAME: Mapping[str, SpeedBand] = {b.name: b for b in MOVEMENT_SPEEDS}


def speed_band(speed: float) -> SpeedBand:
    """The band a speed falls in; speeds outside all bands go to the nearest end."""
    for band in MOVEMENT_SPEEDS:
        if speed in band.speed:
            return band
    return MOVEMENT_SPEEDS[0] if speed < MOVEMENT_SPEEDS[0].speed.low else MOVEMENT_SPEEDS[-1]


# Camera animation speed factor (1.0 = the keyframes span the whole clip).
ANIMATION_SPEEDS: Mapping[str, Range] = {
    "slow": Range(0.5, 0.75),
    "medium": Range(0.75, 1.25),
    "fast": Range(1.25, 1.5),
    "faster": Range(1.5, 2.0),
}


class Level(str, Enum):
    none = "none"
    low = "low"
    medium = "medium"
    high = "high"
    extreme = "extreme"


LEVELS: tuple[Level, ...] = tuple(Level)


@dataclass(frozen=True)
class Effect:
    """A postprocessing effect: one strength parameter banded by level."""

    name: str
    parameter: str  # the banded value's field name in the plan
    bands: Mapping[Level, Range]
    phrase: str  # caption noun: "bloom", "motion blur"


def _bands(*edges: float) -> dict[Level, Range]:
    return {level: Range(lo, hi) for level, lo, hi in zip(LEVELS, edges, edges[1:])}


EFFECTS: Mapping[str, Effect] = {
    "bloom": Effect("bloom", "intensity", _bands(0.0, 0.02, 0.2, 0.5, 0.8, 1.1), "bloom"),
    "ssao": Effect("ssao", "factor", _bands(0.0, 0.02, 0.2, 0.6, 1.0, 1.2), "ambient occlusion"),
    "ssrr": Effect("ssrr", "max_roughness", _bands(0.0, 0.02, 0.1, 0.3, 0.6, 1.0), "reflections"),
    "motionblur": Effect("motionblur", "shutter_speed", _bands(0.0, 0.02, 0.2, 0.5, 0.8, 1.0), "motion blur"),
}


# What each engine can show (the worker maps effects in simfarm_render.postprocessing).
# The plan keeps every effect the prompt asked for; the caption names only these,
# so it never names an effect the video lacks: Workbench has no render motion blur.
ENGINE_EFFECTS: Mapping[str, frozenset[str]] = {
    "EEVEE": frozenset(EFFECTS),
    "CYCLES": frozenset(EFFECTS),
    "WORKBENCH": frozenset({"bloom", "ssao", "ssrr"}),
}


# Ground-truth passes each engine can render (Blender's Depth, Object Index and Vector
# outputs): Workbench makes depth only, EEVEE has no object index; Cycles makes all three.
PASSES: tuple[str, ...] = ("depth", "segmentation", "flow")
ENGINE_PASSES: Mapping[str, frozenset[str]] = {
    "EEVEE": frozenset({"depth", "flow"}),
    "CYCLES": frozenset(PASSES),
    "WORKBENCH": frozenset({"depth"}),
}


def level_of(effect: str, value: float) -> Level:
    for level, band in EFFECTS[effect].bands.items():
        if value in band:
            return level
    return Level.extreme


# Orientation limits in degrees: yaw turns the camera about the scene's Z
# axis, pitch looks down from the horizon.
YAW_RANGE = Range(0, 360)
PITCH_RANGE = Range(0, 75.000001)

# Named camera heights, used by the rewriter ("low angle", "bird's-eye view").
PITCH_BANDS: Mapping[str, Range] = {
    "eye_level": Range(0, 15),
    "low_angle": Range(0, 8),
    "high_angle": Range(35, 55),
    "overhead": Range(60, 75.000001),
}

GRID_SIZE = 3  # placements 0..8 on a 3×3 grid, row-major from the back-left
PLACEMENTS = range(GRID_SIZE * GRID_SIZE)

# A person's pose from the box it fills: its height over its longer side. Sweet Home 3D's people measure
# 2.4–3.6 standing, 0.6–2.0 sitting and 0.16–0.37 lying; between the bands a box says no pose.
POSE_BANDS: Mapping[str, Range] = {
    "lying": Range(0.0, 0.45),
    "sitting": Range(0.5, 2.05),
    "standing": Range(2.2, math.inf),
}


def pose_of(width: float, depth: float, height: float, margin: float = 0.0) -> str | None:
    """The pose a person's box shows, or None; ``margin`` shrinks each band by that share at its finite ends
    (a claim the caption states must hold with room to spare)."""
    ratio = height / max(width, depth, 1e-9)
    for pose, band in POSE_BANDS.items():
        low = band.low * (1 + margin) if band.low > 0 else band.low
        if low <= ratio < band.high * (1 - margin):
            return pose
    return None
