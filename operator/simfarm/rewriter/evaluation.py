"""Judge a rewriter against prompts written the way people describe scenes.

``judged_prompts.json`` (beside this module) holds prompts in many styles,
each with the fields a careful reader would take from it. A field is
*checked* on a prompt when the prompt states it or the rewriter claims it,
so a rewriter that invents a colour, a relation or a background loses as
much as one that misses it; fields neither side fills are not counted.

Objects are compared by head noun ("pine tree" and "tree" are the same
object), colours and sizes as sets of (object, value) pairs, relations with
their mirror images folded together ("A right of B" is "B left of A"), and
background/floor by word stems that must appear in the phrase. Movement
(object and direction, ``*`` for a move with no stated way) and the object
the camera follows are judged on prompts whose entry carries ``moves`` /
``follow`` (an empty list or null says "none"), so a set written before
these fields existed is scored as it was. Prompts marked ``holdout`` form a
split kept apart from rule development; prompts marked ``fresh`` were written
and judged in one sitting, as users type them, and committed before the rules
were run on them (their first scores are the rewriter's on unseen phrasings).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable, Iterable

from ..plan.draft import SceneDraft

FIELDS = ("objects", "counts", "colors", "scale", "relations", "stacking", "movement", "follow", "camera_move",
          "framing", "angle", "background", "floor", "effects")
ANY = "*"  # expectation wildcard: background/floor not judged, effect level not judged
MANY = "+"  # expected count: a plural the prompt gives no number for (two or more)
MIRRORED = {"right_of": "left_of", "behind": "in_front_of", "under": "over"}
SYMMETRIC = frozenset({"next_to", "side_by_side", "facing"})
COLOR_ALIASES = {"grey": "gray", "golden": "gold"}


SPLITS = ("judged", "holdout", "fresh")


@dataclass(frozen=True)
class JudgedPrompt:
    prompt: str
    family: str
    holdout: bool
    expect: dict
    fresh: bool = False

    @property
    def split(self) -> str:
        return "fresh" if self.fresh else "holdout" if self.holdout else "judged"


def load_judged(path: str | None = None) -> list[JudgedPrompt]:
    """The judged set shipped with the package, or one in the same format at ``path``."""
    if path is None:
        text = resources.files(__package__).joinpath("judged_prompts.json").read_text(encoding="utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    cases = []
    for entry in json.loads(text):
        expect = {k: v for k, v in entry.items() if k not in ("prompt", "family", "holdout", "fresh")}
        cases.append(JudgedPrompt(entry["prompt"], entry["family"], bool(entry.get("holdout")), expect,
                                  fresh=bool(entry.get("fresh"))))
    return cases


def head(name: str) -> str:
    return name.lower().split()[-1] if name.strip() else ""


def _pairs(draft: SceneDraft, attribute: str) -> set[tuple[str, str]]:
    pairs = set()
    for obj in draft.objects:
        value = getattr(obj, attribute)
        if value:
            pairs.add((head(obj.name), COLOR_ALIASES.get(value, value)))
    return pairs


def _expected_pairs(items: list[str]) -> set[tuple[str, str]]:
    pairs = set()
    for item in items:
        name, value = item.split("=")
        pairs.add((head(name), COLOR_ALIASES.get(value, value)))
    return pairs


def _relation_key(subject: str, kind: str, target: str) -> tuple[str, str, str]:
    if kind in MIRRORED:
        subject, kind, target = target, MIRRORED[kind], subject
    if kind in SYMMETRIC:
        subject, target = sorted((subject, target))
    return subject, kind, target


def _relations(draft: SceneDraft) -> set[tuple[str, str, str]]:
    names = [head(o.name) for o in draft.objects]
    return {_relation_key(names[i], o.relation.kind, names[o.relation.target])
            for i, o in enumerate(draft.objects) if o.relation is not None}


def _stacks(draft: SceneDraft) -> set[tuple[str, str]]:
    names = [head(o.name) for o in draft.objects]
    return {(names[i], names[o.on_top_of]) for i, o in enumerate(draft.objects) if o.on_top_of is not None}


def _movements(draft: SceneDraft) -> set[tuple[str, str]]:
    return {(head(o.name), o.movement.direction.value if o.movement.direction else ANY)
            for o in draft.objects if o.movement is not None}


def _followed(draft: SceneDraft) -> str | None:
    return next((head(o.name) for o in draft.objects if o.camera_follow), None)


def _stems_present(stems: list[str], phrase: str) -> bool:
    words = phrase.lower().replace("-", " ").split()
    return all(any(word.startswith(stem.lower()) for word in words) for stem in stems)


def judge(case: JudgedPrompt, draft: SceneDraft) -> dict[str, bool]:
    """Field -> correct, for every field checked on this prompt."""
    expect = case.expect
    results: dict[str, bool] = {}
    counts = Counter(head(o.name) for o in draft.objects)
    wanted = {head(name): count for name, count in expect["objects"].items()}
    results["objects"] = set(counts) == set(wanted)
    if any(c != 1 for c in wanted.values()) or any(counts[n] not in (0, 1) for n in wanted):
        results["counts"] = all((counts[n] >= 2) if c == MANY else counts[n] == c for n, c in wanted.items())

    def compare(name: str, got: set, want: set) -> None:
        if got or want:
            results[name] = got == want

    compare("colors", _pairs(draft, "color"), _expected_pairs(expect.get("colors", [])))
    compare("scale", _pairs(draft, "scale"), _expected_pairs(expect.get("scales", [])))
    compare("relations", _relations(draft),
            {_relation_key(*(head(w) if i != 1 else w for i, w in enumerate(r.split()))) for r in expect.get("relations", [])})
    compare("stacking", _stacks(draft),
            {tuple(head(part) for part in s.split(" on ")) for s in expect.get("stacks", [])})
    if "moves" in expect:
        compare("movement", _movements(draft), _expected_pairs(expect["moves"]))
    if "follow" in expect and (expect["follow"] or _followed(draft)):
        results["follow"] = _followed(draft) == (head(expect["follow"]) if expect["follow"] else None)
    for name, attribute, key in (("camera_move", "camera_animation", "camera"), ("framing", "framing", "framing"),
                                 ("angle", "camera_angle", "angle")):
        got, want = getattr(draft, attribute), expect.get(key)
        if got or want:
            results[name] = got == want
    setting = " ".join(filter(None, (draft.background, draft.floor)))
    background = expect.get("background")
    floor = expect.get("floor", ANY if isinstance(background, list) else None)
    if background != ANY and (background or draft.background):
        results["background"] = bool(background) and bool(draft.background) and _stems_present(background, setting)
    if floor != ANY and (floor or draft.floor):
        results["floor"] = bool(floor) and bool(draft.floor) and _stems_present(floor, draft.floor)
    got_effects = {name: level.value for name, level in draft.effects if level is not None}
    want_effects = expect.get("effects", {})
    if got_effects or want_effects:
        results["effects"] = set(got_effects) == set(want_effects) and all(
            level == ANY or got_effects[name] == level for name, level in want_effects.items())
    return results


@dataclass
class Outcome:
    case: JudgedPrompt
    fields: dict[str, bool]
    seconds: float
    error: str | None = None  # the rewriter raised: every field of the prompt counts as wrong


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _tally(self, key: Callable[[Outcome, str], str | None]) -> dict[str, tuple[int, int]]:
        tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            for name, correct in outcome.fields.items():
                group = key(outcome, name)
                if group is not None:
                    tally[group][0] += correct
                    tally[group][1] += 1
        return {group: (right, total) for group, (right, total) in tally.items()}

    def by_field(self) -> dict[str, tuple[int, int]]:
        tally = self._tally(lambda outcome, name: name)
        return {name: tally[name] for name in FIELDS if name in tally}

    def by_family(self) -> dict[str, tuple[int, int]]:
        return dict(sorted(self._tally(lambda outcome, name: outcome.case.family).items()))

    def overall(self) -> tuple[int, int]:
        right_total = self._tally(lambda outcome, name: "all").get("all", (0, 0))
        return right_total

    def failures(self) -> list[tuple[str, list[str]]]:
        return [(o.case.prompt, [n for n, ok in o.fields.items() if not ok] + ([o.error] if o.error else []))
                for o in self.outcomes if o.error or not all(o.fields.values())]

    def latency_ms(self, fraction: float) -> float:
        ordered = sorted(o.seconds * 1000 for o in self.outcomes)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else 0.0

    def table(self, title: str) -> str:
        lines = [title, f"{'field':<14}{'right':>7}{'checked':>9}{'accuracy':>10}"]
        for name, (right, total) in self.by_field().items():
            lines.append(f"{name:<14}{right:>7}{total:>9}{right / total:>10.1%}")
        lines.append(f"{'family':<14}{'right':>7}{'checked':>9}{'accuracy':>10}")
        for name, (right, total) in self.by_family().items():
            lines.append(f"{name:<14}{right:>7}{total:>9}{right / total:>10.1%}")
        right, total = self.overall()
        lines.append(f"{'all fields':<14}{right:>7}{total:>9}{right / max(total, 1):>10.1%}"
                     f"   ({len(self.outcomes)} prompts; p50 {self.latency_ms(0.5):.1f} ms, "
                     f"p95 {self.latency_ms(0.95):.1f} ms)")
        return "\n".join(lines)


def evaluate(rewrite: Callable[[str], SceneDraft], cases: Iterable[JudgedPrompt],
             progress: Callable[[int, str], None] | None = None) -> Report:
    """Run ``rewrite`` on every prompt and judge the drafts."""
    report = Report()
    for number, case in enumerate(cases, start=1):
        if progress:
            progress(number, case.prompt)
        started = time.perf_counter()
        try:
            draft = rewrite(case.prompt)
        except Exception as error:  # a crash on one prompt is a result to report, not the end of the run
            seconds = time.perf_counter() - started
            empty = {name: False for name in ("objects",)}
            report.outcomes.append(Outcome(case, empty, seconds, error=f"{type(error).__name__}: {error}"))
            continue
        report.outcomes.append(Outcome(case, judge(case, draft), time.perf_counter() - started))
    return report
