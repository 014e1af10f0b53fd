"""`simfarm render PROMPT --out DIR`: the whole pipeline on this machine, no cluster.

plan → shards rendered by local ``simfarm-render shard`` processes in
parallel → segments assembled. The request lives under
``DIR/local/<prompt slug>/<uid>/`` (``RequestLayout.for_request`` with the
namespace ``local``), where ``uid`` is a hash of the plan: the same prompt,
seed and settings land in the same folder. Blender is only ever imported by
the worker processes.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from pydantic import ValidationError
from tqdm import tqdm

from .errors import InputError
from .plan.cli import add_planning_arguments, planner_from_args, searched_catalogs
from .plan.models import ENGINES, RenderSettings, RequestPlan
from .plan.vocabulary import PASSES
from .plan.sharding import Shard, plan_shards, variant_shards
from .storage import RequestLayout, Storage, is_s3_uri

LOCAL_NAMESPACE = "local"
WORKER = [sys.executable, "-m", "simfarm_render"]
EXIT_PERMANENT = 3  # simfarm-render's "do not retry" code
SLUG_CHARS = 40


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("render", help="render a prompt to MP4s on this machine",
                                   description="Plan a prompt, render its shards with local Blender workers in "
                                               "parallel and assemble the videos.")
    parser.add_argument("prompt", help="the video prompt")
    parser.add_argument("--out", default="out/render",
                        help="output directory or s3://bucket/prefix (default out/render; S3 settings from "
                             "AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
    add_planning_arguments(parser)
    parser.add_argument("--width", type=int, default=640, help="pixels (default 640)")
    parser.add_argument("--height", type=int, default=360, help="pixels (default 360)")
    parser.add_argument("--fps", type=int, default=24, help="frames per second (default 24)")
    parser.add_argument("--seconds", type=float, default=2.0, help="clip length (default 2)")
    parser.add_argument("--engine", choices=ENGINES, default=RenderSettings().engine,
                        help=f"render engine (default {RenderSettings().engine}, denoised)")
    parser.add_argument("--samples", type=int, default=16, help="samples per pixel (default 16)")
    parser.add_argument("--passes", type=_pass_list, default=[], metavar="PASS[,PASS…]",
                        help=f"ground-truth passes beside each video: {', '.join(PASSES)} (lossless EXR)")
    parser.add_argument("--frames-per-shard", type=int, default=None,
                        help="frames per shard; 0 = one shard per variant (default: split so every worker is busy)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="parallel Blender processes (default: number of cores)")
    parser.set_defaults(func=run)


def slug(prompt: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", prompt.lower()).strip("-")
    return words[:SLUG_CHARS].rstrip("-") or "prompt"


def request_layout(out: str, plan: RequestPlan) -> RequestLayout:
    """Where this request's files go: under an s3:// prefix as given, or under a local directory."""
    uid = hashlib.sha256(plan.to_json().encode()).hexdigest()
    root = out if is_s3_uri(out) else str(Path(out).resolve())
    return RequestLayout.for_request(root, LOCAL_NAMESPACE, slug(plan.prompt), uid)


def auto_frames_per_shard(frames: int, variants: int, workers: int) -> int:
    """Enough shards per variant that ``workers`` processes have work; 0 when variants alone suffice."""
    if variants >= workers:
        return 0
    return math.ceil(frames / math.ceil(workers / variants))


def _pass_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in PASSES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown pass {unknown[0]!r}; choose from {', '.join(PASSES)}")
    return names


def _settings(args: argparse.Namespace) -> RenderSettings:
    try:
        return RenderSettings(width=args.width, height=args.height, fps=args.fps, frames=max(1, round(args.seconds * args.fps)),
                              engine=args.engine, samples=args.samples, passes=args.passes)
    except ValidationError as error:
        raise InputError("; ".join(e["msg"] for e in error.errors())) from None


def _stage(number: int, text: str) -> None:
    print(f"[{number}/3] {text}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("bpy") is None:
        raise InputError("simfarm render needs Blender: pip install -c constraints.txt '.[render]'")
    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    settings = _settings(args)
    frames_per_shard = (auto_frames_per_shard(settings.frames, args.variants, args.workers)
                        if args.frames_per_shard is None else args.frames_per_shard)
    if frames_per_shard < 0:
        raise InputError(f"--frames-per-shard must be zero or positive, got {frames_per_shard}")

    _stage(1, f"planning {args.variants} variant(s) of {args.prompt!r}")
    started = time.monotonic()
    plan = planner_from_args(args).plan(args.prompt, variants=args.variants, seed=args.seed, settings=settings,
                                        frames_per_shard=frames_per_shard, rewriter=args.rewriter,
                                        licenses=args.licenses, catalogs=searched_catalogs(args)).plan
    layout = request_layout(args.out, plan)
    store = Storage()
    store.ensure_bucket(layout.base)
    store.put_bytes(layout.plan, plan.to_json().encode())
    for scene in plan.variants:
        print(f"  variant {scene.index}: {scene.caption}", file=sys.stderr)

    shards = plan_shards(plan)
    _stage(2, f"rendering {len(shards)} shard(s) of {settings.frames} frames at {settings.width}×{settings.height} "
              f"with {settings.engine}, {min(args.workers, len(shards))} at a time")
    failures = _render_shards(layout, shards, args.workers)
    if failures:
        for message in failures:
            print(f"simfarm: error: {message}", file=sys.stderr)
        return 1

    _stage(3, "assembling")
    for variant in range(len(plan.variants)):
        if len(variant_shards(plan, variant)) > 1:
            failure = _worker(["assemble", "--plan", layout.plan, "--variant", str(variant)], f"assemble {variant}")
            if failure:
                print(f"simfarm: error: {failure}", file=sys.stderr)
                return 1
    print(f"done in {time.monotonic() - started:.1f} s; captions in caption.txt and asset credits in credits.txt beside each video", file=sys.stderr)
    for variant in range(len(plan.variants)):
        print(layout.video(variant))
    return 0


def _render_shards(layout: RequestLayout, shards: list[Shard], workers: int) -> list[str]:
    failures = []
    with ThreadPoolExecutor(max_workers=workers) as pool, \
            tqdm(total=sum(s.frames for s in shards), unit="frame", file=sys.stderr) as progress:
        running = {pool.submit(_worker, ["shard", "--plan", layout.plan, "--index", str(shard.index)],
                               f"shard {shard.index}"): shard for shard in shards}
        for done in as_completed(running):
            failure = done.result()
            if failure:
                failures.append(failure)
            progress.update(running[done].frames)
    return failures


def _worker(arguments: list[str], what: str) -> str | None:
    """Run one worker command; returns a one-line failure message, or None on success."""
    completed = subprocess.run([*WORKER, *arguments], capture_output=True, text=True)
    if completed.returncode == 0:
        return None
    try:
        reason = json.loads(completed.stdout.strip().splitlines()[-1])["error"]
    except (IndexError, KeyError, ValueError):
        reason = (completed.stderr.strip().splitlines() or ["no output"])[-1]
    kind = "permanent" if completed.returncode == EXIT_PERMANENT else f"exit {completed.returncode}"
    return f"{what} failed ({kind}): {reason}"
