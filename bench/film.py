"""Film benchmark (prints numbers; never a pass/fail test).

1. planning a 20-shot film (story → shots, entities, sets, continuity, captions), against planning the
   same 20 sentences as 20 separate single-shot requests in the same run (the baseline), both with the
   embedded catalog's retrieval;
2. wall time of rendering a 3-shot film (its shards by ``simfarm-render shard`` processes, then
   ``assemble``) with 2 workers at a time against 1: the same plan, in the same run.

Comparisons take the best of ``--repeats`` runs, alternating the two sides, so load from other processes
on a shared machine skews them less.

    .venv/bin/python -P bench/film.py [--repeats 2] [--width 320] [--height 180] [--seconds 1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from simfarm.plan.cli import catalog_resolver
from simfarm.plan.models import RenderSettings, RequestPlan
from simfarm.plan.planner import Planner
from simfarm.plan.sharding import plan_shards

SENTENCES = [
    "A red vintage car drives along a country road at sunset.", "The car stops next to a wooden cabin.",
    "A man walks out of the cabin, wide shot.", "He waves at the car.", "A small brown dog runs after him.",
    "The dog sits beside the car, close-up.", "It looks up at the man.", "Slow orbit around them.",
    "The man opens a green umbrella.", "Rain falls on the road, high angle.", "The car drives to the left.",
    "The dog chases it.", "The man stands alone in the rain.", "A yellow taxi arrives from the right.",
    "The taxi stops beside the man.", "He walks to the taxi, slow pan.", "The dog barks at the taxi.",
    "Seen from the other side, the taxi drives away.", "The dog lies down next to the cabin.",
    "The camera cranes up over the cabin at night.",
]
STORY_3 = ("A red ball rolls to the left on a wooden floor. The ball stops beside a blue box, wide shot. "
           "It rolls slowly to the right beside the box.")


def best(runs: list[float]) -> float:
    return min(runs)


def bench_planning(repeats: int) -> None:
    planner = Planner(resolver=catalog_resolver(None))
    settings = RenderSettings(width=640, height=360, fps=24, frames=48, engine="CYCLES")
    story = " ".join(SENTENCES)
    planner.plan_film(story=story, settings=settings)  # loads the parser, embeddings and catalog once
    film_runs, single_runs, stages = [], [], {}
    for _ in range(repeats):
        started = time.perf_counter()
        result = planner.plan_film(story=story, settings=settings, seed=len(film_runs))
        film_runs.append(time.perf_counter() - started)
        stages = result.timings
        started = time.perf_counter()
        for sentence in SENTENCES:
            planner.plan(sentence, settings=settings.model_copy(), seed=len(single_runs))
        single_runs.append(time.perf_counter() - started)
    plan = result.plan
    print(f"planning a {len(plan.film.shots)}-shot film ({len(plan.film.entities)} entities, "
          f"{len({s.set for s in plan.film.shots})} sets): {best(film_runs):.2f} s "
          f"({best(film_runs) / len(plan.film.shots) * 1000:.0f} ms per shot); stages: "
          + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in stages.items()))
    print(f"  the same 20 sentences as 20 single-shot plans: {best(single_runs):.2f} s; "
          f"film / singles = {best(film_runs) / best(single_runs):.2f}")
    held = sum(1 for w in plan.variants for warning in w.warnings if "line of action" in warning)
    print(f"  cuts where the 180° rule could not be kept: {held} of {len(plan.film.shots) - 1}")


def render_film(plan: RequestPlan, directory: Path, workers: int) -> float:
    """Seconds to render every shard of ``plan`` with ``workers`` worker processes at a time, then assemble."""
    directory.mkdir(parents=True)
    (directory / "plan.json").write_text(plan.to_json())
    worker = [sys.executable, "-m", "simfarm_render"]

    def run(arguments: list[str]) -> None:
        subprocess.run([*worker, *arguments, "--plan", str(directory / "plan.json")], check=True, capture_output=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda shard: run(["shard", "--index", str(shard.index)]), plan_shards(plan)))
    run(["assemble", "--variant", "0"])
    return time.perf_counter() - started


def bench_render(args: argparse.Namespace) -> None:
    settings = RenderSettings(width=args.width, height=args.height, fps=24, frames=round(args.seconds * 24),
                              engine="WORKBENCH")
    plan = Planner(resolver=catalog_resolver(None)).plan_film(story=STORY_3, settings=settings).plan
    one, two = [], []
    with tempfile.TemporaryDirectory(prefix="simfarm-bench-film-") as scratch:
        for repeat in range(args.repeats):
            one.append(render_film(plan, Path(scratch) / f"one-{repeat}", 1))
            two.append(render_film(plan, Path(scratch) / f"two-{repeat}", 2))
    print(f"render a 3-shot film ({plan.settings.frames} frames, {args.width}×{args.height}, Workbench, one shard "
          f"per shot, then assembly): 1 worker {best(one):.1f} s, 2 workers {best(two):.1f} s; speed-up "
          f"{best(one) / best(two):.2f}× (cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=180)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    bench_planning(args.repeats)
    bench_render(args)


if __name__ == "__main__":
    main()
