"""Operator settings, read once from the environment (the Helm chart sets them).

The render defaults (GPU resource name, nodeSelector, tolerations, Kueue
queue, render engine) apply to a request whose spec leaves that field empty: the spec wins.
The RuntimeClass has no spec field; it applies to every render and assemble
pod. The catalog settings (the vector store, the URL policy and caps every
import and render pod gets, the import Jobs' image and resources) come from
the chart's vectorStore and catalogs values. A bad value stops the operator
at startup with a message naming it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import InputError
from ..plan.models import ENGINES, Engine, RenderSettings
from ..retrieval.remote import ImportLimits, UrlPolicy
from .spec import Toleration

DEFAULT_RENDER_IMAGE = "ghcr.io/simfarm/render:0.1.0"
DEFAULT_OPERATOR_IMAGE = "ghcr.io/simfarm/operator:0.1.0"
DEFAULT_IMPORT_RESOURCES = {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "3Gi"}}
DEFAULT_ASSET_MAX_BYTES = 2 * 1024**3
DEFAULT_GPU_RESOURCE = "nvidia.com/gpu"
EXTENDED_RESOURCE = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")  # Kueue LocalQueue names
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")  # RuntimeClass


@dataclass(frozen=True)
class OperatorConfig:
    render_image: str = DEFAULT_RENDER_IMAGE
    s3_secret: str = "simfarm-s3"  # workers' S3 Secret when a request names none
    output_root: str | None = None  # a local directory or s3:// URI replacing s3://<bucket>/<prefix>
    presign_seconds: int = 7 * 24 * 3600
    poll_seconds: float = 10.0  # how often running requests look at their Jobs
    gpu_resource: str = DEFAULT_GPU_RESOURCE  # when spec.resources.gpuResource is unset
    node_selector: Mapping[str, str] = field(default_factory=dict)  # when spec.nodeSelector is empty
    tolerations: tuple[Toleration, ...] = ()  # when spec.tolerations is empty
    runtime_class: str | None = None  # runtimeClassName of every render and assemble pod
    default_queue: str | None = None  # Kueue LocalQueue when spec.queueName is unset
    default_engine: Engine = RenderSettings().engine  # when spec.render.engine is unset
    vector_store_url: str | None = None  # the shared ChromaDB server; None: a catalog local to this process
    operator_image: str = DEFAULT_OPERATOR_IMAGE  # image of the catalog import Jobs
    url_policy: UrlPolicy = field(default_factory=UrlPolicy)  # what catalog URLs import and render pods may fetch
    import_limits: ImportLimits = field(default_factory=ImportLimits)
    import_batch: int = 256  # entries an import Job embeds between two progress updates
    import_resources: Mapping[str, Any] = field(default_factory=lambda: DEFAULT_IMPORT_RESOURCES)
    asset_max_bytes: int = DEFAULT_ASSET_MAX_BYTES  # the largest asset a render pod downloads
    library_entries: str | None = None  # the built-in library's entries, seeded into the catalog at startup

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "OperatorConfig":
        env = os.environ if environ is None else environ
        try:
            return cls(
                render_image=env.get("SIMFARM_RENDER_IMAGE") or cls.render_image,
                s3_secret=env.get("SIMFARM_S3_SECRET") or cls.s3_secret,
                output_root=env.get("SIMFARM_OUTPUT_ROOT") or None,
                presign_seconds=int(env.get("SIMFARM_PRESIGN_SECONDS") or cls.presign_seconds),
                poll_seconds=float(env.get("SIMFARM_POLL_SECONDS") or cls.poll_seconds),
                gpu_resource=_matching(env, "SIMFARM_DEFAULT_GPU_RESOURCE", EXTENDED_RESOURCE, 253,
                                       "an extended resource name such as nvidia.com/gpu") or cls.gpu_resource,
                node_selector=_node_selector(env, "SIMFARM_DEFAULT_NODE_SELECTOR"),
                tolerations=_tolerations(env, "SIMFARM_DEFAULT_TOLERATIONS"),
                runtime_class=_matching(env, "SIMFARM_RUNTIME_CLASS", DNS_SUBDOMAIN, 253, "a RuntimeClass name"),
                default_queue=_matching(env, "SIMFARM_DEFAULT_QUEUE", DNS_LABEL, 63, "a LocalQueue name"),
                default_engine=_engine(env, "SIMFARM_DEFAULT_ENGINE") or cls.default_engine,
                vector_store_url=env.get("SIMFARM_VECTOR_STORE_URL") or None,
                operator_image=env.get("SIMFARM_OPERATOR_IMAGE") or cls.operator_image,
                url_policy=_url_policy(env),
                import_limits=ImportLimits.from_environ(env),
                import_batch=_positive(env, "SIMFARM_IMPORT_BATCH", cls.import_batch),
                import_resources=_json(env, "SIMFARM_IMPORT_RESOURCES", dict, "object of requests and limits")
                or DEFAULT_IMPORT_RESOURCES,
                asset_max_bytes=_positive(env, "SIMFARM_ASSET_MAX_BYTES", cls.asset_max_bytes),
                library_entries=env.get("SIMFARM_LIBRARY_ENTRIES") or None,
            )
        except (ValueError, InputError) as error:
            raise InputError(f"bad operator setting: {error}") from None


def _matching(env: Mapping[str, str], name: str, pattern: re.Pattern[str], max_length: int, what: str
              ) -> str | None:
    value = env.get(name) or None
    if value is not None and (len(value) > max_length or not pattern.match(value)):
        raise ValueError(f"{name}={value!r} is not {what}")
    return value


def _engine(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name) or None
    if value is not None and value not in ENGINES:
        raise ValueError(f"{name}={value!r} is not a render engine ({', '.join(ENGINES)})")
    return value


def _json(env: Mapping[str, str], name: str, kind: type, what: str) -> Any:
    text = env.get(name) or ""
    try:
        value = json.loads(text) if text.strip() else kind()
    except json.JSONDecodeError as error:
        raise ValueError(f"{name} is not JSON ({error.msg} at position {error.pos})") from None
    if not isinstance(value, kind):
        raise ValueError(f"{name} must be a JSON {what}, not {text!r}")
    return value


def _node_selector(env: Mapping[str, str], name: str) -> dict[str, str]:
    labels = _json(env, name, dict, 'object of label values, e.g. {"pool": "gpu"}')
    wrong = [key for key, value in labels.items() if not isinstance(value, str)]
    if wrong:
        raise ValueError(f"{name}: label values must be strings: {', '.join(wrong)}")
    return labels


def _tolerations(env: Mapping[str, str], name: str) -> tuple[Toleration, ...]:
    items = _json(env, name, list, 'list of tolerations, e.g. [{"key": "gpu", "operator": "Exists"}]')
    try:
        return tuple(TypeAdapter(list[Toleration]).validate_python(items))
    except ValidationError as error:
        problems = "; ".join(f"[{']['.join(map(str, e['loc']))}]: {e['msg']}" for e in error.errors())
        raise ValueError(f"{name}: {problems}") from None


def _url_policy(env: Mapping[str, str]) -> UrlPolicy:
    """The chart's catalogs.urlPolicy; unset, the refusals that need no list (loopback, link-local, …)."""
    text = env.get("SIMFARM_URL_POLICY") or ""
    return UrlPolicy.from_json(text) if text.strip() else UrlPolicy()


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name) or ""
    if not text.strip():
        return default
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(f"{name}={text!r} is not a positive integer")
    return int(text)
