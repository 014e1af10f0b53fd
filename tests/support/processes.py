"""Long-running processes the tests start: output to a log file, stopped with SIGTERM then SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

Service = TypeVar("Service")


class Daemon:
    """One process in its own process group (so that stopping it also stops whatever it started)."""

    def __init__(self, name: str, command: Sequence[str | Path], log_file: Path,
                 env: Mapping[str, str] | None = None, cwd: Path | None = None) -> None:
        self.name = name
        self.command = [str(part) for part in command]
        self.log_file = log_file
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.process: subprocess.Popen | None = None

    def start(self) -> "Daemon":
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd,
                                            start_new_session=True)
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float) -> None:
        """Poll ``ready`` until it is true; fail early, with the log's tail, if the process exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode if self.process else '-'}) "
                                   f"before {what}:\n{self.log_tail()}")
            if ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name}: no {what} after {timeout}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM to the process group; SIGKILL when it has not exited after ``timeout`` seconds."""
        self._end(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would."""
        self._end(signal.SIGKILL, 15.0)

    def _end(self, how: signal.Signals, timeout: float) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            signal_group(process.pid, how)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout)
        signal_group(process.pid, signal.SIGKILL)  # children left behind by the leader

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
        return "\n".join(text.splitlines()[-lines:]) or "(no output)"


def signal_group(pgid: int, how: signal.Signals) -> None:
    try:
        os.killpg(pgid, how)
    except ProcessLookupError:
        pass


@contextmanager
def running(service: Service, **start: Any) -> Iterator[Service]:
    """``service.start(**start)``, then the block; ``service.stop()`` however the block ends
    (what each test fixture of a server does)."""
    service.start(**start)
    try:
        yield service
    finally:
        service.stop()
