"""The operator image's built-in library: exported as entries (no embedding), seeded into a vector store
at startup, counted as built in; seeding again embeds nothing."""

from __future__ import annotations

from simfarm.retrieval.catalog import Catalog
from simfarm.retrieval.entries import CatalogKind
from simfarm.retrieval.index import CatalogIndex
from simfarm.retrieval.library import export_entries, parse_library_file, seed_entries
from simfarm.retrieval.sweethome3d import source_for
from support.catalog_data import require_libraries


def test_exported_library_entries_seed_a_store_as_built_in(chroma_server, tmp_path):
    library = min(require_libraries(), key=lambda path: path.stat().st_size)
    exported = tmp_path / "library-entries.jsonl"
    assert export_entries([library], exported) == len(parse_library_file(library).entries) > 10
    catalog = Catalog(CatalogIndex.server(chroma_server.url))
    first = seed_entries(catalog, exported)
    source = source_for(library.name)
    assert catalog.builtin_sources == ["embedded", source]
    assert first[source].added == len(parse_library_file(library).entries)
    again = seed_entries(Catalog(CatalogIndex.server(chroma_server.url)), exported)
    assert again[source].embedded == 0 and again[source].unchanged == first[source].added
    entry = catalog.entries(CatalogKind.object, [source])[0]
    hits = catalog.search(CatalogKind.object, entry.name, top=3, sources=catalog.builtin_sources)
    assert entry.key in {hit.entry.key for hit in hits}
    assert entry.uri.startswith("library://sweethome3d/") or entry.uri.startswith("file://")
