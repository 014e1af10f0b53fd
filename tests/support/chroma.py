"""A real ChromaDB server for tests: ``chroma run`` from the pinned ``chromadb`` package, on 127.0.0.1.

The same server the chart runs (its Deployment runs this CLI from the operator image), on a free
port with its data in a temporary folder; ``url`` is what ``SIMFARM_VECTOR_STORE_URL`` takes.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from .minio import free_port
from .processes import Daemon

CHROMA = Path(sys.executable).parent / "chroma"


class ChromaServer:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.daemon = Daemon("chroma", [CHROMA, "run", "--path", workdir / "data", "--host", "127.0.0.1",
                                        "--port", str(self.port)], workdir / "chroma.log",
                             env={"PATH": "/usr/bin:/bin", "HOME": str(workdir), "ANONYMIZED_TELEMETRY": "False"})

    def start(self, timeout: float = 60.0) -> "ChromaServer":
        self.daemon.start()
        self.daemon.wait_until(self._heartbeat, "heartbeat", timeout)
        return self

    def _heartbeat(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as response:
                return "nanosecond heartbeat" in json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            return False

    def stop(self) -> None:
        self.daemon.stop()
