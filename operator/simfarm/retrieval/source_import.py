"""Import a catalog source named by a URL: what an ``AssetCatalog``'s import Job runs.

    fetch   https/http under the URL policy, or s3 with the pod's S3 Secret; a byte cap; gzip undone
    parse   the format's importer, streamed where the format allows (JSON lines, Cap3D's CSV)
    filter  wanted kinds and licenses; every record's URLs under the URL policy; record size and count caps
    write   batches into the index (``SourceSync``): only new or changed entries are embedded

Progress (records read, entries written, rejections with a sample of their
reasons) is written into the index after every batch, under the source's
name, so the operator can show it in the catalog's status without the Job
needing any Kubernetes API access. Ids are deterministic (``<source>:<id>``):
a run that is killed and started again skips what the first one wrote and
ends with the same entries, none twice.

Nothing fetched is ever quoted in the progress: rejections are kept as
their position and a reason in our words (``RejectedRecord.public``).
"""

from __future__ import annotations

import contextlib
import gzip
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from ..errors import InputError
from .entries import CatalogEntry, CatalogKind, license_allowed
from .importers import (FORMATS, Accepted, ObjectPaths, OtherKind, Record, RecordError, RejectedRecord,
                        iter_cap3d_csv, iter_cap3d_json, iter_jsonl, iter_polyhaven, load_json_object, rejection)
from .index import CatalogIndex, SourceSync
from .remote import (CappedReader, FetchFailed, ImportLimits, TooLarge, UrlPolicy, UrlRefused, copy_capped,
                     open_http, resolve)

BATCH = 256  # entries embedded and written between two progress updates
SAMPLES = 10  # rejection reasons kept in the progress
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class SourceSpec:
    """Where a catalog's records are and how they are written."""

    format: str  # one of importers.FORMATS
    url: str  # https://, http:// or s3:// (a local path where the policy is not enforced)
    object_paths: str | None = None  # cap3d: Objaverse's object-paths.json (or .json.gz)
    objects_base: str | None = None  # cap3d: what object-paths' paths are relative to (default: its folder)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise InputError(f"unknown source format {self.format!r}; expected one of: {', '.join(FORMATS)}")
        if self.format == "cap3d" and not self.object_paths:
            raise InputError("a cap3d source needs objectPaths: the URL of Objaverse's object-paths.json")


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class ImportProgress:
    """One import run as the index records it; ``run`` names the run (the import Job)."""

    run: str
    phase: str = "Running"  # Running, Succeeded or Failed
    records: int = 0  # records read from the source
    written: int = 0  # entries embedded and written (new or changed)
    unchanged: int = 0  # entries already in the index as they are
    rejected: int = 0
    filtered: int = 0  # records of kinds or licenses the catalog does not take
    capped: bool = False  # the source holds more records than the limit; the rest were not read
    removed: int = 0  # entries of earlier imports the source no longer has
    counts: dict[str, int] = field(default_factory=dict)  # entries per kind, once finished
    samples: list[str] = field(default_factory=list)  # the first rejections' positions and reasons
    message: str = ""  # why it failed
    started: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ImportProgress":
        known = {key: value for key, value in data.items() if key in cls.__dataclass_fields__}
        return cls(**known)

    def reject(self, record: RejectedRecord) -> None:
        self.rejected += 1
        if len(self.samples) < SAMPLES:
            self.samples.append(record.public())


class ImportFailed(Exception):
    """An import that cannot go on; ``retryable`` when running it again may succeed (the network, the store)."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


# ---- fetching ----

@contextlib.contextmanager
def open_source(url: str, policy: UrlPolicy, max_bytes: int, what: str) -> Iterator[CappedReader]:
    """The bytes at ``url`` as a stream (gzip undone), never more than ``max_bytes`` of them."""
    parts = urlsplit(url)
    if parts.scheme in ("", "file") and not policy.enforce:
        path = Path(parts.path if parts.scheme == "file" else url)
        try:
            stream: IO[bytes] = path.open("rb")
        except OSError as error:
            raise InputError(f"{what} {url}: {error.strerror or error}") from None
        with stream:
            yield _decompressed(CappedReader(stream, max_bytes, what), max_bytes, what)
        return
    policy.check(url)
    if parts.scheme == "s3":
        with _s3_download(url, max_bytes, what) as stream:
            yield _decompressed(CappedReader(stream, max_bytes, what), max_bytes, what)
        return
    try:
        response = open_http(url, policy, user_agent="simfarm-catalog-import")
    except FetchFailed as error:
        if not error.retryable:  # 4xx: the URL is wrong, not the network
            raise InputError(f"{what} {url}: {error}") from None
        raise ImportFailed(f"{what} {url}: {error}", retryable=True) from None
    with response:
        declared = int(response.headers.get("Content-Length") or 0)
        if declared > max_bytes:
            raise TooLarge(f"{what} {url}: {declared} bytes exceeds the {max_bytes}-byte limit")
        yield _decompressed(CappedReader(response, max_bytes, what), max_bytes, what)


@contextlib.contextmanager
def _s3_download(url: str, max_bytes: int, what: str) -> Iterator[IO[bytes]]:
    """An s3:// object, read with the pod's S3 Secret (the endpoint is the Secret's, not the catalog's)."""
    from ..storage import ObjectNotFound, Storage, StorageError

    with tempfile.TemporaryDirectory(prefix="simfarm-import-") as work:
        local = Path(work) / "source"
        try:
            Storage().get_file(url, local)
        except ObjectNotFound:
            raise InputError(f"{what} {url}: no such object") from None
        except StorageError as error:
            raise ImportFailed(f"{what} {url}: {error}", retryable=True) from None
        if local.stat().st_size > max_bytes:
            raise TooLarge(f"{what} {url}: {local.stat().st_size} bytes exceeds the {max_bytes}-byte limit")
        with local.open("rb") as stream:
            yield stream


def _decompressed(stream: CappedReader, max_bytes: int, what: str) -> CappedReader:
    """``stream``, or what it decompresses to when it is gzip (capped too: a small bomb is not a way round)."""
    if stream.peek(2)[:2] == GZIP_MAGIC:
        return CappedReader(gzip.GzipFile(fileobj=stream), max_bytes, f"{what} (decompressed)")  # type: ignore
    return stream


def _lines(stream: CappedReader) -> Iterator[bytes]:
    return iter(stream.readline, b"")


def _json_object(stream: CappedReader, what: str) -> dict[str, Any]:
    try:
        return load_json_object(stream.read(), what)
    except (OSError, EOFError, gzip.BadGzipFile):
        raise InputError(f"{what}: not a valid gzip stream") from None


# ---- parsing ----

def _records(spec: SourceSpec, source: str, kinds: Collection[CatalogKind], policy: UrlPolicy,
             limits: ImportLimits) -> Iterator[tuple[Record, str | None]]:
    what = f"{spec.format} source"
    size = limits.max_record_bytes
    if spec.format in ("cap3d", "sweethome3d") and CatalogKind.object not in kinds:
        raise InputError(f"a {spec.format} source holds objects, but the catalog's kinds exclude object")
    if spec.format == "sweethome3d":
        yield from _library_records(spec.url, source, policy, limits)
        return
    objects = _object_paths(spec, policy, limits) if spec.format == "cap3d" else None
    with open_source(spec.url, policy, limits.max_source_bytes, what) as stream:
        if spec.format == "jsonl":
            yield from iter_jsonl(_lines(stream), source, kinds, max_record_bytes=size)
        elif spec.format == "polyhaven":
            yield from iter_polyhaven(_json_object(stream, what), source, kinds, max_record_bytes=size)
        elif _starts_with_brace(stream):
            yield from iter_cap3d_json(_json_object(stream, what), source, objects.uri, max_record_bytes=size)
        else:
            yield from iter_cap3d_csv(_lines(stream), source, objects.uri, max_record_bytes=size)


def _starts_with_brace(stream: CappedReader) -> bool:
    return stream.peek(64)[:64].lstrip()[:1] == b"{"


def _object_paths(spec: SourceSpec, policy: UrlPolicy, limits: ImportLimits) -> ObjectPaths:
    assert spec.object_paths is not None
    with open_source(spec.object_paths, policy, limits.max_source_bytes, "object-paths.json") as stream:
        paths = _json_object(stream, "object-paths.json")
    return ObjectPaths(paths, spec.objects_base or urljoin(spec.object_paths, "."))


def _library_records(url: str, source: str, policy: UrlPolicy, limits: ImportLimits
                     ) -> Iterator[tuple[Record, str | None]]:
    """A Sweet Home 3D library (a zip: read whole, then parsed); its models' URIs name ``url``."""
    from .sweethome3d import read_library

    with tempfile.TemporaryFile() as local:
        with open_source(url, policy, limits.max_source_bytes, "sweethome3d library") as stream:
            copy_capped(stream, local, limits.max_source_bytes, "sweethome3d library")
        local.seek(0)
        parsed = read_library(local, url, source)
    for number, entry in enumerate(parsed.entries, start=1):
        yield Accepted(number, entry), entry.id
    for record in parsed.rejected:
        yield record, None


# ---- the import ----

class _CachedResolver:
    """DNS answers per (host, port) for one import: 100k records on one mirror resolve it once."""

    def __init__(self) -> None:
        self._answers: dict[tuple[str, int], list[str] | OSError] = {}

    def __call__(self, host: str, port: int) -> list[str]:
        key = (host.lower(), port)
        if key not in self._answers:
            try:
                self._answers[key] = resolve(host, port)
            except OSError as error:
                self._answers[key] = error
        answer = self._answers[key]
        if isinstance(answer, OSError):
            raise answer
        return answer


def _check_urls(entry: CatalogEntry, policy: UrlPolicy, resolver: _CachedResolver) -> None:
    for uri in (entry.uri, *entry.maps.values()):
        if uri:
            try:
                policy.check(uri, resolver)
            except UrlRefused as refused:
                raise RecordError(f"URL refused: {refused}", f"its URL is refused ({refused.reason})") from None


def import_source(index: CatalogIndex, source: str, spec: SourceSpec, *, run: str,
                  kinds: Collection[CatalogKind] = tuple(CatalogKind), licenses: Collection[str] = (),
                  policy: UrlPolicy | None = None, limits: ImportLimits = ImportLimits(), batch: int = BATCH,
                  on_progress: Callable[[ImportProgress], None] | None = None) -> ImportProgress:
    """Make ``source``'s entries in ``index`` those of the records at ``spec.url``; see the module docstring.

    ``InputError`` (a refused URL, a bad format, a cap) means the source itself is wrong; ``ImportFailed``
    with ``retryable`` means running it again may succeed. Either way the failure is recorded as the
    progress of ``run`` (unless the store itself failed).
    """
    policy = policy or UrlPolicy.from_environ()
    progress = ImportProgress(run)
    resolver = _CachedResolver()

    def report() -> None:
        progress.updated = _now()
        index.set_import_state(source, progress.to_json())
        if on_progress is not None:
            on_progress(progress)

    report()
    try:
        session = SourceSync(index, source, tuple(CatalogKind))  # entries of kinds no longer wanted go too
        pending: list[CatalogEntry] = []

        def flush() -> None:
            embedded = session.add(pending)
            progress.written += embedded
            progress.unchanged += len(pending) - embedded
            pending.clear()
            report()

        for record, mentioned in _records(spec, source, set(kinds), policy, limits):
            if progress.records >= limits.max_records:
                progress.capped = True
                break
            progress.records += 1
            if isinstance(record, OtherKind):
                progress.filtered += 1
                continue
            if isinstance(record, Accepted) and not license_allowed(record.entry.license, licenses):
                progress.filtered += 1
                continue
            if isinstance(record, Accepted):
                try:
                    _check_urls(record.entry, policy, resolver)
                except RecordError as refused:
                    record = rejection(f"record {record.number}", record.number, refused)
            if isinstance(record, RejectedRecord):
                progress.reject(record)
                if mentioned is not None:
                    session.keep([mentioned])  # a record broken today keeps yesterday's entry
                continue
            pending.append(record.entry)
            if len(pending) >= batch:
                flush()
        flush()
        reports = session.finish()
        progress.removed = sum(report.removed for report in reports.values())
        progress.counts = {kind.value: len(index.keys(kind, source)) for kind in CatalogKind}
        progress.phase = "Succeeded"
    except (InputError, ImportFailed) as error:
        progress.phase, progress.message = "Failed", str(error)
        report()
        raise
    except (OSError, EOFError, gzip.BadGzipFile) as error:  # the connection broke while reading the source
        progress.phase, progress.message = "Failed", f"reading the source failed: {type(error).__name__}"
        report()
        raise ImportFailed(progress.message, retryable=True) from None
    report()
    return progress


def describe(progress: ImportProgress) -> str:
    """One line for people: what the import did."""
    counts = ", ".join(f"{count} {kind}" for kind, count in progress.counts.items() if count) or "no entries"
    parts = [f"{counts}; {progress.written} embedded, {progress.unchanged} unchanged, {progress.removed} removed"]
    if progress.rejected:
        parts.append(f"{progress.rejected} of {progress.records} records rejected")
    if progress.filtered:
        parts.append(f"{progress.filtered} of other kinds or licenses skipped")
    if progress.capped:
        parts.append(f"stopped at the record limit ({progress.records})")
    return "; ".join(parts)
