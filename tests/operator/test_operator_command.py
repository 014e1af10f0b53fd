"""`simfarm operator` as a process: a bad setting stops it at once; SIGTERM with planning under way and
queued ends it promptly, and a new operator plans what the stopped one did not.

The backlog is real: requests with ``rewriter.backend: llm`` against a chat endpoint that answers only
after longer than the test waits for the exit, so every planning thread is stuck in an HTTP call and
the other requests wait in the queue when the signal comes.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from simfarm.cluster.handlers import PLANNING_THREADS
from simfarm.cluster.threads import DaemonThreadPool
from support.fake_llm import FakeChatServer, Reply
from support.operator_process import OperatorProcess

from operator_support import JOBS_URL, NAMESPACE, VR_URL, eventually, read, write
from operator_objects import video_request

BACKLOG = 20
EXIT_SECONDS = 15.0
SIMFARM = Path(sys.executable).parent / "simfarm"


def operator_process(llm: FakeChatServer, workdir: Path) -> OperatorProcess:
    return OperatorProcess(SIMFARM, ["--namespace", NAMESPACE], env={
        **os.environ, "SIMFARM_LLM_BASE_URL": llm.base_url, "SIMFARM_LLM_MODEL": "scene-writer",
        "SIMFARM_LLM_API_KEY": llm.api_key, "HF_HUB_OFFLINE": "1"}, workdir=workdir)


async def statuses(cluster) -> list[dict]:
    return [item.get("status", {}) for item in (await read(cluster, VR_URL))["items"]]


def test_a_bad_render_default_stops_the_operator_with_its_name(cluster):
    done = subprocess.run([SIMFARM, "operator", "--namespace", NAMESPACE, "--metrics-address=127.0.0.1"],
                          env={**os.environ, "SIMFARM_DEFAULT_TOLERATIONS": '{"key": "gpu"}'},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "simfarm: error: bad operator setting: SIMFARM_DEFAULT_TOLERATIONS must be a JSON list of tolerations, "
        """e.g. [{"key": "gpu", "operator": "Exists"}], not '{"key": "gpu"}'""")


async def test_sigterm_with_a_planning_backlog_exits_promptly_and_a_restart_plans_it(cluster, tmp_path):
    for number in range(BACKLOG):
        await write(cluster, "POST", VR_URL, video_request(f"queued-{number}", render={"frames": 8},
                                                           rewriter={"backend": "llm"}))
    stuck = [Reply(status=500, delay=4 * EXIT_SECONDS) for _ in range(PLANNING_THREADS)]
    with FakeChatServer(script=stuck) as llm:
        operator = operator_process(llm, tmp_path)
        try:
            await asyncio.to_thread(operator.start)
            await eventually(lambda: len(llm.requests) >= PLANNING_THREADS, "every planning thread busy", 60)
            assert not [s for s in await statuses(cluster) if s.get("plan")], "nothing can be planned yet"

            began = time.monotonic()
            exit_code = await asyncio.to_thread(operator.stop, EXIT_SECONDS)
            took = time.monotonic() - began
        finally:
            operator.stop()
        assert exit_code == 0 and took < EXIT_SECONDS, \
            f"exit code {exit_code} after {took:.1f}s:\n{operator.log_tail()}"
        stopped = await statuses(cluster)
        assert {s.get("phase") for s in stopped} <= {None, "Planning"}
        assert [s for s in stopped if s.get("plan") or s.get("plannedSpec")] == [], "half-written status"

        # The endpoint now fails at once: each request falls back to the rules rewriter and is planned.
        restarted = operator_process(llm, tmp_path)
        try:
            await asyncio.to_thread(restarted.start)

            async def all_rendering() -> bool:
                return [s.get("phase") for s in await statuses(cluster)] == ["Rendering"] * BACKLOG
            await eventually(all_rendering, "every request planned by the new operator", 60)
        finally:
            restarted.stop()
    jobs = sorted(job["metadata"]["name"] for job in (await read(cluster, JOBS_URL))["items"])
    assert jobs == sorted(f"queued-{number}-render" for number in range(BACKLOG))


def test_pool_runs_calls_in_daemon_threads_and_drops_queued_ones_on_shutdown():
    pool = DaemonThreadPool(1, name="test-pool")
    assert pool.submit(int, "7").result(5) == 7
    assert isinstance(pool.submit(int, "seven").exception(5), ValueError)
    release = threading.Event()
    running = pool.submit(lambda: threading.current_thread().daemon and release.wait(5))
    while not running.running():
        time.sleep(0.01)
    queued = pool.submit(int, "8")

    pool.shutdown(wait=False, cancel_futures=True)
    assert queued.cancelled()
    with pytest.raises(RuntimeError):
        pool.submit(int, "9")
    release.set()
    assert running.result(5) is True
