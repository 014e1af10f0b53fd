"""The worker's storage seam: plan, segments and outputs by URI, local or ``s3://``.

Everything goes through ``simfarm.storage.Storage`` (atomic publish, retries
on transient S3 failures). Errors that retrying cannot fix (no such object,
a malformed URI, bad credentials) become ``PermanentError``; others stay as
they are and make the shard retryable.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable, TypeVar

from simfarm.storage import (
    InvalidLocation,
    ObjectNotFound,
    Storage,
    StorageAuthError,
    StorageConfigError,
    is_s3_uri,
)

from .errors import PermanentError

T = TypeVar("T")
PERMANENT_STORAGE_ERRORS = (ObjectNotFound, InvalidLocation, StorageConfigError, StorageAuthError)


@functools.cache
def _storage() -> Storage:
    return Storage()


def _permanent_on_bad_input(operation: Callable[[], T]) -> T:
    try:
        return operation()
    except PERMANENT_STORAGE_ERRORS as error:
        raise PermanentError(str(error)) from error


def parent(uri: str) -> str:
    """The directory or prefix holding ``uri``."""
    if is_s3_uri(uri):
        return uri.rstrip("/").rsplit("/", 1)[0]
    return str(Path(uri).resolve().parent)


def download(uri: str, destination: Path) -> Path:
    return _permanent_on_bad_input(lambda: _storage().get_file(uri, destination))


def read_text(uri: str) -> str:
    return _permanent_on_bad_input(lambda: _storage().get_bytes(uri)).decode("utf-8")


def publish(source: Path, uri: str) -> int:
    """Put a finished local file at ``uri`` atomically; returns its size in bytes."""
    _permanent_on_bad_input(lambda: _storage().put_file(uri, source))
    return source.stat().st_size


def publish_text(text: str, uri: str) -> int:
    data = text.encode("utf-8")
    _permanent_on_bad_input(lambda: _storage().put_bytes(uri, data))
    return len(data)
