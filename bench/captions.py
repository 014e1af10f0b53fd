"""Planning with the camera-path checks, against the planning stages simfarm had before them.

Before captions were checked against the camera path, a plan was rewrite →
combine → retrieve → caption-from-the-grid. Now two stages follow retrieval:
``layout`` (real sizes, placement, a framing searched until the camera path
keeps every object in view) and ``caption`` (sentences written from the
path, each with its claims). Both runs here are the same planner on the same
prompts in the same process: the baseline is the time of the stages the
planner had before (rewrite, combine, retrieve), the new figure the whole
plan; the ratio is per variant. Model loading is excluded (warm planner).

    .venv/bin/python -P bench/captions.py [--prompts 60] [--variants 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from simfarm.plan.models import RenderSettings
from simfarm.plan.planner import Planner
from simfarm.retrieval.resolve import resolver_for_home
from simfarm.rewriter.evaluation import load_judged

BEFORE = ("rewrite", "combine", "retrieve")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=60, help="judged prompts to plan (default 60)")
    parser.add_argument("--variants", type=int, default=3, help="variants per prompt (default 3)")
    parser.add_argument("--frames", type=int, default=48, help="clip length in frames (default 48)")
    args = parser.parse_args()
    prompts = [case.prompt for case in load_judged()][:args.prompts]
    settings = RenderSettings(frames=args.frames)
    with tempfile.TemporaryDirectory(prefix="simfarm-bench-home-") as home:
        planner = Planner(resolver=resolver_for_home(home))
        started = time.perf_counter()
        planner.warm()
        print(f"warm-up (models, catalog index): {time.perf_counter() - started:.1f} s, excluded")
        before, after, layout, caption = [], [], [], []
        for number, prompt in enumerate(prompts):
            result = planner.plan(prompt, variants=args.variants, seed=number, settings=settings)
            t = result.timings
            before.append(sum(t[stage] for stage in BEFORE) / args.variants)
            after.append(sum(t.values()) / args.variants)
            layout.append(t["layout"] / args.variants)
            caption.append(t["caption"] / args.variants)

    def ms(values: list[float]) -> str:
        ordered = sorted(values)
        return (f"p50 {statistics.median(ordered) * 1000:6.1f} ms, p95 {ordered[int(0.95 * (len(ordered) - 1))] * 1000:6.1f} ms, "
                f"mean {statistics.fmean(ordered) * 1000:6.1f} ms")

    print(f"{len(prompts)} prompts × {args.variants} variants, {args.frames} frames, per variant:")
    print(f"  before (rewrite, combine, retrieve): {ms(before)}")
    print(f"  layout:                              {ms(layout)}")
    print(f"  caption:                             {ms(caption)}")
    print(f"  whole plan now:                      {ms(after)}")
    print(f"  ratio now / before: p50 {statistics.median(a / b for a, b in zip(after, before)):.2f}×, "
          f"mean {statistics.fmean(after) / statistics.fmean(before):.2f}× (target ≤ 2×)")


if __name__ == "__main__":
    main()
