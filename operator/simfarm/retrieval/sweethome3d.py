"""Sweet Home 3D furniture libraries (``.sh3f``) as catalog entries.

A library is a zip holding ``PluginFurnitureCatalog.properties`` (one record
per model: ``name#N``, ``category#N``, ``creator#N``, ``model#N``,
``width#N``/``depth#N``/``height#N`` in centimetres, …), a ``LICENSE.TXT``
and each model's OBJ, MTL and textures. Parsing works on the zip's bytes or
any seekable file object, never on a path, so libraries read from HTTP or S3
parse the same way as local ones.

Sweet Home 3D stretches every model to its record's width (x), depth and
height, with the model's front towards the viewer of its front view; the
worker imports OBJs with y up and -z forward, which puts that front towards
-y, so the record's size is the catalog's ``size_m`` as it is.
"""

from __future__ import annotations

import colorsys
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

import numpy as np
from pydantic import ValidationError

from ..errors import InputError
from .entries import CatalogEntry, CatalogKind
from .importers import ParsedImport, RecordError, RejectedRecord, rejection
from .library_uris import ModelRef
from .procedural import COLORS

CATALOG_FILE = "PluginFurnitureCatalog.properties"
LICENSE_FILE = "LICENSE.TXT"
SOURCE_PREFIX = "sweethome3d-"
# Tags every record of a library carries, which say nothing about the model.
_NOISE_TAGS = frozenset({"blend swap", "scpts"})
# Material names that are not a model's body colour: glass, tyres, lights, chrome, interiors.
_NOT_BODY = re.compile(r"glass|cristal|vidrio|window|mirror|tire|tyre|neumatic|rubber|wheel|rueda|llanta|chrome|"
                       r"light|lamp|faro|bulb|interior|inside|shadow",
                       re.IGNORECASE)
_METALS = frozenset({"silver", "gold"})
_MIN_BODY_SHARE = 0.15  # of the model's surface, for a material to count as its body
# Records whose name misleads a search: what the model really is.
_CORRECTIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Blend Swap CC-0#motorbike": ("Spring rider motorbike",
                                  "a child's playground spring rider shaped like a motorbike, a toy, "
                                  "not a real motorcycle", ("toy", "playground", "spring rider")),
    "Blend Swap CC-0#deer": ("Deer figurine", "a small decorative deer figurine, 20 cm tall, not a life-size animal",
                             ("figurine", "ornament", "statuette")),
}


def parse_properties(text: str) -> dict[str, str]:
    """A Java ``.properties`` file: ``key=value`` or ``key: value`` lines, ``#``/``!`` comments,
    backslash continuations and ``\\uXXXX`` escapes."""
    result: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        line = line.lstrip()
        if not line or line[0] in "#!":
            continue
        while _continues(line):
            line = line[:-1] + next(lines, "").lstrip()
        match = re.match(r"((?:\\.|[^=:\s\\])*)\s*[=:\s]\s*(.*)", line, re.DOTALL)
        key, value = (match.group(1), match.group(2)) if match else (line, "")
        result[_unescape(key)] = _unescape(value)
    return result


def _continues(line: str) -> bool:
    trailing = len(line) - len(line.rstrip("\\"))
    return trailing % 2 == 1


def _unescape(text: str) -> str:
    def replace(match: re.Match) -> str:
        escaped = match.group(1)
        if escaped.startswith("u"):
            return chr(int(escaped[1:], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(escaped, escaped)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", replace, text)


def license_of(license_text: str, properties: dict[str, str]) -> str:
    """An SPDX-style id from the library's LICENSE.TXT (or its ``license`` property)."""
    text = f"{license_text}\n{properties.get('license', '')}".lower()
    if "licenses/by/3.0/us" in text or "3.0 united states" in text:
        return "CC-BY-3.0-US"
    if "licenses/by/3.0" in text or "attribution 3.0" in text:
        return "CC-BY-3.0"
    if "creative commons zero" in text or "/zero/" in text or properties.get("license", "").lower() == "public domain":
        return "CC0-1.0"
    raise ValueError("the library names no license this importer knows (expected CC0 or CC-BY 3.0)")


@dataclass(frozen=True)
class _Material:
    area: float  # surface it covers, in the OBJ's units squared
    rgb: tuple[float, float, float] | None  # Kd; None when a texture gives the colour
    opaque: bool


def _areas(obj: bytes) -> dict[str, float]:
    """Surface area per material (``usemtl``) of an OBJ, its polygons fanned into triangles."""
    vertices: list[bytes] = []
    faces: dict[str, list[bytes]] = {}
    current = ""
    for line in obj.split(b"\n"):
        if line[:2] == b"v ":
            vertices.append(b" ".join(line.split()[1:4]))
        elif line[:2] == b"f ":
            faces.setdefault(current, []).append(line[2:])
        elif line[:7] == b"usemtl ":
            current = line[7:].strip().decode("latin-1")
    if not vertices:
        return {}
    points = np.array(b" ".join(vertices).split(), dtype=float).reshape(-1, 3)
    areas = {}
    for name, polygons in faces.items():
        corners: list[tuple[int, int, int]] = []
        for polygon in polygons:
            index = [int(token.split(b"/", 1)[0]) for token in polygon.split()]
            index = [i - 1 if i > 0 else len(points) + i for i in index]
            corners.extend((index[0], index[k], index[k + 1]) for k in range(1, len(index) - 1))
        if corners:
            a, b, c = (points[list(column)] for column in zip(*corners))
            areas[name] = float(np.linalg.norm(np.cross(b - a, c - a), axis=1).sum() / 2)
    return areas


def _materials(obj: bytes, mtl: str) -> dict[str, _Material]:
    """Each material the OBJ uses: its area, and its diffuse colour and opacity from the MTL."""
    colours: dict[str, tuple[float, float, float]] = {}
    textured: set[str] = set()
    opacity: dict[str, float] = {}
    name = ""
    for line in mtl.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "newmtl":
            name = " ".join(words[1:])
        elif len(words) >= 4 and words[0] == "Kd":
            colours[name] = tuple(float(value) for value in words[1:4])
        elif len(words) >= 2 and words[0] == "map_Kd":
            textured.add(name)
        elif len(words) >= 2 and words[0] == "d":
            opacity[name] = float(words[1])
    return {name: _Material(area, None if name in textured else colours.get(name), opacity.get(name, 1.0) >= 0.95)
            for name, area in _areas(obj).items() if name}


def body_material(obj: bytes, mtl: str) -> tuple[str, str | None]:
    """The material carrying the model's main colour and that colour's name, or ``("", None)``.

    The body is the opaque material covering the most surface whose name is
    not glass, tyre, light or interior, if it covers a fair share of the
    model: a car's paint, a sofa's fabric. Its colour has no name when a
    texture gives it.
    """
    materials = _materials(obj, mtl)
    total = sum(material.area for material in materials.values())
    candidates = sorted(((material.area, name) for name, material in materials.items()
                         if material.opaque and not _NOT_BODY.search(name)), reverse=True)
    if not candidates or candidates[0][0] < _MIN_BODY_SHARE * total:
        return "", None
    name = candidates[0][1]
    rgb = materials[name].rgb
    return name, (colour_name(rgb) if rgb else None)


def colour_name(rgb: tuple[float, float, float]) -> str:
    """The nearest ``COLORS`` name to an MTL diffuse colour, compared in HSV (hue first for saturated colours).

    MTL authors pick ``Kd`` as they see it, so it is compared as sRGB. A
    greyish colour is white, gray or black: "silver" and "gold" name a
    metal, which a diffuse colour alone does not tell.
    """
    hue, saturation, value = colorsys.rgb_to_hsv(*(min(1.0, max(0.0, c)) for c in rgb))
    if saturation < 0.15:
        return "white" if value > 0.75 else "gray" if value > 0.25 else "black"

    def distance(named: tuple[float, float, float]) -> float:
        h, s, v = colorsys.rgb_to_hsv(*named)
        turn = min(abs(hue - h), 1 - abs(hue - h)) * 2
        return (turn * min(saturation, s)) ** 2 * 12 + (saturation - s) ** 2 + (value - v) ** 2

    return min((name for name in COLORS if name not in _METALS), key=lambda name: distance(COLORS[name]))


def source_for(file_name: str) -> str:
    """The catalog source of a library file: ``BlendSwap-CC-0.sh3f`` → ``sweethome3d-blendswap-cc-0``."""
    stem = PurePosixPath(file_name).stem.lower()
    return SOURCE_PREFIX + re.sub(r"[^a-z0-9._-]+", "-", stem).strip("-")


def read_library(data: bytes | BinaryIO, library: str, source: str) -> ParsedImport:
    """Entries for every model of one library; ``library`` is the location model URIs name."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except zipfile.BadZipFile:
        raise InputError(f"{library}: not a Sweet Home 3D library (not a zip file)") from None
    with archive:
        names = set(archive.namelist())
        if CATALOG_FILE not in names:
            raise InputError(f"{library}: not a Sweet Home 3D furniture library (no {CATALOG_FILE})")
        properties = parse_properties(archive.read(CATALOG_FILE).decode("latin-1"))
        license_text = archive.read(LICENSE_FILE).decode("latin-1") if LICENSE_FILE in names else ""
        try:
            license_id = license_of(license_text, properties)
        except ValueError as error:
            raise InputError(f"{library}: {error}") from None
        parsed = ParsedImport(source)
        for position, number in enumerate(_record_numbers(properties), start=1):
            record = {key.rpartition("#")[0]: value for key, value in properties.items()
                      if key.endswith(f"#{number}")}
            location = f"record #{number} ({record.get('name', '?')})"
            try:
                entry = _entry(record, archive, names, library, source, license_id)
            except KeyError as missing:  # the keys looked up are this module's own property names
                parsed.rejected.append(rejection(location, position, RecordError(f"missing {missing.args[0]}")))
                continue
            except (ValidationError, ValueError) as error:
                parsed.rejected.append(rejection(location, position, error))
                continue
            if entry.id in parsed.mentioned_ids:
                parsed.rejected.append(RejectedRecord(location, f"duplicate model {entry.id!r}", position,
                                                      "duplicate model (an earlier record has it)"))
                continue
            parsed.mentioned_ids.add(entry.id)
            parsed.entries.append(entry)
    return parsed


def _record_numbers(properties: dict[str, str]) -> list[int]:
    return sorted({int(key.rpartition("#")[2]) for key in properties
                   if key.startswith("id#") and key.rpartition("#")[2].isdigit()})


def _entry(record: dict[str, str], archive: zipfile.ZipFile, names: set[str], library: str, source: str,
           license_id: str) -> CatalogEntry:
    member = record["model"].lstrip("/")
    if member not in names:
        raise RecordError(f"model file {member!r} is not in the library", "its model file is not in the library")
    if not member.lower().endswith(".obj"):
        raise RecordError(f"model {member!r} is not an OBJ file", "its model is not an OBJ file")
    folder = PurePosixPath(member).parent
    mtl_names = [name for name in names if PurePosixPath(name).parent == folder and name.lower().endswith(".mtl")]
    mtl = archive.read(mtl_names[0]).decode("latin-1") if mtl_names else ""
    body, colour = body_material(archive.read(member), mtl)
    rotation = tuple(float(value) for value in record["modelRotation"].split()) if "modelRotation" in record else None
    if rotation is not None and len(rotation) != 9:
        raise RecordError("modelRotation must hold 9 numbers")
    name, note, extra_tags = _CORRECTIONS.get(record.get("id", ""), (record["name"], "", ()))
    tags = [tag.strip() for tag in record.get("tags", "").split(",")]
    tags = [tag for tag in tags if tag and tag.lower() not in _NOISE_TAGS] + list(extra_tags)
    if colour:
        tags.append(colour)
    size = tuple(round(float(record[axis]) / 100, 4) for axis in ("width", "depth", "height"))
    top = float(record.get("dropOnTopElevation", "-1"))
    category = record.get("category", "")
    ref = ModelRef(library, member, rotation or ModelRef(library, member).rotation, body)
    return CatalogEntry(
        id=str(folder) if folder.name else member,
        kind=CatalogKind.object,
        name=name,
        description=note or f"{colour + ' ' if colour else ''}{name.lower()}",
        tags=tuple(dict.fromkeys(tags)),
        categories=(category,) if category else (),
        uri=ref.uri(),
        license=license_id,
        creator=record.get("creator", ""),
        source=source,
        size_m=size,
        top_m=round(top / 100, 4) if 0 < top <= float(record["height"]) else None,
    )
