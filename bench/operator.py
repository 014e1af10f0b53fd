"""Operator throughput: 200 VideoRequests created at once against kmock's Kubernetes emulator.

    HF_HUB_OFFLINE=1 .venv/bin/python -P bench/operator.py [--requests 200]

Runs the real operator (`simfarm operator`) as a subprocess pointed at the
emulator, waits until it is ready (planner loaded), creates every request at
once, and reports the time from a request's creation until its render Job
exists (p50/p95), the time until all Jobs exist, and the operator's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import kmock
import yaml

NAMESPACE = "bench"
JOBS = kmock.resource("batch/v1/jobs")
RESOURCES = {
    "simfarm.dev/v1alpha1/videorequests": ("VideoRequest", {"status"}, True),
    "batch/v1/jobs": ("Job", {"status"}, True),
    "v1/pods": ("Pod", {"status"}, True),
    "v1/events": ("Event", set(), True),
    "v1/namespaces": ("Namespace", {"status"}, False),
    "apiextensions.k8s.io/v1/customresourcedefinitions": ("CustomResourceDefinition", {"status"}, False),
}


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def ready(port: int) -> bool:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).status == 200
    except OSError:
        return False


async def main(count: int, metrics_port: int, timeout: float) -> None:
    async with kmock.KubernetesEmulator() as emulator, kmock.Server(emulator, host="127.0.0.1"):
        for resource, (kind, subresources, namespaced) in RESOURCES.items():
            emulator.resources[resource] = kmock.ResourceInfo(
                kind=kind, singular=kind.lower(), namespaced=namespaced, subresources=subresources,
                verbs={"get", "list", "watch", "create", "update", "patch", "delete"})
        scratch = Path(tempfile.mkdtemp(prefix="simfarm-bench-"))
        (scratch / "kubeconfig").write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "kmock",
            "clusters": [{"name": "kmock", "cluster": {"server": str(emulator.url).rstrip("/")}}],
            "users": [{"name": "kmock", "user": {"token": "bench"}}],
            "contexts": [{"name": "kmock", "context": {"cluster": "kmock", "user": "kmock"}}]}))
        env = {**os.environ, "KUBECONFIG": str(scratch / "kubeconfig"), "SIMFARM_OUTPUT_ROOT": str(scratch / "out")}
        started = time.monotonic()
        operator = subprocess.Popen(
            [sys.executable, "-m", "simfarm", "operator", "-n", NAMESPACE, "--metrics-port", str(metrics_port)],
            env=env, stdout=subprocess.DEVNULL, stderr=open(scratch / "operator.log", "w"))
        try:
            while not await asyncio.to_thread(ready, metrics_port):
                if operator.poll() is not None or time.monotonic() - started > timeout:
                    raise SystemExit(f"operator not ready; see {scratch / 'operator.log'}")
                await asyncio.sleep(0.2)
            print(f"operator ready after {time.monotonic() - started:.1f} s (planner loaded); "
                  f"RSS {peak_rss_mib(operator.pid):.0f} MiB", flush=True)

            names = [f"req-{i:03d}" for i in range(count)]
            created: dict[str, float] = {}
            url = f"/apis/simfarm.dev/v1alpha1/namespaces/{NAMESPACE}/videorequests"

            async def create(name: str) -> None:
                body = {"apiVersion": "simfarm.dev/v1alpha1", "kind": "VideoRequest",
                        "metadata": {"name": name, "namespace": NAMESPACE, "uid": str(uuid.uuid4()),
                                     "generation": 1, "resourceVersion": "1"},
                        "spec": {"prompt": f"a red cube number {name} spins slowly on a wooden table",
                                 "variants": 2, "render": {"frames": 48}, "framesPerShard": 24}}
                created[name] = time.monotonic()
                response = await emulator.post(url, json=body)
                assert response.status == 200, await response.text()

            burst = time.monotonic()
            await asyncio.gather(*(create(name) for name in names))
            seen: dict[str, float] = {}
            while len(seen) < count and time.monotonic() - burst < timeout:
                jobs = {name for resource, _, name in emulator.objects if resource == JOBS}
                for name in names:
                    if name not in seen and f"{name}-render" in jobs:
                        seen[name] = time.monotonic()
                await asyncio.sleep(0.02)
            if len(seen) < count:
                raise SystemExit(f"only {len(seen)}/{count} Jobs after {timeout} s; see {scratch / 'operator.log'}")
            latencies = sorted(seen[n] - created[n] for n in names)
            print(f"{count} VideoRequests -> {count} render Jobs in {max(seen.values()) - burst:.1f} s")
            print(f"per request, creation to Job: p50 {statistics.median(latencies):.2f} s, "
                  f"p95 {latencies[int(0.95 * (count - 1))]:.2f} s, max {latencies[-1]:.2f} s")
            print(f"operator peak RSS: {peak_rss_mib(operator.pid):.0f} MiB")
        finally:
            operator.terminate()
            operator.wait(timeout=120)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--metrics-port", type=int, default=18080)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.metrics_port, args.timeout))
