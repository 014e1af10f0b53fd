"""Pure status computation: what a request's Jobs and pods say about its shards and variants.

Inputs are plain API dicts (a Job, its pods); outputs are small values the
handlers put into ``status``. Nothing here calls the API.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..plan.sharding import shard_at
from .manifests import ANNOTATION_COMPLETION_INDEX, CONTAINER, EXIT_PERMANENT
from .spec import PlanSummary, ShardCounts

SUMMARY_FIELDS = ("variant", "shard", "frames", "seconds", "seconds_per_frame", "engine", "device",
                  "output_bytes")


def parse_indexes(text: str | None) -> set[int]:
    """A Job's ``completedIndexes``/``failedIndexes`` ("1,3-5") as a set of indexes."""
    indexes: set[int] = set()
    for part in (text or "").split(","):
        if not part.strip():
            continue
        first, _, last = part.partition("-")
        indexes.update(range(int(first), int(last or first) + 1))
    return indexes


@dataclass(frozen=True)
class JobProgress:
    total: int
    succeeded: frozenset[int]
    failed: frozenset[int]
    running: int
    finished: bool

    @property
    def counts(self) -> ShardCounts:
        return ShardCounts(total=self.total, succeeded=len(self.succeeded), failed=len(self.failed),
                           running=self.running)

    @property
    def progress(self) -> str:
        return f"{len(self.succeeded)}/{self.total}"


def job_progress(job: Mapping[str, Any]) -> JobProgress:
    """Which indexes of an Indexed Job succeeded or failed for good, and whether it is over.

    A Job that failed as a whole (e.g. its deadline passed) fails every index
    that had not succeeded.
    """
    total = int(job.get("spec", {}).get("completions") or 0)
    status = job.get("status") or {}
    succeeded = parse_indexes(status.get("completedIndexes"))
    failed = parse_indexes(status.get("failedIndexes")) - succeeded
    true_conditions = {c.get("type") for c in status.get("conditions") or [] if c.get("status") == "True"}
    if "Failed" in true_conditions:
        failed = set(range(total)) - succeeded
    finished = len(succeeded) + len(failed) >= total or bool(true_conditions & {"Complete", "Failed"})
    return JobProgress(total=total, succeeded=frozenset(succeeded), failed=frozenset(failed),
                       running=0 if finished else int(status.get("active") or 0), finished=finished)


@dataclass(frozen=True)
class WorkerResult:
    """How one pod of a Job ended: its completion index, exit code and termination message."""

    index: int
    exit_code: int
    reason: str
    message: str
    finished_at: str = ""

    @property
    def summary(self) -> dict[str, Any] | None:
        """The worker's JSON summary, when the message is one (a crash leaves a log tail instead)."""
        try:
            data = json.loads(self.message)
        except ValueError:
            return None
        return data if isinstance(data, dict) and set(SUMMARY_FIELDS) <= data.keys() else None

    @property
    def permanent(self) -> bool:
        return self.exit_code == EXIT_PERMANENT

    def describe(self) -> str:
        kind = "invalid input" if self.permanent else (self.reason or "failed")
        detail = self.message.strip().splitlines()[-1][:300] if self.message.strip() else "no message"
        return f"shard {self.index}: {kind} (exit {self.exit_code}): {detail}"


def worker_result(pod: Mapping[str, Any], container_name: str = CONTAINER, indexed: bool = True
                  ) -> WorkerResult | None:
    """The result of a Job pod whose container ``container_name`` has terminated, else None (an Indexed
    Job's pod without its completion index too; a plain Job's pod counts as index 0)."""
    index = (pod.get("metadata", {}).get("annotations") or {}).get(ANNOTATION_COMPLETION_INDEX)
    index = index if indexed else (index or 0)
    for container in (pod.get("status") or {}).get("containerStatuses") or []:
        terminated = (container.get("state") or {}).get("terminated")
        if container.get("name") == container_name and terminated and index is not None:
            return WorkerResult(index=int(index), exit_code=int(terminated.get("exitCode", -1)),
                                reason=terminated.get("reason") or "", message=terminated.get("message") or "",
                                finished_at=terminated.get("finishedAt") or "")
    return None


def last_failures(results: Iterable[WorkerResult]) -> dict[int, WorkerResult]:
    """Per completion index, the failure of its last failed pod (retries leave several)."""
    failures: dict[int, WorkerResult] = {}
    for result in results:
        if result.exit_code != 0 and (result.index not in failures
                                      or failures[result.index].finished_at <= result.finished_at):
            failures[result.index] = result
    return failures


@dataclass(frozen=True)
class VariantOutcome:
    succeeded: list[int]
    failed: dict[int, str]  # variant -> why


def variant_outcome(plan: PlanSummary, render: JobProgress, failures: Mapping[int, WorkerResult]
                    ) -> VariantOutcome:
    """Once rendering is over: a variant succeeded when all its shards did, else failed with the first reason."""
    failed: dict[int, str] = {}
    for index in sorted(render.failed):
        variant = shard_at(index, plan.variants, plan.clips, plan.frames_per_shard).variant
        if variant not in failed:
            failed[variant] = failures[index].describe() if index in failures else f"shard {index}: failed"
    return VariantOutcome(succeeded=[v for v in range(plan.variants) if v not in failed], failed=failed)


def assemble_failures(variants: list[int], assemble: JobProgress, failures: Mapping[int, WorkerResult]
                      ) -> dict[int, str]:
    """Variants whose assembly failed; assemble index k is ``variants[k]``."""
    return {variants[k]: (failures[k].describe() if k in failures else f"assembly {k}: failed")
            for k in sorted(assemble.failed)}


def needs_assembly(plan: PlanSummary) -> bool:
    """Variants rendered in several shards are joined; a film always is (its script and film.json too)."""
    return plan.shards > plan.variants or bool(plan.shot_frames)


def condition(type_: str, status: bool, reason: str, message: str, *, generation: int | None,
              now: str, previous: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """A condition; ``lastTransitionTime`` moves only when its status changes."""
    value = "True" if status else "False"
    since = next((c.get("lastTransitionTime") for c in previous
                  if c.get("type") == type_ and c.get("status") == value), None)
    result = {"type": type_, "status": value, "reason": reason, "message": message,
              "lastTransitionTime": since or now}
    if generation is not None:
        result["observedGeneration"] = generation
    return result


def merge_conditions(previous: Iterable[Mapping[str, Any]], *updates: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``previous`` with each update replacing the condition of its type (order kept, new ones appended)."""
    by_type = {c["type"]: dict(c) for c in previous}
    by_type.update({u["type"]: dict(u) for u in updates})
    return list(by_type.values())
