"""AssetCatalogs, as pure functions: the import Job a catalog owns, when to import, and its status.

An ``AssetCatalog`` is namespaced: whoever may create one decides which URLs
pods fetch, so a catalog serves only its own namespace's requests (a request
names catalogs of its namespace, nothing else), and who may create them is
ordinary namespace RBAC.

Its import runs as a Job in the catalog's namespace, from the operator's
image, with no Kubernetes API access at all (no service account token): it
reads the source under the chart's URL policy and caps, writes the entries
to the shared vector store and records its progress there. The operator,
which may already patch the catalog's status, reads that progress and owns
the status; giving the import pods a token that may patch status would let
any of them rewrite every catalog of the namespace.

Imports happen when the spec's generation has not been imported, and again
``refreshInterval`` after the last one. Only one import of a catalog runs at
a time (a new generation waits for the running import to end), so two runs
never write the same source at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..errors import EXIT_INPUT_ERROR, InputError
from ..retrieval.remote import LIMITS_ENV, POLICY_ENV
from .config import OperatorConfig
from .manifests import (CONTAINER_SECURITY_CONTEXT, LABEL_COMPONENT, LABEL_MANAGED_BY, MANAGED_BY, MAX_LABEL_VALUE,
                        POD_SECURITY_CONTEXT, S3_SECRET_MOUNT, SCRATCH_MOUNT, TERMINATION_LOG, RequestRef,
                        child_name, cpu_limit_env, fit)
from .spec import AssetCatalogSpec, CatalogSource
from .status import WorkerResult, condition, merge_conditions

IMPORT = "catalog-import"
CONTAINER = "import"
LABEL_CATALOG = "simfarm.dev/catalog"
LABEL_CATALOG_UID = "simfarm.dev/catalog-uid"
ANNOTATION_GENERATION = "simfarm.dev/catalog-generation"
ANNOTATION_ROUND = "simfarm.dev/import-round"
IMPORT_RETRIES = 4  # pods per import: a killed or evicted pod is replaced and resumes
IMPORT_DEADLINE_S = 6 * 3600
FINISHED_JOB_TTL_S = 24 * 3600
MAX_REJECTED_SHOWN = 10


def catalog_source(namespace: str, name: str) -> str:
    """The source name of a catalog's entries in the store, and in plan.json's ``asset.catalog``."""
    return f"{namespace}/{name}"


def import_job_name(catalog: str, generation: int, round_: int) -> str:
    return child_name(f"{catalog}-g{generation}r{round_}", "import")


def import_labels(catalog: RequestRef) -> dict[str, str]:
    return {LABEL_MANAGED_BY: MANAGED_BY, LABEL_COMPONENT: IMPORT,
            LABEL_CATALOG: fit(catalog.name, MAX_LABEL_VALUE), LABEL_CATALOG_UID: catalog.uid}


def import_command(catalog: RequestRef, spec: AssetCatalogSpec, run: str, config: OperatorConfig) -> list[str]:
    """``simfarm catalog import-url …`` with the spec's source, kinds and licenses (an argv: nothing is a shell)."""
    source: CatalogSource = spec.source
    command = ["simfarm", "catalog", "import-url", catalog_source(catalog.namespace, catalog.name), source.format,
               source.url, "--store", str(config.vector_store_url), "--run", run, "--batch",
               str(config.import_batch), "--termination-log"]
    if source.object_paths:
        command += ["--object-paths", source.object_paths]
    if source.objects_base:
        command += ["--objects-base", source.objects_base]
    for kind in spec.kinds:
        command += ["--kind", kind]
    for license_ in spec.licenses:
        command += ["--license", license_]
    return command


def import_job(catalog: RequestRef, spec: AssetCatalogSpec, generation: int, round_: int,
               config: OperatorConfig) -> dict[str, Any]:
    """The Job importing one generation (and refresh round) of a catalog; the handler adopts it."""
    name = import_job_name(catalog.name, generation, round_)
    labels = import_labels(catalog)
    env = [{"name": POLICY_ENV, "value": config.url_policy.to_json()},
           {"name": LIMITS_ENV, "value": config.import_limits.to_json()},
           {"name": "HF_HUB_OFFLINE", "value": "1"},
           {"name": "HOME", "value": SCRATCH_MOUNT},  # the root filesystem is read-only
           {"name": "TMPDIR", "value": SCRATCH_MOUNT}, *cpu_limit_env(CONTAINER)]
    mounts = [{"name": "scratch", "mountPath": SCRATCH_MOUNT}]
    volumes: list[dict[str, Any]] = [{"name": "scratch", "emptyDir": {}}]
    if any(url and url.startswith("s3://") for url in (spec.source.url, spec.source.object_paths)):
        env.append({"name": "SIMFARM_S3_SECRET_DIR", "value": S3_SECRET_MOUNT})
        mounts.append({"name": "s3", "mountPath": S3_SECRET_MOUNT, "readOnly": True})
        volumes.append({"name": "s3", "secret": {"secretName": spec.source.s3_secret_ref or config.s3_secret}})
    pod: dict[str, Any] = {
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,  # the import never calls the Kubernetes API
        "enableServiceLinks": False,
        "securityContext": POD_SECURITY_CONTEXT,
        "containers": [{
            "name": CONTAINER,
            "image": config.operator_image,
            "command": import_command(catalog, spec, name, config),
            "env": env,
            "resources": dict(config.import_resources),
            "securityContext": CONTAINER_SECURITY_CONTEXT,
            "terminationMessagePath": TERMINATION_LOG,
            "terminationMessagePolicy": "File",  # never the log's tail: it is no place for fetched text
            "volumeMounts": mounts,
        }],
        "volumes": volumes,
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": catalog.namespace, "labels": labels,
                     "annotations": {ANNOTATION_GENERATION: str(generation), ANNOTATION_ROUND: str(round_)}},
        "spec": {
            "backoffLimit": IMPORT_RETRIES,
            "activeDeadlineSeconds": IMPORT_DEADLINE_S,
            "ttlSecondsAfterFinished": FINISHED_JOB_TTL_S,
            "podFailurePolicy": {"rules": [
                {"action": "FailJob",  # the source itself is wrong (refused URL, bad format, a cap): no retry
                 "onExitCodes": {"containerName": CONTAINER, "operator": "In", "values": [EXIT_INPUT_ERROR]}},
                {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]},
            ]},
            "template": {"metadata": {"labels": labels}, "spec": pod},
        },
    }


# ---- when to import ----

def next_import(spec: AssetCatalogSpec, generation: int, status: Mapping[str, Any], now: datetime
                ) -> tuple[int, int] | None:
    """(generation, round) of the import to start now, or None: a new generation starts at round 0, a
    refresh of the imported one takes the next round. Never while an import runs."""
    if status.get("phase") == "Importing":
        return None
    if status.get("observedGeneration") != generation:
        return generation, 0
    interval = spec.refresh_seconds()
    last = status.get("lastAttemptTime") or status.get("lastImportTime")
    if interval is None or not last or now < datetime.fromisoformat(last) + timedelta(seconds=interval):
        return None
    return generation, int(status.get("importRound") or 0) + 1


def job_outcome(job: Mapping[str, Any]) -> str | None:
    """``Complete`` or ``Failed`` once the Job is over, else None."""
    for item in (job.get("status") or {}).get("conditions") or []:
        if item.get("type") in ("Complete", "Failed") and item.get("status") == "True":
            return item["type"]
    return None


# ---- status ----

def started_status(status: Mapping[str, Any], job: str, generation: int, round_: int, now: str) -> dict[str, Any]:
    """An import begins. A refresh keeps the catalog Ready (its entries stay valid while they are refreshed);
    a new generation is not Ready until it is imported."""
    previous = status.get("conditions") or []
    ready = next((c for c in previous if c.get("type") == "Ready"), None)
    refresh = status.get("observedGeneration") == generation and ready and ready.get("status") == "True"
    updates = [] if refresh else [condition("Ready", False, "Importing", f"importing generation {generation}",
                                            generation=generation, now=now, previous=previous)]
    return {"phase": "Importing", "importJob": job, "importGeneration": generation, "importRound": round_,
            "progress": "starting", "message": f"Job {job} imports generation {generation}",
            "conditions": merge_conditions(previous, *updates)}


def progress_text(state: Mapping[str, Any]) -> str:
    return f"{state.get('records', 0)} records read, {state.get('written', 0)} embedded"


def finished_status(status: Mapping[str, Any], outcome: str, state: Mapping[str, Any] | None,
                    failure: str | None, now: str) -> dict[str, Any]:
    """An import ended: Ready with its counts, or Failed saying why (in our words: never fetched text)."""
    generation = status.get("importGeneration")
    previous = status.get("conditions") or []
    common = {"observedGeneration": generation, "progress": "", "lastAttemptTime": now}
    if outcome == "Complete" and state and state.get("phase") == "Succeeded":
        counts = {kind: int(state.get("counts", {}).get(kind, 0)) for kind in ("object", "hdri", "material")}
        rejected = int(state.get("rejected", 0))
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items() if count) or "no entries"
        message = f"imported {summary} from {state.get('records', 0)} records"
        if rejected:
            message += f"; {rejected} rejected"
        if state.get("capped"):
            message += f"; stopped at the record limit ({state.get('records', 0)})"
        flagged = condition("RecordsRejected", bool(rejected), "BadRecords" if rejected else "AllRecordsValid",
                            (f"{rejected} of {state.get('records', 0)} records rejected: "
                             + "; ".join(state.get("samples", [])[:MAX_REJECTED_SHOWN])) if rejected else
                            "every record was imported or skipped on purpose", generation=generation, now=now,
                            previous=previous)
        ready = condition("Ready", True, "Imported", message, generation=generation, now=now, previous=previous)
        return {**common, "phase": "Ready", "message": message, "counts": counts, "entries": sum(counts.values()),
                "records": int(state.get("records", 0)), "rejected": rejected,
                "rejectedRecords": list(state.get("samples", []))[:MAX_REJECTED_SHOWN],
                "skipped": int(state.get("filtered", 0)), "lastImportTime": now,
                "conditions": merge_conditions(previous, ready, flagged)}
    why = (state or {}).get("message") or failure or "the import Job failed"
    if is_ready(status) and status.get("observedGeneration") == generation:  # a refresh: the entries stay usable
        return {**common, "phase": "Ready", "message": f"the refresh failed: {why}; the entries of the import "
                                                       f"of {status.get('lastImportTime')} stay in use"}
    message = f"import of generation {generation} failed: {why}"
    ready = condition("Ready", False, "ImportFailed", message, generation=generation, now=now, previous=previous)
    return {**common, "phase": "Failed", "message": message, "conditions": merge_conditions(previous, ready)}


def import_failure(result: WorkerResult) -> str:
    """Why an import pod failed: the error its command wrote (JSON, our own words), else how it ended."""
    try:
        error = json.loads(result.message).get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, str) and error:
        return error[:500]
    return f"the import pod ended with exit code {result.exit_code} ({result.reason or 'no reason given'})"


def is_ready(status: Mapping[str, Any]) -> bool:
    """Whether requests may use the catalog: its Ready condition holds (also while a refresh runs)."""
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])


# ---- which catalogs a request searches ----

class CatalogsNotReady(Exception):
    """A catalog the request names is still importing: planning waits for it."""


def searched_sources(wanted: Sequence[str] | None, namespace: str, known: Iterable[tuple[str, Mapping[str, Any]]],
                     builtin: Sequence[str]) -> list[str]:
    """The catalog sources a request's plan may take assets from: the built-in library's, plus the
    catalogs it names (``spec.assets.catalogs``), or every Ready catalog of its namespace when it names
    none. Only its own namespace's catalogs are ever searched."""
    statuses = dict(known)
    if wanted is None:
        chosen = sorted(name for name, status in statuses.items() if is_ready(status))
    else:
        chosen = list(dict.fromkeys(wanted))
        missing = [name for name in chosen if name not in statuses]
        if missing:
            raise InputError(f"spec.assets.catalogs: no AssetCatalog {', '.join(missing)} in namespace {namespace}")
        failed = [f"{name} ({statuses[name].get('message') or 'import failed'})" for name in chosen
                  if not is_ready(statuses[name]) and statuses[name].get("phase") == "Failed"]
        if failed:
            raise InputError(f"spec.assets.catalogs: AssetCatalog {'; '.join(failed)}")
        waiting = [f"{name} ({statuses[name].get('phase') or 'Pending'})" for name in chosen
                   if not is_ready(statuses[name])]
        if waiting:
            raise CatalogsNotReady(f"waiting for AssetCatalog {', '.join(waiting)} to be Ready")
    return [*builtin, *(catalog_source(namespace, name) for name in chosen)]
