"""Import, incremental re-import, deletion and search against a real ChromaDB index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simfarm.errors import InputError
from simfarm.retrieval import embedding
from simfarm.retrieval.catalog import Catalog
from simfarm.retrieval import index
from simfarm.retrieval.index import CatalogIndex
from simfarm.retrieval.entries import CatalogKind
from simfarm.retrieval.builtin import builtin_entries
from simfarm.retrieval.importers import read_import

DATA = Path(__file__).parent / "data"
PHRASINGS = len(builtin_entries(CatalogKind.hdri)[0].phrasings())  # texts embedded per entry


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        self.texts = 0

    def __call__(self, texts):
        self.texts += len(texts)
        return embedding.embed(texts)


@pytest.fixture(scope="module")
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory, embedder) -> Catalog:
    """A catalog of its own: these tests change it."""
    home = tmp_path_factory.mktemp("scratch-home")
    return Catalog(CatalogIndex.persistent(home / "catalog", embedder), home)


def _import(catalog: Catalog, kind: CatalogKind, path: Path, fmt: str = "polyhaven"):
    parsed = read_import(kind, path, fmt)
    return catalog.import_entries(kind, parsed.source, parsed.entries, sorted(parsed.mentioned_ids))


def test_night_ranks_every_night_sky_above_daytime_skies(catalog):
    night = {entry.key for entry in catalog.entries(CatalogKind.hdri)
             if "night" in entry.tags + entry.categories}
    assert len(night) >= 3  # the embedded one and two Poly Haven samples
    hits = catalog.search(CatalogKind.hdri, "night", top=len(night))
    assert {hit.entry.key for hit in hits} == night


def test_search_results_are_sorted_and_carry_locations(catalog):
    hits = catalog.search(CatalogKind.material, "wooden planks", top=5)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert hits[0].entry.id in {"floor-wood", "wood_floor_deck"}
    assert all(hit.entry.uri or hit.entry.maps for hit in hits)


def test_reimport_embeds_only_changed_entries_and_deletes_removed_ones(scratch, embedder, tmp_path):
    source = DATA / "polyhaven_hdris.json"
    records = json.loads(source.read_text())
    count = len(records)
    scratch.entries(CatalogKind.hdri)  # the embedded catalog is indexed on first use
    embedded_before = embedder.texts
    first = _import(scratch, CatalogKind.hdri, source)
    assert (first.added, first.embedded) == (count, count)
    assert embedder.texts - embedded_before == count * PHRASINGS

    again = _import(scratch, CatalogKind.hdri, source)
    assert (again.embedded, again.unchanged, again.removed) == (0, count, 0)
    assert embedder.texts - embedded_before == count * PHRASINGS

    records["goegap"]["tags"].append("savanna")
    del records["foggy_lake"]
    records["rainforest_trail"] = {"name": "Rainforest Trail", "categories": ["outdoor", "nature"],
                                   "tags": ["jungle", "rainforest", "humid"], "url": "https://example.org/rf.hdr"}
    changed = tmp_path / "hdris.json"
    changed.write_text(json.dumps(records))
    report = _import(scratch, CatalogKind.hdri, changed)
    assert (report.added, report.updated, report.removed, report.embedded) == (1, 1, 1, 2)
    assert embedder.texts - embedded_before == (count + 2) * PHRASINGS  # the changed and the new entry
    assert report.unchanged == len(records) - 2

    keys = {entry.key for entry in scratch.entries(CatalogKind.hdri)}
    assert "polyhaven:rainforest_trail" in keys and "polyhaven:foggy_lake" not in keys
    assert "embedded:world-foggy" in keys  # another source is never touched
    assert scratch.search(CatalogKind.hdri, "jungle", top=1)[0].entry.id == "rainforest_trail"


def test_a_rejected_record_keeps_its_previous_entry(scratch, tmp_path):
    path = tmp_path / "textures.json"
    records = json.loads((DATA / "polyhaven_textures.json").read_text())
    path.write_text(json.dumps(records))
    _import(scratch, CatalogKind.material, path)
    records["red_brick"] = {"name": "Red Brick"}  # lost its maps: rejected
    path.write_text(json.dumps(records))
    parsed = read_import(CatalogKind.material, path, "polyhaven")
    assert [str(r) for r in parsed.rejected] == ["id 'red_brick': record: Value error, "
                                                 "an entry needs a uri or at least one texture map"]
    report = scratch.import_entries(CatalogKind.material, parsed.source, parsed.entries, sorted(parsed.mentioned_ids))
    assert report.removed == 0
    assert "polyhaven:red_brick" in {entry.key for entry in scratch.entries(CatalogKind.material)}


def test_cap3d_captions_become_searchable_objects(scratch):
    parsed = read_import(CatalogKind.object, DATA / "cap3d_sample.json", "cap3d",
                         url_template="https://objects.example/{uid}.glb")
    report = scratch.import_entries(CatalogKind.object, parsed.source, parsed.entries)
    assert report.added == 4
    hit = scratch.search(CatalogKind.object, "rocking chair", top=1)[0]
    assert hit.entry.source == "cap3d"
    assert hit.entry.uri == f"https://objects.example/{hit.entry.id}.glb"
    assert scratch.stats()["object"] == {"cap3d": 4, "embedded": len(scratch.index.entries(CatalogKind.object, "embedded"))}


def test_reopening_does_not_reindex_the_embedded_catalog(scratch, embedder):
    scratch.entries(CatalogKind.material)
    before = embedder.texts
    reopened = Catalog(CatalogIndex.persistent(scratch.home / "catalog", embedder), scratch.home)
    assert len(reopened.entries(CatalogKind.material)) >= 14
    assert embedder.texts == before


def test_embedded_source_name_is_reserved(scratch):
    with pytest.raises(InputError, match="reserved"):
        scratch.import_entries(CatalogKind.hdri, "embedded", [])


def test_unwritable_home_falls_back_to_memory_only_when_asked(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(InputError, match="not usable.*Not a directory"):
        Catalog.open(blocker / "home")
    catalog = Catalog.open(blocker / "home", in_memory_fallback=True)
    assert catalog.home is None
    assert "using an in-memory catalog" in capsys.readouterr().err
    assert catalog.search(CatalogKind.material, "snow", top=1)[0].entry.id == "floor-snow"


def test_an_index_keyed_by_plain_entry_keys_is_rekeyed_once_on_open(tmp_path, capsys):
    """Indexes written before record ids held the content hash: the next open re-keys them, keeping every
    entry and its embedding (no re-embedding), and searches find them."""
    home = tmp_path / "home"
    catalog = Catalog(CatalogIndex.persistent(home / "catalog"), home)
    _import(catalog, CatalogKind.hdri, DATA / "polyhaven_hdris.json")
    keys = catalog.index.keys(CatalogKind.hdri, "polyhaven")
    collection = catalog.index.collection(CatalogKind.hdri)
    stored = collection.get(include=["embeddings", "metadatas"])
    collection.delete(ids=stored["ids"])
    collection.add(ids=[record.rpartition("#")[0] for record in stored["ids"]], embeddings=stored["embeddings"],
                   metadatas=stored["metadatas"])
    collection.modify(metadata={**collection.metadata, index.ID_SCHEME_MARKER: "key"})
    capsys.readouterr()

    embedder = CountingEmbedder()
    reopened = Catalog(CatalogIndex.persistent(home / "catalog", embedder), home)
    assert reopened.index.keys(CatalogKind.hdri, "polyhaven") == keys
    assert f"re-keying {len(stored['ids'])} entries of simfarm-hdri" in capsys.readouterr().err
    assert reopened.search(CatalogKind.hdri, "night", top=1, sources=["polyhaven"])[0].entry.key in keys
    assert embedder.texts == 0  # nothing embedded again
    assert sorted(reopened.index.collection(CatalogKind.hdri).get(include=[])["ids"]) == \
        sorted(stored["ids"])


def test_an_index_written_before_names_were_indexed_finds_entries_by_name_after_opening(tmp_path, capsys):
    """Records written without ``NAME_TERMS`` get their name's terms on the next open, once, without re-embedding;
    then a search by a name word finds the entries so named, nearest first, and only those."""
    home = tmp_path / "home"
    catalog = Catalog(CatalogIndex.persistent(home / "catalog"), home)
    _import(catalog, CatalogKind.hdri, DATA / "polyhaven_hdris.json")
    collection = catalog.index.collection(CatalogKind.hdri)
    stored = collection.get(include=["embeddings", "metadatas"])
    collection.delete(ids=stored["ids"])
    collection.add(ids=stored["ids"], embeddings=stored["embeddings"],
                   metadatas=[{k: v for k, v in meta.items() if k != index.NAME_TERMS} for meta in stored["metadatas"]])
    collection.modify(metadata={**collection.metadata, index.NAME_TERMS: "0"})
    capsys.readouterr()

    embedder = CountingEmbedder()
    reopened = CatalogIndex.persistent(home / "catalog", embedder)
    vector = embedding.embed(["a sunny field"])[0]
    named = reopened.named(CatalogKind.hdri, vector, {"night"}, 50)
    assert f"indexing the names of {len(stored['ids'])} entries of simfarm-hdri" in capsys.readouterr().err
    nights = [name for name in (json.loads(meta["entry"])["name"] for meta in stored["metadatas"])
              if "night" in name.lower().split()]
    assert nights and sorted(candidate.name for candidate in named) == sorted(nights)
    assert [c.cosine for c in named] == sorted((c.cosine for c in named), reverse=True)
    assert reopened.named(CatalogKind.hdri, vector, {"night"}, 50, sources=[]) == []
    assert embedder.texts == 0
    Catalog(CatalogIndex.persistent(home / "catalog"), home).index.collection(CatalogKind.hdri)
    assert "indexing the names" not in capsys.readouterr().err  # once


def test_a_collection_read_whole_by_a_busy_process_still_finds_what_is_written_later(tmp_path):
    """After ``FILL_AFTER_READS`` searches the collection is held in memory whole; an entry imported afterwards (a
    new record id) is read when a search meets it, and the entries it replaced are no longer found."""
    catalog = Catalog.open(tmp_path / "home")
    for _ in range(index.FILL_AFTER_READS):
        catalog.search(CatalogKind.hdri, "a sunny field", top=3)
    path = tmp_path / "hdris.json"
    records = {"rainforest_trail": {"name": "Rainforest Trail", "categories": ["outdoor", "nature"],
                                    "tags": ["jungle", "rainforest", "humid"], "url": "https://example.org/rf.hdr"}}
    path.write_text(json.dumps(records))
    _import(catalog, CatalogKind.hdri, path)
    assert catalog.search(CatalogKind.hdri, "jungle rainforest", top=1)[0].entry.id == "rainforest_trail"
    records["rainforest_trail"]["name"] = "Humid Jungle Trail"
    path.write_text(json.dumps(records))
    _import(catalog, CatalogKind.hdri, path)
    names = [hit.entry.name for hit in catalog.search(CatalogKind.hdri, "jungle rainforest", top=3)]
    assert names[0] == "Humid Jungle Trail" and "Rainforest Trail" not in names
