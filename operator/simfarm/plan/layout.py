"""Layout: real sizes, where each object stands, and a camera that keeps them in view.

Runs once retrieval has chosen the assets (their real-world sizes decide
everything here):

1. every object's box is its asset's size × its scale factor;
2. objects face the camera (with some variety), or the way they move;
3. the grid cells the combiner drew become positions on a grid whose rows
   and columns are as wide as what stands in them, so a cup beside a house
   is not lost in a cell sized for the house; stacked objects stand on
   their support's top surface (a chair's seat, from the catalog);
4. the framing is fitted: the target is the centre of what the shot is
   about (the followed object, else everything, including where moving
   objects go), the distance follows the framing's coverage, and the camera
   move's amplitude is scaled to the shot. The camera path is then checked:
   every object must be kept in view as ``claims`` defines it (≥ 80 % of
   its box on ≥ 90 % of the frames, big enough to make out, hidden behind
   others on at most half), the camera must visibly make its move and a
   followed object must stay in the middle of the picture. When it does not, the
   step pulls the camera back, tones the move down, raises the camera, and
   at last re-draws the placement, and says in ``warnings`` what it changed
   against the prompt's wishes.

In a film (``continuity``), objects earlier shots placed stay where they
were, new ones are arranged around them, and the camera bearing is drawn
inside the range the 180° rule leaves.

Everything is a pure function of the plan, the draft, the variant seed and the continuity.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

import numpy as np

from . import geometry
from . import vocabulary as vocab
from .camera_path import framing_distance, velocity
from .claims import STRICT, check, kept_in_view, seen, strict, thresholds
from .combiner import draw_arrangement
from .continuity import Continuity
from .draft import SceneDraft
from .entities import PEOPLE
from .models import Claim, RenderSettings, RigKeyframe, ScenePlan, SceneObject
from .visibility import horizontal_fov_to_vertical, sample_frames, track_from_plan

UNKNOWN_SIZE = (1.0, 1.0, 1.0)  # metres, for an asset whose real size the catalog does not know
HEADING_JITTER = 30.0  # degrees either side of facing the camera
GAP = 0.3  # free space between neighbouring rows/columns, as a fraction of the mean object size
MIN_GAP = 0.05  # metres
# What nothing is piled on: people and animals.
LIVING = PEOPLE | frozenset("dog puppy cat kitten bird horse pony cow sheep goat pig rabbit duck chicken".split())
# Vocabulary position keys are in these units of the shot (see vocabulary.RigKey):
ALONG_ARM_UNIT = 0.25  # of the framing distance (dolly)
SIDEWAYS_UNIT = 0.4  # of the frame's half-width at the target (pan)
UP_UNIT = 0.35  # of the frame's half-height at the target (crane)
TILT_SHARE = 0.6  # a tilt or roll turns the camera at most this share of half the vertical FOV
DISTANCE_STEPS = (1.0, 1.15, 1.35, 1.6, 1.9, 2.3, 2.8, 3.5)
AMPLITUDE_STEPS = (1.0, 0.7, 0.5, 0.3)
PITCH_STEPS = (0.0, 15.0, 30.0)  # degrees added to a drawn pitch to see over objects in front
ARRANGEMENT_ATTEMPTS = 4
STEPS_PER_ARRANGEMENT = 14  # candidate shots tried on one arrangement before drawing another
SEARCH_FRAMES = 16
RELATION_OPENING = 0.3  # a relation the prompt asks for must hold over at least this opening share of the clip
SCREEN_RELATIONS = ("left_of", "right_of", "in_front_of", "behind")


@dataclass(frozen=True)
class Shot:
    """One candidate camera setting, as steps along ``DISTANCE_STEPS``, ``AMPLITUDE_STEPS``, ``PITCH_STEPS``."""

    distance: int = 0
    amplitude: int = 0
    pitch: int = 0

    @property
    def distance_factor(self) -> float:
        return DISTANCE_STEPS[self.distance]

    @property
    def amplitude_factor(self) -> float:
        return AMPLITUDE_STEPS[self.amplitude]

    @property
    def pitch_raise(self) -> float:
        return PITCH_STEPS[self.pitch]

    def next(self, verdict: "Verdict", screen_move: bool) -> "Shot | None":
        """The next candidate for what went wrong: calm the move or pull back when objects leave the
        frame or the followed one drifts, raise the camera when one hides another; None when out of steps.

        ``screen_move``: the move slides or turns the view by a share of the frame (pans, cranes, tilts),
        which pulling back does not shrink, so it is calmed first.
        """
        if verdict.hidden and self.pitch + 1 < len(PITCH_STEPS):
            return replace(self, pitch=self.pitch + 1)
        if verdict.out_of_frame or not verdict.follows:
            calm = replace(self, amplitude=self.amplitude + 1) if self.amplitude + 1 < len(AMPLITUDE_STEPS) else None
            back = replace(self, distance=self.distance + 1) if self.distance + 1 < len(DISTANCE_STEPS) else None
            if not verdict.follows and calm is not None:
                return calm
            if screen_move and calm is not None and (self.amplitude <= self.distance or back is None):
                return calm  # calm and pull back in turn
            if back is not None:
                return back
            if calm is not None:
                return replace(calm, distance=0)
        return None  # a move too small to see, a relation that does not hold, or no step left: re-arrange


@dataclass(frozen=True)
class Verdict:
    """What a candidate shows, as the caption writer will check it."""

    kept: int  # objects kept in view
    out_of_frame: bool  # a required object leaves the frame or is too small
    hidden: bool  # a required object hides behind others too often
    move: bool  # the camera visibly makes its move
    follows: bool  # a followed object stays in the middle
    relations: int  # relations the prompt asked for that hold at the start
    wanted_relations: int
    share: float  # mean share of frames objects are seen on

    @property
    def will_do(self) -> bool:
        return (not self.out_of_frame and not self.hidden and self.move and self.follows
                and self.relations == self.wanted_relations)

    def rank(self) -> tuple:
        return (self.will_do, self.kept, self.relations, self.move, self.follows, self.share)


def lay_out(plan: ScenePlan, draft: SceneDraft | None, settings: RenderSettings,
            continuity: Continuity | None = None) -> None:
    """Fill sizes, headings, positions and the framing of one variant, in place.

    Without the ``draft`` (a plan written by hand) the drawn arrangement is kept as it is.
    ``continuity`` (a film shot after the first): objects it holds keep their place and the camera
    bearing stays in its range.
    """
    continuity = continuity or Continuity()
    rng = random.Random(f"{plan.seed}:layout")
    requested = [(i, obj.relation.kind, obj.relation.target) for i, obj in enumerate(draft.objects)
                 if obj.relation is not None and obj.relation.kind in SCREEN_RELATIONS] if draft else []
    attempts = ARRANGEMENT_ATTEMPTS if draft else 1
    unit_keys = [key.model_copy() for key in plan.animation.keyframes]
    screen_move = any(key.part is vocab.CameraRigPart.camera and key.rotation or
                      key.part is vocab.CameraRigPart.animation_pivot and key.position and any(key.position[1:])
                      for key in unit_keys)
    drawn_pitch = plan.orientation.pitch
    for obj in plan.objects:
        size = obj.asset.size_m or UNKNOWN_SIZE
        obj.dimensions = tuple(round(side * obj.scale.factor, 4) for side in size)
    share_tops(plan)
    best: tuple[tuple, Shot, dict] | None = None
    for attempt in range(attempts):
        if attempt or not continuity.allows(plan.orientation.yaw):
            _rearrange(plan, draft, rng, continuity)
        _turn(plan, rng)
        _place(plan)
        _hold(plan, continuity)
        required = _required(plan, settings)
        shot: Shot | None = Shot()
        for _ in range(STEPS_PER_ARRANGEMENT):
            _frame(plan, shot, unit_keys, drawn_pitch, settings)
            verdict = _judge(plan, settings, required, requested)
            if best is None or verdict.rank() > best[0]:
                best = (verdict.rank(), shot, _arrangement(plan))
            if verdict.will_do:
                _finish(plan, draft, shot, settings)
                return
            shot = shot.next(verdict, screen_move)
            if shot is None:
                break
    _, shot, arrangement = best
    _restore(plan, arrangement)
    _frame(plan, shot, unit_keys, drawn_pitch, settings)
    _finish(plan, draft, shot, settings)


def _rearrange(plan: ScenePlan, draft: SceneDraft | None, rng: random.Random, continuity: Continuity) -> None:
    """A fresh bearing (in the continuity's range) and grid cells; without a draft only the bearing moves."""
    if draft is None:
        plan.orientation.yaw = continuity.yaw_range.nearest(plan.orientation.yaw)
        return
    yaw, cells = draw_arrangement(draft, [o.on_top_of for o in plan.objects], rng, continuity.yaw_range)
    plan.orientation.yaw = yaw
    for obj, cell in zip(plan.objects, cells):
        obj.placement = cell


def _hold(plan: ScenePlan, continuity: Continuity) -> None:
    """Held objects back where earlier shots left them; the new ones keep their drawn arrangement around
    them (shifted as the held ones moved) and are pushed clear of them; stacked ones follow their supports."""
    held = {i: state for i, state in continuity.held.items() if plan.objects[i].on_top_of is None}
    if not held:
        return
    new = [i for i, obj in enumerate(plan.objects) if obj.on_top_of is None and i not in held]
    drawn = np.mean([plan.objects[i].position[:2] for i in held], axis=0)
    shift = np.mean([state.position[:2] for state in held.values()], axis=0) - drawn
    for i, state in held.items():
        obj = plan.objects[i]
        obj.position = state.position
        if obj.movement is None:
            obj.heading = state.heading
    placed = list(held)
    for i in new:
        obj = plan.objects[i]
        obj.position = (round(obj.position[0] + float(shift[0]), 4), round(obj.position[1] + float(shift[1]), 4), 0.0)
        _clear(plan, i, placed)
        placed.append(i)
    _rest_on_supports(plan)


CLEAR_STEPS = 24


def _clear(plan: ScenePlan, index: int, others: list[int]) -> None:
    """Move object ``index`` straight away from whatever it overlaps until it overlaps nothing."""
    obj = plan.objects[index]
    for _ in range(CLEAR_STEPS):
        overlapping = [j for j in others if _overlap(obj, plan.objects[j])]
        if not overlapping:
            return
        other = plan.objects[overlapping[0]]
        away = np.array(obj.position[:2]) - np.array(other.position[:2])
        away = away / np.linalg.norm(away) if np.linalg.norm(away) > 1e-9 else np.array((1.0, 0.0))
        step = max(max(footprint(obj)), max(footprint(other))) / 2 + MIN_GAP
        obj.position = (round(obj.position[0] + float(away[0]) * step, 4),
                        round(obj.position[1] + float(away[1]) * step, 4), 0.0)


def _overlap(a: SceneObject, b: SceneObject) -> bool:
    """Do two objects' turned footprints (with a small gap) overlap on the floor?"""
    (ax, ay), (bx, by) = footprint(a), footprint(b)
    return (abs(a.position[0] - b.position[0]) < (ax + bx) / 2 + MIN_GAP
            and abs(a.position[1] - b.position[1]) < (ay + by) / 2 + MIN_GAP)


def _required(plan: ScenePlan, settings: RenderSettings) -> list[int]:
    """Objects the shot must keep in view: the followed one, else all but those too small to see
    beside the rest (a cat at the foot of a tower); the caption leaves out what is not seen."""
    followed = [i for i, obj in enumerate(plan.objects) if obj.camera_follow]
    if followed:
        return followed
    low, high = _focus(plan, settings)
    scene = max(high - low)
    return [i for i, obj in enumerate(plan.objects) if max(obj.dimensions) >= 2 * STRICT.min_size * scene]


def _turn(plan: ScenePlan, rng: random.Random) -> None:
    """Objects face the camera give or take ``HEADING_JITTER``; moving ones face where they go."""
    yaw = plan.orientation.yaw
    for i in _support_order(plan.objects):
        obj = plan.objects[i]
        jitter = round(rng.uniform(-HEADING_JITTER, HEADING_JITTER), 1)
        if obj.movement is not None and obj.movement.direction is not vocab.Direction.up:
            dx, dy, _ = geometry.movement_vector(vocab.DIRECTION_VIEW_VECTORS[obj.movement.direction], yaw)
            heading = math.degrees(math.atan2(dx, -dy))  # the front (-y) turned onto (dx, dy)
        elif obj.on_top_of is not None:  # side by side on a shared support: in a row, as it faces
            heading = plan.objects[obj.on_top_of].heading + (0.0 if _shares_a_support(plan, i) else jitter)
        else:
            heading = yaw + jitter
        obj.heading = round(heading % 360.0, 1) % 360.0


def footprint(obj: SceneObject) -> tuple[float, float]:
    """(x, y) extents of an object's turned box."""
    width, depth, _ = obj.dimensions
    turn = math.radians(obj.heading)
    cos, sin = abs(math.cos(turn)), abs(math.sin(turn))
    return width * cos + depth * sin, width * sin + depth * cos


def _place(plan: ScenePlan) -> None:
    """Positions from grid cells: each column as wide and each row as deep as what stands in it."""
    ground = [i for i, obj in enumerate(plan.objects) if obj.on_top_of is None]
    extents = {i: footprint(plan.objects[i]) for i in ground}
    gap = max(MIN_GAP, GAP * float(np.mean([max(extents[i]) for i in ground])))
    widths, depths = [0.0] * vocab.GRID_SIZE, [0.0] * vocab.GRID_SIZE
    for i in ground:
        row, col = geometry.grid_cell(plan.objects[i].placement)
        widths[col] = max(widths[col], extents[i][0])
        depths[row] = max(depths[row], extents[i][1])
    xs, ys = _centres(widths, gap), _centres(depths, gap)
    for i in ground:
        row, col = geometry.grid_cell(plan.objects[i].placement)
        plan.objects[i].position = (round(xs[col], 4), round(-ys[row], 4), 0.0)  # row 0 is at the back (+y)
    _rest_on_supports(plan)


def share_tops(plan: ScenePlan) -> None:
    """Objects on one support stand side by side across its top, in order, where their widths fit its width
    ("a cat and a dog on a sofa", facing as it does); one that does not fit goes where the support stands
    itself, on what carries it (a vase's flowers onto the table), else on top of the one before it (a pile of
    books on a stool). A pure function of the objects' sizes."""
    moved: set[int] = set()
    for support in reversed(_support_order(plan.objects)):  # from the top down: what moves down is placed again
        # Its own things first, then what came down from above: the bowl on the table before the apples that
        # did not fit in the bowl, so that no bowl is piled on an apple.
        on_it = sorted((i for i, obj in enumerate(plan.objects) if obj.on_top_of == support), key=moved.__contains__)
        room = plan.objects[support].dimensions[0] + MIN_GAP
        below = plan.objects[support].on_top_of
        for before, i in zip([None, *on_it], on_it):
            if before is None or _breadth(plan.objects[i]) + MIN_GAP <= room:
                room -= _breadth(plan.objects[i]) + MIN_GAP
            elif below is not None:
                plan.objects[i].on_top_of = below
                moved.add(i)
            else:  # piled on the last thing before it, never on a person or an animal (it overhangs instead)
                pile = [j for j in on_it[:on_it.index(i)] if plan.objects[j].name not in LIVING]
                if pile:
                    plan.objects[i].on_top_of = pile[-1]


def _shares_a_support(plan: ScenePlan, index: int) -> bool:
    support = plan.objects[index].on_top_of
    return support is not None and sum(obj.on_top_of == support for obj in plan.objects) > 1


def _breadth(obj: SceneObject) -> float:
    """How much of its support's width an object takes, facing as the support does."""
    return obj.dimensions[0]


def _rest_on_supports(plan: ScenePlan) -> None:
    """Stacked objects on their support's top surface (a chair's seat, from the catalog), those sharing a
    support side by side across its width, centred on it as a row."""
    for i in _support_order(plan.objects):
        obj = plan.objects[i]
        if obj.on_top_of is None:
            continue
        below = plan.objects[obj.on_top_of]
        row = [j for j, other in enumerate(plan.objects) if other.on_top_of == obj.on_top_of]
        breadths = [_breadth(plan.objects[j]) for j in row]
        total = sum(breadths) + MIN_GAP * (len(row) - 1)
        k = row.index(i)
        offset = -total / 2 + sum(breadths[:k]) + MIN_GAP * k + breadths[k] / 2 if len(row) > 1 else 0.0
        turn = math.radians(below.heading)
        obj.position = (round(below.position[0] + offset * math.cos(turn), 4),
                        round(below.position[1] + offset * math.sin(turn), 4),
                        round(below.position[2] + below.top_share * below.dimensions[2], 4))


def _centres(extents: list[float], gap: float) -> list[float]:
    """Centres of consecutive bands of the given extents (empty bands take no room), centred on 0."""
    used = [e for e in extents if e > 0]
    total = sum(used) + gap * (len(used) - 1)
    centres, edge = [], -total / 2
    for extent in extents:
        centres.append(edge + extent / 2)
        if extent > 0:
            edge += extent + gap
    return centres


def _support_order(objects: list[SceneObject]) -> list[int]:
    order: list[int] = []

    def visit(index: int) -> None:
        if index not in order:
            if objects[index].on_top_of is not None:
                visit(objects[index].on_top_of)
            order.append(index)

    for index in range(len(objects)):
        visit(index)
    return order


def _focus(plan: ScenePlan, settings: RenderSettings) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of the world box the shot is about: the followed object, else all, where they go too."""
    followed = [i for i, obj in enumerate(plan.objects) if obj.camera_follow]
    chosen = followed or range(len(plan.objects))
    seconds = (settings.frames - 1) / settings.fps
    corners = []
    for i in chosen:
        obj = plan.objects[i]
        half_x, half_y = (extent / 2 for extent in footprint(obj))
        x, y, z = obj.position
        low, high = np.array((x - half_x, y - half_y, z)), np.array((x + half_x, y + half_y, z + obj.dimensions[2]))
        travel = 0.0 if followed else velocity(plan.objects, i, plan.orientation.yaw) * seconds
        corners += [low, high, low + travel, high + travel]
    corners = np.array(corners)
    return corners.min(axis=0), corners.max(axis=0)


def _frame(plan: ScenePlan, shot: Shot, unit_keys: list[RigKeyframe], drawn_pitch: float,
           settings: RenderSettings) -> None:
    """Target, distance, pitch and the camera move's keys for one candidate shot."""
    low, high = _focus(plan, settings)
    right, forward = geometry.camera_axes(plan.orientation.yaw)
    extent = high - low
    sideways = extent[0] * abs(right[0]) + extent[1] * abs(right[1])
    focus_size = max(sideways, extent[2] * settings.width / settings.height, 1e-3)
    fov = plan.framing.fov
    distance = framing_distance(fov, plan.framing.coverage_factor * shot.distance_factor, focus_size)
    plan.framing.target = tuple(round(float(v), 4) for v in (low + high) / 2)
    plan.framing.distance = round(distance, 4)
    plan.orientation.pitch = min(vocab.PITCH_RANGE.high - 0.001, drawn_pitch + shot.pitch_raise)
    plan.animation.keyframes = _scaled_keys(unit_keys, distance, fov, settings, shot.amplitude_factor)


def _scaled_keys(keys: list[RigKeyframe], distance: float, fov: float, settings: RenderSettings,
                 amplitude: float) -> list[RigKeyframe]:
    half_width = distance * math.tan(math.radians(fov) / 2)
    vertical = horizontal_fov_to_vertical(fov, settings.width, settings.height)
    half_height = distance * math.tan(math.radians(vertical) / 2)
    units = np.array((ALONG_ARM_UNIT * distance, SIDEWAYS_UNIT * half_width, UP_UNIT * half_height)) * amplitude
    turns = [abs(a) for key in keys if key.part is vocab.CameraRigPart.camera and key.rotation for a in key.rotation]
    tilt = amplitude * min(1.0, TILT_SHARE * vertical / 2 / max(turns)) if turns else 1.0
    scaled = []
    for key in keys:
        position = rotation = None
        if key.position is not None:
            position = tuple(round(float(v), 4) for v in np.array(key.position) * units)
        if key.rotation is not None:
            factor = tilt if key.part is vocab.CameraRigPart.camera else 1.0
            rotation = tuple(round(v * factor, 3) for v in key.rotation)
        scaled.append(RigKeyframe(part=key.part, position=position, rotation=rotation, fov_offset=key.fov_offset))
    return scaled


def _judge(plan: ScenePlan, settings: RenderSettings, required: list[int],
           requested: list[tuple[int, str, int]]) -> Verdict:
    """What the candidate shows; occlusion, the costly part, only once the rest will do."""
    frames = sample_frames(settings.frames, SEARCH_FRAMES)
    last = settings.frames
    followed = [i for i, obj in enumerate(plan.objects) if obj.camera_follow]
    move_claim = Claim(kind="camera", objects=followed, value=plan.animation.name, first_frame=1, last_frame=last,
                       sentence="")
    follow_claims = [Claim(kind="follow", objects=[i], first_frame=1, last_frame=last, sentence="") for i in followed]
    opening = int(frames[max(0, int(np.ceil(RELATION_OPENING * len(frames))) - 1)])
    relation_claims = [Claim(kind="relation", objects=[i, target], value=kind, first_frame=1, last_frame=opening,
                             sentence="") for i, kind, target in requested]
    track = track_from_plan(plan, settings, frames, occlusion=False)
    with strict():  # what the caption will be able to state
        move = check(move_claim, track, settings.fps).holds
        follows = all(check(claim, track, settings.fps).holds for claim in follow_claims)
        out_of_frame = not all(seen(track, i).mean() >= thresholds().holds for i in required)
        relations = sum(check(claim, track, settings.fps).holds for claim in relation_claims)
        if move and follows and not out_of_frame and relations == len(relation_claims):
            track = track_from_plan(plan, settings, frames)
        kept = [kept_in_view(track, i) for i in range(len(plan.objects))]
        hidden = not all(kept[i] for i in required) and not out_of_frame
        shares = [seen(track, i).mean() for i in range(len(plan.objects))]
    return Verdict(kept=sum(kept), out_of_frame=out_of_frame, hidden=hidden, move=move, follows=follows,
                   relations=relations, wanted_relations=len(relation_claims), share=float(np.mean(shares)))


def _arrangement(plan: ScenePlan) -> dict:
    return {"yaw": plan.orientation.yaw,
            "objects": [(o.placement, o.heading, o.position) for o in plan.objects]}


def _restore(plan: ScenePlan, arrangement: dict) -> None:
    plan.orientation.yaw = arrangement["yaw"]
    for obj, (placement, heading, position) in zip(plan.objects, arrangement["objects"]):
        obj.placement, obj.heading, obj.position = placement, heading, position


def _finish(plan: ScenePlan, draft: SceneDraft | None, shot: Shot, settings: RenderSettings) -> None:
    """Name the framing after the coverage actually used, and say what changed against the prompt."""
    coverage = round(plan.framing.coverage_factor * shot.distance_factor, 2)
    plan.framing.coverage_factor = coverage
    name = framing_for(coverage, plan.framing.name)
    if name != plan.framing.name:
        if draft and draft.framing:
            plan.warnings.append(
                f"{vocab.FRAMINGS_BY_NAME[draft.framing].phrase} does not keep every object in view; "
                f"framed as {vocab.FRAMINGS_BY_NAME[name].phrase}")
        plan.framing.name = name
    if shot.pitch_raise and draft and draft.camera_angle:
        plan.warnings.append(f"the camera was raised {shot.pitch_raise:.0f}° above the {draft.camera_angle.replace('_', ' ')}"
                             " angle so that no object hides another")
    track = track_from_plan(plan, settings, sample_frames(settings.frames, SEARCH_FRAMES))
    for i, obj in enumerate(plan.objects):
        with strict():
            kept = kept_in_view(track, i)
        if not kept:
            plan.warnings.append(f"the {obj.description} is out of view or hidden for much of the clip; "
                                 "the caption leaves it out")


def framing_for(coverage: float, preferred: str) -> str:
    """The framing whose coverage band holds ``coverage``: the preferred one if it does, else the nearest."""
    if coverage in vocab.FRAMINGS_BY_NAME[preferred].coverage:
        return preferred

    def distance(framing: vocab.Framing) -> float:
        band = framing.coverage
        return 0.0 if coverage in band else min(abs(coverage - band.low), abs(coverage - band.high))

    return min(vocab.FRAMINGS, key=distance).name
