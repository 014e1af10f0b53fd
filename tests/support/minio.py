"""A real MinIO server for tests, started from ``$TESTBIN/minio`` (``make testbin``).

The binary is built from the pin ``MINIO_VERSION`` in ``tests/testbin/versions.env``.
When it is missing the tests that need it skip locally and fail in CI.
The server binds only to 127.0.0.1, on free ports, with its data in a
temporary directory, and can be stopped and started again on the same port
and data (to test clients riding out an outage). With a ``support.network``
namespace it runs there, on the node IP, so that pods reach it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import urllib3
from minio import Minio

from .network import Loopback

REPO_ROOT = Path(__file__).resolve().parents[2]
ROOT_USER = "simfarm-test"
ROOT_PASSWORD = "simfarm-test-secret"
REGION = "us-east-1"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def testbin_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "simfarm" / "testbin"
    return Path(os.environ.get("TESTBIN") or default)


def require_binary(name: str) -> Path:
    """``$TESTBIN/<name>``; skips the test when absent locally, fails it in CI."""
    binary = testbin_dir() / name
    if binary.is_file() and os.access(binary, os.X_OK):
        return binary
    reason = f"{binary} not found: run `make testbin` (or set TESTBIN to a directory holding {name})"
    if in_ci():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MinioServer:
    """One ``minio server`` process; ``start()`` waits until it reports ready."""

    binary: Path
    workdir: Path
    port: int = field(default_factory=free_port)
    console_port: int = field(default_factory=free_port)
    access_key: str = ROOT_USER
    secret_key: str = ROOT_PASSWORD
    region: str = REGION
    network: Any = field(default_factory=Loopback)
    _process: subprocess.Popen | None = field(default=None, init=False, repr=False)

    @property
    def endpoint_url(self) -> str:
        """The S3 endpoint of simfarm and its workers (inside the namespace, with one)."""
        return f"http://{self.network.host}:{self.port}"

    @property
    def reachable_address(self) -> str:
        """``host:port`` of the S3 API as the tests reach it (a forwarder, with a namespace)."""
        return f"127.0.0.1:{self.network.expose(self.network.host, self.port)}"

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    @property
    def log_file(self) -> Path:
        return self.workdir / "minio.log"

    def env(self) -> dict[str, str]:
        """Environment variables that point simfarm (``S3Config.from_environ``) at this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": self.region,
        }

    def client(self) -> Minio:
        """A plain minio client, independent of simfarm, to look at what the server holds.

        Short timeouts and no retries: an observation of a stopped server fails at once.
        """
        return Minio(
            self.reachable_address, access_key=self.access_key, secret_key=self.secret_key,
            secure=False, region=self.region,
            http_client=urllib3.PoolManager(timeout=urllib3.Timeout(connect=2, read=10), retries=False),
        )

    def start(self, timeout: float = 60.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.workdir),
            "MINIO_ROOT_USER": self.access_key,
            "MINIO_ROOT_PASSWORD": self.secret_key,
            "MINIO_REGION": self.region,
            "MINIO_UPDATE": "off",
            "MINIO_CI_CD": "on",  # allow a data dir on the root disk
        }
        command = [
            str(self.binary), "server", str(self.data_dir),
            "--address", f"{self.network.host}:{self.port}",
            "--console-address", f"{self.network.host}:{self.console_port}",
            "--certs-dir", str(self.workdir / "certs"),
            "--quiet",
        ]
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                self.network.command(command), env=environment, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://{self.reachable_address}/minio/health/ready"
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"minio exited with {self._process.returncode} on start: {self._log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"minio not ready at {url} after {timeout}s: {self._log_tail()}")

    def stop(self, timeout: float = 15.0) -> None:
        """Graceful stop (SIGTERM), then SIGKILL if it does not exit in time."""
        self._end(signal.SIGTERM, timeout)

    def kill(self, timeout: float = 15.0) -> None:
        """Abrupt stop, as a crashed or evicted server: connections are reset mid-request."""
        self._end(signal.SIGKILL, timeout)

    def _end(self, how: signal.Signals, timeout: float) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(how)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def _log_tail(self, lines: int = 20) -> str:
        text = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
        return " | ".join(text.strip().splitlines()[-lines:]) or "(no output)"
