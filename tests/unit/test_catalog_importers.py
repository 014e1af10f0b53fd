"""Catalog importers: Poly Haven JSON, Cap3D captions, JSONL; bad records are reported, not fatal."""

from __future__ import annotations

import json

import pytest

from simfarm.errors import InputError
from simfarm.retrieval.entries import CatalogEntry, CatalogKind, parse_kind
from simfarm.retrieval.importers import read_import


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_polyhaven_hdris_and_textures(tmp_path):
    path = _write(tmp_path, "ph.json", json.dumps({
        "venice_sunset": {"name": "Venice Sunset", "categories": ["outdoor"], "tags": ["sunset"], "url": "https://h/v.hdr"},
        "red_brick": {"name": "Red Brick", "tags": ["brick"], "maps": {"diffuse": "https://t/d.jpg"}},
        "no_location": {"name": "Lost"},
        "tags_not_a_list": {"name": "Odd", "tags": "stars", "url": "https://h/o.hdr"},
    }))
    parsed = read_import(CatalogKind.hdri, path)
    assert [entry.key for entry in parsed.entries] == ["polyhaven:venice_sunset", "polyhaven:red_brick"]
    assert parsed.entries[0].license == "CC0-1.0" and parsed.entries[1].maps == {"diffuse": "https://t/d.jpg"}
    assert [r.location for r in parsed.rejected] == ["id 'no_location'", "id 'tags_not_a_list'"]
    assert "tags: Input should be a valid tuple" in parsed.rejected[1].message
    assert parsed.mentioned_ids == {"venice_sunset", "red_brick", "no_location", "tags_not_a_list"}


def test_cap3d_captions_use_the_url_template(tmp_path):
    path = _write(tmp_path, "captions.json", json.dumps({"abc123": "A red vintage convertible car with chrome bumpers "
                                                                    "and white wall tyres.", "empty": "  "}))
    parsed = read_import(CatalogKind.object, path, url_template="https://o.example/{uid}.glb")
    (entry,) = parsed.entries
    assert entry.uri == "https://o.example/abc123.glb" and entry.source == "cap3d"
    assert entry.name == "A red vintage convertible car with chrome bumpers"
    assert [str(r) for r in parsed.rejected] == ["id 'empty': expected a non-empty caption string"]


def test_jsonl_reports_line_numbers(tmp_path):
    good = {"id": "slate", "name": "Slate", "uri": "https://e/s.png"}
    path = _write(tmp_path, "m.jsonl", "\n".join([
        json.dumps(good), "", "[1, 2]", json.dumps({**good, "kind": "object"}), json.dumps(good),
        json.dumps({**good, "id": "x", "source": "elsewhere"}), json.dumps({**good, "id": "y", "extra": 1}),
    ]))
    parsed = read_import(CatalogKind.material, path)
    assert [entry.id for entry in parsed.entries] == ["slate"]
    assert [str(r) for r in parsed.rejected] == [
        "line 3: expected a JSON object, got list",
        "line 4: record kind 'object' does not match the import kind 'material'",
        "line 5: duplicate id 'slate'",
        "line 6: record source 'elsewhere' differs from the import source 'jsonl'",
        "line 7: extra: Extra inputs are not permitted",
    ]


@pytest.mark.parametrize("name,text,kwargs,message", [
    ("a.json", "[]", {}, "expected a JSON object mapping ids to records, got list"),
    ("a.json", "{\n  \"a\": ,\n}", {}, "not valid JSON at line 2 column 8"),
    ("a.json", "{}", {"fmt": "csv"}, "unknown import format 'csv'"),
    ("a.json", "{}", {"source": "my source"}, "invalid source name 'my source'"),
])
def test_unreadable_files_are_input_errors(tmp_path, name, text, kwargs, message):
    with pytest.raises(InputError, match=message):
        read_import(CatalogKind.hdri, _write(tmp_path, name, text), **kwargs)


def test_kinds_and_entries_validate():
    assert parse_kind("hdri") is CatalogKind.hdri
    with pytest.raises(InputError, match="unknown catalog kind 'texture'; expected one of: object, hdri, material"):
        parse_kind("texture")
    with pytest.raises(ValueError, match="needs a uri or at least one texture map"):
        CatalogEntry(id="a", kind="hdri", name="A")


def test_content_hash_follows_content():
    entry = CatalogEntry(id="a", kind="hdri", name="A", tags=("x",), uri="u")
    assert entry.content_hash() == CatalogEntry(id="a", kind="hdri", name="A", tags=("x",), uri="u").content_hash()
    assert entry.content_hash() != entry.model_copy(update={"tags": ("y",)}).content_hash()
