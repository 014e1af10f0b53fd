"""S3 connection settings from environment variables or a mounted Secret directory.

Each setting is looked up under several names (AWS SDK style first, then
MinIO style); the first one set wins. When ``SIMFARM_S3_SECRET_DIR`` names a
directory (a Kubernetes Secret mounted as files, one file per key, e.g.
``AWS_ACCESS_KEY_ID``), its files take precedence over the environment: that
variable is an explicit simfarm setting, whereas ``AWS_*`` variables may be
injected by the platform.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .errors import StorageConfigError

SECRET_DIR_VARIABLE = "SIMFARM_S3_SECRET_DIR"
ENDPOINT_NAMES = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "MINIO_ENDPOINT")
ACCESS_KEY_NAMES = ("AWS_ACCESS_KEY_ID", "MINIO_ACCESS_KEY", "MINIO_ROOT_USER")
SECRET_KEY_NAMES = ("AWS_SECRET_ACCESS_KEY", "MINIO_SECRET_KEY", "MINIO_ROOT_PASSWORD")
SESSION_TOKEN_NAMES = ("AWS_SESSION_TOKEN",)
REGION_NAMES = ("AWS_REGION", "AWS_DEFAULT_REGION", "MINIO_REGION")
# Only consulted for a bare ``host:port`` endpoint; a URL's scheme decides otherwise.
SECURE_NAMES = ("SIMFARM_S3_SECURE", "MINIO_SECURE")
CA_BUNDLE_NAMES = ("AWS_CA_BUNDLE", "SSL_CERT_FILE")
PART_SIZE_NAMES = ("SIMFARM_S3_PART_SIZE",)

DEFAULT_REGION = "us-east-1"
MIN_PART_SIZE = 5 * 1024 * 1024  # S3's minimum for all parts but the last
MAX_PART_SIZE = 5 * 1024 * 1024 * 1024
DEFAULT_PART_SIZE = 16 * 1024 * 1024


@dataclass(frozen=True)
class S3Config:
    """Where the S3 server is and how to authenticate; secrets stay out of ``repr``."""

    endpoint: str  # host[:port], no scheme
    secure: bool
    access_key: str
    secret_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    region: str = DEFAULT_REGION
    ca_bundle: str | None = None
    part_size: int = DEFAULT_PART_SIZE
    connect_timeout: float = 5.0
    read_timeout: float = 60.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "S3Config":
        settings = _settings(os.environ if environ is None else environ)

        def first(names: tuple[str, ...]) -> str | None:
            return next((settings[name] for name in names if settings.get(name)), None)

        raw_endpoint = first(ENDPOINT_NAMES)
        if not raw_endpoint:
            raise StorageConfigError(
                f"no S3 endpoint configured: set one of {', '.join(ENDPOINT_NAMES)} "
                f"(or a file of that name in ${SECRET_DIR_VARIABLE})"
            )
        access_key, secret_key = first(ACCESS_KEY_NAMES), first(SECRET_KEY_NAMES)
        if not access_key or not secret_key:
            raise StorageConfigError(
                f"S3 credentials incomplete: set {ACCESS_KEY_NAMES[0]} and {SECRET_KEY_NAMES[0]} "
                f"(or {ACCESS_KEY_NAMES[1]} and {SECRET_KEY_NAMES[1]})"
            )
        endpoint, secure = _parse_endpoint(raw_endpoint, first(SECURE_NAMES))
        return cls(
            endpoint=endpoint,
            secure=secure,
            access_key=access_key,
            secret_key=secret_key,
            session_token=first(SESSION_TOKEN_NAMES),
            region=first(REGION_NAMES) or DEFAULT_REGION,
            ca_bundle=first(CA_BUNDLE_NAMES),
            part_size=_parse_part_size(first(PART_SIZE_NAMES)),
        )


def _settings(environ: Mapping[str, str]) -> dict[str, str]:
    settings = dict(environ)
    secret_dir = environ.get(SECRET_DIR_VARIABLE)
    if not secret_dir:
        return settings
    directory = Path(secret_dir)
    if not directory.is_dir():
        raise StorageConfigError(f"${SECRET_DIR_VARIABLE}={secret_dir!r} is not a directory")
    known = (
        ENDPOINT_NAMES + ACCESS_KEY_NAMES + SECRET_KEY_NAMES + SESSION_TOKEN_NAMES
        + REGION_NAMES + SECURE_NAMES + CA_BUNDLE_NAMES + PART_SIZE_NAMES
    )
    for name in known:
        file = directory / name
        if file.is_file():
            settings[name] = file.read_text(encoding="utf-8").strip()
    return settings


def _parse_endpoint(raw: str, secure_setting: str | None) -> tuple[str, bool]:
    """``http(s)://host[:port]`` or ``host[:port]`` → (``host[:port]``, use TLS)."""
    try:
        parts = urlsplit(raw if "://" in raw else f"//{raw}")
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as error:
        raise StorageConfigError(f"malformed S3 endpoint {raw!r}: {error}") from None
    if parts.scheme not in ("", "http", "https") or not parts.hostname:
        raise StorageConfigError(f"malformed S3 endpoint {raw!r}: expected http(s)://host[:port]")
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username:
        raise StorageConfigError(
            f"malformed S3 endpoint {raw!r}: only scheme, host and port are allowed"
        )
    secure = parts.scheme == "https" if parts.scheme else _parse_bool(secure_setting, default=True)
    return parts.netloc, secure


def _parse_bool(value: str | None, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise StorageConfigError(f"{SECURE_NAMES[0]}/{SECURE_NAMES[1]}={value!r} is not true or false")


def _parse_part_size(value: str | None) -> int:
    if not value:
        return DEFAULT_PART_SIZE
    try:
        size = int(value)
    except ValueError:
        raise StorageConfigError(f"{PART_SIZE_NAMES[0]}={value!r} is not a number of bytes") from None
    if not MIN_PART_SIZE <= size <= MAX_PART_SIZE:
        raise StorageConfigError(
            f"{PART_SIZE_NAMES[0]}={size} must be between {MIN_PART_SIZE} and {MAX_PART_SIZE} bytes"
        )
    return size
