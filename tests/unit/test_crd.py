"""The VideoRequest CRD: generated from the models, structural, and rejecting bad specs.

The CRD's OpenAPI schema is checked with jsonschema (Draft 4: OpenAPI 3.0's
``exclusiveMinimum: true`` form) the way the API server applies it with strict
field validation (kubectl's default): unknown fields are errors. The CEL rule
(exactly one of seconds/frames) is mirrored by a ``oneOf`` that jsonschema
enforces; every case is also checked against the pydantic model.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from simfarm.cluster.crd import custom_resource_definition, render_yaml
from simfarm.cluster.spec import VideoRequestSpec

CRD_FILE = Path(__file__).parents[2] / "crds" / "videorequest.yaml"
VERSION = custom_resource_definition()["spec"]["versions"][0]
SPEC_SCHEMA = VERSION["schema"]["openAPIV3Schema"]["properties"]["spec"]


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """What strict field validation adds: objects with declared properties take no others."""
    node = copy.deepcopy(schema)
    if "properties" in node:
        node["additionalProperties"] = False
        node["properties"] = {k: strict(v) for k, v in node["properties"].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            node[key] = strict(node[key])
    return node


VALIDATOR = jsonschema.Draft4Validator(strict(SPEC_SCHEMA))
GOOD = {"prompt": "a red cube on a table", "render": {"frames": 48}}


def with_(**changes: Any) -> dict[str, Any]:
    spec = copy.deepcopy(GOOD)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = spec
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return spec


INVALID = {
    "empty prompt": with_(prompt=""),
    "prompt too long": with_(prompt="x" * 4001),
    "no prompt": {"render": {"frames": 48}},
    "odd height": with_(render__height=361),
    "odd width": with_(render__width=641),
    "width over 7680": with_(render__width=7682),
    "height under 16": with_(render__height=8),
    "engine typo": with_(render__engine="EEVE"),
    "fps 0": with_(render__fps=0),
    "fps 121": with_(render__fps=121),
    "both seconds and frames": with_(render__seconds=2),
    "neither seconds nor frames": {"prompt": "a cube", "render": {"fps": 24}},
    "zero seconds": {"prompt": "a cube", "render": {"seconds": 0}},
    "negative variants": with_(variants=-1),
    "zero variants": with_(variants=0),
    "too many variants": with_(variants=10001),
    "negative seed": with_(seed=-5),
    "unknown field": with_(colour="red"),
    "unknown render field": with_(render__resolution="4k"),
    "bad rewriter backend": with_(rewriter__backend="gpt"),
    "negative retries": with_(retries=-1),
    "zero parallelism": with_(parallelism=0),
    "bad bucket name": with_(output__bucket="Not_A_Bucket"),
    "negative framesPerShard": with_(framesPerShard=-2),
    "toleration effect typo": with_(tolerations=[{"key": "gpu", "effect": "NoSchedul"}]),
    "samples 0": with_(render__samples=0),
    "variants as text": with_(variants="three"),
}

VALID = {
    "minimal": GOOD,
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
    },
}


def test_committed_crd_is_the_generated_one():
    assert CRD_FILE.read_text() == render_yaml(), "run: python -m simfarm.cluster.crd > crds/videorequest.yaml"


def test_crd_schema_is_structural():
    text = yaml.safe_dump(custom_resource_definition())
    assert "$ref" not in text and "x-kubernetes-preserve-unknown-fields" not in text and "anyOf" not in text

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            assert not ("properties" in node and "additionalProperties" in node), path
            if "properties" in node or "items" in node or "additionalProperties" in node:
                assert "type" in node, f"{path} has no type"
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")
    walk(VERSION["schema"], "schema")


def test_crd_names_and_columns():
    crd = custom_resource_definition()
    assert crd["metadata"]["name"] == "videorequests.simfarm.dev"
    assert crd["spec"]["names"]["shortNames"] == ["vr"]
    assert VERSION["subresources"] == {"status": {}}
    assert [c["name"] for c in VERSION["additionalPrinterColumns"]] == ["Phase", "Progress", "Variants", "Age"]
    rules = SPEC_SCHEMA["properties"]["render"]["x-kubernetes-validations"]
    assert rules == [{"rule": "has(self.seconds) != has(self.frames)", "message": "set exactly one of seconds or frames"}]


@pytest.mark.parametrize("spec", INVALID.values(), ids=INVALID.keys())
def test_invalid_specs_are_rejected(spec):
    assert list(VALIDATOR.iter_errors(spec)), "the CRD schema accepted it"
    with pytest.raises(ValidationError):
        VideoRequestSpec.model_validate(spec)


@pytest.mark.parametrize("spec", VALID.values(), ids=VALID.keys())
def test_valid_specs_are_accepted(spec):
    assert [e.message for e in VALIDATOR.iter_errors(spec)] == []
    VideoRequestSpec.model_validate(spec)
