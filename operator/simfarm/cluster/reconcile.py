"""The operator's work, as plain blocking functions (the handlers run them in a thread).

Planning, publishing ``plan.json``, creating Jobs idempotently, reading the
outputs back: each step can be repeated after a crash without harm.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kubernetes.client import ApiException, BatchV1Api, CoreV1Api
from pydantic import ValidationError

from ..errors import InputError
from ..plan.models import Engine, RenderSettings, RequestPlan
from ..plan.sharding import clip_lengths, plan_shards
from ..rewriter.llm import LLMConfig
from ..storage import ObjectNotFound, RequestLayout, Storage
from .config import OperatorConfig
from .manifests import LABEL_REQUEST_UID, RequestRef
from .spec import MAX_STATUS_OUTPUTS, FilmOutput, PlanSummary, Rewriter, VariantOutput, VideoRequestSpec

if TYPE_CHECKING:
    from ..plan.planner import Planner
    from ..retrieval.catalog import Catalog

T = TypeVar("T")


class JobConflict(Exception):
    """A Job with the child's name exists but belongs to another request (e.g. one being deleted)."""


class EndpointSecretError(Exception):
    """A request's LLM endpoint Secret is missing or incomplete (it may be created or fixed later)."""


ENDPOINT_SECRET_KEYS = ("baseUrl", "apiKey")  # and optionally "model"


def parse_spec(raw: dict[str, Any]) -> VideoRequestSpec:
    """The spec as the model, or an InputError saying every problem in one line."""
    try:
        return VideoRequestSpec.model_validate(raw)
    except ValidationError as error:
        raise InputError(spec_problems(error)) from None


def spec_problems(error: ValidationError) -> str:
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'spec'}: {e['msg']}" for e in error.errors())
    return f"invalid spec: {problems}"


def output_layout(spec: VideoRequestSpec, request: RequestRef, config: OperatorConfig) -> RequestLayout:
    """Where the request's files go: ``s3://<bucket>/<prefix>/<ns>/<name>/<uid>/`` (or the operator's root)."""
    root = config.output_root or f"s3://{spec.output.bucket}/{spec.output.prefix.strip('/')}".rstrip("/")
    return RequestLayout.for_request(root, request.namespace, request.name, request.uid)


STORE_WAIT_S = 120  # at install the vector store may start after the operator


def open_catalog(config: OperatorConfig) -> "Catalog":
    """The operator's catalog: the shared vector store (waited for while it starts), else one under
    ``$SIMFARM_HOME``; with the built-in library's entries seeded (``$SIMFARM_LIBRARY_ENTRIES``)."""
    from ..retrieval.catalog import Catalog
    from ..retrieval.index import StoreUnavailable
    from ..retrieval.library import seed_entries

    if config.vector_store_url:
        deadline = time.monotonic() + STORE_WAIT_S
        while True:
            try:
                catalog = Catalog.server(config.vector_store_url)
                break
            except StoreUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(2)
    else:
        catalog = Catalog.open(None, in_memory_fallback=True)
    if config.library_entries:
        seed_entries(catalog, Path(config.library_entries))
    return catalog


def load_planner(catalog: "Catalog | None" = None) -> "Planner":
    """The planner, with its models and catalog loaded (seconds): made once per operator process."""
    from ..plan.planner import Planner
    from ..retrieval.resolve import CatalogResolver

    planner = Planner(resolver=CatalogResolver(catalog or open_catalog(OperatorConfig.from_environ())))
    planner.warm()
    return planner


def store_call(fn: Callable[..., T], *args: Any) -> T:
    """A call to the vector store; any failure of its client is ``StoreUnavailable`` (retry later)."""
    from ..retrieval.index import StoreUnavailable

    try:
        return fn(*args)
    except Exception as error:  # the client raises its own and httpx's errors; all mean "not now"
        raise StoreUnavailable(f"vector store: {' '.join(str(error).split())[:200] or type(error).__name__}") \
            from None


@dataclass(frozen=True)
class Planned:
    summary: PlanSummary
    timings: dict[str, float]  # seconds per planning stage (rewrite, combine, retrieve); empty if read back
    fell_back: bool  # planned now, and the llm rewriter failed so the rules rewriter was used


def request_llm(core: CoreV1Api, namespace: str, rewriter: Rewriter, default: LLMConfig) -> LLMConfig | None:
    """The LLM endpoint of one request with ``rewriter.backend: llm``; None: the operator's, unchanged.

    ``rewriter.endpointSecretRef`` names a Secret in the request's namespace whose ``baseUrl`` and
    ``apiKey`` replace the operator's; the model is ``rewriter.model``, else the Secret's ``model``,
    else the operator's.
    """
    if rewriter.backend != "llm" or (rewriter.model is None and rewriter.endpoint_secret_ref is None):
        return None
    settings = default
    if rewriter.endpoint_secret_ref is not None:
        secret = _secret_data(core, namespace, rewriter.endpoint_secret_ref)
        missing = [key for key in ENDPOINT_SECRET_KEYS if not secret.get(key)]
        if missing:
            raise EndpointSecretError(f"Secret {namespace}/{rewriter.endpoint_secret_ref} has no "
                                      f"{', '.join(missing)} (keys: baseUrl, apiKey, optional model)")
        settings = dataclasses.replace(settings, base_url=secret["baseUrl"].rstrip("/"), api_key=secret["apiKey"],
                                       model=secret.get("model") or settings.model)
    return dataclasses.replace(settings, model=rewriter.model or settings.model)


def _secret_data(core: CoreV1Api, namespace: str, name: str) -> dict[str, str]:
    try:
        response = core.read_namespaced_secret(name, namespace, _preload_content=False)
    except ApiException as error:
        if error.status == 404:
            raise EndpointSecretError(f"Secret {namespace}/{name} (spec.rewriter.endpointSecretRef) not found")
        raise
    data = json.loads(response.data).get("data") or {}
    return {key: base64.b64decode(value).decode().strip() for key, value in data.items()}


def plan_request(spec: VideoRequestSpec, layout: RequestLayout, storage: Storage, planner: "Planner",
                 llm: LLMConfig | None = None, default_engine: Engine = RenderSettings().engine,
                 catalogs: Sequence[str] | None = None) -> Planned:
    """Rewrite (with ``llm``, the request's endpoint, if it has one), combine, retrieve from the ``catalogs``
    sources; publish ``plan.json`` (creating the bucket if need be). Safe to repeat: a published plan is read
    back.

    (The same spec gives the same plan byte for byte, so reading it back only saves the work.) A spec naming
    no engine gets ``default_engine`` (the chart's ``render.defaultEngine``).
    """
    try:
        settings = spec.render.settings(default_engine)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "render"
        raise InputError(f"invalid render settings: {where}: {first['msg']}") from None
    try:
        plan, timings = RequestPlan.model_validate_json(storage.get_bytes(layout.plan)), {}
    except ObjectNotFound:
        common = dict(variants=spec.variants, seed=spec.seed, settings=settings, frames_per_shard=spec.frames_per_shard,
                      rewriter=spec.rewriter.backend, llm=llm, licenses=spec.assets.licenses,
                      catalogs=catalogs)
        if spec.is_film:
            shots = [shot.request(settings.fps, settings.frames) for shot in spec.shots or ()]
            result = planner.plan_film(shots, story=spec.story, **common)
        else:
            result = planner.plan(spec.prompt, **common)
        plan, timings = result.plan, result.timings
        storage.ensure_bucket(layout.base)  # a new S3 server (the chart's bundled MinIO) has no buckets
        storage.put_bytes(layout.plan, plan.to_json().encode(), content_type="application/json")
    summary = PlanSummary(uri=layout.plan, variants=plan.variant_count, shards=len(plan_shards(plan)),
                          frames_per_variant=plan.settings.frames, frames_per_shard=plan.frames_per_shard,
                          shot_frames=clip_lengths(plan) if plan.film else None, rewriter=plan.rewriter,
                          warnings=plan.warnings[:20])
    return Planned(summary, timings, fell_back=bool(timings) and spec.rewriter.backend != plan.rewriter)


def ensure_job(batch: BatchV1Api, manifest: dict[str, Any], owner_label: str = LABEL_REQUEST_UID) -> dict[str, Any]:
    """Create the Job, or read it when it exists already (after a restart): never two of them.

    ``owner_label`` holds the owner's uid: a Job of that name with another owner is a ``JobConflict``.
    """
    namespace, name = manifest["metadata"]["namespace"], manifest["metadata"]["name"]
    try:
        response = batch.create_namespaced_job(namespace, manifest, _preload_content=False)
    except ApiException as error:
        if error.status != 409:
            raise
        response = batch.read_namespaced_job(name, namespace, _preload_content=False)
    job = json.loads(response.data)
    wanted = manifest["metadata"]["labels"][owner_label]
    if job.get("metadata", {}).get("labels", {}).get(owner_label) != wanted:
        raise JobConflict(f"Job {namespace}/{name} exists and belongs to another owner; "
                          f"waiting for it to be deleted")
    return job


def collect_outputs(layout: RequestLayout, variants: list[int], storage: Storage, expiry: timedelta,
                    shots: int = 0) -> list[VariantOutput]:
    """The first ``MAX_STATUS_OUTPUTS`` videos: URI, presigned URL, caption, and where its credits and
    ground truth are (with ``shots``, a film's: its script, film.json and per-shot ground truth)."""
    outputs = []
    for variant in variants[:MAX_STATUS_OUTPUTS]:
        try:
            caption = storage.get_bytes(layout.caption(variant)).decode("utf-8").strip()
        except ObjectNotFound:
            caption = ""
        uri = layout.video(variant)
        film = FilmOutput(shots=shots, script=layout.script(variant), film=layout.film(variant),
                          ground_truth=layout.shots_dir(variant)) if shots else None
        outputs.append(VariantOutput(variant=variant, uri=uri, url=storage.presign_get(uri, expiry),
                                     caption=caption, credits=layout.credits(variant),
                                     annotations="" if shots else layout.annotations(variant), film=film))
    return outputs
