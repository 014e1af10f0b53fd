"""Shared pieces of the operator tests: the emulator's resources, the operator runner, waiting helpers."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import kmock as kmocklib
import kopf
import pytest

from simfarm.plan.planner import Planner

NAMESPACE = "renders"
VR_URL = f"/apis/simfarm.dev/v1alpha1/namespaces/{NAMESPACE}/videorequests"
CATALOGS_URL = f"/apis/simfarm.dev/v1alpha1/namespaces/{NAMESPACE}/assetcatalogs"
JOBS_URL = f"/apis/batch/v1/namespaces/{NAMESPACE}/jobs"
PODS_URL = f"/api/v1/namespaces/{NAMESPACE}/pods"
SECRETS_URL = f"/api/v1/namespaces/{NAMESPACE}/secrets"
WAIT_SECONDS = 15.0

CLUSTER_SCOPED = ("Namespace", "CustomResourceDefinition")
RESOURCES = {
    "simfarm.dev/v1alpha1/videorequests": ("VideoRequest", {"status"}),
    "simfarm.dev/v1alpha1/assetcatalogs": ("AssetCatalog", {"status"}),
    "batch/v1/jobs": ("Job", {"status"}),
    "v1/pods": ("Pod", {"status"}),
    "v1/events": ("Event", set()),
    "v1/secrets": ("Secret", set()),
    # kopf waits for these to be discoverable, as in any real cluster (it does not call them: scanning is off)
    "v1/namespaces": ("Namespace", {"status"}),
    "apiextensions.k8s.io/v1/customresourcedefinitions": ("CustomResourceDefinition", {"status"}),
}


class Operator:
    """The operator in a thread with its own event loop, as in production (and as kopf.testing does).

    kopf cancels every task started after it when it exits, so it must not share the tests' loop.
    """

    def __init__(self, planner: Planner) -> None:
        self.planner = planner
        self.thread: threading.Thread | None = None

    async def start(self) -> None:
        ready = threading.Event()
        loop = asyncio.new_event_loop()
        task = loop.create_task(kopf.operator(namespaces=[NAMESPACE], standalone=True, ready_flag=ready,
                                              memo=kopf.Memo(planner=self.planner)))

        def run() -> None:
            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(task)
            loop.close()

        self.thread = threading.Thread(target=run, name="operator", daemon=True)
        self.thread.start()
        self._kill = functools.partial(loop.call_soon_threadsafe, task.cancel)
        assert await asyncio.to_thread(ready.wait, WAIT_SECONDS), "the operator did not get ready"

    async def stop(self) -> None:
        """Kill it: cancel it wherever it is, as a crash or a SIGKILL would."""
        assert self.thread is not None
        self._kill()
        await asyncio.to_thread(self.thread.join, WAIT_SECONDS)
        assert not self.thread.is_alive(), "the operator did not stop"
        self.thread = None


async def eventually(check: Callable[[], Any | Awaitable[Any]], what: str, timeout: float = WAIT_SECONDS) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


async def read(cluster: kmocklib.KubernetesEmulator, url: str) -> dict[str, Any] | None:
    response = await cluster.get(url)
    return await response.json() if response.status == 200 else None


async def write(cluster: kmocklib.KubernetesEmulator, method: str, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await cluster.request(method, url, json=body)
    assert response.status < 300, await response.text()
    return await response.json()


async def phase_of(cluster: kmocklib.KubernetesEmulator, name: str, phase: str) -> dict[str, Any] | None:
    """The request once it is in ``phase``, else None (for ``eventually``)."""
    request = await read(cluster, f"{VR_URL}/{name}")
    return request if request and request.get("status", {}).get("phase") == phase else None
