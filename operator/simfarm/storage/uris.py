"""Locations: ``s3://bucket/key`` URIs and local paths, validated on parsing.

A key is a ``/``-separated path relative to its bucket. Keys with empty
segments (a leading ``/``, ``//``), ``.`` or ``..`` segments, backslashes or
control characters are refused, so that a key built from a request's prefix
can never name an object outside that prefix. Local paths are the user's own
files and are taken as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidLocation

S3_SCHEME = "s3://"
MAX_KEY_BYTES = 1024

_OTHER_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IPV4_LIKE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
# Reserved by AWS (access points, directory buckets, …); S3 refuses them.
_RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


@dataclass(frozen=True)
class S3Location:
    """An object (or, for prefix operations, a directory) in a bucket; ``key`` may be empty."""

    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"{S3_SCHEME}{self.bucket}/{self.key}" if self.key else f"{S3_SCHEME}{self.bucket}"

    def __str__(self) -> str:
        return self.uri


@dataclass(frozen=True)
class LocalLocation:
    """A file or directory on the local filesystem."""

    path: Path

    @property
    def uri(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return self.uri


Location = S3Location | LocalLocation


def is_s3_uri(uri: str) -> bool:
    return uri[: len(S3_SCHEME)].lower() == S3_SCHEME


def parse_location(uri: str | Path) -> Location:
    """``s3://bucket[/key[/]]`` → :class:`S3Location`; any other path → :class:`LocalLocation`.

    One trailing ``/`` is allowed (it names a prefix); other URI schemes are refused.
    """
    if isinstance(uri, Path):
        return LocalLocation(uri)
    if not uri:
        raise InvalidLocation("empty storage location: give s3://bucket/key or a local path")
    if "\x00" in uri:
        raise InvalidLocation(f"invalid storage location {uri!r}: contains a NUL character")
    if is_s3_uri(uri):
        bucket, _, key = uri[len(S3_SCHEME) :].partition("/")
        check_bucket_name(bucket, uri)
        key = key[:-1] if key.endswith("/") else key
        if key:
            check_key(key, uri)
        return S3Location(bucket, key)
    scheme = _OTHER_SCHEME.match(uri)
    if scheme and (uri.startswith(scheme.group(0) + "//") or scheme.group(1).lower() == "s3"):
        raise InvalidLocation(
            f"unsupported storage location {uri!r}: use s3://bucket/key or a local path"
        )
    return LocalLocation(Path(uri))


def check_bucket_name(bucket: str, uri: str) -> None:
    """Refuse names S3 refuses (see the S3 "bucket naming rules")."""

    def refuse(why: str) -> InvalidLocation:
        return InvalidLocation(f"invalid bucket name {bucket!r} in {uri!r}: {why}")

    if not bucket:
        raise refuse("the bucket name is missing (s3://bucket/key)")
    if not _BUCKET_CHARS.match(bucket):
        raise refuse(
            "bucket names are 3-63 characters of lowercase letters, digits, '.' and '-', "
            "starting and ending with a letter or digit"
        )
    if ".." in bucket or ".-" in bucket or "-." in bucket:
        raise refuse("'.' must not be next to another '.' or a '-'")
    if _IPV4_LIKE.match(bucket):
        raise refuse("a bucket name must not look like an IP address")
    if bucket.startswith(_RESERVED_BUCKET_PREFIXES) or bucket.endswith(_RESERVED_BUCKET_SUFFIXES):
        raise refuse("the name uses a prefix or suffix that S3 reserves")


def check_key(key: str, uri: str) -> None:
    """Refuse keys that are absolute, climb with ``..`` or have empty segments."""

    def refuse(why: str) -> InvalidLocation:
        return InvalidLocation(f"invalid object key {key!r} in {uri!r}: {why}")

    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise refuse(f"keys are at most {MAX_KEY_BYTES} bytes")
    if _CONTROL_CHARS.search(key) or "\\" in key:
        raise refuse("control characters and backslashes are not allowed")
    if key.startswith("/"):
        raise refuse("keys are relative to the bucket and must not start with '/'")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise refuse("empty, '.' and '..' path segments are not allowed")


def join_key(base: str, relative: str) -> str:
    """``base`` (an ``s3://`` URI or local directory) joined with a relative ``a/b`` path.

    ``relative`` must stay below ``base``: absolute paths, ``..`` and empty
    segments are refused for local bases too.
    """
    check_key(relative, relative)
    return base.rstrip("/") + "/" + relative if base else relative
