"""Shared fixtures: one real MiniLM model and one real ChromaDB catalog per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from simfarm.retrieval.catalog import Catalog  # noqa: E402
from simfarm.retrieval.entries import CatalogKind  # noqa: E402
from simfarm.retrieval.importers import read_import  # noqa: E402

DATA = Path(__file__).parent / "data"
SAMPLES = {CatalogKind.hdri: DATA / "polyhaven_hdris.json", CatalogKind.material: DATA / "polyhaven_textures.json"}


@pytest.fixture(scope="session")
def catalog(tmp_path_factory) -> Catalog:
    """The embedded catalog plus the Poly Haven samples, under a temporary home; tests only read it."""
    catalog = Catalog.open(tmp_path_factory.mktemp("catalog-home"))
    for kind, path in SAMPLES.items():
        parsed = read_import(kind, path, "polyhaven")
        assert not parsed.rejected
        catalog.import_entries(kind, parsed.source, parsed.entries)
    return catalog
