"""Objects the tests put into the emulator: VideoRequests, and the pods the Job controller would make."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from simfarm.cluster.manifests import ANNOTATION_COMPLETION_INDEX, CONTAINER

from operator_support import NAMESPACE


def video_request(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "simfarm.dev/v1alpha1", "kind": "VideoRequest",
        "metadata": {"name": name, "namespace": NAMESPACE, "uid": str(uuid.uuid4()), "generation": 1,
                     "resourceVersion": "1"},
        "spec": {"prompt": "a red cube spins on a wooden table", **spec},
    }


def secret(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": NAMESPACE},
            "data": {key: base64.b64encode(value.encode()).decode() for key, value in data.items()}}


def summary(variant: int, shard: int, frames: int, *, seconds_per_frame: float = 0.5,
            engine: str = "WORKBENCH", device: str = "cpu") -> str:
    return json.dumps({"variant": variant, "shard": shard, "frames": frames, "seconds": frames * seconds_per_frame,
                       "seconds_per_frame": seconds_per_frame, "engine": engine, "device": device,
                       "output_bytes": 1000 * frames})


def worker_pod(job: dict[str, Any], index: int, *, exit_code: int, message: str, attempt: int = 0,
               finished_at: str = "2030-01-01T00:00:00Z") -> dict[str, Any]:
    """A finished pod of ``job`` for completion ``index``, as the Job controller would create it."""
    template = job["spec"]["template"]
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": f"{job['metadata']['name']}-{index}-{attempt}", "namespace": NAMESPACE,
                     "uid": str(uuid.uuid4()),
                     "labels": {**template["metadata"]["labels"], "batch.kubernetes.io/job-name": job["metadata"]["name"]},
                     "annotations": {ANNOTATION_COMPLETION_INDEX: str(index)}},
        "spec": template["spec"],
        "status": {"phase": "Succeeded" if exit_code == 0 else "Failed", "containerStatuses": [{
            "name": CONTAINER, "state": {"terminated": {
                "exitCode": exit_code, "reason": "Completed" if exit_code == 0 else "Error",
                "message": message, "finishedAt": finished_at}}}]},
    }
