"""The asset catalog: what the planner, the CLI and the bench search.

``Catalog.open(home)`` keeps its index under ``<home>/catalog`` (ChromaDB);
``Catalog.in_memory()`` keeps it in the process, for a read-only home or a
throw-away demo (the embedded catalog is then embedded again, a few seconds);
``Catalog.server(url)`` uses a ChromaDB server shared by a cluster's
operators and import Jobs. Either way the embedded catalog is indexed on
first use of each kind and re-indexed only when it changes.

Searches may be scoped to some sources (``sources``): in a cluster a request
sees the built-in library and its own namespace's catalogs, never another
namespace's.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Collection
from typing import Sequence

from ..errors import InputError
from . import builtin, embedding
from .entries import CatalogEntry, CatalogKind, license_allowed
from .index import Candidate, CatalogIndex, SyncReport
from .procedural import is_procedural
from .facets import FACETS_BY_KIND
from .ranking import (facet_scores, head_scores, hybrid_score, lexical_scores, names_head, object_word_importance,
                      query_facets, query_head, synonyms, terms)

HOME_ENV = "SIMFARM_HOME"
DEFAULT_HOME = Path("~/.simfarm")
INDEX_DIR = "catalog"
# Candidates fetched by embedding before lexical re-ranking.
MIN_CANDIDATES = 100
CANDIDATES_PER_RESULT = 4
LICENSE_POOL_FACTOR = 4  # a license restriction drops candidates: fetch more of them
_BUILTIN_MARKER = "embedded_digest"


def resolve_home(home: str | os.PathLike | None = None) -> Path:
    """``--home``, else ``$SIMFARM_HOME``, else ``~/.simfarm``."""
    return Path(home or os.environ.get(HOME_ENV) or DEFAULT_HOME).expanduser()


def _require_writable(home: Path) -> None:
    try:
        (home / INDEX_DIR).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=home / INDEX_DIR):
            pass
    except OSError as error:
        raise InputError(
            f"catalog home {home} is not usable ({error.strerror or error}); "
            f"pass --home or set {HOME_ENV} to a writable directory"
        ) from None


@dataclass(frozen=True)
class SearchHit:
    entry: CatalogEntry
    score: float  # hybrid: cosine + weighted lexical match
    cosine: float
    lexical: float

    def to_json(self) -> dict:
        return {
            "id": self.entry.id,
            "name": self.entry.name,
            "score": round(self.score, 4),
            "cosine": round(self.cosine, 4),
            "lexical": round(self.lexical, 4),
            "source": self.entry.source,
            "uri": self.entry.uri,
            "maps": self.entry.maps,
            "tags": list(self.entry.tags),
            "categories": list(self.entry.categories),
        }


class Catalog:
    def __init__(self, index: CatalogIndex, home: Path | None = None) -> None:
        self.index = index
        self.home = home
        self._ready: set[CatalogKind] = set()
        self.builtin_sources: list[str] = [builtin.SOURCE]  # the embedded catalog, plus a seeded library's

    @classmethod
    def open(cls, home: str | os.PathLike | None = None, *, in_memory_fallback: bool = False) -> "Catalog":
        """The catalog under ``home`` (see ``resolve_home``).

        An unusable home is an ``InputError``, or, with ``in_memory_fallback``,
        a note on stderr and an in-memory catalog (``make demo`` on a read-only home).
        """
        path = resolve_home(home)
        try:
            _require_writable(path)
        except InputError as error:
            if not in_memory_fallback:
                raise
            print(f"simfarm: {error}; using an in-memory catalog", file=sys.stderr)
            return cls.in_memory()
        return cls(CatalogIndex.persistent(path / INDEX_DIR), path)

    @classmethod
    def in_memory(cls) -> "Catalog":
        """A catalog held by this process only (ChromaDB shares one in-memory index per process)."""
        return cls(CatalogIndex.in_memory())

    @classmethod
    def server(cls, url: str) -> "Catalog":
        """The catalog on the ChromaDB server at ``url``, shared with other processes."""
        return cls(CatalogIndex.server(url))

    def _prepare(self, kind: CatalogKind) -> None:
        """Index the embedded entries of ``kind`` unless this index already holds this version of them."""
        if kind in self._ready:
            return
        entries = builtin.builtin_entries(kind)
        digest = hashlib.sha256("".join(entry.content_hash() for entry in entries).encode()).hexdigest()
        if self.index.marker(kind, _BUILTIN_MARKER) != digest:
            self.index.sync(kind, builtin.SOURCE, entries)
            self.index.set_marker(kind, _BUILTIN_MARKER, digest)
        self._ready.add(kind)

    def import_entries(self, kind: CatalogKind, source: str, entries: Sequence[CatalogEntry],
                       keep_ids: Sequence[str] = ()) -> SyncReport:
        """Replace ``source``'s entries of ``kind``; see ``CatalogIndex.sync``."""
        if source == builtin.SOURCE:
            raise InputError(f"source name {source!r} is reserved for the embedded catalog")
        self._prepare(kind)
        return self.index.sync(kind, source, entries, keep_ids)

    def entries(self, kind: CatalogKind, sources: Collection[str] | None = None) -> list[CatalogEntry]:
        """Every entry of ``kind`` (only from ``sources`` unless None), sorted by key."""
        self._prepare(kind)
        return self.index.entries(kind, sources=sources)

    def stats(self) -> dict[str, dict[str, int]]:
        """Entry count per kind and source."""
        for kind in CatalogKind:
            self._prepare(kind)
        return {kind.value: self.index.sources(kind) for kind in CatalogKind}

    def search(self, kind: CatalogKind, query: str, top: int = 5, licenses: Sequence[str] = (),
               sources: Collection[str] | None = None, place: str | None = None) -> list[SearchHit]:
        return self.search_many(kind, [query], top, licenses, sources, [place])[0]

    @staticmethod
    def _named_model(head: str, candidate: Candidate) -> bool:
        return names_head(head, candidate.lexical) and not is_procedural(candidate.entry().uri)

    def search_many(self, kind: CatalogKind, queries: Sequence[str], top: int = 5,
                    licenses: Sequence[str] = (), sources: Collection[str] | None = None,
                    places: Sequence[str | None] | None = None) -> list[list[SearchHit]]:
        """Best ``top`` entries per query, best first; the queries are embedded in one batch.

        ``licenses`` keeps only entries under one of them (see ``license_allowed``); ``sources``, unless
        None, only entries from those sources. ``places`` (one per query, None for none) ranks as if each query
        said it is indoors or outdoors where it states no place itself (``facets.FACETS["place"]``), a facet
        only: the word would weigh with the query's own words and could take the place of its head noun.
        """
        for number, query in enumerate(queries, start=1):
            if not query.strip():
                raise InputError("empty search query" + (f" (query {number})" if len(queries) > 1 else ""))
        if top < 1:
            raise InputError(f"--top must be at least 1, got {top}")
        if not queries:
            return []
        self._prepare(kind)
        vectors = embedding.embed(list(queries))
        pool = max(MIN_CANDIDATES, CANDIDATES_PER_RESULT * top) * (LICENSE_POOL_FACTOR if licenses else 1)
        results = []
        places = places or [None] * len(queries)
        for query, place, vector, candidates in zip(queries, places, vectors,
                                                    self.index.query(kind, vectors, pool, sources)):
            head = query_head(query) if kind is CatalogKind.object else None
            if head is not None and not any(self._named_model(head, candidate) for candidate in candidates):
                # A terse record such as "Garden hut" can be far from "cabin" by cosine (rank 175 of 976 in the
                # Sweet Home 3D library), "Stroller" from "pram" (rank 527), while its name says it is one.
                near = {candidate.key for candidate in candidates}
                candidates += [candidate for candidate in self.index.named(kind, vector, {head} | synonyms(head),
                                                                           pool, sources)
                               if candidate.key not in near and self._named_model(head, candidate)]
            if licenses:
                candidates = [c for c in candidates if license_allowed(c.license, licenses)]
            words, fields = terms(query), [candidate.lexical for candidate in candidates]
            lexical = lexical_scores(words, fields, object_word_importance if kind is CatalogKind.object
                                     else lambda word: 1.0)
            facet = facet_scores(_with_place(query_facets(words, FACETS_BY_KIND[kind.value]), place, kind), fields)
            heads = head_scores(head, fields, lambda i: candidates[i].name, words)
            ranked = sorted(((hybrid_score(candidate.cosine, lex, fac, hed), candidate, lex)
                             for candidate, lex, fac, hed in zip(candidates, lexical, facet, heads)),
                            key=lambda ranked: (-ranked[0], ranked[1].key))
            results.append([SearchHit(candidate.entry(), score, candidate.cosine, lex)
                            for score, candidate, lex in ranked[:top]])
        return results


def _with_place(stated: dict[str, frozenset[str]], place: str | None, kind: CatalogKind) -> dict[str, frozenset[str]]:
    """A query's facets with the scene's place where the query states none and its kind is ranked by place."""
    if place is None or "place" in stated or "place" not in FACETS_BY_KIND[kind.value]:
        return stated
    return {**stated, "place": frozenset({place})}
