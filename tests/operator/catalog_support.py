"""Playing the import pods of AssetCatalogs: the test runs the Job's own command (its argv, its
environment) in this process, against the real vector store and a local HTTP server, then reports the
Job finished as the Job controller would."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from typing import Any

from simfarm.cli import build_parser

from operator_support import CATALOGS_URL, JOBS_URL, NAMESPACE, eventually, read, write


def asset_catalog(name: str, url: str, fmt: str = "jsonl", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "simfarm.dev/v1alpha1", "kind": "AssetCatalog",
            "metadata": {"name": name, "namespace": NAMESPACE, "uid": str(uuid.uuid4()), "generation": 1,
                         "resourceVersion": "1"},
            "spec": {"source": {"format": fmt, "url": url}, **spec}}


async def catalog_status(cluster, name: str) -> dict[str, Any]:
    found = await read(cluster, f"{CATALOGS_URL}/{name}")
    return (found or {}).get("status") or {}


async def import_job(cluster, name: str, generation: int = 1, round_: int = 0) -> dict[str, Any]:
    job_name = f"{name}-g{generation}r{round_}-import"
    return await eventually(lambda: read(cluster, f"{JOBS_URL}/{job_name}"), f"Job {job_name}")


def run_job_command(job: dict[str, Any], workdir: Path) -> tuple[int, str]:
    """The import container's command, run here with its environment; (exit code, termination message)."""
    (container,) = job["spec"]["template"]["spec"]["containers"]
    argv = container["command"]
    assert argv[:3] == ["simfarm", "catalog", "import-url"], argv
    log = workdir / f"{job['metadata']['name']}.termination-log"
    # what the kubelet resolves (valueFrom: the CPU limit) stays as this process has it
    env = {item["name"]: item["value"] for item in container["env"] if item["name"] != "HOME" and "value" in item}
    env["SIMFARM_TERMINATION_LOG"] = str(log)
    with _environment(env):
        args = build_parser().parse_args(argv[1:])
        try:
            code = int(args.func(args) or 0)
        except Exception as error:  # noqa: BLE001 - an InputError exits 2 in the real command
            from simfarm.errors import EXIT_INPUT_ERROR, InputError
            if not isinstance(error, InputError):
                raise
            code = EXIT_INPUT_ERROR
    return code, log.read_text() if log.exists() else ""


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


async def finish_job(cluster, job: dict[str, Any], code: int, message: str) -> None:
    """What the Job controller reports: the pod's end (with its termination message) and the Job's condition."""
    name = job["metadata"]["name"]
    template = job["spec"]["template"]
    await write(cluster, "POST", f"/api/v1/namespaces/{NAMESPACE}/pods", {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": f"{name}-x1", "namespace": NAMESPACE, "uid": str(uuid.uuid4()),
                     "labels": {**template["metadata"]["labels"], "batch.kubernetes.io/job-name": name}},
        "spec": template["spec"],
        "status": {"phase": "Succeeded" if code == 0 else "Failed", "containerStatuses": [{
            "name": "import", "state": {"terminated": {"exitCode": code, "reason": "Completed" if code == 0 else
                                                       "Error", "message": message}}}]}})
    outcome = "Complete" if code == 0 else "Failed"
    await write(cluster, "PATCH", f"{JOBS_URL}/{name}/status",
                {"status": {"conditions": [{"type": outcome, "status": "True"}],
                            "succeeded" if code == 0 else "failed": 1}})


async def import_now(cluster, name: str, workdir: Path, generation: int = 1, round_: int = 0) -> dict[str, Any]:
    """Run the catalog's import Job to its end; returns the catalog's status once the import is over."""
    job = await import_job(cluster, name, generation, round_)
    code, message = run_job_command(job, workdir)
    await finish_job(cluster, job, code, message)

    async def done():
        status = await catalog_status(cluster, name)
        return status if status.get("phase") in ("Ready", "Failed") and \
            status.get("importJob") == job["metadata"]["name"] else None
    return await eventually(done, f"catalog {name} imported", timeout=30)
