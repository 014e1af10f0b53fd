"""The object-key layout of a request, and the names of in-flight uploads.

Every key a request writes is made here, under the request's own prefix
``<root>/<namespace>/<request>/<short-uid>/``; nothing else in simfarm builds
object keys by hand.
"""

from __future__ import annotations

import posixpath
import re
import uuid
from dataclasses import dataclass

from .errors import InvalidLocation
from .uris import join_key, parse_location

_TEMPORARY_NAME = re.compile(r"^\..+\.[0-9a-f]{12}\.uploading$")


def _safe_part(part: str, what: str) -> str:
    if not part or part in (".", "..") or "/" in part or "\\" in part or "\x00" in part:
        raise InvalidLocation(f"invalid {what} {part!r}: must be a single non-empty path segment")
    return part


@dataclass(frozen=True)
class RequestLayout:
    """Where one request's files live; ``base`` is an ``s3://`` URI or a local directory."""

    base: str

    @classmethod
    def for_request(cls, root: str, namespace: str, request: str, uid: str) -> "RequestLayout":
        parse_location(root)  # refuse a malformed root before building keys on it
        short_uid = _safe_part(uid, "uid").replace("-", "")[:8]
        parts = [_safe_part(namespace, "namespace"), _safe_part(request, "request name"), short_uid]
        return cls(join_key(root, "/".join(parts)))

    def _join(self, *parts: str) -> str:
        return join_key(self.base, "/".join(parts))

    @property
    def plan(self) -> str:
        return self._join("plan.json")

    def variant_dir(self, variant: int) -> str:
        return self._join("variants", str(int(variant)))

    def video(self, variant: int) -> str:
        return posixpath.join(self.variant_dir(variant), "video.mp4")

    def caption(self, variant: int) -> str:
        return posixpath.join(self.variant_dir(variant), "caption.txt")

    def credits(self, variant: int) -> str:
        return posixpath.join(self.variant_dir(variant), "credits.txt")

    def thumbnail(self, variant: int) -> str:
        return posixpath.join(self.variant_dir(variant), "thumbnail.png")

    def annotations(self, variant: int) -> str:
        return posixpath.join(self.variant_dir(variant), "annotations.json")

    def pass_frame(self, variant: int, name: str, frame: int) -> str:
        """One frame of a ground-truth pass: ``variants/<i>/passes/<name>/<frame>.exr``."""
        return posixpath.join(self.variant_dir(variant), "passes", _safe_part(name, "pass"), f"{int(frame):06d}.exr")

    def segments_dir(self, variant: int) -> str:
        return self._join("segments", str(int(variant)))

    def segment(self, variant: int, first_frame: int, last_frame: int) -> str:
        return posixpath.join(self.segments_dir(variant), f"{int(first_frame):06d}-{int(last_frame):06d}.mp4")

    def segment_annotations(self, variant: int, first_frame: int, last_frame: int) -> str:
        return posixpath.join(self.segments_dir(variant), f"{int(first_frame):06d}-{int(last_frame):06d}.json")


def temporary_name(final: str) -> str:
    """A unique sibling of ``final`` to upload to before publishing it (``dir/.name.<hex>.uploading``)."""
    directory, name = posixpath.split(final)
    return posixpath.join(directory, f".{name}.{uuid.uuid4().hex[:12]}.uploading")


def is_temporary_name(key: str) -> bool:
    return bool(_TEMPORARY_NAME.match(posixpath.basename(key)))
