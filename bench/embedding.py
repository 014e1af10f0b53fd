"""The two MiniLM backends side by side: numpy (the operator image's) against sentence-transformers on torch.

    HF_HUB_OFFLINE=1 .venv/bin/python -P bench/embedding.py [--queries 200] [--batch 1024] [--rounds 2]

Texts are real ones: the judged rewriter prompts and queries, and the builtin catalog's entries. Printed per
backend: a cold start (a fresh process importing simfarm, loading the model and embedding one query),
warm single-query latency p50/p95 through `embedding.embed`, and the throughput of one `--batch`-text call
(best of `--rounds`); the backends alternate call by call, so both see the same load. Then the numpy/torch
ratios. Numbers, never pass/fail.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from simfarm.retrieval import embedding
from simfarm.retrieval.builtin import builtin_entries
from simfarm.retrieval.entries import CatalogKind

REPO = Path(__file__).resolve().parent.parent
BACKENDS = ("numpy", "torch")


def real_texts() -> tuple[list[str], list[str]]:
    """(queries, documents): what a search embeds, and what an import embeds."""
    prompts = [case["prompt"] for case in json.loads((REPO / "operator/simfarm/rewriter/judged_prompts.json").read_text())]
    queries = [case["query"] for case in json.loads((REPO / "tests/retrieval/data/judged_queries.json").read_text())]
    entries = [entry.search_text() for kind in CatalogKind for entry in builtin_entries(kind)]
    return queries + prompts, entries + prompts


def embed_with(backend: str, texts: list[str]) -> float:
    """Seconds for one `embedding.embed` call on that backend."""
    os.environ["SIMFARM_EMBEDDING_BACKEND"] = backend
    started = time.perf_counter()
    embedding.embed(texts)
    return time.perf_counter() - started


def cold_start(backend: str) -> float:
    code = "from simfarm.retrieval import embedding; embedding.embed(['a red car next to a wooden cabin'])"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                   env={**os.environ, "SIMFARM_EMBEDDING_BACKEND": backend})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200, help="warm single-text queries per backend")
    parser.add_argument("--batch", type=int, default=1024, help="texts in the throughput call")
    parser.add_argument("--rounds", type=int, default=2, help="throughput calls per backend (the best counts)")
    args = parser.parse_args()
    print(f"cpus available: {len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.1f}", flush=True)

    queries, documents = real_texts()
    batch = list(itertools.islice(itertools.cycle(documents), args.batch))
    cold = {backend: cold_start(backend) for backend in BACKENDS}
    for backend in BACKENDS:
        embed_with(backend, queries[:10])  # load and warm up
    latency: dict[str, list[float]] = {backend: [] for backend in BACKENDS}
    for query in itertools.islice(itertools.cycle(queries), args.queries):
        for backend in BACKENDS:
            latency[backend].append(embed_with(backend, [query]) * 1000)
    batch_seconds: dict[str, list[float]] = {backend: [] for backend in BACKENDS}
    for _ in range(args.rounds):  # alternating too, round by round
        for backend in BACKENDS:
            batch_seconds[backend].append(embed_with(backend, batch))
    throughput = {backend: args.batch / min(batch_seconds[backend]) for backend in BACKENDS}
    for backend in BACKENDS:
        p50, p95 = np.percentile(latency[backend], [50, 95])
        print(f"{backend:>5}: cold start {cold[backend]:.1f} s; one query p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
              f"{args.batch}-text batch {throughput[backend]:.0f} texts/s")
    query_ratio = np.median(latency["numpy"]) / np.median(latency["torch"])
    print(f"numpy/torch: query p50 x{query_ratio:.2f}, batch throughput x{throughput['numpy'] / throughput['torch']:.2f}, "
          f"cold start x{cold['numpy'] / cold['torch']:.2f}")


if __name__ == "__main__":
    main()
