"""Captions say only what the camera path shows, in grammatical English, and carry claims that hold.

Truth here is measured on the plan's own geometry (``visibility.track_from_plan``:
the boxes the worker is told to build, seen along the camera path). The same
claims are checked on the real Blender scene in tests/render.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from simfarm.plan import claims as truth
from simfarm.plan import vocabulary as vocab
from simfarm.plan.captions import DIRECTION_WORDS, SIZE_WORDS, describe
from simfarm.plan.layout import lay_out
from simfarm.plan.models import (
    Animation, CatalogRef, Framing, Movement, ObjectScale, Orientation, RenderSettings, RigKeyframe, ScenePlan,
    SceneObject,
)
from simfarm.plan.planner import Planner
from simfarm.plan.visibility import track_from_plan
from simfarm.plan.wording import article, counted, plural
from simfarm.retrieval import builtin

SETTINGS = RenderSettings(width=320, height=180, frames=48, fps=24, engine="CYCLES")
PROMPTS = [
    "a wooden chair next to a small table, the camera pans right",
    "a red cube to the left of a blue sphere, slow orbit",
    "three red cubes next to a lamp, wide shot, at sunset",
    "a dog runs to the left, the camera follows it",
    "a cup on a table beside a lamp, the camera tilts left",
    "a huge tree behind a tiny house, crane up",
    "two chairs and a sofa, dolly in, high angle",
    "a car drives to the right quickly while the camera pans left",
    "a snowman, a pumpkin and a barrel, zoom out, close-up",
    "a robot in front of a bookshelf, tilt down, low angle",
    "five cups on a table, extreme close-up, orbit right",
    "a boat and a lighthouse, static camera, extreme wide shot",
]


@pytest.fixture(scope="module")
def planner() -> Planner:
    """Plans without retrieval: assets stay unresolved, so every object is a 1 m box of the plan."""
    return Planner()


def _plans(planner, prompt, seed=5, variants=3, settings=SETTINGS):
    return planner.plan(prompt, variants=variants, seed=seed, settings=settings).plan.variants


@pytest.mark.parametrize("prompt", PROMPTS)
def test_every_claim_holds_on_the_plans_geometry(planner, prompt):
    for plan in _plans(planner, prompt):
        assert plan.claims, plan.caption
        checks = truth.check_all(plan.claims, track_from_plan(plan, SETTINGS), SETTINGS.fps)
        false = [f"{c.claim.kind} {c.claim.value}: {c.measured}" for c in checks if not c.holds]
        assert not false, f"{plan.caption}\n{false}"


@pytest.mark.parametrize("prompt", PROMPTS)
def test_sentences_are_grammatical(planner, prompt):
    for seed in (1, 2, 3):
        for plan in _plans(planner, prompt, seed=seed):
            text = plan.caption
            assert "  " not in text and " ." not in text and ",," not in text and ".." not in text
            assert not re.search(r"\b(a|an|the) (a|an|the)\b", text, re.IGNORECASE), text
            assert not re.search(r"\ba [aeiou]", text), text
            for sentence in re.split(r"(?<=\.) ", text):
                assert sentence[0].isupper() and sentence.endswith("."), sentence
            objects = plan.caption.split(". ")[0]
            named = sum(1 for i, _ in enumerate(plan.objects) if any(c.kind == "visible" and c.objects == [i]
                                                                    for c in plan.claims))
            if re.search(r"\b(is|are) in (view|the scene)\b", objects) or objects.startswith("In view"):
                assert (" are " in f" {objects} ") == (named > 1), (named, objects)


def _object(kind: str, placement: int, scale: str = "medium", **fields) -> SceneObject:
    return SceneObject(name=kind, description=fields.pop("description", kind), placement=placement,
                       asset=CatalogRef(uri=f"procedural://object/{kind}", size_m=builtin.real_size(kind)),
                       scale=ObjectScale(factor=vocab.SCALES_BY_NAME[scale].factor, name=scale), **fields)


def _scene(objects, *, yaw=0.0, pitch=20.0, animation="static", speed_factor=1.0, seed=1,
           framing=Framing(name="wide", fov=60, coverage_factor=2.5)) -> ScenePlan:
    keys = [RigKeyframe(part=k.part, position=k.position, rotation=k.rotation, fov_offset=k.fov_offset)
            for k in vocab.ANIMATIONS_BY_NAME[animation].keyframes]
    plan = ScenePlan(index=0, seed=seed, objects=objects, orientation=Orientation(yaw=yaw, pitch=pitch),
                     framing=framing.model_copy(), animation=Animation(name=animation, keyframes=keys,
                                                                       speed_factor=speed_factor))
    lay_out(plan, None, SETTINGS)
    plan.caption, plan.claims = describe(plan, SETTINGS)
    return plan


# Boxes of the library's people (metres: width, depth, height) and an upright one between the pose bands.
PERSON_BOXES = [((0.766, 1.01, 1.324), "sits on", "sitting"), ((0.559, 0.413, 1.85), "stands on", "standing"),
                ((0.723, 1.888, 0.31), "lies on", "lying"), ((0.8, 0.8, 1.7), "is on", None)]


@pytest.mark.parametrize("size, verb, pose", PERSON_BOXES)
def test_a_person_on_something_sits_lies_or_stands_as_their_box_shows(size, verb, pose):
    """For a thing "sits on" is a turn of phrase; for a person it says a pose, claimed and checked on the box."""
    man = SceneObject(name="man", description="man", placement=4, on_top_of=1, scale=ObjectScale(factor=1.0, name="medium"),
                      asset=CatalogRef(uri="library://sweethome3d/Reallusion.sh3f#model=people/man.obj", size_m=size))
    plan = _scene([man, _object("bench", 4)], pitch=15)
    assert f"The man {verb} the bench" in plan.caption, plan.caption
    claimed = [claim for claim in plan.claims if claim.kind == "pose"]
    assert [claim.value for claim in claimed] == ([pose] if pose else [])
    assert all(truth.check(claim, track_from_plan(plan, SETTINGS), SETTINGS.fps).holds for claim in claimed)


@pytest.mark.parametrize("scale", [s.name for s in vocab.SCALES])
def test_size_words_follow_the_scale_and_life_size_has_none(scale):
    text = _scene([_object("vase", 4, scale)]).caption
    words = {w for name, options in SIZE_WORDS.items() if name != scale for w in options if w}
    assert not any(re.search(rf"\b{re.escape(w)} vase", text) for w in words), text
    if scale == "medium":
        assert re.search(r"\b(a|A) vase\b", text), text
    else:
        assert any(f"{word} vase" in text for word in SIZE_WORDS[scale]), text


@pytest.mark.parametrize("yaw,expected", [(0, "The cat is to the left of the crate."),
                                          (180, "The crate is to the left of the cat.")])
def test_relations_follow_the_picture(yaw, expected):
    """Seen from the other side, the cat is on the right: the caption names neighbours left to right."""
    plan = _scene([_object("cat", 3), _object("crate", 5)], yaw=yaw)
    assert expected in plan.caption, plan.caption
    relation = next(c for c in plan.claims if c.kind == "relation")
    measured = truth.relation_per_frame(track_from_plan(plan, SETTINGS), *relation.objects, relation.value)
    assert measured.all()


def test_an_orbit_that_swaps_sides_is_told_with_its_time_or_not_at_all():
    plan = _scene([_object("cat", 3), _object("crate", 5)], animation="orbit_left", speed_factor=1.0)
    track = track_from_plan(plan, SETTINGS)
    for claim in (c for c in plan.claims if c.kind == "relation"):
        if claim.last_frame < SETTINGS.frames or claim.first_frame > 1:
            assert re.search(r"At first|as the camera circles|by the end", claim.sentence), claim.sentence
        assert truth.check(claim, track, SETTINGS.fps).holds


def test_motion_words_follow_the_screen_not_the_world():
    """A car driving right while the camera pans right faster is seen to move left, or not at all."""
    car = _object("car", 4, movement=Movement(direction="right", speed=0.2))
    for animation in ("static", "pan_right", "orbit_right"):
        plan = _scene([car.model_copy(deep=True), _object("tree", 0, "small")], animation=animation)
        track = track_from_plan(plan, SETTINGS)
        for claim in (c for c in plan.claims if c.kind == "motion"):
            assert claim.value == truth.screen_direction(track, claim.objects[0], 0, len(track.frames) - 1)
            assert DIRECTION_WORDS[claim.value] in claim.sentence


def test_workbench_captions_leave_out_what_it_cannot_show_but_the_plan_keeps_it(planner):
    prompt = "a red car, strong motion blur"
    workbench = planner.plan(prompt, settings=SETTINGS.model_copy(update={"engine": "WORKBENCH"})).plan
    cycles = planner.plan(prompt, settings=SETTINGS).plan
    assert workbench.variants[0].postprocessing.motionblur.level == vocab.Level.high
    assert "motion blur" not in workbench.variants[0].caption
    assert any("motion blur is not rendered by WORKBENCH" in w for w in workbench.warnings)
    assert "strong motion blur" in cycles.variants[0].caption


def test_objects_the_camera_cannot_show_are_not_named(planner):
    """A cat at the foot of a tower is a few pixels: the caption names the tower only, and says why."""
    for plan in _plans(planner, "a huge tower and a tiny cat"):
        if plan.objects[1].dimensions and max(plan.objects[1].dimensions) < 0.02 * max(plan.objects[0].dimensions):
            assert "cat" not in plan.caption
            assert any("cat" in w and "caption leaves it out" in w for w in plan.warnings)


def test_fallback_assets_are_named_as_rendered():
    stand_in = _object("cube", 4, description="dragon")
    stand_in.asset.fallback, stand_in.asset.name = True, "White stone cube"
    text = _scene([stand_in]).caption
    assert "cube" in text and "dragon" not in text


def test_same_prompt_and_seed_give_the_same_caption_and_claims(planner):
    first = planner.plan(PROMPTS[1], variants=2, seed=9, settings=SETTINGS).plan
    again = planner.plan(PROMPTS[1], variants=2, seed=9, settings=SETTINGS).plan
    assert first.to_json() == again.to_json()


@pytest.mark.parametrize("phrase, plural_phrase", [
    ("red box", "red boxes"), ("glass", "glasses"), ("bus", "buses"), ("cherry", "cherries"), ("chair", "chairs"),
    ("flowers", "flowers"), ("folded clothes", "folded clothes"), ("bowl with fruits", "bowls with fruits"),
    ("sofa 2 seats", "sofas 2 seats"), ("man", "men"), ("sitting woman", "sitting women"), ("child", "children"),
    ("shelf", "shelves"), ("snowman", "snowmen"), ("sheep", "sheep"), ("canvas", "canvases")])
def test_a_count_of_a_thing_is_its_plural_and_a_name_already_plural_stays(phrase, plural_phrase):
    """Three copies of the library's "Flowers" are never "three flowerses"; two men are never "two mans"."""
    assert plural(phrase) == plural_phrase


@pytest.mark.parametrize("phrase, count, words", [
    ("vase", 1, "a vase"), ("hour glass", 1, "an hour glass"), ("umbrella", 1, "an umbrella"),
    ("unicorn", 1, "a unicorn"), ("flowers", 1, "some flowers"), ("flowers", 3, "three groups of flowers"),
    ("sneakers", 1, "a pair of sneakers"), ("scissors", 2, "two pairs of scissors"), ("cup", 5, "five cups")])
def test_a_model_of_several_things_or_of_a_pair_is_counted_as_such(phrase, count, words):
    """A model named in the plural is several things in one: three copies are three groups, not three things."""
    assert counted(phrase, count) == words
    assert article(phrase).split()[0] in ("a", "an")


def _library_object(kind: str, name: str, size: tuple[float, float, float], placement: int = 4, **fields):
    return SceneObject(name=kind, description=kind, placement=placement, scale=ObjectScale(factor=1.0, name="medium"),
                       asset=CatalogRef(uri=f"library://sweethome3d/Scopia.sh3f#model={kind}.obj", name=name,
                                        size_m=size), **fields)


def test_a_thing_whose_model_is_several_is_named_in_the_plural_with_verbs_that_agree():
    """An "apple" drawn as the library's "Apples" (a heap) is "some apples", and "the apples are on the table":
    "an apple" would be a false count, "the apples is" bad English in a training label."""
    apples = _library_object("apple", "Apples", (0.26, 0.26, 0.16), on_top_of=1)
    plan = _scene([apples, _object("table", 4)], pitch=25)
    assert "some apples" in plan.caption, plan.caption
    assert re.search(r"The apples (are|rest) on", plan.caption), plan.caption
    assert not re.search(r"\b(an apple|apples is|apples rests)\b", plan.caption), plan.caption


def test_copies_on_one_support_are_told_in_one_sentence():
    """Two cups on a table are "both cups are on the table", never "The cup is on the table. The cup rests
    on the table"; of three chairs on a table one fits and two pile ("two of the chairs are each on top of
    another"), and each such claim holds."""
    books = _scene([_object("cup", 4, on_top_of=2), _object("cup", 4, on_top_of=2), _object("table", 4)], pitch=25)
    stacked = [claim.sentence for claim in books.claims if claim.kind == "stacked"]
    assert len(stacked) == 2 and len(set(stacked)) == 1, books.caption
    assert re.match(r"Both cups (are|rest) (on|on top of) the table\.", stacked[0]), stacked
    assert "The cup" not in books.caption
    crowded = _scene([_object("chair", 4, on_top_of=3) for _ in range(3)] + [_object("table", 4)], pitch=25)
    for claim in crowded.claims:
        if claim.kind == "stacked":
            assert re.match(r"(One|Two|Both|All three) (of the )?chairs? (is|are|rests|rest|each rest) ",
                            claim.sentence), claim.sentence
    checks = truth.check_all(crowded.claims, track_from_plan(crowded, SETTINGS), SETTINGS.fps)
    assert all(check.holds for check in checks), [check.measured for check in checks if not check.holds]


@pytest.mark.parametrize("things, support, side_by_side", [(("bird", "pumpkin"), "bench", 2),
                                                          (("ball", "ball", "ball", "ball"), "stool", 1),
                                                          (("vase", "bowl", "cup"), "table", 3)])
def test_things_on_one_support_stand_side_by_side_where_they_fit_else_pile(things, support, side_by_side):
    """A bird and a pumpkin on a bench sit side by side on its seat, never the pumpkin on the bird; four
    25 cm balls on a 42 cm stool (on the floor): one on it, the rest piled. Every "on" the caption says holds on
    the boxes."""
    under = len(things)
    plan = _scene([_object(kind, 4, on_top_of=under) for kind in things] + [_object(support, 4)], pitch=25)
    on_support = [i for i, obj in enumerate(plan.objects) if obj.on_top_of == under]
    assert len(on_support) == side_by_side
    base = plan.objects[under]
    for i in on_support:
        for j in on_support:
            a, b = plan.objects[i], plan.objects[j]
            apart = np.hypot(a.position[0] - b.position[0], a.position[1] - b.position[1])
            assert i == j or apart >= (a.dimensions[0] + b.dimensions[0]) / 2, (things, apart)
        assert np.hypot(plan.objects[i].position[0] - base.position[0],
                        plan.objects[i].position[1] - base.position[1]) <= base.dimensions[0] / 2
    checks = truth.check_all(plan.claims, track_from_plan(plan, SETTINGS), SETTINGS.fps)
    assert all(check.holds for check in checks), [check.measured for check in checks if not check.holds]


def test_what_does_not_fit_on_a_support_goes_on_what_carries_it():
    """Three flowers on a 21 cm vase on a table: one in the vase, the others on the table beside it."""
    flowers = [_object("flower", 4, on_top_of=3) for _ in range(3)]
    plan = _scene(flowers + [_object("vase", 4, on_top_of=4), _object("table", 4)], pitch=25)
    assert [obj.on_top_of for obj in plan.objects] == [3, 4, 4, 4, None]
    checks = truth.check_all(plan.claims, track_from_plan(plan, SETTINGS), SETTINGS.fps)
    assert all(check.holds for check in checks), [check.measured for check in checks if not check.holds]


def test_a_supports_own_things_keep_its_top_before_what_came_down_from_above():
    """Four heaps of apples "in a bowl on a table": those the bowl cannot hold go onto the table, but the bowl
    keeps its place on the table and is never piled on an apple."""
    apples = [_library_object("apple", "Apples", (0.26, 0.26, 0.16), on_top_of=4) for _ in range(4)]
    bowl = _library_object("bowl", "Bowl", (0.4, 0.4, 0.2), on_top_of=5)
    table = _library_object("table", "Table", (1.0, 1.0, 0.91))  # the library's: three heaps fill its top
    plan = _scene([*apples, bowl, table], pitch=25)
    assert plan.objects[4].on_top_of == 5
    assert all(obj.on_top_of in (1, 2, 3, 4, 5) for obj in plan.objects[:4])
    checks = truth.check_all(plan.claims, track_from_plan(plan, SETTINGS), SETTINGS.fps)
    assert all(check.holds for check in checks), [check.measured for check in checks if not check.holds]


def test_nothing_is_piled_on_a_person_or_an_animal():
    """"A girl eating an apple on a chair": the apples do not fit the seat beside her, and the chair stands on
    the floor; they stay on the chair's top (overhanging), never on the girl's head. Every claim holds."""
    girl = _library_object("girl", "Sitting girl", (0.71, 0.74, 0.78), on_top_of=2)
    apples = _library_object("apple", "Apples", (0.26, 0.26, 0.16), on_top_of=2)
    chair = _library_object("chair", "Chair", (0.43, 0.44, 0.91))
    plan = _scene([girl, apples, chair], pitch=25)
    assert [obj.on_top_of for obj in plan.objects] == [2, 2, None]
    checks = truth.check_all(plan.claims, track_from_plan(plan, SETTINGS), SETTINGS.fps)
    assert all(check.holds for check in checks), [check.measured for check in checks if not check.holds]
