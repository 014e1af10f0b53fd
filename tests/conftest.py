"""Fixtures shared by all test suites.

Storage owns the ``minio_server`` fixture below; a suite that adds a shared
fixture here puts it in its own section with a comment saying whose it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.chroma import ChromaServer
from support.minio import MinioServer, require_binary
from support.processes import running


# --- storage: a real MinIO server (tests/support/minio.py) -------------------
@pytest.fixture(scope="session")
def minio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MinioServer]:
    """A MinIO server on 127.0.0.1 for the whole session; use ``.env()`` to point simfarm at it."""
    with running(MinioServer(require_binary("minio"), tmp_path_factory.mktemp("minio"))) as server:
        yield server


# --- every suite: measurements shown in the terminal summary ----------------
MEASUREMENTS = pytest.StashKey[dict[str, list[str]]]()


@pytest.fixture
def report(request: pytest.FixtureRequest) -> list[str]:
    """Lines a test wants shown in the terminal summary (measurements, not assertions), under its suite's name."""
    suite = Path(str(request.node.path)).parent.name
    return request.config.stash.setdefault(MEASUREMENTS, {}).setdefault(suite, [])


def pytest_terminal_summary(terminalreporter, config) -> None:
    for suite, lines in config.stash.get(MEASUREMENTS, {}).items():
        if lines:
            terminalreporter.section(f"{suite} measurements")
            for line in lines:
                terminalreporter.write_line(line)


# --- catalogs: a real ChromaDB server (tests/support/chroma.py) --------------
@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """``chroma run`` on 127.0.0.1 for the whole session: the shared vector store of a cluster."""
    with running(ChromaServer(tmp_path_factory.mktemp("chroma"))) as server:
        yield server
