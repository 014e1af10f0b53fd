"""The ChromaDB index: one cosine collection per catalog kind.

Each record's id is the entry's ``key`` (``source:id``); its metadata holds
the entry itself (JSON), a content hash and the entry's lexical fields, so
a search needs nothing but the index. Embeddings come from
``simfarm.retrieval.embedding`` and are passed in explicitly: ChromaDB's own
embedding function (which would download a model) is never used.

The same class serves an index in a folder, in memory, or on a ChromaDB
server (``CatalogIndex.connect``): a cluster's operators and import Jobs
share one server. Ids are deterministic, so an import that is killed and run
again writes the same records (upserts), never a second copy; a small
``simfarm-imports`` collection holds each import's progress, which the
operator reads into the catalog's status.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence
from urllib.parse import urlsplit

import chromadb
from chromadb.config import Settings
from tqdm import tqdm

from ..errors import InputError
from . import embedding
from .entries import CatalogEntry, CatalogKind, entry_key
from .ranking import LexicalFields

if TYPE_CHECKING:
    import numpy as np

COLLECTION_PREFIX = "simfarm-"
IMPORTS_COLLECTION = f"{COLLECTION_PREFIX}imports"
EMBED_CHUNK = 256  # entries embedded and written per step of the progress bar
PAGE = 5000  # records read per request when listing a source
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

    @property
    def entries(self) -> int:
        """Entries of the source after the import."""
        return self.added + self.updated + self.unchanged

    def __add__(self, other: "SyncReport") -> "SyncReport":
        return SyncReport(self.added + other.added, self.updated + other.updated,
                          self.unchanged + other.unchanged, self.removed + other.removed)


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
    """Entries and embeddings of every kind, persistent under a folder, in memory, or on a ChromaDB server.

    ``embedder`` turns entry texts into unit vectors; only the benchmark
    passes another one (serving embeddings it computed once for all sizes).
    """

    def __init__(self, client: "chromadb.api.ClientAPI", embedder: Embedder = embedding.embed) -> None:
        self._client = client
        self._embed = embedder
        self._collections: dict[CatalogKind, chromadb.Collection] = {}
        self._import_states: chromadb.Collection | None = None

    @classmethod
    def persistent(cls, path: Path, embedder: Embedder = embedding.embed) -> "CatalogIndex":
        return cls(chromadb.PersistentClient(path=str(path), settings=_settings()), embedder)

    @classmethod
    def in_memory(cls) -> "CatalogIndex":
        return cls(chromadb.EphemeralClient(settings=_settings()))

    @classmethod
    def server(cls, url: str, embedder: Embedder = embedding.embed) -> "CatalogIndex":
        """The index on the ChromaDB server at ``url`` (``http(s)://host:port``)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
            raise InputError(f"vector store URL {url!r}: expected http(s)://host:port")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            client = chromadb.HttpClient(host=parts.hostname, port=port, ssl=parts.scheme == "https",
                                         settings=_settings())
        except Exception as error:  # chromadb checks the server's version on connect
            raise StoreUnavailable(f"vector store {url} is not reachable: {_short(error)}") from None
        return cls(client, embedder)

    @classmethod
    def connect(cls, location: str | Path, embedder: Embedder = embedding.embed) -> "CatalogIndex":
        """A server URL (``http(s)://…``) or a folder."""
        text = str(location)
        return cls.server(text, embedder) if text.startswith(("http://", "https://")) else \
            cls.persistent(Path(text), embedder)

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

    def _records(self, kind: CatalogKind, sources: Collection[str] | None) -> Iterable[tuple[str, dict]]:
        """(key, metadata) of every entry of ``kind`` (from ``sources``), read a page at a time."""
        collection = self.collection(kind)
        where = _where(sources)
        offset = 0
        while True:
            found = collection.get(where=where, include=["metadatas"], limit=PAGE, offset=offset)
            yield from zip(found["ids"], found["metadatas"])
            if len(found["ids"]) < PAGE:
                return
            offset += PAGE

    def hashes(self, kind: CatalogKind, source: str) -> dict[str, str]:
        """Index key -> content hash of every entry from ``source``."""
        return {key: meta["hash"] for key, meta in self._records(kind, [source])}

    def sync(self, kind: CatalogKind, source: str, entries: Sequence[CatalogEntry],
             keep_ids: Iterable[str] = ()) -> SyncReport:
        """Make ``source``'s entries of ``kind`` equal ``entries``.

        Unchanged entries (same content hash) are not re-embedded; entries of
        ``source`` that are neither given nor in ``keep_ids`` are deleted.
        """
        session = SourceSync(self, source, [kind])
        session.add(entries)
        session.keep(keep_ids)
        return session.finish()[kind]

    def write(self, kind: CatalogKind, entries: Sequence[CatalogEntry]) -> None:
        """Embed ``entries`` and upsert them (deterministic ids: writing twice leaves one record each)."""
        collection = self.collection(kind)
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

    def delete(self, kind: CatalogKind, keys: Sequence[str]) -> None:
        collection = self.collection(kind)
        batch = self._client.get_max_batch_size()
        for start in range(0, len(keys), batch):
            collection.delete(ids=list(keys[start:start + batch]))

    def delete_source(self, source: str) -> int:
        """Remove every entry of ``source`` (all kinds) and its import state; returns how many entries."""
        removed = 0
        for kind in CatalogKind:
            keys = self.keys(kind, source)
            self.delete(kind, keys)
            removed += len(keys)
        self._imports().delete(ids=[source])
        return removed

    def keys(self, kind: CatalogKind, source: str) -> list[str]:
        """Keys of ``source``'s entries of ``kind``, sorted (ids only: cheap for a large source)."""
        found = self.collection(kind).get(where={"source": source}, include=[])
        return sorted(found["ids"])

    def query(self, kind: CatalogKind, vectors: Sequence[Sequence[float]], n: int,
              sources: Collection[str] | None = None) -> list[list[Candidate]]:
        """The ``n`` nearest entries to each vector, nearest first; only from ``sources`` unless None."""
        collection = self.collection(kind)
        n = min(n, collection.count())
        if n == 0 or (sources is not None and not sources):
            return [[] for _ in vectors]
        found = collection.query(query_embeddings=list(vectors), n_results=n, where=_where(sources),
                                 include=["metadatas", "distances"])
        return [
            [Candidate(key, 1.0 - distance, LexicalFields.from_metadata(meta), meta)
             for key, meta, distance in zip(keys, metas, distances)]
            for keys, metas, distances in zip(found["ids"], found["metadatas"], found["distances"])
        ]

    def entries(self, kind: CatalogKind, source: str | None = None,
                sources: Collection[str] | None = None) -> list[CatalogEntry]:
        """Entries of ``kind`` (from ``source``, or from ``sources`` unless None), sorted by key."""
        scope = [source] if source else sources
        if scope is not None and not scope:
            return []
        return sorted((_entry(meta) for _, meta in self._records(kind, scope)), key=lambda entry: entry.key)

    def sources(self, kind: CatalogKind) -> dict[str, int]:
        """Entry count per source."""
        counts: dict[str, int] = {}
        for _, meta in self._records(kind, None):
            counts[meta["source"]] = counts.get(meta["source"], 0) + 1
        return dict(sorted(counts.items()))

    # ---- import progress, shared by an import Job (writer) and the operator (reader) ----

    def _imports(self) -> "chromadb.Collection":
        if self._import_states is None:
            self._import_states = self._client.get_or_create_collection(IMPORTS_COLLECTION, embedding_function=None)
        return self._import_states

    def import_state(self, source: str) -> dict[str, Any] | None:
        found = self._imports().get(ids=[source], include=["metadatas"])
        return json.loads(found["metadatas"][0]["state"]) if found["ids"] else None

    def set_import_state(self, source: str, state: dict[str, Any]) -> None:
        self._imports().upsert(ids=[source], embeddings=[[0.0]], metadatas=[{"state": json.dumps(state)}])


class StoreUnavailable(Exception):
    """The vector store cannot be reached (it may come back: retry)."""


class SourceSync:
    """An incremental import of one source, fed in batches.

    Entries whose content hash is already in the index are not embedded
    again, so a run that was killed halfway and started over embeds only
    what the first run did not write. ``finish`` deletes the source's entries
    that were neither fed nor kept (ids named by rejected records keep their
    previous entry).
    """

    def __init__(self, index: CatalogIndex, source: str, kinds: Iterable[CatalogKind]) -> None:
        self.index = index
        self.source = source
        self.kinds = tuple(kinds)
        self._existing = {kind: index.hashes(kind, source) for kind in self.kinds}  # key -> hash, kept current
        self._before = {kind: frozenset(self._existing[kind]) for kind in self.kinds}
        self._seen: dict[CatalogKind, set[str]] = {kind: set() for kind in self.kinds}
        self._kept: set[str] = set()
        self._reports = {kind: SyncReport() for kind in self.kinds}

    def add(self, entries: Sequence[CatalogEntry]) -> int:
        """Write the new and changed ``entries``; returns how many were embedded."""
        strays = sorted({entry.source for entry in entries} - {self.source})
        if strays:
            raise ValueError(f"entries from {', '.join(strays)} cannot be synced as source {self.source!r}")
        embedded = 0
        for kind in self.kinds:
            wanted = {entry.key: entry for entry in entries if entry.kind is kind}
            existing = self._existing[kind]
            changed = [entry for key, entry in wanted.items() if existing.get(key) != entry.content_hash()]
            self.index.write(kind, changed)
            existing.update((entry.key, entry.content_hash()) for entry in changed)
            added = sum(1 for entry in changed if entry.key not in self._before[kind])
            self._reports[kind] += SyncReport(added=added, updated=len(changed) - added,
                                              unchanged=len(wanted) - len(changed))
            self._seen[kind].update(wanted)
            embedded += len(changed)
        return embedded

    def keep(self, ids: Iterable[str]) -> None:
        self._kept.update(entry_key(self.source, entry_id) for entry_id in ids)

    def finish(self) -> dict[CatalogKind, SyncReport]:
        for kind in self.kinds:
            stale = sorted(key for key in self._existing[kind] if key not in self._seen[kind] and key not in self._kept)
            self.index.delete(kind, stale)
            self._reports[kind] += SyncReport(removed=len(stale))
        return dict(self._reports)


def _where(sources: Collection[str] | None) -> dict | None:
    if sources is None:
        return None
    return {"source": next(iter(sources))} if len(sources) == 1 else {"source": {"$in": sorted(sources)}}


def _short(error: Exception) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


def _metadata(entry: CatalogEntry) -> dict[str, str]:
    lexical = LexicalFields.of(entry.name, entry.tags + entry.categories, entry.description)
    return {"source": entry.source, "license": entry.license, "hash": entry.content_hash(),
            "entry": entry.model_dump_json(),
            **lexical.as_metadata()}


def _entry(metadata: dict) -> CatalogEntry:
    return CatalogEntry.model_validate_json(metadata["entry"])
