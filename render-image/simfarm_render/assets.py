"""Asset files (models, textures, HDRIs) fetched by URI into a node-local cache.

The cache is content-addressed: a file is stored under the SHA-256 of its
bytes (``sha256/<hex><suffix>``), and ``uri/<sha256 of the URI>`` records
which content a URI gave, so shards on one node download each asset once and
share identical files. Downloads land in a temporary file in the cache and
are renamed into place, so concurrent shards never read a partial file.

A URI may pin its content with a ``#sha256=<hex>`` fragment; a mismatch is a
permanent error, as are 4xx answers, missing files and oversized assets.
Catalog URLs are untrusted: in a pod the operator started,
``$SIMFARM_URL_POLICY`` refuses loopback, link-local (cloud metadata) and the
cluster's service range, on every connection and redirect
(``simfarm.retrieval.remote``); a refused URL is a permanent error.
Connection failures, timeouts, 429 and 5xx are retried with backoff; an
asset still unreachable after the last attempt is a permanent error too, so
the Job does not restart the whole shard for it.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from simfarm.retrieval.remote import FetchFailed, TooLarge, UrlPolicy, UrlRefused, copy_capped, open_http

from . import locations
from .errors import PermanentError, TransientError

CACHE_ENV = "SIMFARM_ASSET_CACHE"
MAX_BYTES_ENV = "SIMFARM_ASSET_MAX_BYTES"
DEFAULT_MAX_BYTES = 2 * 1024**3
ATTEMPTS = 5
FIRST_BACKOFF_S = 0.5
TIMEOUT_S = 60
CHUNK = 1 << 20


def default_cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "simfarm" / "assets"


def _pinned_sha256(uri: str) -> str | None:
    fragment = urlsplit(uri).fragment
    if fragment.startswith("sha256="):
        return fragment.removeprefix("sha256=").lower()
    return None


def _suffix(uri: str) -> str:
    """The file extension, kept because importers pick the format by it."""
    return posixpath.splitext(urlsplit(uri).path)[1].lower()


@dataclass
class AssetCache:
    root: Path
    max_bytes: int = DEFAULT_MAX_BYTES
    attempts: int = ATTEMPTS
    backoff_s: float = FIRST_BACKOFF_S
    policy: UrlPolicy = field(default_factory=lambda: UrlPolicy(enforce=False))

    @classmethod
    def from_environment(cls) -> "AssetCache":
        return cls(default_cache_dir(), int(os.environ.get(MAX_BYTES_ENV, DEFAULT_MAX_BYTES)),
                   policy=UrlPolicy.from_environ())

    def fetch(self, uri: str) -> Path:
        """A local file with the asset's bytes; downloads on first use."""
        scheme = urlsplit(uri).scheme
        if scheme not in ("http", "https", "s3"):
            return self._local(uri)
        record = self.root / "uri" / hashlib.sha256(uri.encode()).hexdigest()
        if record.is_file():
            cached = self.root / "sha256" / record.read_text().strip()
            if cached.is_file():
                return cached
        download = self._download_http if scheme in ("http", "https") else self._download_s3
        path = self._with_retries(uri, download)
        _write_atomically(record, path.name)
        return path

    def _local(self, uri: str) -> Path:
        location = uri.split("#", 1)[0]
        path = Path(unquote(urlsplit(location).path) if location.startswith("file://") else location)
        if not path.is_file():
            raise PermanentError(f"asset {uri}: no such file")
        self._check(uri, path.stat().st_size, _file_sha256(path))
        return path

    def _with_retries(self, uri: str, download: Callable[[str, Path], None]) -> Path:
        delay = self.backoff_s
        for attempt in range(1, self.attempts + 1):
            try:
                return self._store(uri, download)
            except TransientError as error:
                if attempt == self.attempts:
                    raise PermanentError(f"asset {uri}: {error} (unreachable after {attempt} attempts)") from error
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _store(self, uri: str, download: Callable[[str, Path], None]) -> Path:
        blobs = self.root / "sha256"
        blobs.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=".partial-", dir=blobs)
        os.close(fd)
        partial_path = Path(partial)
        try:
            download(uri, partial_path)
            digest = _file_sha256(partial_path)
            self._check(uri, partial_path.stat().st_size, digest)
            final = blobs / (digest + _suffix(uri))
            os.replace(partial_path, final)
            return final
        finally:
            partial_path.unlink(missing_ok=True)

    def _check(self, uri: str, size: int, digest: str) -> None:
        if size > self.max_bytes:
            raise PermanentError(f"asset {uri}: {size} bytes exceeds the {self.max_bytes}-byte limit")
        pinned = _pinned_sha256(uri)
        if pinned and pinned != digest:
            raise PermanentError(f"asset {uri}: sha256 is {digest}, expected {pinned}")

    def _download_http(self, uri: str, destination: Path) -> None:
        try:
            with open_http(uri, self.policy, timeout=TIMEOUT_S, user_agent="simfarm-render") as response, \
                    destination.open("wb") as out:
                copy_capped(response, out, self.max_bytes, f"asset {uri}",
                            declared=int(response.headers.get("Content-Length") or 0) or None)
        except (UrlRefused, TooLarge) as error:
            raise PermanentError(f"asset {uri}: {error}" if isinstance(error, UrlRefused) else str(error)) from None
        except FetchFailed as error:
            if error.retryable:
                raise TransientError(str(error)) from None
            raise PermanentError(f"asset {uri}: {error}") from None
        except (TimeoutError, ConnectionError, OSError) as error:
            raise TransientError(str(error)) from error

    @staticmethod
    def _download_s3(uri: str, destination: Path) -> None:
        locations.download(uri.split("#", 1)[0], destination)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, staging = tempfile.mkstemp(prefix=".partial-", dir=path.parent)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(staging, path)
