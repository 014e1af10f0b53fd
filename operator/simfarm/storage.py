"""Storage: the object-key layout of a request, and (later) S3/MinIO access.

Every key a request writes is made here, under the request's own prefix
``<root>/<namespace>/<request>/<short-uid>/``; nothing else in simfarm builds
object keys by hand.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass


class StorageError(Exception):
    """A storage operation failed; the message says what and where."""


def _safe_part(part: str, what: str) -> str:
    if not part or part in (".", "..") or "/" in part or "\\" in part or "\x00" in part:
        raise StorageError(f"invalid {what} {part!r}: must be a single non-empty path segment")
    return part


@dataclass(frozen=True)
class RequestLayout:
    """Where one request's files live; ``base`` is an ``s3://`` URI or a local directory."""

    base: str

    @classmethod
    def for_request(cls, root: str, namespace: str, request: str, uid: str) -> "RequestLayout":
        short_uid = _safe_part(uid, "uid").replace("-", "")[:8]
        parts = [_safe_part(namespace, "namespace"), _safe_part(request, "request name"), short_uid]
        return cls(root.rstrip("/") + "/" + "/".join(parts))

    def _join(self, *parts: str) -> str:
        return posixpath.join(self.base, *parts)

    @property
    def plan(self) -> str:
        return self._join("plan.json")

    def variant_dir(self, variant: int) -> str:
        return self._join("variants", str(int(variant)))

    def video(self, variant: int) -> str:
        return posixpath.join(self.variant_dir(variant), "video.mp4")

    def caption(self, variant: int) -> str:
        return posixpath.join(self.variant_dir(variant), "caption.txt")

    def thumbnail(self, variant: int) -> str:
        return posixpath.join(self.variant_dir(variant), "thumbnail.png")

    def segments_dir(self, variant: int) -> str:
        return self._join("segments", str(int(variant)))

    def segment(self, variant: int, first_frame: int, last_frame: int) -> str:
        return posixpath.join(self.segments_dir(variant), f"{int(first_frame):06d}-{int(last_frame):06d}.mp4")
