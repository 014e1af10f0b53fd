"""Pure builders of the objects a VideoRequest owns: the render and assemble Jobs.

No API calls here: each function turns a parsed spec and a few facts (the
plan's URI, the shard count) into a manifest dict. Where the spec leaves the
GPU resource name, nodeSelector, tolerations or queue empty, the operator's
defaults (``OperatorConfig``) fill them in; the RuntimeClass is the operator's. The handler adds the owner
reference (``kopf.adopt``) and creates it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..retrieval.remote import POLICY_ENV as URL_POLICY_ENV
from ..storage.config import SECRET_DIR_VARIABLE
from .config import OperatorConfig
from .spec import VideoRequestSpec

MAX_NAME = 52  # the Job's pods are named <job>-<index>-<5 chars>, and hostnames stop at 63
MAX_LABEL_VALUE = 63
EXIT_PERMANENT = 3  # the worker's "do not retry this index" exit code

RENDER, ASSEMBLE = "render", "assemble"
CONTAINER = "worker"
LABEL_REQUEST = "simfarm.dev/request"
LABEL_REQUEST_UID = "simfarm.dev/request-uid"
LABEL_COMPONENT = "app.kubernetes.io/component"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY = "simfarm-operator"
LABEL_KUEUE_QUEUE = "kueue.x-k8s.io/queue-name"
ANNOTATION_COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"

S3_SECRET_MOUNT = "/var/run/secrets/simfarm/s3"
SCRATCH_MOUNT = "/tmp"
ASSET_CACHE_MOUNT = "/var/cache/simfarm"
TERMINATION_LOG = "/dev/termination-log"


# Every pod the operator starts: an unprivileged user, no service account token, a read-only root.
POD_SECURITY_CONTEXT = {"runAsNonRoot": True, "runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000,
                        "seccompProfile": {"type": "RuntimeDefault"}}
CONTAINER_SECURITY_CONTEXT = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                              "capabilities": {"drop": ["ALL"]}}


@dataclass(frozen=True)
class RequestRef:
    """The few facts about a VideoRequest (or an AssetCatalog) that its children's manifests need."""

    namespace: str
    name: str
    uid: str


# Thread pools sized to the container's CPU limit rather than the node's cores (a 4-CPU pod on a 64-core node
# would start 64 BLAS and Blender threads and spend its time throttled). The downward API gives the limit
# rounded up to whole CPUs; the worker sizes Blender's render threads from SIMFARM_CPUS.
CPU_LIMIT_VARIABLES = ("SIMFARM_CPUS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def cpu_limit_env(container: str) -> list[dict[str, Any]]:
    return [{"name": name, "valueFrom": {"resourceFieldRef": {"containerName": container, "resource": "limits.cpu",
                                                               "divisor": "1"}}}
            for name in CPU_LIMIT_VARIABLES]


def fit(name: str, limit: int) -> str:
    """``name`` if it fits, else a prefix of it plus a hash of all of it (deterministic)."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:limit - len(digest) - 1].rstrip('-.')}-{digest}"


def child_name(request: str, component: str) -> str:
    """``<request>-<component>``, shortened with a hash suffix when too long for a Job."""
    suffix = f"-{component}"
    return fit(request, MAX_NAME - len(suffix)) + suffix


def child_labels(request: RequestRef, component: str) -> dict[str, str]:
    return {
        LABEL_MANAGED_BY: MANAGED_BY,
        LABEL_COMPONENT: component,
        LABEL_REQUEST: fit(request.name, MAX_LABEL_VALUE),
        LABEL_REQUEST_UID: request.uid,
    }


def render_job(request: RequestRef, spec: VideoRequestSpec, plan_uri: str, shards: int,
               config: OperatorConfig) -> dict[str, Any]:
    """The Indexed Job rendering every shard: completion index k is shard k of the plan."""
    command = ["simfarm-render", "shard", "--plan", plan_uri]
    return _indexed_job(request, spec, RENDER, command, completions=shards, env=[], config=config)


def assemble_job(request: RequestRef, spec: VideoRequestSpec, plan_uri: str, variants: list[int],
                 config: OperatorConfig) -> dict[str, Any]:
    """The Indexed Job joining segments into videos: completion index k assembles ``variants[k]``.

    The variant list travels in an environment variable, because the Job API
    cannot map completion indexes to arbitrary numbers.
    """
    pick_variant = 'set -- $SIMFARM_VARIANTS; shift "$JOB_COMPLETION_INDEX"; ' \
                   'exec simfarm-render assemble --plan "$SIMFARM_PLAN" --variant "$1"'
    env = [{"name": "SIMFARM_PLAN", "value": plan_uri},
           {"name": "SIMFARM_VARIANTS", "value": " ".join(str(v) for v in variants)}]
    return _indexed_job(request, spec, ASSEMBLE, ["sh", "-c", pick_variant], completions=len(variants),
                        env=env, config=config, gpu=False)


def _indexed_job(request: RequestRef, spec: VideoRequestSpec, component: str, command: list[str], *,
                 completions: int, env: list[dict[str, str]], config: OperatorConfig,
                 gpu: bool = True) -> dict[str, Any]:
    labels = child_labels(request, component)
    queue = spec.queue_name or config.default_queue
    job_labels = {**labels, LABEL_KUEUE_QUEUE: queue} if queue else labels
    job_spec: dict[str, Any] = {
        "completionMode": "Indexed",
        "completions": completions,
        "parallelism": min(spec.parallelism, completions),
        "backoffLimitPerIndex": spec.retries,
        "maxFailedIndexes": completions,  # a failed shard never stops the other variants
        "podFailurePolicy": {"rules": [
            {"action": "FailIndex",
             "onExitCodes": {"containerName": CONTAINER, "operator": "In", "values": [EXIT_PERMANENT]}},
            {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]},
        ]},
        "template": {
            "metadata": {"labels": labels},
            "spec": _pod_spec(spec, command, env, config, gpu=gpu),
        },
    }
    if spec.ttl_seconds_after_finished is not None:
        job_spec["ttlSecondsAfterFinished"] = spec.ttl_seconds_after_finished
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": child_name(request.name, component), "namespace": request.namespace,
                     "labels": job_labels},
        "spec": job_spec,
    }


def _pod_spec(spec: VideoRequestSpec, command: list[str], env: list[dict[str, str]],
              config: OperatorConfig, *, gpu: bool) -> dict[str, Any]:
    compute = {"cpu": spec.resources.cpu, "memory": spec.resources.memory}
    if gpu and spec.resources.gpu:
        compute[spec.resources.gpu_resource or config.gpu_resource] = str(spec.resources.gpu)
    pod: dict[str, Any] = {
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": POD_SECURITY_CONTEXT,
        "containers": [{
            "name": CONTAINER,
            "image": config.render_image,
            "command": command,
            "env": [{"name": SECRET_DIR_VARIABLE, "value": S3_SECRET_MOUNT},
                    {"name": "TMPDIR", "value": SCRATCH_MOUNT},
                    {"name": "HOME", "value": SCRATCH_MOUNT},  # the root filesystem is read-only
                    {"name": "SIMFARM_ASSET_CACHE", "value": ASSET_CACHE_MOUNT},
                    # catalog assets are untrusted URLs: what may be fetched, and how much of it
                    {"name": URL_POLICY_ENV, "value": config.url_policy.to_json()},
                    {"name": "SIMFARM_ASSET_MAX_BYTES", "value": str(config.asset_max_bytes)},
                    *cpu_limit_env(CONTAINER), *env],
            "resources": {"requests": compute, "limits": compute},
            "securityContext": CONTAINER_SECURITY_CONTEXT,
            "terminationMessagePath": TERMINATION_LOG,
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": [{"name": "scratch", "mountPath": SCRATCH_MOUNT},
                             {"name": "asset-cache", "mountPath": ASSET_CACHE_MOUNT},
                             {"name": "s3", "mountPath": S3_SECRET_MOUNT, "readOnly": True}],
        }],
        "volumes": [{"name": "scratch", "emptyDir": {}},
                    {"name": "asset-cache", "emptyDir": {}},
                    {"name": "s3", "secret": {"secretName": spec.output.s3_secret_ref or config.s3_secret}}],
    }
    node_selector = spec.node_selector or config.node_selector
    tolerations = spec.tolerations or config.tolerations
    if node_selector:
        pod["nodeSelector"] = dict(node_selector)
    if tolerations:
        pod["tolerations"] = [t.to_api() for t in tolerations]
    if spec.priority_class_name:
        pod["priorityClassName"] = spec.priority_class_name
    if config.runtime_class:
        pod["runtimeClassName"] = config.runtime_class
    return pod
