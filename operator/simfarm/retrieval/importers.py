"""Readers for external catalogs: Poly Haven JSON, Cap3D captions, generic JSONL.

A bad record never stops an import: it is reported with its line or id and
the rest is imported. Only an unreadable file (missing, not JSON) is fatal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import ValidationError

from ..errors import InputError
from .entries import SOURCE_PATTERN, CatalogEntry, CatalogKind

FORMATS: tuple[str, ...] = ("polyhaven", "cap3d", "jsonl", "sweethome3d")
# Objaverse 1.0 serves each object as a GLB; callers may pass their own template.
OBJAVERSE_URL_TEMPLATE = "https://huggingface.co/datasets/allenai/objaverse/resolve/main/glbs/{uid}.glb"
POLYHAVEN_LICENSE = "CC0-1.0"
CAP3D_LICENSE = "ODC-By-1.0 captions; per-object Objaverse license"
_CAPTION_NAME_WORDS = 8


@dataclass(frozen=True)
class RejectedRecord:
    location: str  # "line 7" or "id 'brick_wall_02'"
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class ParsedImport:
    source: str
    entries: list[CatalogEntry] = field(default_factory=list)
    rejected: list[RejectedRecord] = field(default_factory=list)
    # Ids named by the file, rejected ones included: re-importing must not delete those.
    mentioned_ids: set[str] = field(default_factory=set)


def default_format(path: Path, kind: CatalogKind) -> str:
    if path.suffix.lower() == ".sh3f" or path.is_dir():
        return "sweethome3d"
    if path.suffix == ".jsonl":
        return "jsonl"
    return "cap3d" if kind is CatalogKind.object else "polyhaven"


def read_import(kind: CatalogKind, path: Path, fmt: str | None = None, *, source: str | None = None,
                url_template: str = OBJAVERSE_URL_TEMPLATE) -> ParsedImport:
    """Parse ``path`` into entries of ``kind``; ``source`` defaults to the format name."""
    fmt = fmt or default_format(path, kind)
    if fmt not in FORMATS:
        raise InputError(f"unknown import format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    if fmt == "sweethome3d":
        raise InputError("Sweet Home 3D libraries are zip files: read them with simfarm.retrieval.library")
    if fmt == "cap3d" and kind is not CatalogKind.object:
        raise InputError(f"cap3d captions describe objects; cannot import them as {kind.value}")
    source = source or fmt
    if not re.match(SOURCE_PATTERN, source):
        raise InputError(f"invalid source name {source!r}: use letters, digits, '.', '_' or '-'")
    text = _read_text(path)
    if fmt == "jsonl":
        return _parse_jsonl(kind, text, source)
    data = _load_json_object(path, text)
    if fmt == "polyhaven":
        return _collect(source, data.items(), lambda key, record: _polyhaven_entry(kind, key, record, source))
    return _collect(source, data.items(), lambda uid, caption: _cap3d_entry(uid, caption, source, url_template))


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"import file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read import file {path}: {error}") from None


def _load_json_object(path: Path, text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{path}: not valid JSON at line {error.lineno} column {error.colno}: {error.msg}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object mapping ids to records, got {type(data).__name__}")
    return data


def _collect(source: str, records: Iterable[tuple[str, Any]],
             build: Callable[[str, Any], CatalogEntry]) -> ParsedImport:
    parsed = ParsedImport(source)
    for key, record in records:
        parsed.mentioned_ids.add(key)
        try:
            parsed.entries.append(build(key, record))
        except (ValidationError, ValueError, TypeError) as error:
            parsed.rejected.append(RejectedRecord(f"id {key!r}", _one_line(error)))
    return parsed


def _parse_jsonl(kind: CatalogKind, text: str, source: str) -> ParsedImport:
    parsed = ParsedImport(source)
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError(f"expected a JSON object, got {type(record).__name__}")
            if isinstance(record.get("id"), str):
                parsed.mentioned_ids.add(record["id"])
            if record.setdefault("kind", kind.value) != kind.value:
                raise ValueError(f"record kind {record['kind']!r} does not match the import kind {kind.value!r}")
            if record.setdefault("source", source) != source:
                raise ValueError(f"record source {record['source']!r} differs from the import source {source!r}")
            entry = CatalogEntry.model_validate(record)
            if entry.id in seen:
                raise ValueError(f"duplicate id {entry.id!r}")
            seen.add(entry.id)
            parsed.entries.append(entry)
        except (ValidationError, ValueError) as error:  # JSONDecodeError is a ValueError
            parsed.rejected.append(RejectedRecord(f"line {number}", _one_line(error)))
    return parsed


def _polyhaven_entry(kind: CatalogKind, key: str, record: Any, source: str) -> CatalogEntry:
    if not isinstance(record, dict):
        raise ValueError(f"expected an object with name/tags/categories/url|maps, got {type(record).__name__}")
    return CatalogEntry(
        id=key,
        kind=kind,
        name=record.get("name") or key,
        description=record.get("description", ""),
        tags=record.get("tags", ()),
        categories=record.get("categories", ()),
        uri=record.get("url", ""),
        maps=record.get("maps", {}),
        license=record.get("license", POLYHAVEN_LICENSE),
        source=source,
    )


def _cap3d_entry(uid: str, caption: Any, source: str, url_template: str) -> CatalogEntry:
    if not isinstance(caption, str) or not caption.strip():
        raise ValueError("expected a non-empty caption string")
    caption = caption.strip()
    return CatalogEntry(
        id=uid,
        kind=CatalogKind.object,
        name=" ".join(caption.rstrip(".").split()[:_CAPTION_NAME_WORDS]),
        description=caption,
        uri=url_template.format(uid=uid),
        license=CAP3D_LICENSE,
        source=source,
    )


def _one_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in error.errors())
    return " ".join(str(error).split())
