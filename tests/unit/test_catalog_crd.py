"""The AssetCatalog CRD: generated from the models, structural, every field described, listed with
printer columns, and refusing bad specs (the CRD's schema under jsonschema and the pydantic model blame
the same field; CEL-only rules are checked against the model here and a real API server in e2e)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from simfarm.cluster.crd import ASSET_CATALOG, custom_resource_definition
from simfarm.cluster.spec import AssetCatalogSpec
from support.crd_schema import api_path, assert_structural, schema_error_fields, undescribed_fields, validator
from support.invalid_specs import INVALID_CATALOG_SPECS, VALID_CATALOG_SPEC, InvalidCatalogSpec

CRD = custom_resource_definition(ASSET_CATALOG)
VERSION = CRD["spec"]["versions"][0]
SCHEMA = VERSION["schema"]["openAPIV3Schema"]
VALIDATOR = validator(SCHEMA["properties"]["spec"])

VALID = {
    "minimal": VALID_CATALOG_SPEC,
    "objaverse with cap3d captions": {
        "source": {"format": "cap3d", "url": "https://huggingface.co/datasets/tiange/Cap3D/resolve/main/"
                                             "Cap3D_automated_Objaverse_full.csv",
                   "objectPaths": "https://huggingface.co/datasets/allenai/objaverse/resolve/main/"
                                  "object-paths.json.gz"},
        "kinds": ["object"], "licenses": ["CC-BY", "CC0"], "refreshInterval": "168h"},
    "poly haven mirror on s3": {
        "source": {"format": "polyhaven", "url": "s3://team-assets/polyhaven/assets.json", "s3SecretRef": "team-s3"},
        "kinds": ["hdri", "material"], "refreshInterval": "1h30m"},
    "sweet home 3d library": {"source": {"format": "sweethome3d", "url": "http://mirror.internal/Furniture.sh3f"}},
}


def test_names_scope_and_columns():
    assert CRD["metadata"]["name"] == "assetcatalogs.simfarm.dev"
    assert CRD["spec"]["scope"] == "Namespaced"
    assert CRD["spec"]["names"]["kind"] == "AssetCatalog" and CRD["spec"]["names"]["shortNames"] == ["acat"]
    assert VERSION["subresources"] == {"status": {}}
    assert [c["name"] for c in VERSION["additionalPrinterColumns"]] == [
        "Phase", "Format", "Objects", "HDRIs", "Materials", "Rejected", "Last Import", "Age"]


def test_schema_is_structural_and_described():
    assert_structural(VERSION["schema"])
    assert undescribed_fields(SCHEMA["properties"]) == []


@pytest.mark.parametrize("spec", VALID.values(), ids=VALID.keys())
def test_valid_specs_are_accepted(spec):
    assert [e.message for e in VALIDATOR.iter_errors(spec)] == []
    AssetCatalogSpec.model_validate(spec)


@pytest.mark.parametrize("case", INVALID_CATALOG_SPECS.values(), ids=INVALID_CATALOG_SPECS.keys())
def test_invalid_specs_are_refused_naming_the_field(case: InvalidCatalogSpec):
    if not case.cel:
        assert case.field in schema_error_fields(VALIDATOR, case.spec), "the schema accepted it or blamed another field"
    with pytest.raises(ValidationError) as refused:
        AssetCatalogSpec.model_validate(case.spec)
    blamed = {api_path(error["loc"]) for error in refused.value.errors()}
    assert case.field in blamed, blamed


def test_refresh_intervals_are_durations():
    spec = AssetCatalogSpec.model_validate({**VALID_CATALOG_SPEC, "refreshInterval": "1h30m"})
    assert spec.refresh_seconds() == 5400
    assert AssetCatalogSpec.model_validate(VALID_CATALOG_SPEC).refresh_seconds() is None
