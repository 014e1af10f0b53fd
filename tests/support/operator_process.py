"""``simfarm operator`` as a local process: started, killed (as a crash would) and started again."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from .minio import free_port
from .processes import Daemon


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class OperatorProcess:
    """One operator at a time; each ``start()`` is a new process (a restart), logging to the same file."""

    def __init__(self, executable: Path, arguments: Sequence[str], env: Mapping[str, str], workdir: Path) -> None:
        self.executable = executable
        self.arguments = list(arguments)
        self.env = dict(env)
        self.workdir = workdir
        self.log_file = workdir / "operator.log"
        self.starts = 0
        self._daemon: Daemon | None = None

    def start(self, timeout: float = 180.0) -> None:
        """Start it and wait for ``/readyz`` (kopf running, the planner's models loaded)."""
        port = free_port()
        self._daemon = Daemon("simfarm operator",
                              [self.executable, "operator", *self.arguments, f"--metrics-port={port}",
                               "--metrics-address=127.0.0.1"],
                              self.log_file, env=self.env, cwd=self.workdir).start()
        self.starts += 1
        self._daemon.wait_until(lambda: _ready(f"http://127.0.0.1:{port}/readyz"), "ready /readyz", timeout)

    def kill(self) -> None:
        if self._daemon is not None:
            self._daemon.kill()

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, SIGKILL after ``timeout`` seconds; the exit code (-9 when killed), None if not running."""
        if self._daemon is None or self._daemon.process is None:
            return None
        process = self._daemon.process
        self._daemon.stop(timeout)
        return process.returncode

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
        return "\n".join(text.splitlines()[-lines:]) or "(no output)"
