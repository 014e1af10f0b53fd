"""Planning uses retrieval: resolve_assets fills every CatalogRef of every variant."""

from __future__ import annotations

import pytest

from simfarm.plan.models import (Animation, Background, CatalogRef, Framing, ObjectScale, Orientation, RequestPlan,
                                 SceneObject, ScenePlan, Stage, StageMaterial)
from simfarm.retrieval.catalog import Catalog
from simfarm.retrieval.entries import CatalogKind
from simfarm.retrieval.procedural import parse_procedural_uri
from simfarm.retrieval.resolve import resolve_assets


def _object(description: str, name: str, placement: int, *, color=None, material=None, query="") -> SceneObject:
    return SceneObject(name=name, description=description, color=color, material=material, placement=placement,
                       asset=CatalogRef(query=query), scale=ObjectScale(factor=1.0, name="medium"))


def _plan(objects: list[SceneObject], *, background="", floor="", variants=1, seed=7) -> RequestPlan:
    scenes = [
        ScenePlan(index=i, seed=seed * 1000 + i, objects=[o.model_copy(deep=True) for o in objects],
                  background=Background(query=background), stage=Stage(material=StageMaterial(query=floor)),
                  orientation=Orientation(yaw=0, pitch=10), framing=Framing(name="medium", fov=40, coverage_factor=2),
                  animation=Animation(name="static"))
        for i in range(variants)
    ]
    return RequestPlan(prompt="test prompt", seed=seed, variants=scenes)


def test_fills_objects_background_and_floor(catalog):
    plan = _plan([_object("red vintage car", "car", 4, color="red"),
                  _object("wooden cabin", "cabin", 1, material="wooden")],
                 background="sunset", floor="grass")
    scene = resolve_assets(plan, catalog).variants[0]
    car, cabin = scene.objects
    assert parse_procedural_uri(car.asset.uri)[:2] == ("object", "car")
    assert parse_procedural_uri(car.asset.uri).params["color"] == "red"
    assert car.asset.name.startswith("red ") and car.asset.query == "red vintage car"
    assert parse_procedural_uri(cabin.asset.uri).params["material"] == "wood"
    assert scene.background.id in {"world-sunset", "venice_sunset"}
    assert scene.stage.material.id in {"floor-grass", "aerial_grass_rock"}
    for ref in (car.asset, cabin.asset, scene.background, scene.stage.material):
        assert ref.catalog and ref.id and (ref.uri or ref.maps) and not ref.fallback and ref.score > 0.35
    # The embedded car is a box on wheels: no style of car, so the caption's car is not "vintage".
    assert car.description == "red car"
    assert scene.warnings == ["red vintage car: the chosen asset (red metal car) does not show 'vintage'; "
                              "the caption leaves it out"]
    assert plan.variants[0].objects[0].asset.id == ""  # the input plan is not modified


def test_deterministic_for_a_seed_and_varied_across_variants(catalog):
    plan = _plan([_object("dog", "dog", 4)], variants=12)
    first, second = resolve_assets(plan, catalog), resolve_assets(plan, catalog)
    assert first.to_json() == second.to_json()
    chosen = {scene.objects[0].asset.id for scene in first.variants}
    assert len(chosen) > 1 and all(asset_id.startswith("dog-") for asset_id in chosen)
    backgrounds = {scene.background.id for scene in first.variants}  # prompt named none: any, by seed
    assert len(backgrounds) > 1 and all(scene.background.score is None for scene in first.variants)


@pytest.mark.parametrize("objects, place", [
    ([("bed", "bed"), ("bookshelf", "bookshelf")], "indoor"),
    ([("wooden bench", "bench"), ("street lamp", "street lamp")], "outdoor")])
def test_a_scene_naming_no_background_or_floor_gets_those_of_its_models_place(catalog, objects, place):
    """A bed and a bookshelf are a room's, so the room's light and floor, never a desert on sand; a park bench
    and a street lamp stand outdoors. The records say which (tags or categories "indoor", "outdoor")."""
    plan = _plan([_object(description, name, 1 + 3 * i) for i, (description, name) in enumerate(objects)], variants=8)
    entries = {kind: {e.id: e for e in catalog.entries(kind)} for kind in (CatalogKind.hdri, CatalogKind.material)}
    other = {"indoor": "outdoor", "outdoor": "indoor"}[place]
    for scene in resolve_assets(plan, catalog).variants:
        background, floor = entries[CatalogKind.hdri][scene.background.id], entries[CatalogKind.material][scene.stage.material.id]
        assert place in background.tags + background.categories, (background.name, background.tags)
        assert other not in floor.tags + floor.categories, (floor.name, floor.tags, floor.categories)


def test_a_lake_is_floored_with_water(catalog):
    scene = resolve_assets(_plan([_object("rowing boat", "boat", 4)], background="lake", floor="water"),
                           catalog).variants[0]
    assert scene.stage.material.id == "floor-water", scene.stage.material.name


def test_an_outdoor_background_the_catalog_lacks_falls_back_to_a_plain_sky_of_that_place(tmp_path):
    """Blender's eight HDRIs have no coast: "the open sea" is one of the outdoor skies that show no other
    setting (not the studio, nor a garden or a courtyard), with a warning."""
    embedded = Catalog.open(tmp_path)
    hdris = {entry.id: entry for entry in embedded.entries(CatalogKind.hdri)}
    plan = _plan([_object("sailboat", "boat", 4)], background="the open sea", variants=6)
    for scene in resolve_assets(plan, embedded).variants:
        chosen = hdris[scene.background.id]
        assert scene.background.fallback and "outdoor" in chosen.tags + chosen.categories, chosen.name
        assert not {"garden", "park", "courtyard", "city", "desert", "forest"} & set(chosen.tags), chosen.name
        assert any("the open sea" in warning for warning in scene.warnings), scene.warnings


def test_distinct_objects_never_share_an_asset_but_copies_do(catalog):
    plan = _plan([_object("dog", "dog", 0), _object("puppy", "dog", 2),
                  _object("cat", "cat", 6), _object("cat", "cat", 8)], variants=6)
    for scene in resolve_assets(plan, catalog).variants:
        dog, puppy, cat, other_cat = (obj.asset.id for obj in scene.objects)
        assert dog != puppy
        assert cat == other_cat


def test_unmatched_phrase_falls_back_with_a_warning(catalog):
    plan = _plan([_object("purple xylophone", "xylophone", 4, color="purple")], background="inside a volcano crater")
    scene = resolve_assets(plan, catalog).variants[0]
    asset = scene.objects[0].asset
    assert asset.fallback and asset.id == "cube-white-stone"
    assert asset.uri == "procedural://object/cube?color=purple&material=stone" and asset.name == "purple stone cube"
    assert any("purple xylophone" in warning for warning in scene.warnings)


def test_unknown_colour_keeps_the_catalog_colour_says_so_and_leaves_the_caption(catalog):
    scene = resolve_assets(_plan([_object("mauve chair", "chair", 4, color="mauve")]), catalog).variants[0]
    assert parse_procedural_uri(scene.objects[0].asset.uri).params["color"] in scene.objects[0].asset.name
    assert scene.objects[0].color is None and scene.objects[0].description == "chair"
    assert any("cannot show the colour 'mauve'" in warning for warning in scene.warnings)


@pytest.mark.parametrize("kind", list(CatalogKind))
def test_every_kind_has_a_fallback_entry(kind):
    from simfarm.retrieval import builtin

    assert builtin.FALLBACK_IDS[kind] in {entry.id for entry in builtin.builtin_entries(kind)}


@pytest.mark.parametrize("query", ["sunset", "at sunset", "sunrise", "a city at night"])
def test_a_photographed_sky_wins_over_a_procedural_one_that_matches_as_well(catalog, query):
    """The HDRIs are the default backgrounds; the procedural skies stay for moods they lack."""
    scenes = resolve_assets(_plan([_object("dog", "dog", 4)], background=query, variants=12), catalog).variants
    assert all(not scene.background.uri.startswith("procedural://") for scene in scenes), \
        [scene.background.name for scene in scenes]
    stormy = resolve_assets(_plan([_object("dog", "dog", 4)], background="a stormy sky"), catalog).variants[0]
    assert stormy.background.uri.startswith("procedural://")  # no photographed storm: the procedural one
