"""`simfarm plan`: print the scene plans for a prompt, a film (story or shot list), or every line of a file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import EXIT_INPUT_ERROR, InputError
from ..rewriter import BACKENDS
from ..rewriter.llm import LLMConfig
from .combiner import CombineOptions
from .models import RenderSettings, RequestPlan
from .planner import Planner, PlanResult
from .shots import load_shots

MAX_VARIANTS = 10_000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("plan", help="print scene plans for a prompt as JSON",
                                   description="Rewrite a prompt into scene plans and print them as JSON.")
    source = add_source_arguments(parser)
    source.add_argument("--batch", type=Path, metavar="FILE", help="one prompt per line; one JSON object per line out")
    add_planning_arguments(parser)
    parser.set_defaults(func=run)


def add_source_arguments(parser: argparse.ArgumentParser) -> argparse._MutuallyExclusiveGroup:
    """What to plan: a prompt, or a film from a story or a shot list (exactly one)."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("prompt", nargs="?", help="the video prompt")
    source.add_argument("--story", metavar="TEXT", help="a film instead: a story, one shot per sentence")
    source.add_argument("--shots", type=Path, metavar="FILE",
                        help="a film instead: a JSON or YAML list of shots, as in a VideoRequest's spec.shots")
    return source


def add_planning_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags shared by every command that plans (plan, render)."""
    parser.add_argument("--variants", type=int, default=1, help="number of variants (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed; same prompt+seed = same plan (default 0)")
    parser.add_argument("--rewriter", choices=BACKENDS, default="rules", help="prompt rewriter (default rules)")
    parser.add_argument("--llm-base-url", help="OpenAI-compatible base URL (or SIMFARM_LLM_BASE_URL)")
    parser.add_argument("--llm-model", help="model name (or SIMFARM_LLM_MODEL); key from SIMFARM_LLM_API_KEY")
    parser.add_argument("--movement", choices=("prompt", "all", "random"), default="prompt",
                        help="move objects the prompt leaves still: prompt (never), all, random")
    parser.add_argument("--stacking", action="store_true", help="stack two free objects when the prompt allows")
    parser.add_argument("--camera-follow", action="store_true", help="follow a moving object when the prompt allows")
    parser.add_argument("--mix", action="store_true", help="per variant, randomly apply movement, stacking and follow")
    parser.add_argument("--home", help="catalog home (default $SIMFARM_HOME or ~/.simfarm)")
    parser.add_argument("--store", metavar="URL", help="take assets from a ChromaDB server (http://host:port, e.g. "
                                                       "a cluster's vector store) instead of the home's catalog")
    parser.add_argument("--catalog", action="append", default=[], metavar="SOURCE", dest="catalogs",
                        help="search only this catalog source and the embedded catalog, e.g. renders/objaverse "
                             "(repeatable; default: every source)")
    parser.add_argument("--license", action="append", default=[], metavar="LICENSE", dest="licenses",
                        help="use only assets under this license or a version of it (cc0, cc-by…); repeatable")


def planner_from_args(args: argparse.Namespace) -> Planner:
    if not 1 <= args.variants <= MAX_VARIANTS:
        raise InputError(f"--variants must be between 1 and {MAX_VARIANTS}, got {args.variants}")
    if args.seed < 0:
        raise InputError(f"--seed must be zero or positive, got {args.seed}")
    options = CombineOptions(movement=args.movement, stacking=args.stacking, camera_follow=args.camera_follow,
                             mix=args.mix)
    llm = LLMConfig.from_env(args.llm_base_url, args.llm_model)
    return Planner(resolver=catalog_resolver(args.home, args.store), options=options, llm=llm)


def catalog_resolver(home: str | None, store: str | None = None):
    """Asset retrieval, when the retrieval package is installed with its index."""
    try:
        from ..retrieval.resolve import resolver_for_home
    except ImportError:
        return None
    return resolver_for_home(home, store)


def searched_catalogs(args: argparse.Namespace) -> list[str] | None:
    """``--catalog`` sources plus the embedded catalog, or None (every source)."""
    return ["embedded", *dict.fromkeys(args.catalogs)] if args.catalogs else None


def variants_document(plan: RequestPlan) -> str:
    document = {"variants": [scene.model_dump(mode="json") for scene in plan.variants]}
    if plan.film is not None:
        document = {"film": plan.film.model_dump(mode="json"), **document}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def run(args: argparse.Namespace) -> int:
    planner = planner_from_args(args)
    if args.batch is None:
        print(variants_document(plan_from_args(planner, args).plan))
        return 0
    return _run_batch(planner, args)


def plan_from_args(planner: Planner, args: argparse.Namespace, settings: RenderSettings | None = None,
                   frames_per_shard: int = 0, prompt: str | None = None) -> PlanResult:
    """The plan the command line asks for: of ``prompt`` (default ``args.prompt``), or a film."""
    common = dict(variants=args.variants, seed=args.seed, settings=settings, frames_per_shard=frames_per_shard,
                  rewriter=args.rewriter, licenses=args.licenses,
                  catalogs=searched_catalogs(args))
    if prompt is None and (args.story is not None or args.shots is not None):
        clip = settings or RenderSettings()
        shots = [shot.request(clip.fps, clip.frames) for shot in load_shots(args.shots)] if args.shots else ()
        return planner.plan_film(shots, story=args.story, **common)
    return planner.plan(args.prompt if prompt is None else prompt, **common)


def _run_batch(planner: Planner, args: argparse.Namespace) -> int:
    try:
        raw = args.batch.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {args.batch}: {error.strerror}") from None
    failures = 0
    for number, line in enumerate(raw.splitlines(), start=1):
        try:
            prompt = line.decode("utf-8")
        except UnicodeDecodeError as error:
            failures += _report(args.batch, number, f"not valid UTF-8 (byte {error.start})")
            continue
        try:
            print(variants_document(plan_from_args(planner, args, prompt=prompt).plan), flush=True)
        except InputError as error:
            failures += _report(args.batch, number, str(error))
    return EXIT_INPUT_ERROR if failures else 0


def _report(path: Path, number: int, message: str) -> int:
    print(f"simfarm: error: {path}:{number}: {message}", file=sys.stderr)
    return 1
