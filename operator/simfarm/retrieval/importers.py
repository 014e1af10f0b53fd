"""Readers for external catalogs: Poly Haven JSON, Cap3D captions, generic JSONL.

A bad record never stops an import: it is reported with its line or id and
the rest is imported. Only an unreadable file (missing, not JSON) is fatal.

Each format is a generator of ``Record`` results (an entry, a rejection or a
record of an unwanted kind), so a large source streams in batches
(``simfarm.retrieval.source_import``) and a local file is collected whole
(``read_import``). A rejection carries two texts: ``message`` for the person
at the terminal (it may quote the record) and ``reason``, which holds nothing
taken from the record, for places where the source is untrusted (a cluster
catalog's status).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urljoin

from pydantic import ValidationError

from ..errors import InputError
from .entries import SOURCE_PATTERN, CatalogEntry, CatalogKind

FORMATS: tuple[str, ...] = ("polyhaven", "cap3d", "jsonl", "sweethome3d")
# Objaverse 1.0 serves each object as a GLB; callers may pass their own template.
OBJAVERSE_URL_TEMPLATE = "https://huggingface.co/datasets/allenai/objaverse/resolve/main/glbs/{uid}.glb"
POLYHAVEN_LICENSE = "CC0-1.0"
CAP3D_LICENSE = "ODC-By-1.0 captions; per-object Objaverse license"
# Poly Haven's API numbers asset types: 0 HDRIs, 1 textures, 2 models.
POLYHAVEN_TYPES = {0: CatalogKind.hdri, 1: CatalogKind.material, 2: CatalogKind.object,
                   "hdris": CatalogKind.hdri, "textures": CatalogKind.material, "models": CatalogKind.object}
_CAPTION_NAME_WORDS = 8
_ENTRY_FIELDS = frozenset(CatalogEntry.model_fields)


class RecordError(ValueError):
    """A record is wrong. ``reason`` says so without quoting the record (default: the message)."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


@dataclass(frozen=True)
class RejectedRecord:
    location: str  # "line 7" or "id 'brick_wall_02'"
    message: str
    number: int = 0  # the record's position in its source, from 1 (its line for line-based formats)
    reason: str = ""  # ``message`` without any text of the record

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    def public(self) -> str:
        """What may be shown where the source is untrusted: the record's position and a reason in our words."""
        return f"record {self.number}: {self.reason or 'invalid record'}"


@dataclass(frozen=True)
class OtherKind:
    """A record of a kind the import does not want (e.g. a Poly Haven model in an HDRI import)."""

    number: int
    kind: CatalogKind
    id: str


@dataclass(frozen=True)
class Accepted:
    number: int
    entry: CatalogEntry


Record = Accepted | RejectedRecord | OtherKind


def rejection(location: str, number: int, error: Exception) -> RejectedRecord:
    return RejectedRecord(location, _one_line(error), number, _value_free(error))


@dataclass
class ParsedImport:
    source: str
    entries: list[CatalogEntry] = field(default_factory=list)
    rejected: list[RejectedRecord] = field(default_factory=list)
    # Ids named by the file, rejected ones included: re-importing must not delete those.
    mentioned_ids: set[str] = field(default_factory=set)
    other_kinds: int = 0  # records of kinds this import does not take, skipped

    def add(self, record: Record, mentioned: str | None) -> None:
        if mentioned is not None:
            self.mentioned_ids.add(mentioned)
        if isinstance(record, Accepted):
            self.entries.append(record.entry)
        elif isinstance(record, RejectedRecord):
            self.rejected.append(record)
        else:
            self.other_kinds += 1


def collect(source: str, records: Iterable[tuple[Record, str | None]]) -> ParsedImport:
    parsed = ParsedImport(source)
    for record, mentioned in records:
        parsed.add(record, mentioned)
    return parsed


def default_format(path: Path, kind: CatalogKind) -> str:
    if path.suffix.lower() == ".sh3f" or path.is_dir():
        return "sweethome3d"
    if path.suffix == ".jsonl":
        return "jsonl"
    return "cap3d" if kind is CatalogKind.object else "polyhaven"


def check_source_name(source: str) -> str:
    if not re.match(SOURCE_PATTERN, source):
        raise InputError(f"invalid source name {source!r}: use letters, digits, '.', '_' or '-' "
                         f"(and one '/' as in namespace/name)")
    return source


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
    source = check_source_name(source or fmt)
    text = _read_text(path)
    if fmt == "jsonl":
        return collect(source, _strict_kind(iter_jsonl(text.splitlines(), source, {kind}, default_kind=kind), kind))
    data = load_json_object(text, str(path))
    if fmt == "polyhaven":
        return collect(source, iter_polyhaven(data, source, {kind}))
    return collect(source, iter_cap3d_json(data, source, template_uris(url_template)))


def _strict_kind(records: Iterable[tuple[Record, str | None]], kind: CatalogKind
                 ) -> Iterator[tuple[Record, str | None]]:
    """A file imported as one kind: a record of another kind is an error, not skipped."""
    for record, mentioned in records:
        if isinstance(record, OtherKind):
            record = rejection(f"line {record.number}", record.number, RecordError(
                f"record kind {record.kind.value!r} does not match the import kind {kind.value!r}",
                f"record kind {record.kind.value} does not match the import kind {kind.value}"))
        yield record, mentioned


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"import file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read import file {path}: {error}") from None


def load_json_object(text: str | bytes, name: str) -> dict[str, Any]:
    """A JSON object mapping ids to records, or an ``InputError`` (naming the position, never the text)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{name}: not valid JSON at line {error.lineno} column {error.colno}: {error.msg}") from None
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None
    if not isinstance(data, dict):
        raise InputError(f"{name}: expected a JSON object mapping ids to records, got {type(data).__name__}")
    return data


def _size_checked(number: int, size: int, max_record_bytes: int | None) -> None:
    if max_record_bytes is not None and size > max_record_bytes:
        raise RecordError(f"record {number} is {size} bytes, over the {max_record_bytes}-byte limit",
                          f"over the {max_record_bytes}-byte record limit")


def _length(line: str | bytes) -> int:
    """A line's size in bytes, without its line break."""
    return len(line.rstrip(b"\r\n") if isinstance(line, bytes) else line.rstrip("\r\n").encode())


def _object_records(data: Mapping[str, Any], build: Callable[[str, Any], CatalogEntry | CatalogKind],
                    max_record_bytes: int | None) -> Iterator[tuple[Record, str | None]]:
    """Records of a JSON object keyed by id, numbered in file order."""
    for number, (key, record) in enumerate(data.items(), start=1):
        try:
            _size_checked(number, len(json.dumps(record, ensure_ascii=False).encode()), max_record_bytes)
            built = build(key, record)
        except (ValidationError, ValueError, TypeError) as error:
            yield rejection(f"id {key!r}", number, error), key
            continue
        yield (OtherKind(number, built, key) if isinstance(built, CatalogKind) else Accepted(number, built)), key


def iter_polyhaven(data: Mapping[str, Any], source: str, kinds: Collection[CatalogKind], *,
                   max_record_bytes: int | None = None) -> Iterator[tuple[Record, str | None]]:
    """Poly Haven records ``{id: {name, tags, categories, url | maps, type?, …}}``.

    A record's ``type`` (Poly Haven's 0/1/2, or hdris/textures/models) gives its kind; a record without one
    is of the only wanted kind.
    """
    def build(key: str, record: Any) -> CatalogEntry | CatalogKind:
        if not isinstance(record, dict):
            raise RecordError(f"expected an object with name/tags/categories/url|maps, got {type(record).__name__}")
        kind = _polyhaven_kind(record, kinds)
        if kind not in kinds:
            return kind
        return CatalogEntry(
            id=key, kind=kind, name=record.get("name") or key, description=record.get("description", ""),
            tags=record.get("tags", ()), categories=record.get("categories", ()), uri=record.get("url", ""),
            maps=record.get("maps", {}), license=record.get("license", POLYHAVEN_LICENSE), source=source)

    return _object_records(data, build, max_record_bytes)


def _polyhaven_kind(record: dict, kinds: Collection[CatalogKind]) -> CatalogKind:
    if "type" in record:
        kind = POLYHAVEN_TYPES.get(record["type"]) if isinstance(record["type"], (int, str)) else None
        if kind is None:
            raise RecordError(f"unknown Poly Haven type {record['type']!r}",
                              "unknown Poly Haven type (expected 0, 1, 2, hdris, textures or models)")
        return kind
    if len(kinds) != 1:
        raise RecordError("type: needed when several kinds are imported (0 hdris, 1 textures, 2 models)")
    return next(iter(kinds))


def cap3d_entry(uid: str, caption: Any, source: str, uri: str) -> CatalogEntry:
    if not isinstance(caption, str) or not caption.strip():
        raise RecordError("expected a non-empty caption string")
    caption = caption.strip()
    return CatalogEntry(
        id=uid,
        kind=CatalogKind.object,
        name=" ".join(caption.rstrip(".").split()[:_CAPTION_NAME_WORDS]),
        description=caption,
        uri=uri,
        license=CAP3D_LICENSE,
        source=source,
    )


def iter_cap3d_json(data: Mapping[str, Any], source: str, uri_for: Callable[[str], str], *,
                    max_record_bytes: int | None = None) -> Iterator[tuple[Record, str | None]]:
    """Cap3D captions as a JSON object ``{uid: caption}``; ``uri_for(uid)`` locates each object."""
    return _object_records(data, lambda uid, caption: cap3d_entry(uid, caption, source, uri_for(uid)),
                           max_record_bytes)


def template_uris(url_template: str) -> Callable[[str], str]:
    """Object URLs from a template with ``{uid}`` (``--url-template``)."""
    return lambda uid: url_template.format(uid=uid)


class ObjectPaths:
    """Objaverse's ``object-paths.json``: uid -> path of its file below the dataset root, in shard folders
    (``glbs/000-023/<uid>.glb``); ``base`` is that root (by default the folder holding object-paths.json)."""

    def __init__(self, paths: Mapping[str, Any], base: str) -> None:
        self.paths = paths
        self.base = base if base.endswith("/") else base + "/"

    def uri(self, uid: str) -> str:
        path = self.paths.get(uid)
        if not isinstance(path, str) or not path.strip() or path.startswith(("/", "\\")) or "://" in path:
            raise RecordError("the uid has no relative path in object-paths.json")
        return urljoin(self.base, path)


def _line_records(lines: Iterable[str | bytes], max_record_bytes: int | None,
                  parse: Callable[[int, str | bytes, list[str]], Record | None]
                  ) -> Iterator[tuple[Record, str | None]]:
    """Records of a line-based source: ``parse(number, line, named)`` makes one (None: not a record, e.g. a
    header) and appends to ``named`` the id the line names, once known; what it raises is a rejection."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        named: list[str] = []
        try:
            _size_checked(number, _length(line), max_record_bytes)
            record = parse(number, line, named)
        except (ValidationError, ValueError, csv.Error) as error:  # JSON and Unicode errors are ValueErrors
            record = rejection(f"line {number}", number, error)
        if record is not None:
            yield record, named[0] if named else None


def iter_cap3d_csv(lines: Iterable[str | bytes], source: str, uri_for: Callable[[str], str], *,
                   max_record_bytes: int | None = None) -> Iterator[tuple[Record, str | None]]:
    """Cap3D's captions CSV (``uid,caption`` rows, as ``Cap3D_automated_Objaverse_full.csv``; an optional
    header row); ``uri_for(uid)`` locates each object (``ObjectPaths.uri`` for Objaverse)."""
    def parse(number: int, line: str | bytes, named: list[str]) -> Record | None:
        row = next(csv.reader([line.decode("utf-8") if isinstance(line, bytes) else line]))
        if number == 1 and [cell.strip().lower() for cell in row[:2]] == ["uid", "caption"]:
            return None
        if len(row) != 2:
            raise RecordError(f"expected 2 columns (uid, caption), got {len(row)}")
        uid = row[0].strip()
        if not re.fullmatch(r"\S{1,256}", uid):
            raise RecordError("the uid is empty, too long or holds spaces")
        named.append(uid)
        return Accepted(number, cap3d_entry(uid, row[1], source, uri_for(uid)))

    return _line_records(lines, max_record_bytes, parse)


def iter_jsonl(lines: Iterable[str | bytes], source: str, kinds: Collection[CatalogKind], *,
               default_kind: CatalogKind | None = None, max_record_bytes: int | None = None
               ) -> Iterator[tuple[Record, str | None]]:
    """One ``CatalogEntry`` per line; ``kind`` defaults to ``default_kind`` (else the only wanted kind),
    ``source`` to ``source``. Duplicate ids are rejected."""
    if default_kind is None and len(kinds) == 1:
        default_kind = next(iter(kinds))
    seen: set[str] = set()

    def parse(number: int, line: str | bytes, named: list[str]) -> Record:
        record = json.loads(line)
        if not isinstance(record, dict):
            raise RecordError(f"expected a JSON object, got {type(record).__name__}")
        if isinstance(record.get("id"), str):
            named.append(record["id"])
        if default_kind is not None:
            record.setdefault("kind", default_kind.value)
        if record.setdefault("source", source) != source:
            raise RecordError(f"record source {record['source']!r} differs from the import source {source!r}",
                              "the record's source differs from the import source")
        entry = CatalogEntry.model_validate(record)
        if entry.kind not in kinds:
            return OtherKind(number, entry.kind, entry.id)
        if entry.id in seen:
            raise RecordError(f"duplicate id {entry.id!r}", "duplicate id (an earlier record has it)")
        seen.add(entry.id)
        return Accepted(number, entry)

    return _line_records(lines, max_record_bytes, parse)


def _one_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in error.errors())
    if isinstance(error, KeyError):
        return f"missing {error.args[0]}"
    return " ".join(str(error).split())


def _value_free(error: Exception) -> str:
    """Why a record failed, in words that quote nothing of it (field names only when they are ours)."""
    if isinstance(error, ValidationError):
        problems = []
        for e in error.errors(include_input=False, include_url=False):
            loc = ".".join(str(part) if isinstance(part, int) or part in _ENTRY_FIELDS else "(unknown field)"
                           for part in e["loc"]) or "record"
            problems.append(f"{loc}: {e['msg']}")
        return "; ".join(dict.fromkeys(problems))
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON ({error.msg} at column {error.colno})"
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(error, RecordError):
        return error.reason
    if isinstance(error, csv.Error):
        return "not a valid CSV row"
    return f"invalid record ({type(error).__name__})"
