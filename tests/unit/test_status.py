"""Status computation from Job and pod dicts."""

from __future__ import annotations

import json

from simfarm.cluster.spec import PlanSummary
from simfarm.cluster.status import (WorkerResult, assemble_failures, condition, job_progress, last_failures,
                                    merge_conditions, needs_assembly, parse_indexes, variant_outcome, worker_result)

PLAN = PlanSummary(uri="u", variants=3, shards=6, frames_per_variant=20, frames_per_shard=10, rewriter="rules")


def test_parse_indexes():
    assert parse_indexes("1,3-5,9") == {1, 3, 4, 5, 9}
    assert parse_indexes("") == parse_indexes(None) == set()


def test_job_progress_running_and_finished():
    running = job_progress({"spec": {"completions": 6}, "status": {"completedIndexes": "0-2", "active": 2}})
    assert (running.progress, running.running, running.finished) == ("3/6", 2, False)
    done = job_progress({"spec": {"completions": 6}, "status": {"completedIndexes": "0-3,5", "failedIndexes": "4"}})
    assert done.finished and done.failed == {4} and done.counts.failed == 1
    failed_job = job_progress({"spec": {"completions": 6}, "status": {
        "completedIndexes": "0", "conditions": [{"type": "Failed", "status": "True"}]}})
    assert failed_job.finished and failed_job.failed == {1, 2, 3, 4, 5}


def pod(index: int, exit_code: int, message: str, finished: str) -> dict:
    return {"metadata": {"annotations": {"batch.kubernetes.io/job-completion-index": str(index)}},
            "status": {"containerStatuses": [{"name": "worker", "state": {"terminated": {
                "exitCode": exit_code, "reason": "Error", "message": message, "finishedAt": finished}}}]}}


def test_worker_result_summary_and_latest_failure():
    summary = {"variant": 0, "shard": 1, "frames": 10, "seconds": 5.0, "seconds_per_frame": 0.5,
               "engine": "EEVEE", "device": "cuda", "output_bytes": 100}
    assert worker_result(pod(1, 0, json.dumps(summary), "t")).summary == summary
    assert worker_result(pod(1, 1, "Traceback...\nOSError: disk full", "t")).summary is None
    assert worker_result({"metadata": {}, "status": {}}) is None
    results = [worker_result(pod(4, 1, "first try", "2030-01-01T00:00:00Z")),
               worker_result(pod(4, 3, "bad asset", "2030-01-01T00:01:00Z")),
               worker_result(pod(2, 0, "{}", "2030-01-01T00:00:00Z"))]
    failures = last_failures(results)
    assert list(failures) == [4] and failures[4].describe() == "shard 4: invalid input (exit 3): bad asset"


def test_variant_outcome_fails_a_variant_on_any_failed_shard():
    render = job_progress({"spec": {"completions": 6}, "status": {"completedIndexes": "0-2,4", "failedIndexes": "3,5"}})
    outcome = variant_outcome(PLAN, render, {3: WorkerResult(3, 137, "OOMKilled", "")})
    assert outcome.succeeded == [0]
    assert outcome.failed == {1: "shard 3: OOMKilled (exit 137): no message", 2: "shard 5: failed"}
    assert needs_assembly(PLAN)
    assemble = job_progress({"spec": {"completions": 2}, "status": {"completedIndexes": "0", "failedIndexes": "1"}})
    assert assemble_failures([0, 2], assemble, {}) == {2: "assembly 1: failed"}


def test_conditions_keep_transition_time_while_status_holds():
    first = condition("Ready", False, "Rendering", "", generation=1, now="t1")
    same = condition("Ready", False, "Rendering", "still", generation=1, now="t2", previous=[first])
    flipped = condition("Ready", True, "Done", "", generation=1, now="t3", previous=[same])
    assert (same["lastTransitionTime"], flipped["lastTransitionTime"]) == ("t1", "t3")
    merged = merge_conditions([first, {"type": "Planned", "status": "True"}], flipped)
    assert [c["type"] for c in merged] == ["Ready", "Planned"] and merged[0]["status"] == "True"
