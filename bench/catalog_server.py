"""A cluster's shared vector store: catalog import throughput and warm query latency through a ChromaDB
server (``chroma run``, as the chart runs it) against the embedded client, in the same run.

    HF_HUB_OFFLINE=1 .venv/bin/python -P bench/catalog_server.py [--sizes 10000 100000] [--queries 200]

Per size, the synthetic entries of bench/retrieval.py are written as a JSON-lines catalog, served on
127.0.0.1, and imported the way an AssetCatalog's import Job does (``import_source``: fetch, parse,
URL checks, batched upserts, progress records) into a fresh server and into a fresh embedded index.
Embedding is the slow part and the same for both, so it is measured apart, once per entry, and cached
(``.cache/bench-retrieval``, shared with bench/retrieval.py); the import then serves those vectors.
Printed: embedding entries/s, import entries/s without embedding (server, embedded) and with it,
warm search p50/p95 through each client and the server/embedded ratio. Numbers, never pass/fail.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


from simfarm.retrieval import embedding
from simfarm.retrieval.catalog import Catalog
from simfarm.retrieval.entries import CatalogKind
from simfarm.retrieval.index import CatalogIndex
from simfarm.retrieval.remote import ImportLimits, UrlPolicy
from simfarm.retrieval.source_import import SourceSpec, import_source

REPO = Path(__file__).resolve().parent.parent
SOURCE = "bench/synthetic"


def _sibling(name: str):
    """bench/<name>.py as a module (``-P`` keeps bench/ off sys.path)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


retrieval_bench = _sibling("retrieval")
sys.path.insert(0, str(REPO / "tests"))  # the tests' server helpers: chroma run and a file server
from support.chroma import ChromaServer  # noqa: E402
from support.file_server import FileServer  # noqa: E402


def import_rate(index: CatalogIndex, url: str, size: int) -> float:
    """Entries/s of a whole import (fetch, parse, check, write; vectors served from the cache)."""
    started = time.perf_counter()
    progress = import_source(index, SOURCE, SourceSpec("jsonl", url), run="bench", kinds=[CatalogKind.object],
                             policy=UrlPolicy(enforce=False), limits=ImportLimits(max_records=size + 1))
    seconds = time.perf_counter() - started
    assert progress.counts["object"] == size and progress.written == size, progress
    return size / seconds


def latencies(catalog: Catalog, phrases: list[str]) -> list[float]:
    retrieval_bench.time_queries(catalog, phrases[:10], reload_model=False)  # warm-up
    return retrieval_bench.time_queries(catalog, phrases, reload_model=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200, help="warm queries per client and size")
    parser.add_argument("--embed-limit", type=int, default=None,
                        help="embed at most this many entries (the rate is measured on them); the rest get "
                             "jittered copies of their vectors, for machines too slow to embed the largest size")
    args = parser.parse_args()
    print(f"cpus available: {len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.1f}", flush=True)

    entries = retrieval_bench.synthetic_entries(max(args.sizes))
    embedding.load_model()
    phrases = retrieval_bench.queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="simfarm-bench-store-") as work:
        served = FileServer(Path(work) / "served")
        served.root.mkdir()
        try:
            for size in sorted(args.sizes):
                embedder, embed_rate = retrieval_bench.cached_embedder(entries, size, args.embed_limit)
                (served.root / f"{size}.jsonl").write_text("".join(
                    json.dumps({**entry.model_dump(mode="json", exclude_none=True), "source": SOURCE}) + "\n"
                    for entry in entries[:size]))
                url = f"{served.url}/{size}.jsonl"
                server = ChromaServer(Path(work) / f"chroma-{size}").start()
                try:
                    remote = CatalogIndex.server(server.url, embedder)
                    local = CatalogIndex.persistent(Path(work) / f"embedded-{size}", embedder)
                    rates = {"server": import_rate(remote, url, size), "embedded": import_rate(local, url, size)}
                    clients = {"server": Catalog(remote), "embedded": Catalog(local)}
                    for catalog in clients.values():
                        catalog.entries(CatalogKind.hdri)  # index the embedded catalog outside the timing
                    warm = {name: latencies(catalog, phrases) for name, catalog in clients.items()}
                finally:
                    server.stop()
                with_embedding = {name: 1 / (1 / embed_rate + 1 / rate) for name, rate in rates.items()}
                p50 = {name: statistics.median(samples) for name, samples in warm.items()}
                print(f"{size:>7} entries: embedding {embed_rate:.0f} entries/s (cached; timed when computed); "
                      f"import without embedding: server {rates['server']:.0f}, embedded {rates['embedded']:.0f} "
                      f"entries/s; import with embedding: server {with_embedding['server']:.0f}, embedded "
                      f"{with_embedding['embedded']:.0f} entries/s; warm search p50/p95: server "
                      f"{p50['server']:.1f}/{retrieval_bench.percentile(warm['server'], 95):.1f} ms, embedded "
                      f"{p50['embedded']:.1f}/{retrieval_bench.percentile(warm['embedded'], 95):.1f} ms "
                      f"(server/embedded {p50['server'] / p50['embedded']:.2f}x)", flush=True)
        finally:
            served.close()


if __name__ == "__main__":
    main()
