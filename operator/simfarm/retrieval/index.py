"""The ChromaDB index: one cosine collection per catalog kind.

Each record's id is the entry's ``key`` (``source:id``); its metadata holds
the entry itself (JSON), a content hash and the entry's lexical fields, so
a search needs nothing but the index. Embeddings come from
``simfarm.retrieval.embedding`` and are passed in explicitly: ChromaDB's own
embedding function (which would download a model) is never used.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import chromadb
from chromadb.config import Settings
from tqdm import tqdm

from . import embedding
from .entries import CatalogEntry, CatalogKind, entry_key
from .ranking import LexicalFields

if TYPE_CHECKING:
    import numpy as np

COLLECTION_PREFIX = "simfarm-"
EMBED_CHUNK = 256  # entries embedded and written per step of the progress bar
PROGRESS_MIN_ENTRIES = 1000


@dataclass(frozen=True)
class SyncReport:
    """What an import changed; ``embedded`` counts entries whose embedding was (re)computed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def embedded(self) -> int:
        return self.added + self.updated


@dataclass(frozen=True)
class Candidate:
    """A nearest neighbour; its entry is parsed only if it makes the final ranking."""

    key: str
    cosine: float
    lexical: LexicalFields
    metadata: dict

    def entry(self) -> CatalogEntry:
        return _entry(self.metadata)

    @property
    def name(self) -> str:
        return json.loads(self.metadata["entry"])["name"]

    @property
    def license(self) -> str:
        """Stored beside the entry since licenses filter searches; an older index has it only in the entry."""
        return self.metadata["license"] if "license" in self.metadata else self.entry().license


def _settings() -> Settings:
    return Settings(anonymized_telemetry=False, allow_reset=False)


Embedder = Callable[[Sequence[str]], "np.ndarray"]


class CatalogIndex:
    """Entries and embeddings of every kind, persistent under a folder or in memory.

    ``embedder`` turns entry texts into unit vectors; only the benchmark
    passes another one (serving embeddings it computed once for all sizes).
    """

    def __init__(self, client: "chromadb.api.ClientAPI", embedder: Embedder = embedding.embed) -> None:
        self._client = client
        self._embed = embedder
        self._collections: dict[CatalogKind, chromadb.Collection] = {}

    @classmethod
    def persistent(cls, path: Path, embedder: Embedder = embedding.embed) -> "CatalogIndex":
        return cls(chromadb.PersistentClient(path=str(path), settings=_settings()), embedder)

    @classmethod
    def in_memory(cls) -> "CatalogIndex":
        return cls(chromadb.EphemeralClient(settings=_settings()))

    def collection(self, kind: CatalogKind) -> "chromadb.Collection":
        if kind not in self._collections:
            self._collections[kind] = self._client.get_or_create_collection(
                f"{COLLECTION_PREFIX}{kind.value}",
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        return self._collections[kind]

    def marker(self, kind: CatalogKind, name: str) -> str | None:
        """A value kept in the collection's metadata (e.g. the embedded catalog's digest)."""
        return (self.collection(kind).metadata or {}).get(name)

    def set_marker(self, kind: CatalogKind, name: str, value: str) -> None:
        collection = self.collection(kind)
        collection.modify(metadata={**(collection.metadata or {}), name: value})

    def hashes(self, kind: CatalogKind, source: str) -> dict[str, str]:
        """Index key -> content hash of every entry from ``source``."""
        found = self.collection(kind).get(where={"source": source}, include=["metadatas"])
        return {key: meta["hash"] for key, meta in zip(found["ids"], found["metadatas"])}

    def sync(self, kind: CatalogKind, source: str, entries: Sequence[CatalogEntry],
             keep_ids: Iterable[str] = ()) -> SyncReport:
        """Make ``source``'s entries of ``kind`` equal ``entries``.

        Unchanged entries (same content hash) are not re-embedded; entries of
        ``source`` that are neither given nor in ``keep_ids`` are deleted.
        """
        strays = sorted({entry.source for entry in entries} - {source})
        if strays:
            raise ValueError(f"entries from {', '.join(strays)} cannot be synced as source {source!r}")
        existing = self.hashes(kind, source)
        wanted = {entry.key: entry for entry in entries}
        kept = {entry_key(source, entry_id) for entry_id in keep_ids}
        stale = [key for key in existing if key not in wanted and key not in kept]
        changed = [entry for key, entry in wanted.items() if existing.get(key) != entry.content_hash()]
        collection = self.collection(kind)
        batch = self._client.get_max_batch_size()
        for start in range(0, len(stale), batch):
            collection.delete(ids=stale[start:start + batch])
        self._write(collection, changed)
        added = sum(1 for entry in changed if entry.key not in existing)
        return SyncReport(added=added, updated=len(changed) - added,
                          unchanged=len(wanted) - len(changed), removed=len(stale))

    def _write(self, collection: "chromadb.Collection", entries: list[CatalogEntry]) -> None:
        with tqdm(total=len(entries), desc=f"embedding {collection.name}", unit="entry", file=sys.stderr,
                  disable=len(entries) < PROGRESS_MIN_ENTRIES) as progress:
            for start in range(0, len(entries), EMBED_CHUNK):
                chunk = entries[start:start + EMBED_CHUNK]
                vectors = self._embed([entry.search_text() for entry in chunk])
                collection.upsert(
                    ids=[entry.key for entry in chunk],
                    embeddings=vectors,
                    metadatas=[_metadata(entry) for entry in chunk],
                )
                progress.update(len(chunk))

    def query(self, kind: CatalogKind, vectors: Sequence[Sequence[float]], n: int) -> list[list[Candidate]]:
        """The ``n`` nearest entries to each vector, nearest first."""
        collection = self.collection(kind)
        n = min(n, collection.count())
        if n == 0:
            return [[] for _ in vectors]
        found = collection.query(query_embeddings=list(vectors), n_results=n, include=["metadatas", "distances"])
        return [
            [Candidate(key, 1.0 - distance, LexicalFields.from_metadata(meta), meta)
             for key, meta, distance in zip(keys, metas, distances)]
            for keys, metas, distances in zip(found["ids"], found["metadatas"], found["distances"])
        ]

    def entries(self, kind: CatalogKind, source: str | None = None) -> list[CatalogEntry]:
        found = self.collection(kind).get(where={"source": source} if source else None, include=["metadatas"])
        return sorted((_entry(meta) for meta in found["metadatas"]), key=lambda entry: entry.key)

    def sources(self, kind: CatalogKind) -> dict[str, int]:
        """Entry count per source."""
        counts: dict[str, int] = {}
        for meta in self.collection(kind).get(include=["metadatas"])["metadatas"]:
            counts[meta["source"]] = counts.get(meta["source"], 0) + 1
        return dict(sorted(counts.items()))


def _metadata(entry: CatalogEntry) -> dict[str, str]:
    lexical = LexicalFields.of(entry.name, entry.tags + entry.categories, entry.description)
    return {"source": entry.source, "license": entry.license, "hash": entry.content_hash(),
            "entry": entry.model_dump_json(),
            **lexical.as_metadata()}


def _entry(metadata: dict) -> CatalogEntry:
    return CatalogEntry.model_validate_json(metadata["entry"])
