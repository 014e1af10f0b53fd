"""The S3/MinIO backend: the only code in simfarm that uses the ``minio`` client."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import ComposeSource, CopySource
from minio.deleteobjects import DeleteObject
from minio.error import S3Error, ServerError

from .config import S3Config
from .errors import InvalidLocation, ObjectNotFound, StorageAuthError, StorageError
from .layout import is_temporary_name, temporary_name
from .retry import RetryPolicy, TransientError, retrying
from .uris import S3Location

T = TypeVar("T")

logger = logging.getLogger("simfarm.storage")

AUTH_ERROR_CODES = frozenset({
    "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken",
    "ExpiredToken", "AuthorizationHeaderMalformed", "InvalidSecurity",
})
NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound"})
TRANSIENT_CODES = frozenset({
    "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout",
    "XMinioServerNotInitialized", "XMinioReadQuorum", "XMinioWriteQuorum",
})
MAX_PRESIGN_EXPIRY = timedelta(days=7)  # the limit of SigV4 presigned URLs


class S3Backend:
    """Storage operations on :class:`S3Location` s, each retried on transient failures."""

    def __init__(self, config: S3Config, retry: RetryPolicy) -> None:
        self.config = config
        self._retry = retry
        # The client's own urllib3 retries are off: retrying happens in one place
        # (``_call``), where auth errors are told apart from transient ones.
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=config.connect_timeout, read=config.read_timeout),
            retries=False,
            maxsize=10,
            cert_reqs="CERT_REQUIRED",
            ca_certs=config.ca_bundle or certifi.where(),
        )
        self._client = Minio(
            config.endpoint,
            access_key=config.access_key,
            secret_key=config.secret_key,
            session_token=config.session_token,
            secure=config.secure,
            region=config.region,
            http_client=http,
        )

    def _call(self, what: str, location: S3Location, operation: Callable[[], T]) -> T:
        return retrying(self._retry, f"{what} {location}", lambda: _translated(location, operation))

    def ensure_bucket(self, location: S3Location) -> None:
        def ensure() -> None:
            if not self._client.bucket_exists(location.bucket):
                try:
                    self._client.make_bucket(location.bucket)
                except S3Error as error:
                    if error.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise

        self._call("create bucket", S3Location(location.bucket, ""), ensure)

    def put_file(self, location: S3Location, path: Path, content_type: str) -> None:
        """Upload under a temporary sibling key, then copy server-side onto the final key.

        The final key therefore only ever appears complete, in one step, and an
        interrupted or retried upload never lands on it. The temporary key is
        removed afterwards; if that fails it stays hidden from :meth:`list_prefix`
        and goes with :meth:`delete_prefix`.
        """
        temporary = S3Location(location.bucket, temporary_name(location.key))

        def upload() -> int:
            self._client.fput_object(
                temporary.bucket, temporary.key, str(path),
                content_type=content_type, part_size=self.config.part_size,
            )
            return path.stat().st_size

        size = self._call(f"upload {path} to", temporary, upload)
        try:
            self._call("publish", location, lambda: self._copy(temporary, location, size, content_type))
        finally:
            self._remove_temporary(temporary)

    def _copy(self, source: S3Location, target: S3Location, size: int, content_type: str) -> None:
        """Server-side copy that keeps the part layout of the upload (and so its multipart ETag).

        A plain CopyObject would rewrite a multipart object as a single part;
        composing from the same byte ranges as the upload's parts keeps the
        object as uploaded, and copies objects over 5 GiB, which CopyObject cannot.
        """
        part_size = self.config.part_size
        if size <= part_size:
            self._client.copy_object(target.bucket, target.key, CopySource(source.bucket, source.key))
            return
        parts = [
            ComposeSource(source.bucket, source.key, offset=offset, length=min(part_size, size - offset))
            for offset in range(0, size, part_size)
        ]
        self._client.compose_object(target.bucket, target.key, parts, metadata={"Content-Type": content_type})

    def _remove_temporary(self, temporary: S3Location) -> None:
        try:
            _translated(temporary, lambda: self._client.remove_object(temporary.bucket, temporary.key))
        except StorageError as error:
            logger.warning("could not remove temporary upload %s: %s", temporary, error)

    def put_bytes(self, location: S3Location, data: bytes, content_type: str) -> None:
        """One PUT: S3 makes an object visible only once it is complete, so no temporary key."""
        self._call(
            "upload to",
            location,
            lambda: self._client.put_object(
                location.bucket, location.key, io.BytesIO(data), len(data),
                content_type=content_type, part_size=self.config.part_size,
            ),
        )

    def get_file(self, location: S3Location, path: Path) -> None:
        # fget_object downloads to a sibling ``*.part.minio`` file and renames it into place.
        self._call(
            "download", location, lambda: self._client.fget_object(location.bucket, location.key, str(path))
        )

    def get_bytes(self, location: S3Location) -> bytes:
        def read() -> bytes:
            response = self._client.get_object(location.bucket, location.key)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        return self._call("download", location, read)

    def exists(self, location: S3Location) -> bool:
        def stat() -> bool:
            try:
                self._client.stat_object(location.bucket, location.key)
            except S3Error as error:
                if error.code in NOT_FOUND_CODES:
                    return False
                raise
            return True

        return self._call("look up", location, stat)

    def list_prefix(self, location: S3Location) -> list[str]:
        prefix = f"{location.key}/" if location.key else ""

        def list_keys() -> list[str]:
            objects = self._client.list_objects(location.bucket, prefix=prefix, recursive=True)
            return [obj.object_name for obj in objects if not is_temporary_name(obj.object_name)]

        keys = self._call("list", location, list_keys)
        return sorted(S3Location(location.bucket, key).uri for key in keys)

    def delete_prefix(self, location: S3Location) -> int:
        if not location.key:
            raise InvalidLocation(f"refusing to delete the whole bucket {location}: give a prefix")
        prefix = f"{location.key}/"

        def delete() -> int:
            listing = self._client.list_objects(location.bucket, prefix=prefix, recursive=True)
            names = [obj.object_name for obj in listing]
            failures = list(self._client.remove_objects(location.bucket, (DeleteObject(name) for name in names)))
            if failures:
                raise StorageError(
                    f"delete {location}: {len(failures)} of {len(names)} objects not deleted, "
                    f"first: {failures[0].name}: {failures[0].code} {failures[0].message}"
                )
            return len(names)

        return self._call("delete", location, delete)

    def presign_get(self, location: S3Location, expires: timedelta) -> str:
        if not timedelta(seconds=1) <= expires <= MAX_PRESIGN_EXPIRY:
            raise StorageError(f"presign {location}: expiry {expires} must be between 1 second and 7 days")
        # Signed locally (the region is configured), so no request and nothing to retry.
        return _translated(
            location, lambda: self._client.presigned_get_object(location.bucket, location.key, expires=expires)
        )


def _translated(location: S3Location, operation: Callable[[], T]) -> T:
    """Run ``operation``, turning client errors into storage errors with one-line messages."""
    try:
        return operation()
    except S3Error as error:
        message = f"{location}: {error.code}: {error.message}"
        if error.code in AUTH_ERROR_CODES:
            raise StorageAuthError(f"{message} (check the S3 credentials and their permissions)") from None
        if error.code in NOT_FOUND_CODES:
            raise ObjectNotFound(message) from None
        if error.code in TRANSIENT_CODES or (error.response is not None and error.response.status >= 500):
            raise TransientError(message) from error
        raise StorageError(message) from None
    except ServerError as error:
        message = f"{location}: HTTP {error.status_code}: {error}"
        if error.status_code >= 500:
            raise TransientError(message) from error
        raise StorageError(message) from None
    except urllib3.exceptions.SSLError as error:
        raise StorageError(f"{location}: TLS failure: {error}") from None
    except (urllib3.exceptions.HTTPError, ConnectionError, TimeoutError) as error:
        raise TransientError(f"{location}: {type(error).__name__}: {error}") from error
    except OSError as error:  # the local side of an upload or download
        raise StorageError(f"{location}: {error.strerror or error}: {error.filename}") from None
    except ValueError as error:  # the client's own argument checks
        raise StorageError(f"{location}: {error}") from None
