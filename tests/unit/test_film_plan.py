"""Films: stories split into shots, entities resolved across shots, sets, held objects and the 180° rule.

Continuity is checked against the geometry of the plan's own camera paths (``plan.camera_path``), with the
test's own arithmetic for sides and positions, never with the film planner's continuity code.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simfarm.errors import InputError
from simfarm.plan.camera_path import camera_path
from simfarm.plan.models import RenderSettings, RequestPlan, ScenePlan
from simfarm.plan.planner import Planner
from simfarm.plan.shots import ShotRequest
from simfarm.rewriter.story import cross_line, split_story

TINY = RenderSettings(width=64, height=36, fps=8, frames=8, engine="WORKBENCH")
STORIES = [
    "A red car drives along a road at sunset. The car stops next to a wooden cabin. It drives away, slow orbit.",
    "A man walks his dog in a park. He throws a ball. The dog runs after it.",
    "Two brown dogs sit on a rug. The dogs stand up. They run to the left.",
    "A ginger cat sleeps on a sofa. Slow orbit. The cat jumps down, close-up.",
    "A small robot rolls forward. The robot stops next to a tall tree. Seen from the other side, it waits.",
    "A wooden chair stands in a kitchen. The chair is now in a forest. A crow sits on the chair.",
    "A blue bicycle leans against a lamp post. The bicycle rolls to the right. It passes a green bench, wide shot.",
]


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner()


@pytest.fixture(scope="module")
def films(planner) -> dict[str, RequestPlan]:
    return {story: planner.plan_film(story=story, settings=TINY, variants=2, seed=3).plan for story in STORIES}


# ---------------------------------------------------------------- reading a story


def test_story_splits_sentence_by_sentence_and_line_by_line():
    shots = split_story("Shot 1: A dog sleeps. It wakes up!\n\n2. The dog runs to the left, slow pan?\nThe end")
    assert [shot.text for shot in shots] == ["A dog sleeps.", "It wakes up!", "The dog runs to the left, slow pan?",
                                             "The end"]


def test_a_story_of_too_many_sentences_is_refused():
    with pytest.raises(InputError, match="51 shots; a film has at most 50"):
        split_story(" ".join(f"A cat number {i} sits." for i in range(51)))


@pytest.mark.parametrize("text,crosses", [
    ("Seen from the other side, the car waits.", True),
    ("A reverse angle of the dog", True),
    ("The camera crosses the line as the man turns", True),
    ("A car on the other side of the road", False),
    ("The dog runs to the left", False),
])
def test_a_shot_can_ask_to_cross_the_line(text, crosses):
    words, found = cross_line(text)
    assert found == crosses
    if crosses:
        assert "side" not in words.split() and "reverse" not in words and "line" not in words.split()
    else:
        assert words == text


# ---------------------------------------------------------------- entities


def entity_names(plan: RequestPlan) -> list[list[str]]:
    """Per shot, the description of each object's entity."""
    by_id = {e.id: e.description for e in plan.film.entities}
    return [[by_id[e] for e in shot.entities] for shot in plan.film.shots]


def test_a_car_the_car_and_it_are_one_entity(films):
    plan = films[STORIES[0]]
    assert entity_names(plan) == [["red car"], ["red car", "wooden cabin"], ["red car"]]
    (car,) = [e for e in plan.film.entities if e.name == "car"]
    assert car.shots == [0, 1, 2] and car.color == "red"
    assert [scene.objects[0].description for scene in plan.scenes_of(0)] == ["red car"] * 3


def test_he_is_the_man_and_copies_stay_a_group(films):
    assert entity_names(films[STORIES[1]]) == [["man", "dog"], ["man", "ball"], ["dog"]]
    dogs = entity_names(films[STORIES[2]])
    assert dogs == [["brown dog"] * 2] * 3  # "the dogs" and "they" are the same two dogs
    assert len(films[STORIES[2]].film.entities) == 2


def test_a_pronoun_after_a_shots_own_nouns_means_someone_seen_when_none_of_them_can_be_meant(planner):
    """"A woman walks past him" shows the man of the shot before (the shot had shown the woman alone); "it" in
    "picks up a ball and throws it" is that ball, and "them" after "two kids" would be the kids."""
    story = ("A man sits on a bench in a park. A woman walks past him. Two kids play with a ball. "
             "A dog runs towards them. A girl picks up a stick and throws it.")
    names = entity_names(planner.plan_film(story=story, settings=TINY, seed=3).plan)
    assert names[1] == ["woman", "man", "bench"]  # he is still on the bench he sat on
    assert sorted(names[3]) == ["ball", "dog", "kid", "kid"]
    assert names[4] == ["girl", "stick"]


def test_a_shot_naming_nothing_shows_the_previous_cast(films):
    plan = films[STORIES[3]]
    assert entity_names(plan)[1] == entity_names(plan)[0] == ["ginger cat", "sofa"]


@pytest.mark.parametrize("story,separate", [
    ("A red car waits. A blue car drives past. The red car follows.", {"red car", "blue car"}),
    ("A dog sleeps. Another dog walks in. The dog barks.", {"dog"}),
])
def test_another_or_a_contradicting_colour_is_a_new_entity(planner, story, separate):
    plan = planner.plan_film(story=story, settings=TINY).plan
    assert len(plan.film.entities) == 2
    assert {e.description for e in plan.film.entities} == separate
    first = plan.film.shots[0].entities[0]
    assert first in plan.film.shots[2].entities  # "the red car" / "the dog" is the first one again


def test_later_words_enrich_every_shot(planner):
    plan = planner.plan_film(story="A car waits at a crossing. The red vintage car drives to the left.",
                             settings=TINY).plan
    assert [scene.objects[0].description for scene in plan.variants] == ["red vintage car"] * 2
    assert {scene.objects[0].color for scene in plan.variants} == {"red"}


def test_size_words_stay_with_the_entity(films):
    plan = films[STORIES[4]]
    robot = plan.film.entities[0]
    assert robot.scale == "small"
    for scene in plan.variants:
        assert {obj.scale.name for obj, e in zip(scene.objects, plan.film.shots[scene.shot].entities)
                if e == robot.id} == {"small"}


# ---------------------------------------------------------------- timeline, sets, variants


def test_shots_lie_end_to_end_and_the_film_is_their_sum(planner):
    shots = [ShotRequest("a red ball rolls to the left", frames=5), ShotRequest("the ball stops", frames=9),
             ShotRequest("close-up of the ball", frames=3, camera="zoom_in")]
    plan = planner.plan_film(shots, settings=TINY, variants=3).plan
    assert [(s.first_frame, s.last_frame) for s in plan.film.shots] == [(1, 5), (6, 14), (15, 17)]
    assert plan.settings.frames == 17 and plan.variant_count == 3 and len(plan.variants) == 9
    assert [plan.clip_settings(scene).frames for scene in plan.scenes_of(1)] == [5, 9, 3]
    assert plan.scenes_of(2)[2].animation.name == "zoom_in"
    assert [(scene.index, scene.shot) for scene in plan.variants] == [(v, s) for v in range(3) for s in range(3)]


def test_a_film_over_the_frame_limit_is_refused(planner):
    with pytest.raises(InputError, match="add up to 120000 frames"):
        planner.plan_film([ShotRequest("a cat", frames=60_000)] * 2, settings=TINY)


def test_the_set_carries_over_until_a_shot_names_a_new_place(films):
    plan = films[STORIES[5]]
    assert [shot.set for shot in plan.film.shots] == [0, 1, 1]
    kitchen, forest, again = plan.scenes_of(0)
    assert kitchen.background.query != forest.background.query == again.background.query
    assert forest.stage == again.stage  # same floor and texture placement in one set
    car = films[STORIES[0]]
    assert len({scene.background.query for scene in car.variants}) == 1
    assert len({scene.stage.model_dump_json() for scene in car.scenes_of(1)}) == 1


def test_variants_keep_the_story_and_reseed_the_rest(films):
    for plan in films.values():
        first, second = plan.scenes_of(0), plan.scenes_of(1)
        def cast(scenes):
            return [[o.description for o in s.objects] for s in scenes]
        assert cast(first) == cast(second)
        assert {s.seed for s in first}.isdisjoint({s.seed for s in second})
    bearings = {(s.orientation.yaw, s.framing.name) for plan in films.values() for s in plan.variants}
    assert len(bearings) > len(films) * 3


def test_same_story_and_seed_give_the_same_plan_bytes(planner):
    story = STORIES[6]
    plans = [planner.plan_film(story=story, settings=TINY, seed=11).plan.to_json() for _ in range(2)]
    assert plans[0] == plans[1]
    assert RequestPlan.model_validate_json(plans[0]).film.story == story


def test_every_shot_has_a_caption_backed_by_claims(films):
    for plan in films.values():
        for scene in plan.variants:
            assert scene.caption and scene.claims
            assert all(claim.last_frame <= plan.clip_settings(scene).frames for claim in scene.claims)


# ---------------------------------------------------------------- continuity, from the camera paths


def positions(scene: ScenePlan, settings: RenderSettings) -> np.ndarray:
    """(F, N, 3) every object's bottom centre at every frame of its clip."""
    path = camera_path(scene, settings.frames, settings.fps)
    start = np.array([obj.position for obj in scene.objects])
    return start[None] + path.object_offsets


def consecutive(plan: RequestPlan):
    """(shot, next shot, their scenes and clip settings) for every cut inside one set."""
    for variant in range(plan.variant_count):
        scenes = plan.scenes_of(variant)
        for before, after in zip(plan.film.shots, plan.film.shots[1:]):
            if before.set == after.set:
                yield (before, after, scenes[before.index], scenes[after.index],
                       plan.clip_settings(scenes[before.index]), plan.clip_settings(scenes[after.index]))


def test_an_entity_starts_a_shot_where_the_last_one_left_it(films):
    checked = moved = 0
    for plan in films.values():
        for before, after, scene_a, scene_b, clip_a, clip_b in consecutive(plan):
            ends, starts = positions(scene_a, clip_a)[-1], positions(scene_b, clip_b)[0]
            for entity in set(before.entities) & set(after.entities):
                i, j = before.entities.index(entity), after.entities.index(entity)
                if scene_a.objects[i].on_top_of is not None or scene_b.objects[j].on_top_of is not None:
                    continue
                assert np.allclose(ends[i], starts[j], atol=2e-3), (plan.film.story, after.index, entity)
                checked += 1
                moved += bool(np.linalg.norm(ends[i] - positions(scene_a, clip_a)[0][i]) > 0.05)
    assert checked >= 10 and moved >= 3  # moving ones among them


def test_new_objects_do_not_stand_inside_held_ones(films):
    for plan in films.values():
        for scene in plan.variants:
            ground = [o for o in scene.objects if o.on_top_of is None]
            for a in range(len(ground)):
                for b in range(a + 1, len(ground)):
                    apart = np.abs(np.array(ground[a].position[:2]) - np.array(ground[b].position[:2]))
                    reach = (np.array(ground[a].dimensions[:2]) + np.array(ground[b].dimensions[:2])) / 2
                    assert (apart >= reach * 0.5).any(), (plan.film.story, scene.shot)


def side(line_origin, line_direction, point) -> float:
    offset = np.asarray(point[:2]) - np.asarray(line_origin[:2])
    return float(line_direction[0] * offset[1] - line_direction[1] * offset[0])


def line_of_action(scene: ScenePlan, clip: RenderSettings, subject: int, partner: int | None):
    """Origin and direction of the line at the last frame: motion, else towards the partner (if it stands
    elsewhere: not under the subject), else facing."""
    where = positions(scene, clip)
    travel = where[-1, subject, :2] - where[0, subject, :2]
    if np.linalg.norm(travel) > 1e-6:
        return where[-1, subject], travel
    if partner is not None and np.linalg.norm(where[-1, partner, :2] - where[-1, subject, :2]) > 1e-6:
        return where[-1, subject], where[-1, partner, :2] - where[-1, subject, :2]
    turn = math.radians(scene.objects[subject].heading)
    return where[-1, subject], np.array((math.sin(turn), -math.cos(turn)))


def test_the_camera_keeps_its_side_of_the_line_between_shots_of_one_subject(films, planner):
    kept = crossed = 0
    plans = list(films.values()) + [planner.plan_film(story=story, settings=TINY, variants=3, seed=seed).plan
                                     for seed, story in enumerate(STORIES)]
    for plan in plans:
        for before, after, scene_a, scene_b, clip_a, clip_b in consecutive(plan):
            followed = [i for i, o in enumerate(scene_b.objects) if o.camera_follow]
            subject = after.entities[followed[0] if followed else 0]
            if subject not in before.entities:
                continue
            partner = next((e for e in after.entities if e != subject and e in before.entities), None)
            origin, direction = line_of_action(scene_a, clip_a, before.entities.index(subject),
                                               before.entities.index(partner) if partner else None)
            end_camera = camera_path(scene_a, clip_a.frames, clip_a.fps).camera_positions[-1]
            start_camera = camera_path(scene_b, clip_b.frames, clip_b.fps).camera_positions[0]
            sides = side(origin, direction, end_camera), side(origin, direction, start_camera)
            if abs(sides[0]) < 1e-6:  # the camera stood on the line (a subject coming straight at it): no side to keep
                continue
            if after.cross_axis:
                assert sides[0] * sides[1] < 0, (plan.film.story, after.index)
                crossed += 1
            else:
                assert sides[0] * sides[1] > 0, (plan.film.story, after.index, sides)
                kept += 1
    assert kept >= 20 and crossed >= 2
