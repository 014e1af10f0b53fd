"""Catalog sources for the import tests, made from real records: the Sweet Home 3D libraries of Debian's
``sweethome3d-furniture`` (``make test-library``) and the Poly Haven records in tests/retrieval/data.

* ``model_mirror`` extracts real models (OBJ, MTL, textures) into a folder a ``FileServer`` serves, and
  returns their catalog records (name, category, creator, license, real size) with URLs on that server:
  a team's own model mirror described in JSON lines;
* ``objaverse_layout`` lays the same models out as Objaverse does (``glbs/<shard>/<uid>.<ext>``, a
  gzipped ``object-paths.json``) with Cap3D-style caption rows;
* ``corrupt`` spoils some records in three different ways, each with a marker that must never reach a
  status message.
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

from simfarm.retrieval.entries import CatalogEntry
from simfarm.retrieval.library import installed_libraries
from simfarm.retrieval.library_uris import parse_model_uri
from simfarm.retrieval.sweethome3d import read_library

REPO_ROOT = Path(__file__).resolve().parents[2]
POLYHAVEN_DATA = REPO_ROOT / "tests" / "retrieval" / "data"
MARKER = "BODY-MARKER-7f3a"  # text of corrupt records: never to be echoed into status


def require_libraries() -> list[Path]:
    libraries = installed_libraries()
    if not libraries:
        reason = "the Sweet Home 3D libraries are not installed: run `make test-library`"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return libraries


@functools.cache
def _interleaved_models() -> tuple[CatalogEntry, ...]:
    """The models of the four smaller libraries (CC0 and CC-BY, furniture to people), one from each in turn."""
    libraries = sorted(require_libraries(), key=lambda path: path.stat().st_size)[:4]
    per_library = [read_library(path.read_bytes(), str(path), "mirror").entries for path in libraries]
    return tuple(entries[i] for i in range(max(map(len, per_library))) for entries in per_library
                 if i < len(entries))


def library_entries(count: int) -> list[CatalogEntry]:
    """``count`` real models, varied (parsed once per session)."""
    models = _interleaved_models()
    assert len(models) >= count, f"only {len(models)} library models"
    return list(models[:count])


def extract_model(entry: CatalogEntry, folder: Path) -> str:
    """Extract the model's files (OBJ, MTL, textures) into ``folder``; returns the OBJ's file name."""
    ref = parse_model_uri(entry.uri)
    member = PurePosixPath(ref.member)
    with zipfile.ZipFile(ref.library) as library:
        for name in library.namelist():
            if PurePosixPath(name).parent == member.parent and not name.endswith("/"):
                target = folder / PurePosixPath(name).name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(library.read(name))
    return member.name


def _record(entry: CatalogEntry, identifier: str, uri: str) -> dict:
    return {"id": identifier, "kind": "object", "name": entry.name, "description": entry.description,
            "tags": list(entry.tags), "categories": list(entry.categories), "uri": uri, "license": entry.license,
            "creator": entry.creator, "size_m": list(entry.size_m) if entry.size_m else None}


def model_mirror(root: Path, base_url: str, count: int) -> list[dict]:
    """JSONL records of ``count`` real models extracted under ``root/models/<id>/``."""
    records = []
    for number, entry in enumerate(library_entries(count)):
        identifier = f"m{number:03d}-" + entry.id.rsplit("/", 1)[-1].lower().replace(" ", "-")[:40]
        obj = extract_model(entry, root / "models" / identifier)
        records.append(_record(entry, identifier, f"{base_url}/models/{identifier}/{obj}"))
    return records


def write_jsonl(path: Path, records: list[dict | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


@dataclass(frozen=True)
class Objaverse:
    captions: Path  # Cap3D_automated_Objaverse_full.csv
    object_paths: Path  # object-paths.json.gz
    uids: list[str]
    names: dict[str, str]  # uid -> the model's library name


def objaverse_layout(root: Path, count: int) -> Objaverse:
    """Real models where Objaverse keeps its objects (``glbs/<shard>/<uid>.<ext>``, here OBJ files, which
    the worker imports as it does GLBs), a gzipped object-paths.json, and captions as Cap3D writes them."""
    paths, rows, names = {}, [], {}
    for number, entry in enumerate(library_entries(count)):
        uid = hashlib.sha256(entry.id.encode()).hexdigest()[:32]
        first = number // 16 * 16
        relative = f"glbs/{first:03d}-{first + 15:03d}/{uid}.obj"
        ref = parse_model_uri(entry.uri)
        with zipfile.ZipFile(ref.library) as library:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_bytes(library.read(ref.member))
        paths[uid] = relative
        category = entry.categories[0].lower() if entry.categories else "object"
        rows.append([uid, f"A 3D model of a {entry.description}, {category}."])
        names[uid] = entry.name
    captions = io.StringIO()
    csv.writer(captions).writerows(rows)
    (root / "Cap3D_automated_Objaverse_full.csv").write_text(captions.getvalue())
    (root / "object-paths.json.gz").write_bytes(gzip.compress(json.dumps(paths).encode()))
    return Objaverse(root / "Cap3D_automated_Objaverse_full.csv", root / "object-paths.json.gz", list(paths), names)


def corrupt(records: list[dict], positions: dict[int, str]) -> list[dict | str]:
    """``records`` with the ones at ``positions`` (0-based) spoiled: ``json`` (not JSON), ``schema`` (no
    name, an unknown field), ``metadata`` (its model on the cloud metadata address)."""
    spoiled: list[dict | str] = list(records)
    for position, how in positions.items():
        record = dict(records[position])
        if how == "json":
            spoiled[position] = f'{{"id": "{record["id"]}", "name": "{MARKER}" '
        elif how == "schema":
            record.pop("name")
            record[MARKER] = MARKER
            spoiled[position] = record
        elif how == "metadata":
            spoiled[position] = {**record, "uri": f"http://169.254.169.254/latest/meta-data/{MARKER}"}
        else:
            raise ValueError(how)
    return spoiled


def polyhaven_mixed() -> dict[str, dict]:
    """The Poly Haven HDRI and texture records in one file, each with the API's ``type`` (0 HDRI, 1 texture)."""
    hdris = json.loads((POLYHAVEN_DATA / "polyhaven_hdri_records.json").read_text())
    textures = json.loads((POLYHAVEN_DATA / "polyhaven_texture_records.json").read_text())
    return {**{key: {**value, "type": 0} for key, value in hdris.items()},
            **{key: {**value, "type": 1} for key, value in textures.items()}}
