"""The local-directory backend: the same operations as S3, on files (``simfarm render --out DIR``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from .errors import InvalidLocation, ObjectNotFound, StorageError
from .layout import is_temporary_name, temporary_name
from .uris import LocalLocation

T = TypeVar("T")


class LocalBackend:
    """Writes go to a temporary sibling first and are renamed into place, so readers never see half a file."""

    def ensure_bucket(self, location: LocalLocation) -> None:
        _translated(location, lambda: location.path.mkdir(parents=True, exist_ok=True))

    def put_file(self, location: LocalLocation, path: Path, content_type: str) -> None:
        self._publish(location, lambda temporary: shutil.copyfile(path, temporary))

    def put_bytes(self, location: LocalLocation, data: bytes, content_type: str) -> None:
        self._publish(location, lambda temporary: temporary.write_bytes(data))

    def _publish(self, location: LocalLocation, write: Callable[[Path], object]) -> None:
        def publish() -> None:
            location.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = Path(temporary_name(str(location.path)))
            try:
                write(temporary)
                os.replace(temporary, location.path)
            finally:
                temporary.unlink(missing_ok=True)

        _translated(location, publish)

    def get_file(self, location: LocalLocation, path: Path) -> None:
        _translated(location, lambda: shutil.copyfile(location.path, path))

    def get_bytes(self, location: LocalLocation) -> bytes:
        return _translated(location, location.path.read_bytes)

    def exists(self, location: LocalLocation) -> bool:
        return location.path.is_file()

    def list_prefix(self, location: LocalLocation) -> list[str]:
        if not location.path.is_dir():
            return []
        files = (path for path in location.path.rglob("*") if path.is_file() and not is_temporary_name(path.name))
        return sorted(str(path) for path in files)

    def delete_prefix(self, location: LocalLocation) -> int:
        path = location.path.resolve()
        if path == path.parent:
            raise InvalidLocation(f"refusing to delete the filesystem root {location}")
        if not path.is_dir():
            return 0
        count = sum(1 for file in path.rglob("*") if file.is_file())
        _translated(location, lambda: shutil.rmtree(path))
        return count

    def presign_get(self, location: LocalLocation, expires: timedelta) -> str:
        """A ``file://`` URL: a local file needs no signature, so ``expires`` does not apply."""
        return location.path.resolve().as_uri()


def _translated(location: LocalLocation, operation: Callable[[], T]) -> T:
    try:
        return operation()
    except FileNotFoundError as error:
        raise ObjectNotFound(f"{location}: no such file ({error.filename})") from None
    except OSError as error:
        raise StorageError(f"{location}: {error.strerror or error}") from None
