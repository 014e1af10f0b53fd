"""`Storage`: one interface over ``s3://`` URIs and local paths."""

from __future__ import annotations

import mimetypes
import threading
from datetime import timedelta
from pathlib import Path

from .config import S3Config
from .errors import InvalidLocation
from .local import LocalBackend
from .retry import RetryPolicy
from .s3 import S3Backend
from .uris import LocalLocation, Location, S3Location, join_key, parse_location

DEFAULT_PRESIGN_EXPIRY = timedelta(hours=1)


class Storage:
    """Reads and writes objects named by ``s3://bucket/key`` URIs or local paths.

    The S3 settings are read from the environment (see :class:`S3Config`) on
    the first ``s3://`` operation unless ``config`` is given, so a purely local
    run needs no S3 configuration. Safe to share between threads.
    """

    def __init__(self, config: S3Config | None = None, retry: RetryPolicy | None = None) -> None:
        self._config = config
        self._retry = retry or RetryPolicy()
        self._s3: S3Backend | None = None
        self._s3_lock = threading.Lock()
        self._local = LocalBackend()

    def _backend(self, location: Location) -> S3Backend | LocalBackend:
        if isinstance(location, LocalLocation):
            return self._local
        with self._s3_lock:
            if self._s3 is None:
                self._s3 = S3Backend(self._config or S3Config.from_environ(), self._retry)
            return self._s3

    def ensure_bucket(self, uri: str) -> None:
        """Create the bucket of an ``s3://`` URI (or a local directory) if it does not exist."""
        location = parse_location(uri)
        self._backend(location).ensure_bucket(location)

    def put_file(self, uri: str, path: str | Path, *, content_type: str | None = None) -> None:
        """Publish a local file atomically: readers see no object or the whole file, never a part."""
        location = _object_location(uri)
        self._backend(location).put_file(location, Path(path), content_type or _guess_type(uri))

    def put_bytes(self, uri: str, data: bytes, *, content_type: str | None = None) -> None:
        location = _object_location(uri)
        self._backend(location).put_bytes(location, data, content_type or _guess_type(uri))

    def put_tree(self, directory: str | Path, uri: str) -> list[str]:
        """Publish every file below ``directory`` under the prefix ``uri``; returns the URIs written."""
        root = Path(directory)
        written = []
        for path in sorted(file for file in root.rglob("*") if file.is_file()):
            target = join_key(uri, path.relative_to(root).as_posix())
            self.put_file(target, path)
            written.append(target)
        return written

    def get_file(self, uri: str, path: str | Path) -> Path:
        location = _object_location(uri)
        destination = Path(path)
        destination.parent.mkdir(parents=True, exist_ok=True)
        self._backend(location).get_file(location, destination)
        return destination

    def get_bytes(self, uri: str) -> bytes:
        location = _object_location(uri)
        return self._backend(location).get_bytes(location)

    def exists(self, uri: str) -> bool:
        location = _object_location(uri)
        return self._backend(location).exists(location)

    def list_prefix(self, uri: str) -> list[str]:
        """URIs of all objects below the directory-like prefix ``uri`` (``a/b`` lists ``a/b/…``, not ``a/bc``).

        Uploads still in flight are not listed.
        """
        location = parse_location(uri)
        return self._backend(location).list_prefix(location)

    def delete_prefix(self, uri: str) -> int:
        """Delete all objects below the prefix ``uri`` (e.g. a request's); returns how many."""
        location = parse_location(uri)
        return self._backend(location).delete_prefix(location)

    def presign_get(self, uri: str, expires: timedelta = DEFAULT_PRESIGN_EXPIRY) -> str:
        """A URL that fetches the object with a plain HTTP GET until ``expires`` has passed."""
        location = _object_location(uri)
        return self._backend(location).presign_get(location, expires)


def _object_location(uri: str) -> Location:
    location = parse_location(uri)
    if isinstance(location, S3Location) and (not location.key or str(uri).endswith("/")):
        raise InvalidLocation(f"{uri!r} names a bucket or prefix, not an object: give s3://bucket/key")
    return location


def _guess_type(uri: str) -> str:
    return mimetypes.guess_type(uri)[0] or "application/octet-stream"
