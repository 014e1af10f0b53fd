"""Combiner: one SceneDraft → N ScenePlans, each drawn from its own seed.

What the prompt fixed is copied; what it left open is drawn from the
variant's seed, so variants differ only where the prompt allows. The
ancestor's modes (object movement, stacking, camera follow, random mix) are
options that only ever fill what the prompt left open. Captions are written
later, once retrieval has chosen the assets they must describe.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..errors import InputError
from . import geometry
from . import vocabulary as vocab
from .draft import DraftObject, SceneDraft
from .entities import PEOPLE
from .models import (
    AmbientOcclusion, Animation, Background, Bloom, Framing, MotionBlur, Movement, ObjectScale,
    Orientation, Postprocessing, Reflections, RenderSettings, RigKeyframe, ScenePlan, SceneObject, Stage,
    StageMaterial,
)

if TYPE_CHECKING:
    from .continuity import YawRange

DEFAULT_PITCH = vocab.Range(5, 40)
# What a person on a support does when the prompt does not say (``_resting_pose``).
RESTING_POSES = {**{seat: "sitting" for seat in "chair armchair stool bench sofa couch seat swing saddle throne".split()},
                 **{bed: "lying" for bed in "bed mattress hammock".split()}}
GROUND_DIRECTIONS = (vocab.Direction.left, vocab.Direction.right, vocab.Direction.forward, vocab.Direction.backward)
# "drives past", "moves": the prompt fixed motion but not its way; sideways reads best on camera.
OPEN_DIRECTIONS = (vocab.Direction.left, vocab.Direction.right)
PLACEMENT_ATTEMPTS = 25
UNSAID_SCALE = "medium"  # life size: a size the prompt did not ask for is not made up
OPEN_EFFECT_WEIGHTS = {vocab.Level.none: 4, vocab.Level.low: 3, vocab.Level.medium: 2, vocab.Level.high: 1}
RELATION_MARGIN = 0.6  # in grid cells: "left of" must be clearly left in the picture
RELATION_SPREAD = 1.2  # and not far in front or behind (in front: not far to a side), where perspective deceives
NEXT_TO_DEPTH = 0.5  # grid cells: "next to" is beside, not in front or behind
NEXT_TO_SIDE = vocab.Range(0.5, 1.6)


@dataclass(frozen=True)
class CombineOptions:
    """The ancestor's modes; each only fills what the prompt left open."""

    movement: Literal["prompt", "all", "random"] = "prompt"
    stacking: bool = False
    camera_follow: bool = False
    mix: bool = False  # per variant, a coin decides each of the three modes


def variant_seed(seed: int, index: int) -> int:
    """Stable per-variant seed: independent of Python's hash salt and of the variant count."""
    digest = hashlib.sha256(f"simfarm-variant:{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def combine(draft: SceneDraft, *, variants: int, seed: int, options: CombineOptions = CombineOptions(),
            without: frozenset[str] = frozenset()) -> list[ScenePlan]:
    """``without``: effects left at none where the prompt says nothing of them (flow needs no motion blur)."""
    return [combine_variant(draft, index, variant_seed(seed, index), options, without) for index in range(variants)]


def combine_variant(draft: SceneDraft, index: int, seed: int, options: CombineOptions,
                    without: frozenset[str] = frozenset()) -> ScenePlan:
    rng = random.Random(seed)
    modes = _modes_for_variant(options, rng)
    yaw = rng.randrange(0, 360)
    pitch = _draw(rng, vocab.PITCH_BANDS[draft.camera_angle] if draft.camera_angle else DEFAULT_PITCH, 0)
    supports = _supports(draft, rng, stacking=modes.stacking)
    placements, warnings = _placements(draft, supports, yaw, rng)
    scales = _scales(draft)
    objects = [
        _scene_object(obj, placements[i], supports[i], scales[i], rng, moving_mode=modes.movement,
                      pose=obj.pose or _resting_pose(obj, None if supports[i] is None else draft.objects[supports[i]]))
        for i, obj in enumerate(draft.objects)
    ]
    if modes.camera_follow and not any(o.camera_follow for o in objects):
        moving = [o for o in objects if o.movement is not None]
        if moving:
            rng.choice(moving).camera_follow = True
    return ScenePlan(
        index=index,
        seed=seed,
        objects=objects,
        background=Background(query=draft.background or ""),
        stage=Stage(
            material=StageMaterial(query=draft.floor or ""),
            uv_scale=(_draw(rng, vocab.Range(0.8, 1.2)), _draw(rng, vocab.Range(0.8, 1.2))),
            uv_rotation=_draw(rng, vocab.Range(0, 360), 1),
        ),
        orientation=Orientation(yaw=yaw, pitch=pitch),
        framing=_framing(draft, rng, group=len(objects) > 1 and not any(o.camera_follow for o in objects)),
        animation=_animation(draft, rng),
        postprocessing=_postprocessing(draft, rng, without),
        warnings=warnings,
    )


def _modes_for_variant(options: CombineOptions, rng: random.Random) -> CombineOptions:
    if not options.mix:
        return options
    return CombineOptions(
        movement="all" if rng.random() < 0.5 else "prompt",
        stacking=rng.random() < 0.5,
        camera_follow=rng.random() < 0.5,
    )


def _draw(rng: random.Random, band: vocab.Range, digits: int = 3) -> float:
    """A value inside a half-open band, rounded so that plans serialise identically."""
    step = 10.0 ** -digits
    value = round(rng.uniform(band.low, band.high), digits)
    return min(value, round(band.high - step, digits)) if band.high - band.low > step else round(band.low, digits)


def _supports(draft: SceneDraft, rng: random.Random, *, stacking: bool) -> list[int | None]:
    """What each object stands on. Several objects on one support stand side by side on it where they fit (the
    layout decides, from their real sizes: ``layout.share_tops``)."""
    supports: list[int | None] = [o.on_top_of for o in draft.objects]
    _break_cycles(supports)
    pinned = {i for i, o in enumerate(draft.objects) if o.relation or o.on_top_of is not None or o.movement}
    carrying = {support for support in supports if support is not None}
    free = [i for i in range(len(supports)) if supports[i] is None and i not in pinned and i not in carrying]
    if stacking and len(free) >= 2:
        top, base = rng.sample(free, 2)
        supports[top] = base
    return supports


def _break_cycles(supports: list[int | None]) -> None:
    """A draft may say "A on B" and "B on A"; the object that closes a loop stands on the floor."""
    for start in range(len(supports)):
        seen, current = {start}, supports[start]
        while current is not None:
            if current in seen:
                supports[start] = None
                break
            seen.add(current)
            current = supports[current]


def _ground_of(i: int, supports: list[int | None]) -> int:
    while supports[i] is not None:
        i = supports[i]
    return i


def _scales(draft: SceneDraft) -> list[vocab.Scale]:
    """The prompt's size words; life size where it says none."""
    return [vocab.SCALES_BY_NAME[obj.scale or UNSAID_SCALE] for obj in draft.objects]


def draw_arrangement(draft: SceneDraft, supports: list[int | None], rng: random.Random,
                     yaws: YawRange | None = None) -> tuple[int, list[int]]:
    """A fresh camera bearing (inside ``yaws`` when given) and grid cells for the layout step to try when
    the first ones fail."""
    yaw = yaws.draw(rng) if yaws else rng.randrange(0, 360)
    cells, _ = _placements(draft, supports, yaw, rng)
    return yaw, cells


def _placements(draft: SceneDraft, supports: list[int | None], yaw: float, rng: random.Random) -> tuple[list[int], list[str]]:
    """Grid cells for every object; retries draws until every relation holds, else says which failed."""
    ground = [i for i in range(len(supports)) if supports[i] is None]
    if len(ground) > len(vocab.PLACEMENTS):
        raise InputError(
            f"the prompt puts {len(ground)} objects on the floor; at most {len(vocab.PLACEMENTS)} fit on the "
            "3×3 grid (stack some: 'a cup on a box')"
        )
    for _ in range(PLACEMENT_ATTEMPTS):
        cells, warnings = _try_placements(draft, ground, supports, yaw, rng)
        if not warnings:
            break
    return [cells[_ground_of(i, supports)] for i in range(len(supports))], warnings


def _try_placements(draft: SceneDraft, ground: list[int], supports: list[int | None], yaw: float,
                    rng: random.Random) -> tuple[dict[int, int], list[str]]:
    cells: dict[int, int] = {}
    warnings: list[str] = []
    # Objects with a relation go after the object they are placed against.
    order = sorted(ground, key=lambda i: draft.objects[i].relation is not None)
    for i in order:
        relation = draft.objects[i].relation
        free = [p for p in vocab.PLACEMENTS if p not in cells.values()]
        candidates = free
        if relation is not None:
            target_cell = cells.get(_ground_of(relation.target, supports))
            if target_cell is not None:
                candidates = [p for p in free if _satisfies(relation.kind, p, target_cell, yaw)]
                if not candidates and relation.kind == "next_to":  # the sides are taken: "three chairs around
                    candidates = [p for p in free if _adjacent(p, target_cell)]  # a table", one in front
            if not candidates:
                warnings.append(
                    f"could not place {draft.objects[i].description} {relation.kind.replace('_', ' ')} "
                    f"{draft.objects[relation.target].description}: no free cell fits"
                )
                candidates = free
        cells[i] = rng.choice(candidates)
    return cells, warnings


def _satisfies(kind: str, cell: int, target: int, yaw: float) -> bool:
    side, depth = geometry.view_coordinates(*geometry.grid_position(cell, 1.0), yaw)
    target_side, target_depth = geometry.view_coordinates(*geometry.grid_position(target, 1.0), yaw)
    beside, level = abs(depth - target_depth) <= RELATION_SPREAD, abs(side - target_side) <= RELATION_SPREAD
    if kind == "left_of":
        return side < target_side - RELATION_MARGIN and beside
    if kind == "right_of":
        return side > target_side + RELATION_MARGIN and beside
    if kind == "in_front_of":
        return depth < target_depth - RELATION_MARGIN and level
    if kind == "behind":
        return depth > target_depth + RELATION_MARGIN and level
    # next_to: side by side as the camera sees them, one cell apart
    return abs(depth - target_depth) <= NEXT_TO_DEPTH and NEXT_TO_SIDE.low <= abs(side - target_side) < NEXT_TO_SIDE.high


def _adjacent(cell: int, other: int) -> bool:
    """Neighbouring cells of the grid, sideways, in depth or diagonally."""
    (row, column), (other_row, other_column) = geometry.grid_cell(cell), geometry.grid_cell(other)
    return max(abs(row - other_row), abs(column - other_column)) == 1


def _resting_pose(obj: DraftObject, support: DraftObject | None) -> str | None:
    """The pose of a person on a support the prompt gives no pose: one sits on a seat and lies on a bed ("a kid
    on a swing" is no child standing on the swing's seat)."""
    if support is None or obj.name not in PEOPLE:
        return None
    return RESTING_POSES.get(support.name)


def _scene_object(obj: DraftObject, placement: int, support: int | None, scale: vocab.Scale, rng: random.Random,
                  *, moving_mode: str, pose: str | None) -> SceneObject:
    return SceneObject(
        name=obj.name,
        description=obj.description,
        color=obj.color,
        material=obj.material,
        placement=placement,
        scale=ObjectScale(factor=scale.factor, name=scale.name),
        movement=_movement(obj, support, rng, moving_mode),
        camera_follow=obj.camera_follow,
        on_top_of=support,
        pose=pose,
    )


def _movement(obj: DraftObject, support: int | None, rng: random.Random, mode: str) -> Movement | None:
    wanted = obj.movement
    if wanted is None:
        open_to_move = support is None and (mode == "all" or (mode == "random" and rng.random() < 0.5))
        if not open_to_move:
            return None
    if wanted and wanted.direction:
        direction = wanted.direction
    else:
        direction = rng.choice(OPEN_DIRECTIONS if wanted else GROUND_DIRECTIONS)
    band = vocab.SPEEDS_BY_NAME[wanted.speed] if wanted and wanted.speed else rng.choice(vocab.MOVEMENT_SPEEDS)
    return Movement(direction=direction, speed=_draw(rng, band.speed))


def _framing(draft: SceneDraft, rng: random.Random, group: bool) -> Framing:
    """The prompt's framing, else one drawn at random; ``group``: the shot is about several objects
    (none followed), so no close-up is drawn for it (one asked for is kept)."""
    if draft.framing:
        framing = vocab.FRAMINGS_BY_NAME[draft.framing]
    else:
        framing = rng.choice([f for f in vocab.FRAMINGS if f.suits_group] if group else vocab.FRAMINGS)
    return Framing(name=framing.name, fov=_draw(rng, framing.fov, 1), coverage_factor=_draw(rng, framing.coverage, 2))


def _animation(draft: SceneDraft, rng: random.Random) -> Animation:
    animation = vocab.ANIMATIONS_BY_NAME[draft.camera_animation] if draft.camera_animation else rng.choice(vocab.CAMERA_ANIMATIONS)
    speeds = vocab.ANIMATION_SPEEDS
    band = speeds[draft.animation_speed] if draft.animation_speed else vocab.Range(speeds["slow"].low, speeds["faster"].high)
    keyframes = [
        RigKeyframe(part=key.part, position=key.position, rotation=key.rotation, fov_offset=key.fov_offset)
        for key in animation.keyframes
    ]
    return Animation(name=animation.name, keyframes=keyframes, speed_factor=_draw(rng, band, 2))


def engine_warnings(draft: SceneDraft, engine: str) -> list[str]:
    """What the prompt asked for that the engine cannot show. The plan keeps it (another engine may
    render the same plan); the caption and the worker leave it out."""
    return [f"{effect.phrase} is not rendered by {engine}; use --engine EEVEE or CYCLES for it"
            for name, effect in vocab.EFFECTS.items()
            if name not in vocab.ENGINE_EFFECTS[engine] and getattr(draft.effects, name) not in (None, vocab.Level.none)]


def effects_the_passes_exclude(draft: SceneDraft, settings: RenderSettings) -> frozenset[str]:
    """Blender makes no motion vectors under motion blur: a flow pass rules motion blur out."""
    if "flow" not in settings.passes:
        return frozenset()
    if draft.effects.motionblur not in (None, vocab.Level.none):
        raise InputError("the prompt asks for motion blur, which Blender cannot render with the flow pass; "
                         "drop one of them")
    return frozenset({"motionblur"})


def _postprocessing(draft: SceneDraft, rng: random.Random, without: frozenset[str]) -> Postprocessing:
    levels = {}
    for name in vocab.EFFECTS:
        fixed = getattr(draft.effects, name)
        drawn = rng.choices(list(OPEN_EFFECT_WEIGHTS), weights=list(OPEN_EFFECT_WEIGHTS.values()))[0]
        levels[name] = fixed or (vocab.Level.none if name in without else drawn)

    def strength(name: str) -> float:
        return _draw(rng, vocab.EFFECTS[name].bands[levels[name]])

    return Postprocessing(
        bloom=Bloom(level=levels["bloom"], intensity=strength("bloom"), threshold=_draw(rng, vocab.Range(0.7, 1.0)),
                    radius=_draw(rng, vocab.Range(1.0, 10.0), 2)),
        ssao=AmbientOcclusion(level=levels["ssao"], factor=strength("ssao"), distance=_draw(rng, vocab.Range(0.02, 1.2))),
        ssrr=Reflections(level=levels["ssrr"], max_roughness=strength("ssrr"), thickness=_draw(rng, vocab.Range(0.05, 5.0))),
        motionblur=MotionBlur(level=levels["motionblur"], shutter_speed=strength("motionblur")),
    )
