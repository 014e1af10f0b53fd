"""Rewriters turn a prompt into a SceneDraft: `rules` (embedded, offline) or `llm`."""

from __future__ import annotations

from dataclasses import dataclass, field
from ..plan.draft import SceneDraft

BACKENDS = ("rules", "llm")


@dataclass
class Rewritten:
    draft: SceneDraft
    backend: str  # the backend that produced the draft (llm may fall back to rules)
    warnings: list[str] = field(default_factory=list)
    found_objects: bool = True  # False: the prompt named no object and one stands in for the whole prompt

