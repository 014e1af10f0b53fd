"""The procedural URI contract shared by the embedded catalog and the render worker."""

from __future__ import annotations

import pytest

from simfarm.retrieval import builtin, procedural
from simfarm.retrieval.entries import CatalogKind
from simfarm.retrieval.procedural import ProceduralRef, ProceduralUriError, parse_procedural_uri, procedural_uri


def test_round_trip_with_sorted_params():
    uri = procedural_uri("object", "chair", material="wood", color="red")
    assert uri == "procedural://object/chair?color=red&material=wood"
    assert parse_procedural_uri(uri) == ProceduralRef("object", "chair", {"color": "red", "material": "wood"})
    assert parse_procedural_uri("procedural://world/night") == ProceduralRef("world", "night", {})
    assert procedural_uri("floor", "tiles", color=None) == "procedural://floor/tiles"


@pytest.mark.parametrize("uri,message", [
    ("https://example.org/chair.glb", "not a procedural:// URI"),
    ("procedural://prop/chair", "unknown procedural kind 'prop'"),
    ("procedural://object/spaceship", "unknown object type 'spaceship'"),
    ("procedural://object/chair?color=mauve", "unknown color 'mauve'"),
    ("procedural://world/night?color=red", "world takes no parameter 'color'"),
    ("procedural://object/chair?color", "bad query field"),
])
def test_invalid_uris_name_the_problem(uri, message):
    with pytest.raises(ProceduralUriError, match=message):
        parse_procedural_uri(uri)


def test_catalog_sizes_and_every_generator_is_used():
    assert len(procedural.OBJECT_TYPES) >= 40
    assert len(procedural.WORLD_TYPES) >= 10
    assert len(procedural.FLOOR_TYPES) >= 12
    for kind, procedural_kind in ((CatalogKind.object, "object"), (CatalogKind.material, "floor")):
        used = {parse_procedural_uri(entry.uri).type for entry in builtin.builtin_entries(kind)}
        assert used == set(procedural.TYPES_BY_KIND[procedural_kind])


def test_backgrounds_are_blenders_hdris_and_skies_for_the_other_moods():
    """The eight HDRIs inside bpy replace the procedural skies of their moods; the other skies stay."""
    entries = builtin.builtin_entries(CatalogKind.hdri)
    hdris = [entry for entry in entries if entry.uri.startswith("blender://")]
    assert {entry.id for entry in hdris} == {f"hdri-{name}" for name in (
        "sunset", "sunrise", "night", "city", "forest", "studio", "interior", "courtyard")}
    assert all(entry.license == "CC0-1.0" and "Poly Haven" in entry.creator for entry in hdris)
    skies = {parse_procedural_uri(entry.uri).type for entry in entries if entry not in hdris}
    assert skies == set(procedural.WORLD_TYPES) - {"sunset", "sunrise", "night", "studio", "forest"}


def test_objects_have_variants_captions_and_heights():
    objects = builtin.builtin_entries(CatalogKind.object)
    assert len({entry.id for entry in objects}) == len(objects)
    for entry in objects:
        params = parse_procedural_uri(entry.uri).params
        assert set(params) == {"color", "material"}
        assert entry.name == builtin.object_name(parse_procedural_uri(entry.uri).type, params["color"],
                                                 params["material"])
        assert entry.description.startswith(f"a {entry.name}: ") and entry.size_m and entry.size_m[2] > 0


@pytest.mark.parametrize("word,color", [("Red", "red"), ("grey", "gray"), ("golden", "gold"), ("mauve", None)])
def test_colour_words(word, color):
    assert procedural.normalize_color(word) == color


@pytest.mark.parametrize("word,finish", [("wooden", "wood"), ("steel", "metal"), ("glass", "glass"), ("paper", None)])
def test_finish_words(word, finish):
    assert procedural.normalize_finish(word) == finish


def test_linear_rgb_applies_the_srgb_transfer_curve():
    assert procedural.linear_rgb("white")[0] == pytest.approx(0.8900, abs=1e-3)
    assert procedural.linear_rgb("gray")[0] == pytest.approx(0.2140, abs=1e-3)
