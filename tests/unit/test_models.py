"""Plan models reject inconsistent plans with a message that names the problem."""

import pytest
from pydantic import ValidationError

from simfarm.plan.combiner import combine
from simfarm.plan.models import RenderSettings, RequestPlan, ScenePlan


def valid_scene(rules):
    return combine(rules.rewrite("a cup on a box"), variants=1, seed=0)[0].model_dump()


def test_plan_round_trips_through_json(rules):
    plan = RequestPlan(prompt="a cup on a box", seed=0, variants=combine(rules.rewrite("a cup on a box"), variants=2, seed=0))
    assert RequestPlan.model_validate_json(plan.to_json()) == plan


@pytest.mark.parametrize("change,message", [
    (lambda s: s["objects"][0].update(placement=9), "less than or equal to 8"),
    (lambda s: s["objects"][0].update(on_top_of=0), "does not name another object"),
    (lambda s: s["objects"][0].update(placement=(s["objects"][1]["placement"] + 1) % 9), "another placement"),
    (lambda s: [o.update(camera_follow=True) for o in s["objects"]], "at most one object"),
    (lambda s: s["framing"].update(name="ultra"), "unknown framing"),
    (lambda s: s["animation"].update(name="spin"), "unknown camera animation"),
    (lambda s: s["objects"][0]["scale"].update(name="giant"), "unknown scale"),
    (lambda s: s["orientation"].update(pitch=80), "less than or equal to 75"),
    (lambda s: s.update(surprise=1), "Extra inputs"),
])
def test_inconsistent_scenes_are_rejected(rules, change, message):
    data = valid_scene(rules)
    change(data)
    with pytest.raises(ValidationError, match=message):
        ScenePlan.model_validate(data)


@pytest.mark.parametrize("field,value", [("width", 641), ("height", 15), ("fps", 0), ("engine", "BLENDER_EEVEE")])
def test_render_settings_limits(field, value):
    with pytest.raises(ValidationError):
        RenderSettings(**{field: value})
