"""Precision@5 on the judged real-catalog queries, then catalog search latency at 1k, 10k and 100k synthetic
entries, and import throughput.

    HF_HUB_OFFLINE=1 .venv/bin/python -P bench/retrieval.py [--sizes 1000 10000 100000] [--queries 200]

Prints first precision@5 per catalog and split, with the ancestor-style
baseline measured beside it (``simfarm.retrieval.judged``), over Poly Haven's
records in ``tests/retrieval/data`` and the installed Sweet Home 3D libraries
(``make test-library``; skipped with a message where they are absent). Then, per size: index write throughput, warm query latency (p50/p95) through
``Catalog.search`` with the model loaded once, and a baseline that loads the
model for every query (as the ancestor did) with the ratio of the two p50s.
Embedding is the slow part of an import, so the entries' embeddings are
computed once for the largest size, timed (entries/s), and cached under
``.cache/bench-retrieval`` for later runs and the smaller sizes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

import numpy as np
from tqdm import tqdm

from simfarm.retrieval import embedding, judged
from simfarm.retrieval.catalog import Catalog
from simfarm.retrieval.entries import CatalogEntry, CatalogKind
from simfarm.retrieval.index import CatalogIndex
from simfarm.retrieval.library import installed_libraries

CHUNK = 1000
REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "bench-retrieval"
JUDGED = REPO / "tests" / "retrieval" / "data"
RECORDS = {CatalogKind.hdri: JUDGED / "polyhaven_hdri_records.json",
           CatalogKind.material: JUDGED / "polyhaven_texture_records.json"}
NOUNS = ("chair table lamp sofa vase bottle car truck bicycle boat airplane robot dog cat horse bird tree flower "
         "rock house cabin tower bridge fountain statue clock guitar piano drum helmet shoe backpack umbrella "
         "kettle teapot mug bowl sword shield crown barrel crate bench fence tent lantern telescope globe "
         "camera radio television computer keyboard phone trophy anchor").split()
ADJECTIVES = ("vintage modern antique rusty shiny broken tiny huge old futuristic rustic elegant worn ornate "
              "simple low-poly detailed cartoon realistic weathered").split()
COLORS = "red orange yellow green blue purple pink brown black white gray silver gold teal beige".split()
MATERIALS = "wooden metal plastic glass stone ceramic fabric leather rubber marble".split()
SETTINGS = ("for a living room", "from a museum", "in a garden", "on a city street", "for a kitchen",
            "from a fantasy game", "on a farm", "in a workshop", "from the 1950s", "for a child's bedroom")


def synthetic_entries(count: int, seed: int = 0) -> list[CatalogEntry]:
    rng = random.Random(seed)
    entries = []
    for i in range(count):
        noun, adjective, color, material = (rng.choice(NOUNS), rng.choice(ADJECTIVES), rng.choice(COLORS),
                                            rng.choice(MATERIALS))
        name = f"{adjective} {color} {material} {noun}"
        entries.append(CatalogEntry(
            id=f"syn-{i:06d}", kind=CatalogKind.object, name=name,
            description=f"a {name} {rng.choice(SETTINGS)}, model {rng.randrange(10_000)}",
            tags=(noun, color, material, adjective), categories=("synthetic",),
            uri=f"https://assets.example/{i:06d}.glb", source="synthetic",
        ))
    return entries


def queries(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(ADJECTIVES)} {rng.choice(COLORS)} {rng.choice(NOUNS)}" for _ in range(count)]


def cached_embedder(entries: Sequence[CatalogEntry], size: int, embed_limit: int | None) -> tuple["CachedEmbedder", float]:
    """An embedder serving the texts the index embeds for the first ``size`` entries (``CatalogEntry.phrasings``),
    and the embedding throughput in entries/s. Past ``embed_limit`` entries, vectors are jittered copies."""
    texts = [text for entry in entries[:size] for text in entry.phrasings()]
    per_entry = len(texts) // size
    embedded = min(size, embed_limit or size)
    vectors, texts_per_second = embeddings_for(texts[:embedded * per_entry])
    if embedded < size:
        vectors = np.concatenate([vectors, jittered(vectors, (size - embedded) * per_entry)])
        print(f"{size:>7} entries: {embedded} embedded, {size - embedded} with jittered copies of their vectors",
              flush=True)
    return CachedEmbedder(texts, vectors), texts_per_second / per_entry


class CachedEmbedder:
    """Serves precomputed vectors for known texts and embeds the rest (the embedded catalog)."""

    def __init__(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        self.rows = {text: row for row, text in enumerate(texts)}
        self.vectors = vectors

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if all(text in self.rows for text in texts):
            return self.vectors[[self.rows[text] for text in texts]]
        return embedding.embed(texts)


def embeddings_for(texts: list[str]) -> tuple[np.ndarray, float]:
    """Vectors for ``texts`` and the embedding throughput (entries/s) measured when they were computed.

    Cached per chunk of ``CHUNK`` texts, so each size only embeds what the smaller ones did not.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    chunks, seconds = [], 0.0
    for start in tqdm(range(0, len(texts), CHUNK), desc="embedding", unit="chunk", file=sys.stderr):
        chunk = texts[start:start + CHUNK]
        digest = hashlib.sha256("\n".join(chunk).encode()).hexdigest()[:20]
        vectors_path, timing_path = CACHE / f"{digest}.npy", CACHE / f"{digest}.json"
        if not (vectors_path.exists() and timing_path.exists()):
            started = time.perf_counter()
            np.save(vectors_path, embedding.embed(chunk).astype(np.float32))
            timing_path.write_text(json.dumps({"entries": len(chunk), "seconds": time.perf_counter() - started}))
        chunks.append(np.load(vectors_path))
        seconds += json.loads(timing_path.read_text())["seconds"]
    return np.concatenate(chunks), len(texts) / seconds


def jittered(vectors: np.ndarray, count: int, seed: int = 3) -> np.ndarray:
    """``count`` unit vectors near the given ones: index bulk for latency, not for relevance."""
    rng = np.random.default_rng(seed)
    copies = vectors[rng.integers(0, len(vectors), count)] + rng.normal(0, 0.05, (count, vectors.shape[1]))
    return (copies / np.linalg.norm(copies, axis=1, keepdims=True)).astype(np.float32)


def percentile(samples: list[float], q: float) -> float:
    return float(np.percentile(samples, q))


def time_queries(catalog: Catalog, phrases: list[str], *, reload_model: bool) -> list[float]:
    samples = []
    for phrase in phrases:
        if reload_model:
            embedding.load_model.cache_clear()  # the next search loads the model again
        started = time.perf_counter()
        catalog.search(CatalogKind.object, phrase, top=5)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def cold_query(home: str, phrase: str) -> float:
    """Milliseconds for one `simfarm catalog search` in a new process: imports, model load, index open, query."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "simfarm", "catalog", "search", "object", phrase, "--home", home],
                   check=True, capture_output=True)
    return (time.perf_counter() - started) * 1000


def judged_precision() -> None:
    libraries = installed_libraries()
    if not libraries:
        print("judged real-catalog queries: skipped, the Sweet Home 3D libraries are not installed "
              "(make test-library)", flush=True)
        return
    with tempfile.TemporaryDirectory(prefix="simfarm-bench-judged-") as home:
        catalog = judged.real_catalog(Path(home), RECORDS, libraries)
        results = judged.evaluate(catalog, judged.load(JUDGED / "judged_real_catalogs.json"))
    print("\n".join(judged.table(results)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200, help="warm queries per size")
    parser.add_argument("--baseline-queries", type=int, default=5, help="model-reloading queries per size")
    parser.add_argument("--embed-limit", type=int, default=None,
                        help="embed at most this many entries; the rest get jittered copies of their vectors "
                             "(latency only, for machines too slow to embed the largest size)")
    parser.add_argument("--cold-queries", type=int, default=2, help="queries per size run as a fresh `simfarm` process")
    parser.add_argument("--no-judged", action="store_true", help="skip precision@5 on the judged queries")
    args = parser.parse_args()

    if not args.no_judged:
        judged_precision()
    entries = synthetic_entries(max(args.sizes))
    embedding.load_model()
    warm_queries, baseline_queries = queries(args.queries), queries(args.baseline_queries, seed=2)
    for size in sorted(args.sizes):
        embedder, embed_rate = cached_embedder(entries, size, args.embed_limit)
        with tempfile.TemporaryDirectory(prefix="simfarm-bench-") as home:
            catalog = Catalog(CatalogIndex.persistent(Path(home) / "catalog", embedder), Path(home))
            catalog.entries(CatalogKind.object)  # index the embedded catalog outside the timing
            started = time.perf_counter()
            report = catalog.import_entries(CatalogKind.object, "synthetic", entries[:size])
            write_rate = report.added / (time.perf_counter() - started)
            import_rate = 1 / (1 / embed_rate + 1 / write_rate)
            time_queries(catalog, warm_queries[:10], reload_model=False)  # warm-up
            warm = time_queries(catalog, warm_queries, reload_model=False)
            baseline = time_queries(catalog, baseline_queries, reload_model=True)
            embedding.load_model()
            cold = [cold_query(home, phrase) for phrase in baseline_queries[:args.cold_queries]]
            print(f"{size:>7} entries: embedding {embed_rate:.0f} entries/s, index write {write_rate:.0f} entries/s, "
                  f"import (embed + write) "
                  f"{import_rate:.0f} entries/s; warm p50 {percentile(warm, 50):.1f} ms, "
                  f"p95 {percentile(warm, 95):.1f} ms; reload-per-query p50 {percentile(baseline, 50):.0f} ms, "
                  f"p95 {percentile(baseline, 95):.0f} ms; ratio {statistics.median(baseline) / statistics.median(warm):.0f}x; "
                  f"fresh process per query median {statistics.median(cold):.0f} ms "
                  f"(ratio {statistics.median(cold) / statistics.median(warm):.0f}x)",
                  flush=True)


if __name__ == "__main__":
    main()
