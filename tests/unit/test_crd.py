"""The VideoRequest CRD: generated from the models, structural, and rejecting bad specs.

The CRD's OpenAPI schema is checked with jsonschema (Draft 4: OpenAPI 3.0's
``exclusiveMinimum: true`` form) the way the API server applies it with strict
field validation (kubectl's default): unknown fields are errors. The CEL rule
(exactly one of seconds/frames) is mirrored by a ``oneOf`` that jsonschema
enforces; every invalid spec (tests/support/invalid_specs.py, shared with the
e2e layer's real API server) is also checked against the pydantic model, and
both must blame the field the case names.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from simfarm.cluster.crd import custom_resource_definition, render_yaml
from simfarm.cluster.spec import VideoRequestSpec
from support.crd_schema import api_path, assert_structural, schema_error_fields, undescribed_fields, validator
from support.invalid_specs import INVALID_SPECS, RULE_REFUSED_SPECS, VALID_SPEC, InvalidSpec

CRD_FILE = Path(__file__).parents[2] / "crds" / "videorequest.yaml"
VERSION = custom_resource_definition()["spec"]["versions"][0]
SPEC_SCHEMA = VERSION["schema"]["openAPIV3Schema"]["properties"]["spec"]


VALIDATOR = validator(SPEC_SCHEMA)


VALID = {
    "minimal": VALID_SPEC,
    "seconds instead of frames": {"prompt": "a blue car", "render": {"seconds": 2.5, "fps": 30}},
    "everything": {
        "prompt": "a huge tree sways", "variants": 10000, "seed": 3,
        "render": {"width": 7680, "height": 16, "fps": 120, "frames": 1, "engine": "CYCLES", "samples": 64},
        "framesPerShard": 10, "parallelism": 8, "retries": 0, "ttlSecondsAfterFinished": 0,
        "resources": {"gpu": 2, "gpuResource": "amd.com/gpu", "cpu": "500m", "memory": "2Gi"},
        "nodeSelector": {"pool": "gpu"}, "tolerations": [{"key": "gpu", "operator": "Exists"}],
        "priorityClassName": "low", "queueName": "team-a",
        "output": {"bucket": "videos", "prefix": "a/b", "s3SecretRef": "s3", "deleteOnRemoval": True},
        "rewriter": {"backend": "llm", "model": "qwen", "endpointSecretRef": "llm"},
        "assets": {"licenses": ["CC0"], "catalogs": ["objaverse-cap3d", "poly.haven"]},
    },
}


def test_committed_crd_is_the_generated_one():
    assert CRD_FILE.read_text() == render_yaml(), "run: python -m simfarm.cluster.crd > crds/videorequest.yaml"


def test_crd_schema_is_structural():
    text = yaml.safe_dump(custom_resource_definition())
    assert "$ref" not in text and "x-kubernetes-preserve-unknown-fields" not in text and "anyOf" not in text
    assert_structural(VERSION["schema"])


def test_crd_names_and_columns():
    crd = custom_resource_definition()
    assert crd["metadata"]["name"] == "videorequests.simfarm.dev"
    assert crd["spec"]["names"]["shortNames"] == ["vr"]
    assert VERSION["subresources"] == {"status": {}}
    assert [c["name"] for c in VERSION["additionalPrinterColumns"]] == ["Phase", "Progress", "Variants", "Age"]
    rules = SPEC_SCHEMA["properties"]["render"]["x-kubernetes-validations"]
    assert rules[0] == {"rule": "has(self.seconds) != has(self.frames)", "message": "set exactly one of seconds or frames"}
    assert [rule["message"] for rule in rules[1:]] == ["the segmentation pass needs engine CYCLES",
                                                       "the flow pass needs engine EEVEE or CYCLES"]


def test_every_spec_and_status_field_is_described():
    """`kubectl explain` and the README's reference table show these descriptions."""
    assert undescribed_fields(VERSION["schema"]["openAPIV3Schema"]["properties"]) == []


@pytest.mark.parametrize("case", INVALID_SPECS.values(), ids=INVALID_SPECS.keys())
def test_invalid_specs_are_rejected_naming_the_field(case: InvalidSpec):
    assert case.field in schema_error_fields(VALIDATOR, case.spec), "the CRD schema accepted it or blamed another field"
    with pytest.raises(ValidationError) as refused:
        VideoRequestSpec.model_validate(case.spec)
    assert case.field in {api_path(error["loc"]) for error in refused.value.errors()}


@pytest.mark.parametrize("spec", VALID.values(), ids=VALID.keys())
def test_valid_specs_are_accepted(spec):
    assert [e.message for e in VALIDATOR.iter_errors(spec)] == []
    VideoRequestSpec.model_validate(spec)


@pytest.mark.parametrize("case,message", RULE_REFUSED_SPECS.values(), ids=RULE_REFUSED_SPECS.keys())
def test_passes_an_engine_cannot_make_are_refused_by_a_rule_and_the_model(case: InvalidSpec, message: str):
    rules = {rule["message"] for rule in SPEC_SCHEMA["properties"]["render"]["x-kubernetes-validations"]}
    assert message in rules
    with pytest.raises(ValidationError) as refused:
        VideoRequestSpec.model_validate(case.spec)
    assert case.field in {api_path(error["loc"]) for error in refused.value.errors()}
