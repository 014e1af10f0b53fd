"""Rules-rewriter latency: p50/p95 per prompt over varied generated prompts and the judged set.

The models it uses are loaded first and their load times reported
separately: the dependency parser (spaCy pipeline, with its file-hash check)
and the embedding model (for wording the lexicon lacks). The timed loops are
warm. The judged prompts are written the way people describe scenes, so
they exercise the parse more than the generated ones.

    .venv/bin/python -P bench/rewriter.py [--prompts 200] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from simfarm.retrieval.embedding import load_model
from simfarm.rewriter import parser as dependency_parser
from simfarm.rewriter.evaluation import load_judged
from simfarm.rewriter.rules import RulesRewriter

SUBJECTS = ["car", "vintage car", "dragon statue", "robot", "wooden chair", "glass vase", "dog", "tree",
            "street lamp", "cabin", "teapot", "sailboat", "balloon", "bench", "rusty bicycle", "marble bust"]
COLORS = ["", "red ", "blue ", "golden ", "green ", "black ", "white "]
SIZES = ["", "tiny ", "huge ", "small ", "large ", "immense ", "enormous "]
COUNTS = ["a", "two", "three", "a pair of"]
MOTIONS = ["", " drives to the left", " moves backward slowly", " rises", " rolls right quickly",
           " drifts towards the camera", " races past a wooden cabin"]
RELATIONS = ["", " next to a lamp", " on top of a crate", " to the left of a house", " behind a fence"]
CAMERA = ["", ", slow orbit", ", the camera pulls back", ", push in", ", the camera cranes up",
          ", no camera movement", ", the camera follows it", ", the camera circles it", ", the camera gets closer"]
SHOTS = ["", ", close-up", ", wide shot", ", extreme wide", ", low angle", ", bird's-eye view"]
SETTINGS = ["", " at sunset", " under a night sky full of stars", " with studio lighting", " in a foggy forest",
            " on a marble floor", " on wet asphalt at dawn"]
LOOKS = ["", ", dreamy glow", ", heavy motion blur", ", soft shadows", ", subtle bloom"]


def prompts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        article = rng.choice(COUNTS)
        noun = rng.choice(SUBJECTS) + ("s" if article not in ("a",) else "")
        made.append(f"{article} {rng.choice(SIZES)}{rng.choice(COLORS)}{noun}{rng.choice(MOTIONS)}"
                    f"{rng.choice(RELATIONS)}{rng.choice(SETTINGS)}{rng.choice(CAMERA)}{rng.choice(SHOTS)}"
                    f"{rng.choice(LOOKS)}")
    return made


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prompts", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    started = time.perf_counter()
    dependency_parser.load()
    parser_load = time.perf_counter() - started
    started = time.perf_counter()
    load_model()
    rewriter = RulesRewriter()
    rewriter.rewrite("a vintage robot, the camera circles it")  # embeds the vocabulary once
    rewriter.rewrite("a hulking cube spins")  # and the size words
    setup = time.perf_counter() - started

    print(f"parser load (spaCy pipeline, hash-checked): {parser_load:.2f} s (excluded below)")
    print(f"embedding model load + vocabulary embedding: {setup:.2f} s (excluded below)")
    judged = [case.prompt for case in load_judged()]
    for label, batch in (("generated", prompts(args.prompts, args.seed)), ("judged-set", judged)):
        latencies = []
        for prompt in batch:
            started = time.perf_counter()
            rewriter.rewrite(prompt)
            latencies.append((time.perf_counter() - started) * 1000)
        print(f"rules rewriter over {len(latencies)} {label} prompts: p50 {statistics.median(latencies):.2f} ms, "
              f"p95 {percentile(latencies, 0.95):.2f} ms, max {max(latencies):.2f} ms")


if __name__ == "__main__":
    main()
