"""Ground-truth passes are refused where the engine cannot make them; `simfarm verify` gates on claims."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from simfarm.cli import main
from simfarm.cluster.spec import RenderSpec
from simfarm.errors import InputError
from simfarm.plan import vocabulary as vocab
from simfarm.plan.models import RenderSettings
from simfarm.plan.planner import Planner
from simfarm.storage import RequestLayout

SMALL = RenderSettings(width=160, height=90, frames=24, engine="CYCLES")


@pytest.mark.parametrize("engine,name", [(engine, name) for engine in ("EEVEE", "CYCLES", "WORKBENCH")
                                          for name in vocab.PASSES])
def test_passes_are_accepted_exactly_where_the_engine_makes_them(engine, name):
    makes = name in vocab.ENGINE_PASSES[engine]
    for model in (RenderSettings, lambda **fields: RenderSpec(frames=4, **fields)):
        if makes:
            model(engine=engine, passes=[name])
        else:
            with pytest.raises(ValidationError, match=f"{engine} cannot render the {name} pass"):
                model(engine=engine, passes=[name])


def test_the_crd_refuses_what_the_engine_cannot_make():
    rules = RenderSpec.model_json_schema()["x-kubernetes-validations"]
    messages = {rule["message"] for rule in rules}
    assert "the segmentation pass needs engine CYCLES" in messages
    assert "the flow pass needs engine EEVEE or CYCLES" in messages
    with pytest.raises(ValidationError):
        RenderSpec(frames=4, passes=["depth", "depth"])


def test_flow_keeps_motion_blur_out_and_refuses_a_prompt_that_asks_for_both():
    planner = Planner()
    flow = SMALL.model_copy(update={"passes": ["flow"]})
    plans = planner.plan("a red car drives to the left", variants=12, seed=1, settings=flow).plan.variants
    assert {p.postprocessing.motionblur.level for p in plans} == {vocab.Level.none}
    with pytest.raises(InputError, match="motion blur"):
        planner.plan("a red car with strong motion blur", settings=flow)


def test_render_takes_passes_and_names_unknown_ones(capsys):
    with pytest.raises(SystemExit):
        main(["render", "a cube", "--passes", "depth,normals"])
    assert "unknown pass 'normals'" in capsys.readouterr().err


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("request")
    plan = Planner().plan("a chair to the left of a table, the camera pans right", variants=2, seed=4,
                          settings=SMALL).plan
    (directory / "plan.json").write_text(plan.to_json())
    return directory


def test_verify_checks_every_claim_of_a_plan(plan_dir, capsys):
    assert main(["verify", str(plan_dir / "plan.json")]) == 0
    out = capsys.readouterr()
    plan = json.loads((plan_dir / "plan.json").read_text())
    claims = sum(len(v["claims"]) for v in plan["variants"])
    assert f"{claims} of {claims} claims hold" in out.err
    assert "relation" in out.out and "camera pan_right" in out.out


def test_verify_fails_a_false_claim(plan_dir, tmp_path, capsys):
    plan = json.loads((plan_dir / "plan.json").read_text())
    camera = next(c for c in plan["variants"][0]["claims"] if c["kind"] == "camera")
    camera["value"] = "pan_left"  # the camera pans right
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    assert main(["verify", str(tmp_path), "--json"]) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["value"] for r in rows if not r["holds"]] == ["pan_left"]


def test_verify_says_what_is_missing(tmp_path, capsys):
    assert main(["verify", str(tmp_path)]) == 2
    assert "no plan.json there" in capsys.readouterr().err
    assert RequestLayout(str(tmp_path)).annotations(0).endswith("variants/0/annotations.json")
