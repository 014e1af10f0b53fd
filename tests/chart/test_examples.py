"""Every example VideoRequest is valid for the CRD schema (what the API server checks) and the spec model."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
import yaml

from simfarm.cluster import crd
from simfarm.cluster.spec import GROUP, KIND, VERSION, AssetCatalogSpec, VideoRequestSpec
from support.minio import REPO_ROOT

EXAMPLES = sorted((REPO_ROOT / "examples").glob("*.yaml"))
# The CRD schema is OpenAPI v3.0 (boolean exclusiveMinimum): JSON Schema draft 4 semantics.
VALIDATOR = jsonschema.Draft4Validator(
    crd.custom_resource_definition()["spec"]["versions"][0]["schema"]["openAPIV3Schema"])


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def problems(request: dict) -> list[str]:
    """What the API server's schema and the operator's model refuse, as messages."""
    found = [f"schema: {error.message}" for error in VALIDATOR.iter_errors(request)]
    try:
        VideoRequestSpec.model_validate(request["spec"]).render.settings()
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        found.append(f"model: {error}")
    return found


def test_there_is_an_example_per_use_case() -> None:
    assert {p.stem for p in EXAMPLES} >= {"short-video", "dataset", "kueue-queued", "llm-rewriter"}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_is_a_valid_video_request(path: Path) -> None:
    text = path.read_text()
    assert text.startswith("# "), "each example starts with a comment saying what it shows"
    request = load(path)
    assert (request["apiVersion"], request["kind"]) == (f"{GROUP}/{VERSION}", KIND)
    assert problems(request) == []


def test_example_names_are_unique() -> None:
    names = [load(p)["metadata"]["name"] for p in EXAMPLES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("change,refused_by", [
    (lambda spec: spec["render"].update(frames=48), {"schema", "model"}),  # both seconds and frames
    (lambda spec: spec.update(variants=0), {"schema", "model"}),
    (lambda spec: spec.update(colour="red"), {"model"}),  # the API server prunes unknown fields; the model refuses
    (lambda spec: spec["render"].update(fps=120, seconds=3600), {"model"}),  # too many frames in total
], ids=["seconds-and-frames", "no-variants", "unknown-field", "too-many-frames"])
def test_validation_catches_broken_requests(change, refused_by: set[str]) -> None:
    request = copy.deepcopy(load(REPO_ROOT / "examples" / "short-video.yaml"))
    change(request["spec"])
    assert {problem.split(":")[0] for problem in problems(request)} == refused_by


CATALOG_EXAMPLES = sorted((REPO_ROOT / "examples" / "catalogs").glob("*.yaml"))
CATALOG_VALIDATOR = jsonschema.Draft4Validator(
    crd.custom_resource_definition(crd.ASSET_CATALOG)["spec"]["versions"][0]["schema"]["openAPIV3Schema"])


def test_there_is_a_catalog_example_per_source_kind() -> None:
    formats = {load(path)["spec"]["source"]["format"] for path in CATALOG_EXAMPLES}
    assert formats >= {"cap3d", "polyhaven", "sweethome3d"}


@pytest.mark.parametrize("path", CATALOG_EXAMPLES, ids=[p.stem for p in CATALOG_EXAMPLES])
def test_catalog_example_is_a_valid_asset_catalog(path: Path) -> None:
    assert path.read_text().startswith("# ")
    catalog = load(path)
    assert (catalog["apiVersion"], catalog["kind"]) == (f"{GROUP}/{VERSION}", crd.ASSET_CATALOG.kind)
    assert [error.message for error in CATALOG_VALIDATOR.iter_errors(catalog)] == []
    AssetCatalogSpec.model_validate(catalog["spec"])
