"""Render tests: real Blender renders at tiny sizes, checked by decoding the MP4s.

Plans are built directly from the pydantic models (never by the rewriter), and
the worker runs as a subprocess, as in a pod: Blender holds one scene per
process.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from support.minio import in_ci

# Locally a machine without the render extra skips these; in CI a missing bpy fails them.
if (importlib.util.find_spec("bpy") is None or importlib.util.find_spec("av") is None) and not in_ci():
    pytest.skip("bpy and av are not installed (pip install -c constraints.txt '.[render]')", allow_module_level=True)


@pytest.fixture(autouse=True)
def isolated_worker_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMFARM_ASSET_CACHE", str(tmp_path / "asset-cache"))
    monkeypatch.setenv("SIMFARM_TERMINATION_LOG", str(tmp_path / "termination-log"))
    monkeypatch.delenv("JOB_COMPLETION_INDEX", raising=False)


@pytest.fixture(scope="session")
def planner(tmp_path_factory: pytest.TempPathFactory):
    """The real planner: rules rewriter and retrieval over the embedded catalog, in a fresh home."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from simfarm.plan.planner import Planner
    from simfarm.retrieval.resolve import resolver_for_home

    return Planner(resolver=resolver_for_home(tmp_path_factory.mktemp("catalog-home")))
