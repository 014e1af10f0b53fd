"""Kopf handlers: thin, idempotent glue between Kubernetes events and the plain functions.

Lifecycle of a VideoRequest (``status.phase``)::

    Pending ─► Planning ─► Rendering ─► [Assembling] ─► Succeeded | Failed

* create/resume: parse the spec, plan, publish ``plan.json``, create the
  render Job (an Indexed Job owned by the request). Safe to repeat: the plan
  is byte-identical and an existing Job is read, not duplicated.
* a timer on unfinished requests reads the owned Jobs and their pods from
  kopf indexes (no extra API calls), updates shard counts and progress, and
  moves on: assembly when a variant has several shards, then the outputs.
* spec edits after planning are rejected: nothing changes, the condition
  ``SpecRejected`` says so (create a new VideoRequest instead).
* deleting the request deletes its Jobs by owner reference; with
  ``output.deleteOnRemoval`` the finalizer ``simfarm.dev/cleanup`` also
  deletes its stored objects first. Other requests carry that finalizer only
  while rendering (kopf's timers need one to stop cleanly); a finished
  request without ``deleteOnRemoval`` has none.

An AssetCatalog (``simfarm.cluster.catalogs``): a timer starts its import
Job when its generation has not been imported (or a refresh is due), copies
the progress the Job records in the vector store into ``status``, and ends
the import as Ready or Failed. Planning searches the built-in library plus
the request's namespace's Ready catalogs (or those it names). Deleting a
catalog deletes its entries from the store (finalizer) and its Jobs.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import kopf
from kubernetes import client
from kubernetes.client import ApiException

from pydantic import ValidationError

from .. import metrics
from ..errors import InputError
from ..retrieval.index import StoreUnavailable
from ..storage import Storage, StorageError
from . import catalogs, kube, manifests, reconcile
from .config import OperatorConfig
from .manifests import ASSEMBLE, LABEL_COMPONENT, LABEL_MANAGED_BY, LABEL_REQUEST_UID, MANAGED_BY, RENDER, RequestRef
from .spec import CATALOG_PLURAL, GROUP, PLURAL, VERSION, AssetCatalogSpec, PlanSummary, VideoRequestSpec
from .status import (WorkerResult, assemble_failures, condition, job_progress, last_failures, merge_conditions,
                     needs_assembly, variant_outcome, worker_result)
from .threads import DaemonThreadPool

VIDEO_REQUEST = (GROUP, VERSION, PLURAL)
ASSET_CATALOG = (GROUP, VERSION, CATALOG_PLURAL)
IMPORT_CHILDREN = {"labels": {LABEL_MANAGED_BY: MANAGED_BY, catalogs.LABEL_CATALOG_UID: kopf.PRESENT}}
NO_STORE = ("the operator has no vector store (chart value vectorStore): AssetCatalogs cannot be imported; "
            "requests use the built-in library")
FINALIZER = f"{GROUP}/cleanup"
MAX_REASONS = 100
PLANNING_THREADS = 4  # planning and storage calls at once
POLL_SECONDS = OperatorConfig.from_environ().poll_seconds  # kopf fixes timer intervals at import
CHILDREN = {"labels": {LABEL_MANAGED_BY: MANAGED_BY, LABEL_REQUEST_UID: kopf.PRESENT}}

T = TypeVar("T")


async def run_blocking(memo: kopf.Memo, fn: Callable[..., T], *args: Any) -> T:
    """Planning and storage calls block: they run in the operator's own thread pool."""
    return await asyncio.get_running_loop().run_in_executor(memo.executor, functools.partial(fn, *args))


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def seconds_since(timestamp: str | None, until: datetime) -> float:
    return max(0.0, (until - datetime.fromisoformat(timestamp)).total_seconds()) if timestamp else 0.0


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
    settings.persistence.finalizer = FINALIZER
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=GROUP)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(prefix=GROUP)
    settings.scanning.disabled = True  # no cluster-wide CRD/namespace watching: less RBAC
    settings.posting.level = logging.INFO
    memo.config = OperatorConfig.from_environ()
    memo.storage = Storage()
    api = kube.api_client()
    memo.batch, memo.core = client.BatchV1Api(api), client.CoreV1Api(api)
    memo.observed_pods = set()
    memo.executor = DaemonThreadPool(PLANNING_THREADS, name="simfarm")
    if "planner" not in memo:  # tests share one across operator restarts
        memo.planner = reconcile.load_planner()  # not ready until loaded
    memo.catalog = memo.planner.resolver.catalog  # the store the planner searches and imports write to


@kopf.on.cleanup()
def stop_work(memo: kopf.Memo, **_: Any) -> None:
    """On shutdown, drop queued planning/storage work; calls still running are abandoned at exit.

    Their handlers were cancelled, so none of them writes status; the next operator repeats them.
    """
    memo.executor.shutdown(wait=False, cancel_futures=True)


# ---- indexes: what the request's children say, kept in memory by kopf's watches ----

@kopf.index("batch", "v1", "jobs", **CHILDREN)
def owned_jobs(labels: kopf.Labels, body: kopf.Body, **_: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {(labels[LABEL_REQUEST_UID], labels[LABEL_COMPONENT]):
            {"spec": {"completions": body.spec.get("completions")}, "status": dict(body.status)}}


@kopf.index("", "v1", "pods", **CHILDREN)
def worker_results(labels: kopf.Labels, body: kopf.Body, **_: Any) -> dict[tuple[str, str], WorkerResult] | None:
    result = worker_result(body)
    return None if result is None else {(labels[LABEL_REQUEST_UID], labels[LABEL_COMPONENT]): result}


@kopf.on.event("", "v1", "pods", **CHILDREN)
def observe_worker(body: kopf.Body, uid: str, memo: kopf.Memo, **_: Any) -> None:
    result = worker_result(body)
    if result is not None and result.summary is not None and uid not in memo.observed_pods:
        memo.observed_pods.add(uid)
        metrics.observe_worker(result.summary)


@kopf.index(*ASSET_CATALOG)
def asset_catalogs(namespace: str, name: str, status: kopf.Status, **_: Any) -> dict[str, tuple[str, dict]]:
    """Per namespace, its catalogs and their status: which ones planning may search."""
    return {namespace: (name, dict(status))}


@kopf.index("batch", "v1", "jobs", **IMPORT_CHILDREN)
def import_jobs(labels: kopf.Labels, name: str, body: kopf.Body, **_: Any) -> dict[tuple[str, str], dict]:
    return {(labels[catalogs.LABEL_CATALOG_UID], name): {"status": dict(body.status)}}


@kopf.index("", "v1", "pods", **IMPORT_CHILDREN)
def import_failures(labels: kopf.Labels, body: kopf.Body, **_: Any) -> dict[tuple[str, str], str] | None:
    """What a failed import pod said (its termination message: the import's own words, never the source's)."""
    result = worker_result(body, catalogs.CONTAINER, indexed=False)
    job = labels.get("batch.kubernetes.io/job-name") or labels.get("job-name")
    if result is None or result.exit_code == 0 or not job:
        return None
    return {(labels[catalogs.LABEL_CATALOG_UID], job): catalogs.import_failure(result)}


@kopf.on.event(*VIDEO_REQUEST)
def count_phase(type: str, uid: str, status: kopf.Status, **_: Any) -> None:
    metrics.track_phase(uid, None if type == "DELETED" else status.get("phase", "Pending"))


# ---- planning ----

@kopf.on.resume(*VIDEO_REQUEST)
@kopf.on.create(*VIDEO_REQUEST)
def accept(body: kopf.Body, status: kopf.Status, meta: kopf.Meta, patch: kopf.Patch, **_: Any) -> None:
    if status.get("phase"):
        return
    started = now().isoformat()
    patch.status.update(phase="Planning", startTime=started, stageStartTime=started,
                        observedGeneration=meta.get("generation"))
    kopf.info(body, reason="Planning", message="Planning the scenes")


@kopf.on.resume(*VIDEO_REQUEST)
@kopf.on.create(*VIDEO_REQUEST)
async def plan_and_render(body: kopf.Body, spec: kopf.Spec, status: kopf.Status, meta: kopf.Meta,
                          patch: kopf.Patch, memo: kopf.Memo, asset_catalogs: kopf.Index, logger: kopf.Logger,
                          **_: Any) -> None:
    if status.get("plan") or status.get("phase") in ("Succeeded", "Failed"):
        return  # planned before (e.g. before a restart): the tracking timer carries on
    request = RequestRef(meta["namespace"], meta["name"], meta["uid"])
    began = now()
    started = status.get("startTime") or patch.status.get("startTime")  # set by accept() in this same cycle
    try:
        parsed = reconcile.parse_spec(dict(spec))
        layout = reconcile.output_layout(parsed, request, memo.config)
        sources = catalogs.searched_sources(parsed.assets.catalogs, request.namespace,
                                            asset_catalogs.get(request.namespace, []), memo.catalog.builtin_sources)
        llm = await run_blocking(memo, reconcile.request_llm, memo.core, request.namespace, parsed.rewriter,
                                 memo.planner.llm.config)
        planned = await run_blocking(memo, reconcile.plan_request, parsed, layout, memo.storage, memo.planner, llm,
                                     memo.config.default_engine, sources)
    except catalogs.CatalogsNotReady as waiting:
        patch.status["message"] = str(waiting)
        raise kopf.TemporaryError(str(waiting), delay=10)
    except StoreUnavailable as error:
        metrics.ERRORS.labels(reason="vector_store").inc()
        raise kopf.TemporaryError(f"{error}; retrying", delay=15)
    except reconcile.EndpointSecretError as error:
        metrics.ERRORS.labels(reason="endpoint_secret").inc()
        raise kopf.TemporaryError(f"{error}; retrying", delay=30)
    except ApiException as error:
        metrics.ERRORS.labels(reason="kubernetes_api").inc()
        raise kopf.TemporaryError(f"reading Secret {parsed.rewriter.endpoint_secret_ref}: {error.status} "
                                  f"{error.reason}", delay=30)
    except InputError as error:
        metrics.ERRORS.labels(reason="invalid_spec").inc()
        _finish(body, status, patch, phase="Failed", reason="InvalidSpec", message=str(error), at=now(),
                started=started)
        raise kopf.PermanentError(str(error))
    except StorageError as error:
        metrics.ERRORS.labels(reason="storage").inc()
        raise kopf.TemporaryError(f"storage unavailable, retrying: {error}", delay=30)
    plan, planned_at = planned.summary, now()
    job = await _ensure_job(body, manifests.render_job(request, parsed, plan.uri, plan.shards, memo.config), memo)
    timings = {**planned.timings, "plan": (planned_at - began).total_seconds()}
    for stage, seconds in timings.items():
        metrics.STAGE_SECONDS.labels(stage=stage).observe(seconds)
    if planned.fell_back:
        metrics.REWRITER_FALLBACKS.inc()
    patch.status.update(
        phase="Rendering", plan=plan.to_api(), plannedSpec=parsed.to_api(), stageStartTime=planned_at.isoformat(),
        shards={"total": plan.shards, "succeeded": 0, "failed": 0, "running": 0}, progress=f"0/{plan.shards}",
        timings=timings,
        conditions=merge_conditions(status.get("conditions") or [], condition(
            "Planned", True, "Planned", f"{_planned(plan)} in {plan.shards} shards",
            generation=meta.get("generation"), now=planned_at.isoformat())))
    kopf.info(body, reason="Rendering",
              message=f"Planned {_planned(plan)} as {plan.shards} shards; Job {job['metadata']['name']}")
    logger.info(f"Planned {request.namespace}/{request.name} from the catalogs {', '.join(sources)}")


def _planned(plan: PlanSummary) -> str:
    shots = f" of {len(plan.shot_frames)} shots" if plan.shot_frames else ""
    return f"{plan.variants} variants{shots}"


async def _ensure_job(owner: kopf.Body, manifest: dict[str, Any], memo: kopf.Memo,
                      owner_label: str = LABEL_REQUEST_UID) -> dict[str, Any]:
    kopf.adopt(manifest, owner=owner, nested="spec.template")
    try:
        return await run_blocking(memo, reconcile.ensure_job, memo.batch, manifest, owner_label)
    except reconcile.JobConflict as error:
        raise kopf.TemporaryError(str(error), delay=10)
    except ApiException as error:
        metrics.ERRORS.labels(reason="kubernetes_api").inc()
        raise kopf.TemporaryError(f"creating Job {manifest['metadata']['name']}: {error.status} {error.reason}",
                                  delay=10)


@kopf.on.update(*VIDEO_REQUEST, field="spec")
def reject_spec_change(body: kopf.Body, status: kopf.Status, meta: kopf.Meta, patch: kopf.Patch,
                       **_: Any) -> None:
    if not status.get("plan"):
        return  # not planned yet: planning reads the spec as it is then
    message = (f"spec generation {meta.get('generation')} ignored: the request was planned from generation "
               f"{status.get('observedGeneration')}; create a new VideoRequest to render another spec")
    patch.status["conditions"] = merge_conditions(status.get("conditions") or [], condition(
        "SpecRejected", True, "ImmutableAfterPlanning", message, generation=meta.get("generation"),
        now=now().isoformat(), previous=status.get("conditions") or []))
    kopf.warn(body, reason="SpecRejected", message=message)


# ---- tracking: Jobs and pods to status ----

def _in_progress(status: kopf.Status, **_: Any) -> bool:
    return status.get("phase") in ("Rendering", "Assembling")


@kopf.timer(*VIDEO_REQUEST, interval=POLL_SECONDS, when=_in_progress)
async def track(body: kopf.Body, meta: kopf.Meta, status: kopf.Status, patch: kopf.Patch, memo: kopf.Memo,
                uid: str, owned_jobs: kopf.Index, worker_results: kopf.Index, **_: Any) -> None:
    plan = PlanSummary.model_validate(status["plan"])
    spec = VideoRequestSpec.model_validate(status["plannedSpec"])
    request = RequestRef(meta["namespace"], meta["name"], uid)
    component = RENDER if status["phase"] == "Rendering" else ASSEMBLE
    job = next(iter(owned_jobs.get((uid, component), [])), None)
    if job is None:
        return  # just created: the Job watch has not delivered it yet
    progress = job_progress(job)
    failures = last_failures(worker_results.get((uid, component), []))
    if component == RENDER:
        counts = progress.counts
        patch.status.update(shards=counts.to_api(), progress=progress.progress)
        metrics.track_shards(uid, counts.model_dump())
    if not progress.finished:
        return
    at = now()
    stage_seconds = seconds_since(status.get("stageStartTime"), at)
    metrics.STAGE_SECONDS.labels(stage=component).observe(stage_seconds)
    timings = {**(status.get("timings") or {}), component: stage_seconds}
    if component == RENDER:
        outcome = variant_outcome(plan, progress, failures)
        reasons = [f"variant {v}: {why}" for v, why in outcome.failed.items()]
        patch.status.update(failedVariants=sorted(outcome.failed), failures=reasons[:MAX_REASONS], timings=timings)
        if outcome.succeeded and needs_assembly(plan):
            manifest = manifests.assemble_job(request, spec, plan.uri, outcome.succeeded, memo.config)
            await _ensure_job(body, manifest, memo)
            patch.status.update(phase="Assembling", stageStartTime=at.isoformat())
            kopf.info(body, reason="Assembling",
                      message=f"Rendered {len(outcome.succeeded)} of {plan.variants} variants; assembling")
            return
        succeeded, failed = outcome.succeeded, sorted(outcome.failed)
    else:
        assembled = [v for v in range(plan.variants) if v not in set(status.get("failedVariants") or [])]
        broken = assemble_failures(assembled, progress, failures)
        reasons = list(status.get("failures") or []) + [f"variant {v}: {why}" for v, why in broken.items()]
        succeeded = [v for v in assembled if v not in broken]
        failed = sorted(set(status.get("failedVariants") or []) | set(broken))
        patch.status.update(failedVariants=failed, failures=reasons[:MAX_REASONS], timings=timings)
    metrics.track_shards(uid, None)
    await _complete(body, spec, plan, request, status, patch, memo, succeeded, failed, reasons, timings, at)


async def _complete(body: kopf.Body, spec: VideoRequestSpec, plan: PlanSummary, request: RequestRef,
                    status: kopf.Status, patch: kopf.Patch, memo: kopf.Memo, succeeded: list[int], failed: list[int],
                    reasons: list[str], timings: dict[str, float], at: datetime) -> None:
    if not succeeded:
        metrics.count_videos(succeeded=0, failed=len(failed))
        _finish(body, status, patch, phase="Failed", reason="AllVariantsFailed",
                message=f"all {len(failed)} variants failed: " + "; ".join(reasons[:5]), at=at, timings=timings)
        return
    layout = reconcile.output_layout(spec, request, memo.config)
    expiry = timedelta(seconds=memo.config.presign_seconds)
    try:
        outputs = await run_blocking(memo, reconcile.collect_outputs, layout, succeeded, memo.storage, expiry,
                                     len(plan.shot_frames or ()))
    except StorageError as error:
        metrics.ERRORS.labels(reason="storage").inc()
        raise kopf.TemporaryError(f"reading outputs, retrying: {error}", delay=30)
    patch.status["outputs"] = [o.to_api() for o in outputs]
    metrics.count_videos(succeeded=len(succeeded), failed=len(failed))
    partial = [condition("PartiallyFailed", True, "VariantsFailed",
                         f"{len(failed)} of {len(failed) + len(succeeded)} variants failed: " + "; ".join(reasons[:5]),
                         generation=None, now=at.isoformat())] if failed else []
    _finish(body, status, patch, phase="Succeeded", reason="Rendered",
            message=f"{len(succeeded)} videos in {layout.base}", at=at, timings=timings, extra=partial)


def _finish(body: kopf.Body, status: kopf.Status, patch: kopf.Patch, *, phase: str, reason: str, message: str,
            at: datetime, started: str | None = None, timings: dict[str, float] | None = None,
            extra: Iterable[dict[str, Any]] = ()) -> None:
    total = seconds_since(started or status.get("startTime"), at)
    metrics.STAGE_SECONDS.labels(stage="total").observe(total)
    ready = condition("Ready", phase == "Succeeded", reason, message, generation=status.get("observedGeneration"),
                      now=at.isoformat(), previous=status.get("conditions") or [])
    patch.status.update(phase=phase, message=message, completionTime=at.isoformat(),
                        timings={**(timings or {}), "total": total},
                        conditions=merge_conditions(status.get("conditions") or [], ready, *extra))
    (kopf.info if phase == "Succeeded" else kopf.warn)(body, reason=phase, message=message)


# ---- deletion ----

def _deletes_outputs(spec: kopf.Spec, **_: Any) -> bool:
    return bool(spec.get("output", {}).get("deleteOnRemoval"))


@kopf.on.delete(*VIDEO_REQUEST, when=_deletes_outputs)
async def delete_outputs(spec: kopf.Spec, status: kopf.Status, meta: kopf.Meta, memo: kopf.Memo,
                         logger: kopf.Logger, **_: Any) -> None:
    try:
        parsed = reconcile.parse_spec(status.get("plannedSpec") or dict(spec))
    except InputError:
        return  # never planned, so nothing was stored
    layout = reconcile.output_layout(parsed, RequestRef(meta["namespace"], meta["name"], meta["uid"]), memo.config)
    try:
        removed = await run_blocking(memo, memo.storage.delete_prefix, layout.base)
    except StorageError as error:
        metrics.ERRORS.labels(reason="storage").inc()
        raise kopf.TemporaryError(f"deleting {layout.base}, retrying: {error}", delay=30)
    logger.info(f"Deleted {removed} objects under {layout.base}")


# ---- asset catalogs: import Jobs, progress and status ----

@kopf.timer(*ASSET_CATALOG, interval=POLL_SECONDS)
async def reconcile_catalog(body: kopf.Body, meta: kopf.Meta, spec: kopf.Spec, status: kopf.Status,
                            patch: kopf.Patch, memo: kopf.Memo, uid: str, import_jobs: kopf.Index,
                            import_failures: kopf.Index, **_: Any) -> None:
    catalog = RequestRef(meta["namespace"], meta["name"], uid)
    source = catalogs.catalog_source(catalog.namespace, catalog.name)
    at = now().isoformat()
    if status.get("source") != source:
        patch.status["source"] = source
    try:
        parsed = AssetCatalogSpec.model_validate(dict(spec))
    except ValidationError as error:
        _catalog_failed(body, status, patch, "InvalidSpec", reconcile.spec_problems(error), at)
        return
    if memo.config.vector_store_url is None:
        _catalog_failed(body, status, patch, "NoVectorStore", NO_STORE, at)
        return
    generation = meta.get("generation")
    if status.get("phase") == "Importing":
        await _follow_import(body, catalog, source, parsed, generation, status, patch, memo, import_jobs,
                             import_failures, at)
        return
    target = catalogs.next_import(parsed, generation, status, now())
    if target is None:
        return
    manifest = catalogs.import_job(catalog, parsed, *target, memo.config)
    await _ensure_job(body, manifest, memo, catalogs.LABEL_CATALOG_UID)
    patch.status.update(catalogs.started_status(status, manifest["metadata"]["name"], *target, at))
    kopf.info(body, reason="Importing", message=f"Job {manifest['metadata']['name']} imports {source}")


async def _follow_import(body: kopf.Body, catalog: RequestRef, source: str, spec: AssetCatalogSpec,
                         generation: int | None, status: kopf.Status, patch: kopf.Patch, memo: kopf.Memo,
                         import_jobs: kopf.Index, import_failures: kopf.Index, at: str) -> None:
    name = status["importJob"]
    job = next(iter(import_jobs.get((catalog.uid, name), [])), None)
    if job is None:  # just created (the watch has not brought it yet), or deleted by someone
        if status.get("importGeneration") != generation:
            patch.status.update(phase="Pending", progress="", message=f"import Job {name} is gone; importing "
                                                                       f"generation {generation} instead")
            return
        manifest = catalogs.import_job(catalog, spec, generation, int(status.get("importRound") or 0), memo.config)
        await _ensure_job(body, manifest, memo, catalogs.LABEL_CATALOG_UID)  # reads it, or makes it again
        return
    try:
        state = await run_blocking(memo, reconcile.store_call, memo.catalog.index.import_state, source)
    except StoreUnavailable as error:
        metrics.ERRORS.labels(reason="vector_store").inc()
        raise kopf.TemporaryError(f"{error}; retrying", delay=15)
    state = state if state and state.get("run") == name else None
    outcome = catalogs.job_outcome(job)
    if outcome is None:
        text = catalogs.progress_text(state) if state else "starting"
        if text != status.get("progress"):
            patch.status["progress"] = text
        return
    failure = next(iter(import_failures.get((catalog.uid, name), [])), None)
    update = catalogs.finished_status(status, outcome, state, failure, at)
    patch.status.update(update)
    (kopf.info if update["phase"] == "Ready" and "failed" not in update["message"] else kopf.warn)(
        body, reason=update["phase"], message=update["message"])


def _catalog_failed(body: kopf.Body, status: kopf.Status, patch: kopf.Patch, reason: str, message: str,
                    at: str) -> None:
    if status.get("phase") == "Failed" and status.get("message") == message:
        return
    ready = condition("Ready", False, reason, message, generation=None, now=at,
                      previous=status.get("conditions") or [])
    patch.status.update(phase="Failed", message=message,
                        conditions=merge_conditions(status.get("conditions") or [], ready))
    kopf.warn(body, reason=reason, message=message)


@kopf.on.delete(*ASSET_CATALOG)
async def forget_catalog(meta: kopf.Meta, memo: kopf.Memo, logger: kopf.Logger, **_: Any) -> None:
    """Its entries leave the store (its Jobs go by owner reference)."""
    if memo.config.vector_store_url is None:
        return
    source = catalogs.catalog_source(meta["namespace"], meta["name"])
    try:
        removed = await run_blocking(memo, reconcile.store_call, memo.catalog.index.delete_source, source)
    except StoreUnavailable as error:
        metrics.ERRORS.labels(reason="vector_store").inc()
        raise kopf.TemporaryError(f"{error}; retrying", delay=15)
    logger.info(f"Deleted the {removed} entries of {source} from the vector store")
