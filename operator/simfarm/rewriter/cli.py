"""`simfarm eval rewriter`: measure a rewriter (rules, or your LLM endpoint) on the judged prompt set."""

from __future__ import annotations

import argparse
import sys

from ..errors import InputError
from . import BACKENDS
from .evaluation import SPLITS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="measure parts of the pipeline on judged data",
                                   description="Measure parts of the pipeline on judged data.")
    targets = parser.add_subparsers(dest="target", required=True, metavar="TARGET")
    rewriter = targets.add_parser(
        "rewriter", help="per-field accuracy of a prompt rewriter on the judged prompt set",
        description="Rewrite every prompt of the judged set and print per-field and per-family accuracy. "
                    "With --backend llm the endpoint comes from --llm-base-url/--llm-model or "
                    "SIMFARM_LLM_BASE_URL/SIMFARM_LLM_MODEL (key: SIMFARM_LLM_API_KEY), as for `simfarm plan`.")
    rewriter.add_argument("--backend", choices=BACKENDS, default="rules", help="rewriter to measure (default rules)")
    rewriter.add_argument("--llm-base-url", help="OpenAI-compatible base URL (or SIMFARM_LLM_BASE_URL)")
    rewriter.add_argument("--llm-model", help="model name (or SIMFARM_LLM_MODEL)")
    rewriter.add_argument("--llm-timeout", type=float, default=None, help="seconds per request (default 30)")
    rewriter.add_argument("--split", choices=("all",) + SPLITS, default="all", help="which prompts (default all)")
    rewriter.add_argument("--prompts", metavar="FILE", help="a judged set in the same JSON format instead")
    rewriter.add_argument("--limit", type=int, default=0, help="only the first N prompts")
    rewriter.add_argument("--failures", action="store_true", help="list each prompt with a wrong field")
    rewriter.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .evaluation import evaluate, load_judged

    try:
        cases = load_judged(args.prompts)
    except (OSError, ValueError, KeyError) as error:
        raise InputError(f"cannot read the judged set {args.prompts}: {error}") from None
    if args.split != "all":
        cases = [c for c in cases if c.split == args.split]
    if args.limit < 0:
        raise InputError(f"--limit must be zero or positive, got {args.limit}")
    cases = cases[:args.limit] if args.limit else cases
    rewrite, fallbacks = _rewrite_function(args)

    def progress(number: int, prompt: str) -> None:
        if args.backend == "llm":
            print(f"[{number}/{len(cases)}] {prompt}", file=sys.stderr, flush=True)

    report = evaluate(rewrite, cases, progress=progress)
    title = f"rewriter {args.backend} on {len(cases)} prompts ({args.split})"
    print(report.table(title))
    if args.backend == "llm":
        print(f"llm answers used: {len(cases) - len(fallbacks)}; fell back to rules: {len(fallbacks)}"
              + (f" (first reason: {fallbacks[0]})" if fallbacks else ""))
    if args.failures:
        for prompt, fields in report.failures():
            print(f"  {', '.join(fields):<40} {prompt}")
    return 0


def _rewrite_function(args: argparse.Namespace):
    from .rules import RulesRewriter

    rules = RulesRewriter()
    fallbacks: list[str] = []
    if args.backend == "rules":
        return rules.rewrite, fallbacks
    from .llm import LLMConfig, LLMRewriter

    config = LLMConfig.from_env(args.llm_base_url, args.llm_model, args.llm_timeout)
    if not config.base_url or not config.model:
        raise InputError("--backend llm needs an endpoint: --llm-base-url and --llm-model "
                         "(or SIMFARM_LLM_BASE_URL and SIMFARM_LLM_MODEL)")
    llm = LLMRewriter(config, rules)

    def rewrite(prompt: str):
        result = llm.rewrite(prompt)
        if result.backend != "llm":
            fallbacks.append(result.warnings[0] if result.warnings else "unknown")
        return result.draft

    return rewrite, fallbacks
