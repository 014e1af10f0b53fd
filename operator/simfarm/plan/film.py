"""A film: a story or a shot list → one RequestPlan of shots that agree with each other.

Each shot is planned like a variant — rewritten, combined, laid out and
captioned as a ScenePlan of its own clip — and the film adds what holds
across cuts:

1. **shots**: ``spec.shots`` as given, or the story read shot by shot
   (``rewriter.story``: sentence by sentence, or the llm's shot list);
2. **entities** (``entities.Cast``): "a red car", "the car" and "it" are
   one entity, resolved once per film; every shot's object takes the
   entity's words, colour, material and size, and retrieval runs once per
   entity per variant, so every shot renders the same asset;
3. **sets**: background and floor carry over until a shot names new ones
   (a new place starts a new set; a new floor alone too); shots of one set
   share the retrieved HDRI and floor material, the floor's texture
   placement and the look (post-processing) unless a shot names effects;
4. **continuity** (``continuity``): an entity starts a shot where the set
   last saw it (a moving one where its shot left it) and stays on what it
   stood on; the camera keeps to one side of the line of action between
   consecutive shots of the same subject unless the shot asks to cross it.

Variants re-seed every free choice (assets among good matches, camera
bearings, framings, moves the story leaves open) and keep the story.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING


from ..errors import InputError
from ..rewriter import parser
from ..rewriter.llm import LLMConfig, LLMError
from ..rewriter.prompt import check_prompt
from ..rewriter.story import StoryShot, ask_story, cross_line, split_story
from .captions import describe
from .combiner import combine_variant, effects_the_passes_exclude, engine_warnings, variant_seed
from .continuity import WIDER_AXIS_MARGIN, ActionLine, Continuity, Held, action_line, camera_position, end_states
from .draft import MAX_OBJECTS, DraftObject, SceneDraft
from .entities import Cast
from .layout import lay_out
from .models import (MAX_FRAMES, MAX_PROMPT_CHARS, MAX_SHOTS, MAX_STORY_CHARS, Entity, Film, FilmShot, ObjectScale,
                     RenderSettings, RequestPlan, SceneObject, ScenePlan)
from .shots import ShotRequest
from . import vocabulary as vocab

if TYPE_CHECKING:
    from .planner import Planner

ON_THE_LINE = 1e-6  # metres


@dataclass
class _Shot:
    """A shot as read: what every variant of it shares."""

    index: int
    request: ShotRequest
    draft: SceneDraft
    entities: list[str]
    set: int
    cross_axis: bool
    frames: int
    first_frame: int = 0


def shot_seed(seed: int, variant: int, shot: int) -> int:
    """Stable seed of one shot of one variant."""
    digest = hashlib.sha256(f"simfarm-shot:{seed}:{variant}:{shot}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def story_requests(planner: "Planner", story: str, backend: str, llm: LLMConfig | None,
                   warnings: list[str]) -> list[ShotRequest]:
    """The story's shots: the llm's shot list with ``backend`` llm (rules when it fails), else sentences."""
    check_prompt(story, "story", MAX_STORY_CHARS)
    shots: list[StoryShot] | None = None
    if backend == "llm":
        try:
            shots = ask_story(llm or planner.llm.config, story)
        except LLMError as error:
            warnings.append(f"llm story reader failed ({error}); split the story sentence by sentence")
    shots = shots or split_story(story)
    return [ShotRequest(prompt=shot.text, mentions=shot.mentions) for shot in shots]


def plan_film(planner: "Planner", requests: Sequence[ShotRequest], *, story: str = "", variants: int = 1,
              seed: int = 0, settings: RenderSettings | None = None, frames_per_shard: int = 0,
              rewriter: str = "rules", llm: LLMConfig | None = None, licenses: Sequence[str] = (),
              catalogs: Sequence[str] | None = None, warnings: Sequence[str] = (),
              ) -> tuple[RequestPlan, dict[str, float], str]:
    """The film's plan, seconds per planning stage, and the rewriter that read it (rules if any shot fell back)."""
    if not 1 <= len(requests) <= MAX_SHOTS:
        raise InputError(f"a film has 1 to {MAX_SHOTS} shots, got {len(requests)}")
    settings = settings or RenderSettings()
    warnings = list(warnings)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    shots, cast_entities, backends = _read(planner, requests, settings, rewriter, llm, warnings)
    timings["rewrite"] = time.perf_counter() - started

    started = time.perf_counter()
    total = sum(shot.frames for shot in shots)
    if total > MAX_FRAMES:
        raise InputError(f"the shots add up to {total} frames; a film has at most {MAX_FRAMES}")
    film_settings = settings.model_copy(update={"frames": total})
    scenes = []
    for variant in range(variants):
        own = [_combine(shot, variant, seed, settings, planner, warnings) for shot in shots]
        _share_sets(own, shots)
        scenes += own
    film = Film(story=story, entities=cast_entities,
                shots=[FilmShot(index=shot.index, prompt=shot.request.prompt, frames=shot.frames,
                                first_frame=shot.first_frame, last_frame=shot.first_frame + shot.frames - 1,
                                entities=shot.entities, set=shot.set, cross_axis=shot.cross_axis) for shot in shots])
    plan = RequestPlan(prompt=_label(shots), seed=seed, rewriter="llm" if set(backends) == {"llm"} else "rules",
                       settings=film_settings, frames_per_shard=frames_per_shard, licenses=list(licenses),
                       catalogs=None if catalogs is None else list(catalogs), film=film, variants=scenes,
                       warnings=warnings)
    timings["combine"] = time.perf_counter() - started

    if planner.resolver is not None:
        started = time.perf_counter()
        _retrieve(plan, shots, planner.resolver)
        timings["retrieve"] = time.perf_counter() - started
    started = time.perf_counter()
    for variant in range(variants):
        _lay_out_variant(plan, shots, variant)
    timings["layout"] = time.perf_counter() - started
    for shot, scene in zip(shots * variants, plan.variants):
        scene.caption, scene.claims = describe(scene, plan.clip_settings(scene), shot.draft)
    return RequestPlan.model_validate(plan.model_dump()), timings, plan.rewriter


def _label(shots: list[_Shot]) -> str:
    text = " ".join(shot.request.prompt for shot in shots)
    return text if len(text) <= MAX_PROMPT_CHARS else text[:MAX_PROMPT_CHARS - 1].rstrip() + "…"


# ---------------------------------------------------------------- reading


def _read(planner: "Planner", requests: Sequence[ShotRequest], settings: RenderSettings, backend: str,
          llm: LLMConfig | None, warnings: list[str]) -> tuple[list[_Shot], list[Entity], list[str]]:
    """Every shot rewritten with its entities resolved and its set decided, the film's entities, and the
    rewriter that read each shot."""
    cast = Cast()
    nlp = parser.load()
    shots, backends, drafts = [], [], []
    first_frame = 1
    for index, request in enumerate(requests):
        words, crossing = cross_line(check_prompt(request.prompt, f"shot {index + 1}"))
        words = cast.replace_pronouns(words, nlp(words), request.mentions)
        rewritten = planner.rewrite(words, backend, llm)
        backends.append(rewritten.backend)
        warnings += [f"shot {index + 1}: {w}" for w in rewritten.warnings]
        draft = rewritten.draft.model_copy(deep=True)
        if request.camera:
            draft.camera_animation = request.camera
        if request.framing:
            draft.framing = request.framing
        entities = cast.cast_shot(index, words, draft, rewritten.found_objects, request.mentions)
        frames = request.frames or settings.frames
        shots.append(_Shot(index, request, draft, entities, 0, crossing or request.cross_axis, frames, first_frame))
        drafts.append(draft)
        first_frame += frames
    _decide_sets(shots)
    _keep_supports(shots, cast)
    film_entities = cast.finish(drafts)
    return shots, film_entities, backends


def _decide_sets(shots: list[_Shot]) -> None:
    """Background and floor carry over until a shot names others; a new place resets the floor too."""
    background = floor = None
    number = -1
    for shot in shots:
        named_background, named_floor = shot.draft.background, shot.draft.floor
        if number < 0 or (named_background and named_background != background):
            background, floor, number = named_background, named_floor, number + 1
        elif named_floor and named_floor != floor:
            floor, number = named_floor, number + 1
        shot.draft.background, shot.draft.floor, shot.set = background, floor, number


def _keep_supports(shots: list[_Shot], cast: Cast) -> None:
    """What stood on something when the set last saw it stands on it again if the shot says nothing else of it
    (a loop this makes with what the shot says, the combiner breaks); the support comes back with it where the
    shot does not name it ("A man sits on a bench. A woman walks past him.": he is still on the bench)."""
    stood_on: dict[tuple[int, str], tuple[str, DraftObject] | None] = {}
    for shot in shots:
        objects = shot.draft.objects
        for obj, entity in list(zip(objects, shot.entities)):
            kept = stood_on.get((shot.set, entity))
            if kept is None or kept[0] == entity or obj.on_top_of is not None or obj.relation is not None \
                    or obj.movement is not None:
                continue
            support, seen_as = kept
            if support not in shot.entities:
                if len(objects) >= MAX_OBJECTS:
                    continue
                objects.append(seen_as.model_copy(deep=True, update={
                    "on_top_of": None, "relation": None, "movement": None, "camera_follow": False}))
                shot.entities.append(support)  # the cast's own list for this shot
                cast.appears(support, shot.index)
            obj.on_top_of = shot.entities.index(support)
        for obj, entity in zip(objects, shot.entities):
            below = obj.on_top_of
            stood_on[shot.set, entity] = (shot.entities[below], objects[below]) if below is not None else None


# ---------------------------------------------------------------- combining and retrieval


def _combine(shot: _Shot, variant: int, seed: int, settings: RenderSettings, planner: "Planner",
             warnings: list[str]) -> ScenePlan:
    scene = combine_variant(shot.draft, variant, shot_seed(seed, variant, shot.index), planner.options,
                            effects_the_passes_exclude(shot.draft, settings))
    scene.shot = shot.index
    warnings += [f"shot {shot.index + 1}: {w}" for w in engine_warnings(shot.draft, settings.engine)
                 if f"shot {shot.index + 1}: {w}" not in warnings]
    return scene


def _share_sets(scenes: list[ScenePlan], shots: list[_Shot]) -> None:
    """Shots of one set share the floor's texture placement; every shot keeps the first shot's look unless
    it names effects of its own."""
    first_of_set: dict[int, ScenePlan] = {}
    for shot, scene in zip(shots, scenes):
        base = first_of_set.setdefault(shot.set, scene)
        scene.stage = base.stage.model_copy(deep=True)
        if not any(level is not None for _, level in shot.draft.effects):
            scene.postprocessing = scenes[0].postprocessing.model_copy(deep=True)


def _retrieve(plan: RequestPlan, shots: list[_Shot], resolver) -> None:
    """One retrieval per entity and per set for each variant; every shot takes what was chosen."""
    entities = plan.film.entities
    sets = sorted({shot.set for shot in shots})
    first_of_set = {number: next(shot.index for shot in shots if shot.set == number) for number in sets}
    casting = []
    poses = _cast_poses(shots)
    for variant in range(plan.variant_count):
        scenes = plan.scenes_of(variant)
        for number in sets:
            base = scenes[first_of_set[number]]
            objects = [SceneObject(name=e.name, description=e.description, color=e.color, material=e.material,
                                   placement=0, scale=ObjectScale(factor=vocab.SCALES_BY_NAME[e.scale].factor,
                                                                  name=e.scale), pose=poses.get(e.id))
                       for e in entities]
            seed = variant_seed(plan.seed, variant) if number == sets[0] else base.seed
            casting.append(base.model_copy(deep=True, update={"objects": objects, "shot": None, "seed": seed,
                                                              "warnings": []}))
    chosen = resolver(plan.model_copy(update={"film": None, "variants": casting}))
    by_id = {entity.id: position for position, entity in enumerate(entities)}
    for variant in range(plan.variant_count):
        picks = chosen.variants[variant * len(sets):(variant + 1) * len(sets)]
        for shot, scene in zip(shots, plan.scenes_of(variant)):
            pick = picks[sets.index(shot.set)]
            for entity, obj in zip(shot.entities, scene.objects):
                cast = picks[0].objects[by_id[entity]]
                obj.asset = cast.asset.model_copy(deep=True)
                # The words, colour and finish the chosen model shows ("a ginger cat" drawn as a Siamese cat
                # is "a cat"), as retrieval left them.
                obj.description, obj.color, obj.material = cast.description, cast.color, cast.material
            scene.background = pick.background.model_copy(deep=True)
            scene.stage.material = pick.stage.material.model_copy(deep=True)
        for pick in picks:
            plan.warnings += [w for w in pick.warnings if w not in plan.warnings]


def _cast_poses(shots: list[_Shot]) -> dict[str, str]:
    """The pose each entity's one model is chosen in: the pose its shots give it ("A man sits on a bench"), where
    they give one and only one and never move it (a seated model cannot walk away)."""
    asked: dict[str, set[str | None]] = {}
    moving: set[str] = set()
    for shot in shots:
        for entity, obj in zip(shot.entities, shot.draft.objects):
            asked.setdefault(entity, set()).add(obj.pose)
            if obj.movement is not None:
                moving.add(entity)
    return {entity: next(iter(poses - {None})) for entity, poses in asked.items()
            if len(poses - {None}) == 1 and entity not in moving}


# ---------------------------------------------------------------- layout with continuity


def _lay_out_variant(plan: RequestPlan, shots: list[_Shot], variant: int) -> None:
    """Lay the shots of one variant out in order, each continuing the one before."""
    seen: dict[tuple[int, str], tuple[Held, bool]] = {}  # (set, entity) -> last state, and whether it stood on something
    previous: tuple[_Shot, ScenePlan] | None = None  # the shot before, and its scene
    offset = variant * len(shots)
    for shot in shots:
        scene = plan.variants[offset + shot.index]
        clip = plan.clip_settings(scene)
        held = {i: seen[shot.set, entity][0] for i, entity in enumerate(shot.entities)
                if (shot.set, entity) in seen and not seen[shot.set, entity][1]}
        axis = _axis(previous, shot, scene, plan) if previous and previous[0].set == shot.set else None
        drawn = scene.model_copy(deep=True)
        lay_out(scene, shot.draft, clip, Continuity(held, axis[0].yaw_range(axis[1]) if axis else None))
        if axis and not _on_side(axis, scene, clip):
            scene = drawn
            lay_out(scene, shot.draft, clip, Continuity(held, axis[0].yaw_range(axis[1], WIDER_AXIS_MARGIN)))
            plan.variants[offset + shot.index] = scene
            if not _on_side(axis, scene, clip):
                scene.warnings.append("the camera could not keep to its side of the line of action at the cut "
                                      f"into shot {shot.index + 1}")
        for entity, obj, state in zip(shot.entities, scene.objects, end_states(scene, clip)):
            seen[shot.set, entity] = (state, obj.on_top_of is not None)
        previous = (shot, scene)


def _axis(previous: tuple[_Shot, ScenePlan], shot: _Shot, scene: ScenePlan,
          plan: RequestPlan) -> tuple[ActionLine, float] | None:
    """The previous shot's line of action and the side this shot's camera must take, when both shots are
    of the same subject (this shot's followed object, else its first)."""
    before, before_scene = previous
    followed = [i for i, obj in enumerate(scene.objects) if obj.camera_follow]
    subject = shot.entities[followed[0] if followed else 0]
    if subject not in before.entities:
        return None
    partner = next((e for e in shot.entities if e != subject and e in before.entities), None)
    clip = plan.clip_settings(before_scene)
    line = action_line(before_scene, clip, before.entities.index(subject),
                       before.entities.index(partner) if partner else None, clip.frames)
    side = line.side(camera_position(before_scene, clip, clip.frames))
    if abs(side) < ON_THE_LINE:  # the camera looked straight along the line: either side continues it
        return None
    return line, -side if shot.cross_axis else side


def _on_side(axis: tuple[ActionLine, float], scene: ScenePlan, clip: RenderSettings) -> bool:
    line, wanted = axis
    return line.side(camera_position(scene, clip, 1)) * wanted > 0
