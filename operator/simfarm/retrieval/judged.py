"""Precision@k on judged queries, with the ancestor-style baseline measured beside it in the same run.

A judged query names its catalog kind, the phrase, its split (``tune``: the
ranking was developed on it; ``heldout``: kept out of that; ``blind``:
written before a later round of tuning and never tuned on; ``fresh``: judged
from the records alone before the round after that, likewise never tuned on;
``unseen``: written and judged from the records alone by someone who never
saw the ranking, and not looked at query by query since; ``dev``: written
and judged the same way in a later round, then looked at query by query in
it, as ``tune`` was)
and the entry keys a person would accept (``fnmatch`` patterns). Precision@k counts the
accepted entries in the top k, out of k or out of how many accepted entries
exist when fewer. The baseline is what the ancestor did: each record as one
plain document (name, categories, tags, description), MiniLM embedding,
cosine ranking, no lexical or facet terms. Used by
``tests/retrieval/test_real_catalogs.py`` and ``bench/retrieval.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import numpy as np

from . import embedding
from .catalog import Catalog
from .entries import CatalogEntry, CatalogKind
from .importers import read_import
from .library import import_libraries

K = 5


@dataclass(frozen=True)
class JudgedQuery:
    catalog: str  # which real catalog it is judged against, for the report
    kind: CatalogKind
    query: str
    split: str
    relevant: tuple[str, ...]


@dataclass(frozen=True)
class Judgement:
    item: JudgedQuery
    ours: float
    baseline: float
    top: tuple[str, ...]


def load(path: Path) -> list[JudgedQuery]:
    return [JudgedQuery(item["catalog"], CatalogKind(item["kind"]), item["query"], item["split"],
                        tuple(item["relevant"])) for item in json.loads(path.read_text())]


def real_catalog(home: Path, records: dict[CatalogKind, Path], libraries: list[Path]) -> Catalog:
    """A catalog in ``home`` of Poly Haven API records (per kind) and Sweet Home 3D libraries, as judged."""
    catalog = Catalog.open(home)
    for kind, path in records.items():
        parsed = read_import(kind, path, "polyhaven")
        if parsed.rejected:
            raise ValueError(f"{path}: {len(parsed.rejected)} record(s) rejected, first {parsed.rejected[0]}")
        catalog.import_entries(kind, parsed.source, parsed.entries)
    import_libraries(catalog, libraries)
    return catalog


def plain_document(entry: CatalogEntry) -> str:
    """The ancestor's document: the record's fields in one string."""
    return entry.plain_text()


def _accepted(key: str, relevant: tuple[str, ...]) -> bool:
    return any(fnmatch(key, pattern) for pattern in relevant)


def evaluate(catalog: Catalog, items: list[JudgedQuery], k: int = K) -> list[Judgement]:
    """Precision@k of the catalog's ranking and of the baseline for every judged query."""
    judged = []
    for kind in CatalogKind:
        chosen = [item for item in items if item.kind is kind]
        if not chosen:
            continue
        entries = catalog.entries(kind)
        documents = embedding.embed([plain_document(entry) for entry in entries])
        queries = [item.query for item in chosen]
        for item, hits, vector in zip(chosen, catalog.search_many(kind, queries, top=k), embedding.embed(queries)):
            best = min(k, sum(_accepted(entry.key, item.relevant) for entry in entries))
            if best == 0:
                raise ValueError(f"judged query {item.query!r} accepts no entry of the catalog")
            mine = [hit.entry.key for hit in hits]
            baseline = [entries[i].key for i in np.argsort(-(documents @ vector))[:k]]
            judged.append(Judgement(item, sum(_accepted(key, item.relevant) for key in mine[:k]) / best,
                                    sum(_accepted(key, item.relevant) for key in baseline) / best, tuple(mine)))
    return judged


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def table(judged: list[Judgement]) -> list[str]:
    """Lines: precision@k and the baseline per catalog and split, per split over all catalogs, and overall."""
    lines = []
    groups: dict[tuple[str, str], list[Judgement]] = {}
    for judgement in judged:
        groups.setdefault((judgement.item.catalog, judgement.item.split), []).append(judgement)
    for split in sorted({judgement.item.split for judgement in judged}):
        groups.setdefault(("all catalogs", split), []).extend(j for j in judged if j.item.split == split)
    for (catalog, split), members in sorted(groups.items(), key=lambda pair: (pair[0][0] == "all catalogs", pair[0])):
        lines.append(f"{catalog:20} {split:8} {len(members):3} queries: precision@{K} "
                     f"{_mean([j.ours for j in members]):.3f}, ancestor baseline {_mean([j.baseline for j in members]):.3f}")
    lines.append(f"{'all catalogs':20} {'all':8} {len(judged):3} queries: precision@{K} "
                 f"{overall(judged)[0]:.3f}, ancestor baseline {overall(judged)[1]:.3f}")
    return lines


def overall(judged: list[Judgement]) -> tuple[float, float]:
    return _mean([j.ours for j in judged]), _mean([j.baseline for j in judged])


def misses(judged: list[Judgement], splits: tuple[str, ...] = ("tune",)) -> list[str]:
    """The queries of ``splits`` below full precision, with their top three (only tuning splits, by default:
    looking at held-out misses would be tuning on them)."""
    return [f"  {j.item.catalog} {j.item.split} {j.item.query!r}: p@{K} {j.ours:.2f} (baseline {j.baseline:.2f}) "
            f"top: {', '.join(j.top[:3])}" for j in judged if j.ours < 1 and j.item.split in splits]
