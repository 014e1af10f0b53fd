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
-y, so the record's size is the catalog's ``size_m`` as it is. Rendering
every vehicle, animal and person of the Debian libraries (and their toys,
furniture and buildings by the dozen) from the front showed that
convention kept everywhere but in five side-on models (``_SIDEWAYS``),
which the importer turns so that their front faces -y too.
"""

from __future__ import annotations

import colorsys
import io
import math
import re
import zipfile
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
# A model with no body by name (a lamp whose every material is called "lamp…") is painted on its dominant
# material instead, when one opaque, non-glass material covers this much of it.
_MIN_DOMINANT_SHARE = 0.3
_SEE_THROUGH = re.compile(r"glass|cristal|vidrio|window|mirror", re.IGNORECASE)
# Names that say a material is the paint (a car's "first-color", "chapa_roja", "PAINT_lt_blue", "Car"), which
# count three times; and near-black plain colours, which are most often trim, rubber or shadow, and count half.
_PAINT = re.compile(r"colou?r|paint|lacqu|(?<!b)lack|chapa|carroc|body|^car$", re.IGNORECASE)
_NEAR_BLACK = 0.08
# Below this share of the height, a record's drop-on-top elevation is the floor of a container (a box, a bin, a
# cup): "on" it means on its rim, the top of its box.
_MIN_TOP_SHARE = 0.2
# Records whose model is side-on: the side its front faces in the library's front view, checked by rendering.
_SIDEWAYS: dict[str, str] = {
    "Blend Swap CC-0#forkLift": "left",  # the forks
    "Blend Swap CC-0#wheelbarrow": "right",  # the wheel
    "Blend Swap CC-0#caballito": "left",  # the rocking horse's head
    "Blend Swap CC-0#motorbike": "right",  # the spring rider's handlebars
    "Blend Swap CC-BY#toyTrain": "left",  # the locomotive
}
# The turn about the vertical, in degrees (anticlockwise seen from above), that brings each side to the front.
_FRONT_TURNS = {"left": 90, "right": -90, "back": 180}
# Records whose name misleads a search: what the model really is. The name's last word is what it is (search
# ranks names by their head noun), so a hot dog is a sausage and a clothes horse a rack.
_CORRECTIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Blend Swap CC-0#motorbike": ("Motorbike spring rider",
                                  "a child's playground spring rider shaped like a motorbike, a toy, "
                                  "not a real motorcycle", ("toy", "playground", "spring rider")),
    "Blend Swap CC-0#deer": ("Deer figurine", "a small decorative deer figurine, 20 cm tall, not a life-size animal",
                             ("figurine", "ornament", "statuette")),
    "Blend Swap CC-0#hotDog": ("Hot dog sausage", "a hot dog: a sausage in a bun, food", ("food", "snack")),
    "Scopia#clothes-horse": ("Clothes horse rack", "a folding rack for drying clothes", ("laundry", "drying rack")),
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


_VERTEX = re.compile(rb"^v[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)", re.MULTILINE)
_FACE_OR_MATERIAL = re.compile(rb"^(f|usemtl)[ \t]+([^\r\n]*)", re.MULTILINE)
_CORNER = re.compile(rb"(-?\d+)(?:/\S*)?")  # a face corner's vertex index, without its texture and normal


def _areas(obj: bytes) -> dict[str, float]:
    """Surface area per material (``usemtl``) of an OBJ, its polygons fanned into triangles.

    Faces are gathered per material and corner count, then measured with numpy in bulk: a library of
    175 models (over a million faces) parses in seconds."""
    points = np.array(_VERTEX.findall(obj), dtype=float)
    if not len(points):
        return {}
    faces: dict[str, dict[int, list[bytes]]] = {}
    current = ""
    for keyword, rest in _FACE_OR_MATERIAL.findall(obj):
        if keyword == b"usemtl":
            current = rest.strip().decode("latin-1")
        else:
            faces.setdefault(current, {}).setdefault(len(rest.split()), []).append(rest)
    areas = {}
    for name, by_count in faces.items():
        area = 0.0
        for count, lines in by_count.items():
            if count < 3:
                continue
            index = np.array(_CORNER.findall(b" ".join(lines)), dtype=np.int64).reshape(-1, count)
            index = np.where(index > 0, index - 1, len(points) + index)
            first = points[index[:, 0]]
            for k in range(1, count - 1):
                b, c = points[index[:, k]], points[index[:, k + 1]]
                area += float(np.linalg.norm(np.cross(b - first, c - first), axis=1).sum() / 2)
        if area:
            areas[name] = area
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
    model: a car's paint, a sofa's fabric. Failing that, it is the dominant
    opaque material whatever its name, if it covers much of the model (a
    lamp's shade called "lamp"). Its colour has no name when a texture gives it.
    """
    materials = _materials(obj, mtl)
    total = sum(material.area for material in materials.values())
    opaque = sorted(((material.area, name) for name, material in materials.items() if material.opaque), reverse=True)
    named = sorted(((area, name) for area, name in opaque if not _NOT_BODY.search(name)),
                   key=lambda pair: -pair[0] * _body_weight(pair[1], materials[pair[1]]))
    dominant = [(area, name) for area, name in opaque if not _SEE_THROUGH.search(name)]
    if named and named[0][0] >= _MIN_BODY_SHARE * total:
        name = named[0][1]
    elif dominant and dominant[0][0] >= _MIN_DOMINANT_SHARE * total:
        name = dominant[0][1]
    else:
        return "", None
    rgb = materials[name].rgb
    return name, (colour_name(rgb) if rgb else None)


def _body_weight(name: str, material: _Material) -> float:
    weight = 3.0 if _PAINT.search(name) else 1.0
    if material.rgb is not None and max(material.rgb) < _NEAR_BLACK:
        weight /= 2
    return weight


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
        folders: dict[PurePosixPath, list[str]] = {}
        for name in names:
            folders.setdefault(PurePosixPath(name).parent, []).append(name)
        for position, number in enumerate(_record_numbers(properties), start=1):
            record = {key.rpartition("#")[0]: value for key, value in properties.items()
                      if key.endswith(f"#{number}")}
            location = f"record #{number} ({record.get('name', '?')})"
            try:
                entry = _entry(record, archive, folders, library, source, license_id)
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


def _entry(record: dict[str, str], archive: zipfile.ZipFile, folders: dict[PurePosixPath, list[str]], library: str,
           source: str, license_id: str) -> CatalogEntry:
    """``folders``: the library's file names by folder."""
    member = record["model"].lstrip("/")
    folder = PurePosixPath(member).parent
    if member not in folders.get(folder, ()):
        raise RecordError(f"model file {member!r} is not in the library", "its model file is not in the library")
    if not member.lower().endswith(".obj"):
        raise RecordError(f"model {member!r} is not an OBJ file", "its model is not an OBJ file")
    mtl_names = [name for name in folders[folder] if name.lower().endswith(".mtl")]
    mtl = archive.read(mtl_names[0]).decode("latin-1") if mtl_names else ""
    body, colour = body_material(archive.read(member), mtl)
    rotation = tuple(float(value) for value in record.get("modelRotation", "1 0 0 0 1 0 0 0 1").split())
    if len(rotation) != 9:
        raise RecordError("modelRotation must hold 9 numbers")
    size = tuple(round(float(record[axis]) / 100, 4) for axis in ("width", "depth", "height"))
    side = _SIDEWAYS.get(record.get("id", ""))
    if side:
        rotation, size = _turned(rotation, size, _FRONT_TURNS[side])
    name, note, extra_tags = _CORRECTIONS.get(record.get("id", ""), (record["name"], "", ()))
    tags = [tag.strip() for tag in record.get("tags", "").split(",")]
    tags = [tag for tag in tags if tag and tag.lower() not in _NOISE_TAGS] + list(extra_tags)
    if colour:
        tags.append(colour)
    height = float(record["height"])
    top = float(record.get("dropOnTopElevation", "-1"))
    category = record.get("category", "")
    ref = ModelRef(library, member, rotation, body)
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
        top_m=round(top / 100, 4) if _MIN_TOP_SHARE * height <= top < height else None,
    )


def _turned(rotation: tuple[float, ...], size: tuple[float, float, float],
            degrees: int) -> tuple[tuple[float, ...], tuple[float, float, float]]:
    """The model rotation followed by a turn about the vertical (y in the OBJ's axes; the same turn about z
    once imported), and the size of the turned model."""
    cos, sin = round(math.cos(math.radians(degrees))), round(math.sin(math.radians(degrees)))
    turn = np.array(((cos, 0, sin), (0, 1, 0), (-sin, 0, cos)), dtype=float)
    turned = (turn @ np.array(rotation).reshape(3, 3)).flatten()
    width, depth, height = size
    return tuple(float(value) + 0.0 for value in turned), (depth, width, height) if sin else size
