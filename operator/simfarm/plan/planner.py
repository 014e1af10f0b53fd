"""Prompt → RequestPlan: rewrite, combine, resolve assets, caption.

A Planner holds what a process loads once (the rules rewriter's vocabulary
embeddings, the catalog), so a batch of prompts or an operator handling many
requests pays for the models one time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from ..errors import InputError
from ..rewriter import Rewritten
from ..rewriter.llm import LLMConfig, LLMRewriter
from ..rewriter.prompt import check_prompt
from ..rewriter.rules import RulesRewriter
from .captions import describe
from .combiner import CombineOptions, combine, effects_the_passes_exclude, engine_warnings
from .film import ShotRequest, plan_film, story_requests
from .layout import lay_out
from .models import RenderSettings, RequestPlan

Resolver = Callable[[RequestPlan], RequestPlan]
# Each prompt takes the rules rewriter to one set of vocabulary embeddings.
WARM_UP_PROMPTS = (
    "the camera glides around a cube",  # a camera wording not in the lexicon: camera-move embeddings
    "a hulking cube spins",  # a size word not in the lexicon: size embeddings
)


@dataclass
class PlanResult:
    plan: RequestPlan
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage: rewrite, combine, retrieve, layout, caption
    backend: str = "rules"


class Planner:
    def __init__(self, *, resolver: Resolver | None = None, options: CombineOptions = CombineOptions(),
                 llm: LLMConfig | None = None) -> None:
        self.rules = RulesRewriter()
        self.llm = LLMRewriter(llm or LLMConfig.from_env(), self.rules)
        self.resolver = resolver
        self.options = options

    def warm(self) -> None:
        """Load now what the first plan would otherwise load: the rules rewriter's vocabulary
        embeddings and, with a resolver, the asset catalog and its index.

        It plans fixed prompts through the normal path (rules rewriter, no LLM call) and drops
        the plans, so whatever ``plan`` loads lazily is loaded by this call too.
        """
        for prompt in WARM_UP_PROMPTS:
            self.plan(prompt)

    def rewrite(self, prompt: str, backend: str = "rules", llm: LLMConfig | None = None) -> Rewritten:
        """``llm``: this call's endpoint and model instead of the planner's own (e.g. one request's)."""
        if backend == "llm":
            return (self.llm if llm is None else LLMRewriter(llm, self.rules)).rewrite(prompt)
        return self.rules.read(prompt)

    def plan(self, prompt: str, *, variants: int = 1, seed: int = 0, settings: RenderSettings | None = None,
             frames_per_shard: int = 0, rewriter: str = "rules", llm: LLMConfig | None = None,
             licenses: Sequence[str] = (), catalogs: Sequence[str] | None = None) -> PlanResult:
        """``catalogs``: the catalog sources the resolver may take assets from (None: all)."""
        prompt = check_prompt(prompt)
        timings = {}
        started = time.perf_counter()
        rewritten = self.rewrite(prompt, rewriter, llm)
        timings["rewrite"] = time.perf_counter() - started

        started = time.perf_counter()
        settings = settings or RenderSettings()
        scenes = combine(rewritten.draft, variants=variants, seed=seed, options=self.options,
                         without=effects_the_passes_exclude(rewritten.draft, settings))
        warnings = list(rewritten.warnings) + engine_warnings(rewritten.draft, settings.engine)
        plan = RequestPlan(prompt=prompt, seed=seed, rewriter=rewritten.backend, settings=settings,
                           frames_per_shard=frames_per_shard, licenses=list(licenses),
                           catalogs=None if catalogs is None else list(catalogs), variants=scenes,
                           warnings=warnings)
        timings["combine"] = time.perf_counter() - started

        if self.resolver is not None:
            started = time.perf_counter()
            plan = self.resolver(plan)
            timings["retrieve"] = time.perf_counter() - started
        started = time.perf_counter()
        for scene in plan.variants:
            lay_out(scene, rewritten.draft, settings)
        timings["layout"] = time.perf_counter() - started
        started = time.perf_counter()
        for scene in plan.variants:
            scene.caption, scene.claims = describe(scene, settings, rewritten.draft)
        timings["caption"] = time.perf_counter() - started
        return PlanResult(plan, timings, rewritten.backend)

    def plan_film(self, shots: Sequence[ShotRequest] = (), *, story: str | None = None, variants: int = 1,
                  seed: int = 0, settings: RenderSettings | None = None, frames_per_shard: int = 0,
                  rewriter: str = "rules", llm: LLMConfig | None = None, licenses: Sequence[str] = (),
                  catalogs: Sequence[str] | None = None) -> PlanResult:
        """A multi-shot film from a shot list or a story (exactly one of them); see ``plan.film``."""
        if bool(shots) == (story is not None):
            raise InputError("a film needs either a story or a list of shots" + (", not both" if shots else ""))
        warnings: list[str] = []
        started = time.perf_counter()
        requests = list(shots) or story_requests(self, story, rewriter, llm, warnings)
        split = time.perf_counter() - started
        plan, timings, backend = plan_film(self, requests, story=story or "", variants=variants, seed=seed,
                                           settings=settings, frames_per_shard=frames_per_shard, rewriter=rewriter,
                                           llm=llm, licenses=licenses, catalogs=catalogs,
                                           warnings=warnings)
        timings["rewrite"] += split
        return PlanResult(plan, timings, backend)


def make_request_plan(prompt: str, *, variants: int = 1, seed: int = 0, settings: RenderSettings | None = None,
                      frames_per_shard: int = 0, rewriter: str = "rules", llm: LLMConfig | None = None,
                      resolver: Resolver | None = None) -> RequestPlan:
    """One-shot convenience; long-lived callers keep a Planner."""
    planner = Planner(resolver=resolver, llm=llm)
    return planner.plan(prompt, variants=variants, seed=seed, settings=settings,
                        frames_per_shard=frames_per_shard, rewriter=rewriter).plan
