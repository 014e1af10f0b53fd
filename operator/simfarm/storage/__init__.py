"""Storage: the one place in simfarm that talks to S3-compatible storage (MinIO, S3).

Locations are ``s3://bucket/key`` URIs or local paths; :class:`Storage` offers
the same operations on both, and :class:`RequestLayout` makes every key a
request writes (``<root>/<namespace>/<request>/<short-uid>/…``)::

    store = Storage()                                    # S3 settings from the environment
    layout = RequestLayout.for_request("s3://videos", ns, name, uid)
    store.put_file(layout.video(0), "video.mp4")         # atomic publish
    url = store.presign_get(layout.video(0), timedelta(hours=6))

Configuration (environment variables, or files of the same names in the
directory ``$SIMFARM_S3_SECRET_DIR``, e.g. a mounted Secret, which win):

- endpoint: ``AWS_ENDPOINT_URL_S3``, ``AWS_ENDPOINT_URL`` or ``MINIO_ENDPOINT``;
  ``http://host:port`` or ``https://host:port``, or a bare ``host:port`` with TLS
  from ``SIMFARM_S3_SECURE`` / ``MINIO_SECURE`` (default true);
- credentials: ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` (+ ``AWS_SESSION_TOKEN``),
  or ``MINIO_ACCESS_KEY`` / ``MINIO_SECRET_KEY``, or ``MINIO_ROOT_USER`` / ``MINIO_ROOT_PASSWORD``;
- region: ``AWS_REGION``, ``AWS_DEFAULT_REGION`` or ``MINIO_REGION`` (default ``us-east-1``);
- TLS CA bundle: ``AWS_CA_BUNDLE`` or ``SSL_CERT_FILE``;
- multipart part size in bytes: ``SIMFARM_S3_PART_SIZE`` (default 16 MiB, 5 MiB to 5 GiB).

Transient failures (connection refused/reset, timeouts, 5xx) are retried with
exponential backoff; authentication failures are not.

The tests run against a real MinIO server built from the pin ``MINIO_VERSION``
in ``tests/testbin/versions.env`` (``make testbin``).
"""

from .config import S3Config
from .errors import (
    InvalidLocation,
    ObjectNotFound,
    StorageAuthError,
    StorageConfigError,
    StorageError,
    StorageUnavailable,
)
from .layout import RequestLayout
from .retry import RetryPolicy
from .store import DEFAULT_PRESIGN_EXPIRY, Storage
from .uris import LocalLocation, S3Location, is_s3_uri, join_key, parse_location

__all__ = [
    "DEFAULT_PRESIGN_EXPIRY",
    "InvalidLocation",
    "LocalLocation",
    "ObjectNotFound",
    "RequestLayout",
    "RetryPolicy",
    "S3Config",
    "S3Location",
    "Storage",
    "StorageAuthError",
    "StorageConfigError",
    "StorageError",
    "StorageUnavailable",
    "is_s3_uri",
    "join_key",
    "parse_location",
]
