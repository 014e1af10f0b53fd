"""What the e2e tests read back from the cluster: VideoRequests, their Jobs and pods, and a state
report (statuses, exit codes, termination messages, worker and operator log tails) for failure messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kubernetes import client

from simfarm.cluster.manifests import LABEL_COMPONENT, LABEL_REQUEST_UID
from simfarm.cluster.spec import GROUP, PLURAL, VERSION

from .waiting import wait_for


def container_state(pod: dict[str, Any]) -> dict[str, Any]:
    statuses = pod.get("status", {}).get("containerStatuses") or [{}]
    return statuses[0].get("state") or {}


def exit_code(pod: dict[str, Any]) -> int | None:
    return container_state(pod).get("terminated", {}).get("exitCode")


def completion_index(pod: dict[str, Any]) -> int:
    return int(pod["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"])


class ClusterState:
    """``pod_log(pod)`` and ``operator_log()`` give the log tails a report shows (node-specific);
    ``request_defaults`` are spec fields every request submitted to this cluster gets."""

    def __init__(self, api: client.ApiClient, namespace: str, pod_log: Callable[[dict[str, Any]], str],
                 operator_log: Callable[[], str], request_defaults: dict[str, Any] | None = None) -> None:
        self.api = api
        self.request_defaults = dict(request_defaults or {})
        self.namespace = namespace
        self.pod_log = pod_log
        self.operator_log = operator_log
        self.custom = client.CustomObjectsApi(api)
        self.batch = client.BatchV1Api(api)
        self.core = client.CoreV1Api(api)

    def video_request(self, name: str) -> dict[str, Any] | None:
        try:
            return self.custom.get_namespaced_custom_object(GROUP, VERSION, self.namespace, PLURAL, name)
        except client.ApiException as error:
            if error.status == 404:
                return None
            raise

    def jobs(self, request_uid: str, component: str | None = None) -> list[dict[str, Any]]:
        return self._list(self.batch.list_namespaced_job, request_uid, component)

    def pods(self, request_uid: str, component: str | None = None) -> list[dict[str, Any]]:
        return self._list(self.core.list_namespaced_pod, request_uid, component)

    def _list(self, lister: Callable[..., Any], request_uid: str, component: str | None) -> list[dict[str, Any]]:
        selector = f"{LABEL_REQUEST_UID}={request_uid}" + (f",{LABEL_COMPONENT}={component}" if component else "")
        return json.loads(lister(self.namespace, label_selector=selector, _preload_content=False).data)["items"]

    def wait_for_phase(self, name: str, phases: tuple[str, ...], timeout: float) -> dict[str, Any]:
        def reached() -> dict[str, Any] | None:
            request = self.video_request(name)
            return request if request and request.get("status", {}).get("phase") in phases else None

        return wait_for(reached, f"VideoRequest {self.namespace}/{name} to reach {'/'.join(phases)}", timeout,
                        interval=0.5, details=lambda: self.report(name))

    def report(self, name: str) -> str:
        """Everything worth seeing when a request did not do what a test expected."""
        request = self.video_request(name)
        if request is None:
            return f"VideoRequest {self.namespace}/{name}: not found\n--- operator log ---\n{self.operator_log()}"
        status = request.get("status", {})
        lines = [f"VideoRequest {name}: phase={status.get('phase')} message={status.get('message')!r} "
                 f"progress={status.get('progress')} shards={status.get('shards')} "
                 f"failures={status.get('failures')} conditions={status.get('conditions')}"]
        uid = request["metadata"]["uid"]
        for job in self.jobs(uid):
            lines.append(f"Job {job['metadata']['name']}: {json.dumps(job.get('status', {}), sort_keys=True)}")
        for pod in self.pods(uid):
            meta, state = pod["metadata"], container_state(pod)
            unscheduled = [c.get("message") for c in pod["status"].get("conditions") or []
                           if c["type"] == "PodScheduled" and c["status"] != "True"]
            lines.append(f"Pod {meta['name']} node={pod['spec'].get('nodeName')} "
                         f"phase={pod['status'].get('phase')} state={json.dumps(state, sort_keys=True)}"
                         + (f" unscheduled: {unscheduled[0]}" if unscheduled else ""))
            lines.append("  log: " + self.pod_log(pod).replace("\n", "\n  log: "))
        lines.append(f"--- operator log ---\n{self.operator_log()}")
        return "\n".join(lines)
