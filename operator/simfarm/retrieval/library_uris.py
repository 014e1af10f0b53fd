"""URIs of assets that live inside a library file or an installed package.

Shared by the catalog (which writes them) and the render worker (which reads
them), so this module stays free of heavy imports.

A model inside a furniture library (a Sweet Home 3D ``.sh3f`` zip)::

    <library>#model=<member>&rotation=<9 numbers>&body=<material>

``<library>`` is where the zip is: ``library://sweethome3d/<file>.sh3f`` (the
installed default library, found on each node, see ``library_dirs``), or a
``file://``, ``http(s)://`` or ``s3://`` URL. ``model`` is the OBJ file's
path inside the zip; ``rotation`` (optional) the library's 3×3 model
rotation, row-major, in the OBJ's own axes (y up, front towards +z); ``body``
(optional) the material that carries the model's main colour, the one a
"red car" recolours.

An HDRI shipped inside Blender itself (the bpy wheel)::

    blender://studiolights/world/<name>.exr
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

LIBRARY_SCHEME = "library"
BLENDER_SCHEME = "blender"
LIBRARY_PATH_ENV = "SIMFARM_LIBRARY_PATH"
# Where `simfarm catalog install-library` unpacks the Debian package without root.
USER_LIBRARY = Path("simfarm") / "library"
# Where the Debian package puts its libraries when installed with apt.
SYSTEM_LIBRARY_DIRS = {"sweethome3d": Path("/usr/share/sweethome3d/furniture")}
IDENTITY = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)


class LibraryUriError(ValueError):
    """A library URI that cannot be parsed or resolved."""


@dataclass(frozen=True)
class ModelRef:
    library: str  # where the zip is
    member: str  # the OBJ's path inside it, without a leading '/'
    rotation: tuple[float, ...] = IDENTITY
    body: str = ""

    def uri(self) -> str:
        params = {"model": self.member}
        if self.rotation != IDENTITY:
            params["rotation"] = ",".join(f"{value:g}" for value in self.rotation)
        if self.body:
            params["body"] = self.body
        return f"{self.library}#{urlencode(params, quote_via=quote, safe='/,')}"


def is_library_model(uri: str) -> bool:
    return urlsplit(uri).fragment.startswith("model=")


def parse_model_uri(uri: str) -> ModelRef:
    library, _, fragment = uri.partition("#")
    params = dict(parse_qsl(fragment))
    member = params.get("model", "").lstrip("/")
    if not library or not member:
        raise LibraryUriError(f"{uri}: expected <library>#model=<path inside the library>")
    rotation = IDENTITY
    if "rotation" in params:
        try:
            rotation = tuple(float(value) for value in params["rotation"].split(","))
        except ValueError:
            rotation = ()
        if len(rotation) != 9:
            raise LibraryUriError(f"{uri}: rotation must be 9 comma-separated numbers")
    return ModelRef(library, member, rotation, params.get("body", ""))


def library_uri(package: str, file_name: str) -> str:
    return f"{LIBRARY_SCHEME}://{package}/{file_name}"


def cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def library_dirs(package: str) -> list[Path]:
    """Folders searched, in order, for ``library://<package>/…``: ``$SIMFARM_LIBRARY_PATH`` (``:``-separated),
    the user's unpacked copy, then the system package's folder."""
    configured = [Path(part) for part in os.environ.get(LIBRARY_PATH_ENV, "").split(os.pathsep) if part]
    dirs = configured + [cache_home() / USER_LIBRARY / package]
    if package in SYSTEM_LIBRARY_DIRS:
        dirs.append(SYSTEM_LIBRARY_DIRS[package])
    return dirs


def resolve_library(location: str) -> str:
    """A ``library://`` location as a local path; any other location is returned as it is."""
    parts = urlsplit(location)
    if parts.scheme != LIBRARY_SCHEME:
        return location
    name = parts.path.lstrip("/")
    searched = library_dirs(parts.netloc)
    for folder in searched:
        if (folder / name).is_file():
            return str(folder / name)
    raise LibraryUriError(f"{location}: library {name!r} is not installed here (looked in "
                          f"{', '.join(map(str, searched))}); run `simfarm catalog install-library`")
