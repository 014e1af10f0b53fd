"""Combiner: variants differ where the prompt leaves freedom, never where it fixed something."""

import pytest

from simfarm.errors import InputError
from simfarm.plan import geometry
from simfarm.plan import vocabulary as vocab
from simfarm.plan.combiner import CombineOptions, combine, variant_seed
from simfarm.plan.draft import DraftMovement, DraftObject, DraftRelation, SceneDraft


def test_same_draft_and_seed_give_identical_plans(rules):
    draft = rules.rewrite("two red cubes next to a lamp at sunset")
    first = [p.model_dump_json() for p in combine(draft, variants=5, seed=42)]
    second = [p.model_dump_json() for p in combine(draft, variants=5, seed=42)]
    assert first == second
    assert first != [p.model_dump_json() for p in combine(draft, variants=5, seed=43)]


def test_variant_seeds_do_not_depend_on_the_variant_count(rules):
    draft = rules.rewrite("a chair")
    assert combine(draft, variants=2, seed=9)[1] == combine(draft, variants=7, seed=9)[1]
    assert len({variant_seed(9, i) for i in range(1000)}) == 1000


def test_prompt_fixed_choices_hold_in_every_variant(rules):
    draft = rules.rewrite("a huge red car drives to the left slowly, the camera pans right, close-up, "
                          "bird's-eye view, on a marble floor, at night, heavy motion blur")
    for plan in combine(draft, variants=30, seed=1):
        car = plan.objects[0]
        assert car.scale.name == "huge" and car.color == "red"
        assert car.movement.direction == vocab.Direction.left
        assert car.movement.speed in vocab.SPEEDS_BY_NAME["slow"].speed
        assert plan.animation.name == "pan_right"
        assert plan.framing.name == "closeup" and plan.framing.fov in vocab.FRAMINGS_BY_NAME["closeup"].fov
        assert plan.orientation.pitch in vocab.PITCH_BANDS["overhead"]
        assert plan.stage.material.query == "marble floor" and plan.background.query == "night"
        assert plan.postprocessing.motionblur.level == vocab.Level.high
        assert vocab.level_of("motionblur", plan.postprocessing.motionblur.shutter_speed) == vocab.Level.high


def test_open_choices_vary_across_variants(rules):
    plans = combine(rules.rewrite("a chair"), variants=40, seed=3)
    assert len({p.animation.name for p in plans}) > 5
    assert len({p.framing.name for p in plans}) > 3
    assert len({p.orientation.yaw for p in plans}) > 20
    assert {p.objects[0].scale.name for p in plans} == {"medium"}  # life size unless the prompt says otherwise
    assert all(p.objects[0].movement is None for p in plans)  # the prompt fixed nothing moving


def test_a_shot_of_several_objects_is_never_drawn_as_a_close_up(rules):
    """A close-up frames one thing; a car and a cabin filling the frame together is no "extreme close-up"."""
    close = {f.name for f in vocab.FRAMINGS if not f.suits_group}
    for prompt in ("a red vintage car drives past a wooden cabin at sunset", "two dogs and a cat on a lawn",
                   "a lamp on a table beside a sofa", "three barrels"):
        plans = combine(rules.rewrite(prompt), variants=30, seed=5, options=CombineOptions(camera_follow=False))
        assert not {p.framing.name for p in plans} & close, prompt
        assert len({p.framing.name for p in plans}) >= 3, prompt
    single = combine(rules.rewrite("a teapot"), variants=40, seed=5)
    assert {p.framing.name for p in single} & close  # one object may be drawn close
    asked = combine(rules.rewrite("an extreme close-up of a cat next to a dog"), variants=5, seed=5)
    assert {p.framing.name for p in asked} == {"extreme_closeup"}  # what the prompt asks stays


@pytest.mark.parametrize("kind", ["left_of", "right_of", "in_front_of", "behind", "next_to"])
def test_relations_hold_as_the_camera_sees_them(kind):
    draft = SceneDraft(objects=[
        DraftObject(name="cat", description="cat", relation=DraftRelation(kind=kind, target=1)),
        DraftObject(name="box", description="box"),
    ])
    for plan in combine(draft, variants=25, seed=11):
        assert not plan.warnings
        cat, box = plan.objects
        yaw = plan.orientation.yaw
        cat_view = geometry.view_coordinates(*geometry.grid_position(cat.placement, 1.0), yaw)
        box_view = geometry.view_coordinates(*geometry.grid_position(box.placement, 1.0), yaw)
        if kind == "left_of":
            assert cat_view[0] < box_view[0]
        elif kind == "right_of":
            assert cat_view[0] > box_view[0]
        elif kind == "in_front_of":
            assert cat_view[1] < box_view[1]
        elif kind == "behind":
            assert cat_view[1] > box_view[1]
        else:
            (r1, c1), (r2, c2) = geometry.grid_cell(cat.placement), geometry.grid_cell(box.placement)
            assert max(abs(r1 - r2), abs(c1 - c2)) == 1


def test_stacks_share_a_cell_and_several_objects_keep_their_one_support(rules):
    """Whether two books lie side by side on the table or one on the other is the layout's to say, from sizes."""
    draft = rules.rewrite("two books on a table")
    for plan in combine(draft, variants=5, seed=2):
        first, second, table = plan.objects
        assert (first.on_top_of, second.on_top_of, table.on_top_of) == (2, 2, None)
        assert first.placement == second.placement == table.placement


def test_support_cycles_from_a_bad_draft_are_broken():
    draft = SceneDraft(objects=[DraftObject(name="a", description="a", on_top_of=1),
                                DraftObject(name="b", description="b", on_top_of=0)])
    plan = combine(draft, variants=1, seed=0)[0]
    assert [o.on_top_of for o in plan.objects].count(None) == 1


def test_at_most_one_followed_object_and_modes_fill_only_open_slots(rules):
    draft = rules.rewrite("a red ball and a blue cube and a green cone")
    moving = combine(draft, variants=10, seed=5, options=CombineOptions(movement="all", camera_follow=True))
    for plan in moving:
        assert all(o.movement is not None for o in plan.objects)
        assert sum(o.camera_follow for o in plan.objects) == 1
    stacked = combine(draft, variants=10, seed=5, options=CombineOptions(stacking=True))
    assert all(sum(o.on_top_of is not None for o in p.objects) == 1 for p in stacked)
    mixed = combine(draft, variants=30, seed=5, options=CombineOptions(mix=True))
    assert any(o.movement for p in mixed for o in p.objects) and any(
        all(o.movement is None for o in p.objects) for p in mixed)


def test_modes_never_override_the_prompt():
    draft = SceneDraft(objects=[DraftObject(name="car", description="car",
                                            movement=DraftMovement(direction="up", speed="fast"))])
    for plan in combine(draft, variants=10, seed=1, options=CombineOptions(mix=True, movement="random")):
        assert plan.objects[0].movement.direction == vocab.Direction.up


def test_too_many_floor_objects_is_a_clear_error():
    draft = SceneDraft(objects=[DraftObject(name="tree", description="tree")] * 10)
    with pytest.raises(InputError, match="at most 9"):
        combine(draft, variants=1, seed=0)


@pytest.mark.parametrize("engine,shown", [("WORKBENCH", False), ("EEVEE", True), ("CYCLES", True)])
def test_the_plan_keeps_what_the_prompt_asked_and_the_caption_says_what_the_engine_shows(engine, shown):
    from simfarm.plan.models import RenderSettings
    from simfarm.plan.planner import Planner

    plan = Planner().plan("a red car, heavy motion blur", variants=3, seed=2,
                          settings=RenderSettings(engine=engine)).plan
    for scene in plan.variants:
        assert scene.postprocessing.motionblur.level == vocab.Level.high
        assert ("motion blur" in scene.caption) is shown
    assert any("motion blur is not rendered by WORKBENCH" in w for w in plan.warnings) is (not shown)


def test_open_effects_workbench_cannot_show_are_not_captioned_or_warned(rules):
    from simfarm.plan.models import RenderSettings
    from simfarm.plan.planner import Planner

    plan = Planner().plan("a chair", variants=20, seed=1, settings=RenderSettings(engine="WORKBENCH")).plan
    assert not any("motion blur" in s.caption for s in plan.variants) and not plan.warnings


def test_three_chairs_around_a_table_all_stand_beside_it(rules):
    """"Next to" is the cells on either side as the camera sees them; once both are taken, the others go in
    front of or behind the table, still beside it, not anywhere on the grid with a warning."""
    draft = rules.rewrite("three chairs around a table")
    for plan in combine(draft, variants=6, seed=4):
        table = plan.objects[-1].placement
        for chair in plan.objects[:-1]:
            (row, column), (table_row, table_column) = divmod(chair.placement, 3), divmod(table, 3)
            assert max(abs(row - table_row), abs(column - table_column)) == 1, (chair.placement, table)
        assert not plan.warnings, plan.warnings
