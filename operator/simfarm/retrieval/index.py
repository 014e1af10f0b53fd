"""The ChromaDB index: one cosine collection per catalog kind.

A record's vector is the mean of its phrasings' embeddings
(``CatalogEntry.phrasings``), stored as a unit vector with the mean's length
beside it (``scale``); a search's cosine times that length is the mean of
the query's cosines with the phrasings.

Each record's id is the entry's ``key`` (``source:id``) and its content hash
(``key#hash``); its metadata holds the entry itself (JSON), the hash and the
entry's lexical fields, so a search needs nothing but the index. Embeddings
come from ``simfarm.retrieval.embedding`` and are passed in explicitly:
ChromaDB's own embedding function (which would download a model) is never used.

Content-addressed ids make a record immutable: a changed entry is a new
record. So a search asks the store for ids and distances only and keeps the
records it has read in memory (``_RecordCache``); reading the metadata of 100
candidates on every search took ~3-5 ms of a 20 ms search at 10k entries,
and a cache keyed by id cannot go stale even when other processes (import
Jobs on a shared server) write. Indexes written with plain-key ids are
re-keyed once when opened (``_rekey``), and records written before names
were indexed get their name's terms then (``_add_name_terms``).

The same class serves an index in a folder, in memory, or on a ChromaDB
server (``CatalogIndex.connect``): a cluster's operators and import Jobs
share one server. Ids are deterministic, so an import that is killed and run
again writes the same records (upserts), never a second copy; a small
``simfarm-imports`` collection holds each import's progress, which the
operator reads into the catalog's status.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence
from urllib.parse import urlsplit

import chromadb
import numpy as np
from chromadb.config import Settings
from tqdm import tqdm

from ..errors import InputError
from . import embedding
from .entries import CatalogEntry, CatalogKind, entry_key
from .ranking import LexicalFields


COLLECTION_PREFIX = "simfarm-"
IMPORTS_COLLECTION = f"{COLLECTION_PREFIX}imports"
ID_SCHEME_MARKER, ID_SCHEME = "record_ids", "key#hash"  # collection metadata: how its record ids are formed
# Record metadata: the terms of the entry's name as an array, so that a model can be found by its name however far
# its record is by cosine ("Stroller" is the 527th of 976 Sweet Home 3D models nearest "pram"). Collection
# metadata marks an index whose records all carry it.
NAME_TERMS = "name_terms"
CACHED_RECORDS = 20_000  # records per kind kept in memory between searches (each ~1-2 KB), oldest out first
FILL_AFTER_READS = 5  # searches of a kind after which a collection that fits in the cache is read whole
EMBED_CHUNK = 256  # entries embedded and written per step of the progress bar
PAGE = 5000  # records read per request when listing a source (under ChromaDB's batch limit, 5461)
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


def record_id(key: str, content_hash: str) -> str:
    return f"{key}#{content_hash}"


def key_of(record: str) -> str:
    """The entry key of a record id (keys may hold '#'; the hash never does)."""
    return record.rpartition("#")[0]


@dataclass(frozen=True)
class StoredRecord:
    """A record's metadata as read from the store; its entry is parsed only if it makes a final ranking."""

    metadata: dict

    @cached_property
    def lexical(self) -> LexicalFields:
        return LexicalFields.from_metadata(self.metadata)

    @cached_property
    def name(self) -> str:
        return json.loads(self.metadata["entry"])["name"]

    @property
    def license(self) -> str:
        """Stored beside the entry since licenses filter searches; an older index has it only in the entry."""
        return self.metadata["license"] if "license" in self.metadata else _entry(self.metadata).license

    @property
    def scale(self) -> float:
        """The length of the mean of the phrasings' vectors (1 in an index written with one phrasing)."""
        return float(self.metadata.get("scale", 1.0))


@dataclass(frozen=True)
class Candidate:
    """A nearest neighbour of a query."""

    key: str
    cosine: float
    record: StoredRecord

    def entry(self) -> CatalogEntry:
        return _entry(self.record.metadata)

    @property
    def lexical(self) -> LexicalFields:
        return self.record.lexical

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def license(self) -> str:
        return self.record.license


def _settings() -> Settings:
    return Settings(anonymized_telemetry=False, allow_reset=False)


Embedder = Callable[[Sequence[str]], np.ndarray]


class CatalogIndex:
    """Entries and embeddings of every kind, persistent under a folder, in memory, or on a ChromaDB server.

    ``embedder`` turns entry texts into unit vectors; only the benchmark
    passes another one (serving embeddings it computed once for all sizes).
    """

    def __init__(self, client: "chromadb.api.ClientAPI", embedder: Embedder = embedding.embed) -> None:
        self._client = client
        self._embed = embedder
        self._collections: dict[CatalogKind, chromadb.Collection] = {}
        self._records_read: dict[CatalogKind, _RecordCache] = {}
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
            collection = self._client.get_or_create_collection(
                f"{COLLECTION_PREFIX}{kind.value}",
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
            for marker, value, migrate in ((ID_SCHEME_MARKER, ID_SCHEME, _rekey), (NAME_TERMS, "1", _add_name_terms)):
                if (collection.metadata or {}).get(marker) != value:
                    migrate(collection)
                    collection.modify(metadata={**(collection.metadata or {}), marker: value})
            self._collections[kind] = collection
            self._records_read[kind] = _RecordCache(collection)
        return self._collections[kind]

    def marker(self, kind: CatalogKind, name: str) -> str | None:
        """A value kept in the collection's metadata (e.g. the embedded catalog's digest)."""
        return (self.collection(kind).metadata or {}).get(name)

    def set_marker(self, kind: CatalogKind, name: str, value: str) -> None:
        collection = self.collection(kind)
        collection.modify(metadata={**(collection.metadata or {}), name: value})

    def _records(self, kind: CatalogKind, sources: Collection[str] | None) -> Iterable[tuple[str, dict]]:
        """(key, metadata) of every entry of ``kind`` (from ``sources``), read a page at a time."""
        return _pages(self.collection(kind), _where(sources))

    def hashes(self, kind: CatalogKind, source: str) -> dict[str, str]:
        """Index key -> content hash of every entry from ``source``."""
        return {key_of(record): meta["hash"] for record, meta in self._records(kind, [source])}

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
                phrasings = [entry.phrasings() for entry in chunk]
                vectors = np.asarray(self._embed([text for texts in phrasings for text in texts]))
                means = vectors.reshape(len(chunk), len(phrasings[0]), -1).mean(axis=1)
                scales = np.linalg.norm(means, axis=1)
                collection.upsert(
                    ids=[record_id(entry.key, entry.content_hash()) for entry in chunk],
                    embeddings=means / scales[:, None],
                    metadatas=[{**_metadata(entry), "scale": float(scale)} for entry, scale in zip(chunk, scales)],
                )
                progress.update(len(chunk))

    def delete(self, kind: CatalogKind, records: Sequence[str]) -> None:
        """Remove records by id (``record_id``)."""
        collection = self.collection(kind)
        batch = self._client.get_max_batch_size()
        for start in range(0, len(records), batch):
            collection.delete(ids=list(records[start:start + batch]))

    def delete_source(self, source: str) -> int:
        """Remove every entry of ``source`` (all kinds) and its import state; returns how many entries."""
        removed = 0
        for kind in CatalogKind:
            records = self._record_ids(kind, source)
            self.delete(kind, records)
            removed += len(records)
        self._imports().delete(ids=[source])
        return removed

    def _record_ids(self, kind: CatalogKind, source: str) -> list[str]:
        return self.collection(kind).get(where={"source": source}, include=[])["ids"]

    def keys(self, kind: CatalogKind, source: str) -> list[str]:
        """Keys of ``source``'s entries of ``kind``, sorted (ids only: cheap for a large source)."""
        return sorted(key_of(record) for record in self._record_ids(kind, source))

    def query(self, kind: CatalogKind, vectors: Sequence[Sequence[float]], n: int,
              sources: Collection[str] | None = None) -> list[list[Candidate]]:
        """The ``n`` nearest entries to each vector, nearest first; only from ``sources`` unless None."""
        collection = self.collection(kind)
        if sources is not None and not sources:
            return [[] for _ in vectors]
        found = collection.query(query_embeddings=list(vectors), n_results=n, where=_where(sources),
                                 include=["distances"])
        return self._candidates(kind, found)

    def named(self, kind: CatalogKind, vector: Sequence[float], words: Collection[str], n: int,
              sources: Collection[str] | None = None) -> list[Candidate]:
        """The ``n`` entries nearest ``vector`` among those whose name holds one of ``words`` (as
        ``ranking.terms`` writes them), nearest first; only from ``sources`` unless None."""
        if not words or (sources is not None and not sources):
            return []
        named = [{NAME_TERMS: {"$contains": word}} for word in sorted(words)]
        where = named[0] if len(named) == 1 else {"$or": named}
        where = {"$and": [where, _where(sources)]} if sources is not None else where
        found = self.collection(kind).query(query_embeddings=[vector], n_results=n, where=where,
                                            include=["distances"])
        return self._candidates(kind, found)[0]

    def _candidates(self, kind: CatalogKind, found: dict) -> list[list[Candidate]]:
        records = self._records_read[kind].read([record for ids in found["ids"] for record in ids])
        return [
            [Candidate(key_of(record), (1.0 - distance) * records[record].scale, records[record])
             for record, distance in zip(ids, distances) if record in records]  # deleted since: skipped
            for ids, distances in zip(found["ids"], found["distances"])
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


class _RecordCache:
    """Records read by searches, by record id (immutable: see the module doc).

    A process that keeps searching (an operator, not a one-off command) reads a collection that fits in the cache
    whole, once, at its ``FILL_AFTER_READS``-th search (a page at a time; about 0.04 s per thousand records), so
    later searches read nothing: at 10k entries, fetching each search's unseen candidates had cost a warm search
    about 2 ms. A larger collection is read as searches meet its records."""

    def __init__(self, collection: "chromadb.Collection") -> None:
        self._collection = collection
        self._records: dict[str, StoredRecord] = {}
        self._reads = 0

    def read(self, records: Sequence[str]) -> dict[str, StoredRecord]:
        self._reads += 1
        if self._reads == FILL_AFTER_READS and self._collection.count() <= CACHED_RECORDS:
            self._records.update((record, StoredRecord(meta)) for record, meta in _pages(self._collection))
        missing = sorted({record for record in records if record not in self._records})
        if missing:
            overflow = len(self._records) + len(missing) - CACHED_RECORDS
            for oldest in list(itertools.islice(self._records, max(0, overflow))):
                del self._records[oldest]
            found = self._collection.get(ids=missing, include=["metadatas"])
            self._records.update((record, StoredRecord(meta)) for record, meta in zip(found["ids"], found["metadatas"]))
        return {record: self._records[record] for record in records if record in self._records}


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
            # a changed entry is a new record: the old one goes first, so a killed run leaves no two of a key
            self.index.delete(kind, [record_id(entry.key, existing[entry.key]) for entry in changed
                                     if entry.key in existing])
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
            stale = sorted(record_id(key, content_hash) for key, content_hash in self._existing[kind].items()
                           if key not in self._seen[kind] and key not in self._kept)
            self.index.delete(kind, stale)
            self._reports[kind] += SyncReport(removed=len(stale))
        return dict(self._reports)


def _rekey(collection: "chromadb.Collection") -> None:
    """Re-key records whose id is the plain entry key (indexes written before ids held the content hash)."""
    old = [(record, meta["hash"]) for record, meta in _pages(collection)
           if not record.endswith(f"#{meta['hash']}")]
    if not old:
        return
    print(f"simfarm: re-keying {len(old)} entries of {collection.name} (once)", file=sys.stderr)
    for start in range(0, len(old), PAGE):
        batch = dict(old[start:start + PAGE])
        found = collection.get(ids=list(batch), include=["embeddings", "metadatas"])
        collection.upsert(ids=[record_id(record, batch[record]) for record in found["ids"]],
                          embeddings=found["embeddings"], metadatas=found["metadatas"])
        collection.delete(ids=found["ids"])


def _add_name_terms(collection: "chromadb.Collection") -> None:
    """Give records written before ``NAME_TERMS`` existed their name's terms (read from their lexical fields)."""
    old = {record: meta for record, meta in _pages(collection) if NAME_TERMS not in meta}
    if not old:
        return
    print(f"simfarm: indexing the names of {len(old)} entries of {collection.name} (once)", file=sys.stderr)
    records = sorted(old)
    for start in range(0, len(records), PAGE):
        batch = records[start:start + PAGE]
        collection.update(ids=batch, metadatas=[{**old[record], **_name_terms(LexicalFields.from_metadata(old[record]))}
                                                for record in batch])


def _name_terms(lexical: LexicalFields) -> dict[str, list[str]]:
    """The ``NAME_TERMS`` field (none for a name without terms: ChromaDB refuses an empty array)."""
    return {NAME_TERMS: sorted(lexical.name)} if lexical.name else {}


def _pages(collection: "chromadb.Collection", where: dict | None = None) -> Iterable[tuple[str, dict]]:
    """(record id, metadata) of every record matching ``where``, read a page at a time."""
    offset = 0
    while True:
        found = collection.get(where=where, include=["metadatas"], limit=PAGE, offset=offset)
        yield from zip(found["ids"], found["metadatas"])
        if len(found["ids"]) < PAGE:
            return
        offset += PAGE


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
            **lexical.as_metadata(), **_name_terms(lexical)}


def _entry(metadata: dict) -> CatalogEntry:
    return CatalogEntry.model_validate_json(metadata["entry"])
