"""Procedural asset URIs: the one list shared by the catalog and the renderer.

The embedded catalog needs no downloads: each of its entries names a
generator that the render worker builds from Blender primitives. This module
is that contract, so it stays free of heavy imports (the worker imports it).

URI format, one per catalog kind::

    procedural://object/<type>?color=<colour>&material=<finish>   (both optional)
    procedural://world/<type>                                       (HDRI stand-in)
    procedural://floor/<type>?color=<colour>                        (optional tint)

Colours are names from ``COLORS`` (sRGB, 0–1; ``linear_rgb`` converts for
Blender's base colour); finishes are names from ``FINISHES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

SCHEME = "procedural"

OBJECT_TYPES: tuple[str, ...] = (
    # primitives
    "cube", "sphere", "cylinder", "cone", "torus", "pyramid",
    # furniture
    "chair", "table", "bench", "sofa", "bed", "bookshelf", "lamp", "stool",
    # household
    "vase", "bottle", "cup", "bowl", "clock", "television", "barrel", "crate",
    # vehicles
    "car", "truck", "bus", "boat", "airplane", "rocket",
    # nature
    "tree", "pine_tree", "palm_tree", "bush", "rock", "flower", "mushroom", "cactus",
    # buildings and structures
    "house", "cabin", "tower", "lighthouse", "windmill", "tent", "fence", "street_lamp",
    # characters and animals (quadrupeds share one body plan)
    "robot", "dog", "cat", "horse", "bird", "snowman",
    # miscellaneous
    "ball", "traffic_cone", "umbrella", "pumpkin", "trophy",
)

WORLD_TYPES: tuple[str, ...] = (
    "sunset", "sunrise", "noon", "overcast", "night", "studio",
    "snowy", "foggy", "desert", "forest", "dusk", "stormy",
)

FLOOR_TYPES: tuple[str, ...] = (
    "wood", "marble", "concrete", "asphalt", "grass", "sand", "snow",
    "tiles", "carpet", "metal", "dirt", "brick", "gravel", "ice", "water",
)

# sRGB, 0–1, as a person names the colour.
COLORS: Mapping[str, tuple[float, float, float]] = {
    "red": (0.80, 0.10, 0.10),
    "orange": (0.95, 0.50, 0.10),
    "yellow": (0.95, 0.85, 0.15),
    "green": (0.15, 0.60, 0.20),
    "blue": (0.15, 0.30, 0.85),
    "purple": (0.50, 0.20, 0.70),
    "pink": (0.95, 0.55, 0.70),
    "brown": (0.45, 0.28, 0.15),
    "black": (0.04, 0.04, 0.04),
    "white": (0.95, 0.95, 0.95),
    "gray": (0.50, 0.50, 0.50),
    "silver": (0.75, 0.75, 0.78),
    "gold": (0.83, 0.69, 0.22),
    "teal": (0.10, 0.55, 0.55),
    "beige": (0.90, 0.85, 0.70),
}

COLOR_SYNONYMS: Mapping[str, str] = {"grey": "gray", "golden": "gold", "violet": "purple", "cyan": "teal"}


@dataclass(frozen=True)
class Finish:
    """Principled-BSDF hints for an object's surface material."""

    roughness: float
    metallic: float = 0.0
    transmission: float = 0.0


FINISHES: Mapping[str, Finish] = {
    "wood": Finish(roughness=0.6),
    "metal": Finish(roughness=0.3, metallic=1.0),
    "chrome": Finish(roughness=0.05, metallic=1.0),
    "plastic": Finish(roughness=0.4),
    "glass": Finish(roughness=0.02, transmission=1.0),
    "stone": Finish(roughness=0.85),
    "ceramic": Finish(roughness=0.15),
    "fabric": Finish(roughness=0.95),
    "rubber": Finish(roughness=0.9),
    "leather": Finish(roughness=0.5),
}

# Words a prompt uses for a finish ("wooden table", "steel robot").
FINISH_SYNONYMS: Mapping[str, str] = {
    "wooden": "wood", "timber": "wood", "oak": "wood", "pine": "wood",
    "metallic": "metal", "steel": "metal", "iron": "metal", "aluminium": "metal", "aluminum": "metal",
    "bronze": "metal", "copper": "metal", "brass": "metal",
    "shiny": "chrome", "mirror": "chrome",
    "plastics": "plastic", "glassy": "glass", "crystal": "glass",
    "marble": "stone", "granite": "stone", "rocky": "stone", "concrete": "stone",
    "porcelain": "ceramic", "clay": "ceramic",
    "cloth": "fabric", "woolen": "fabric", "wool": "fabric", "velvet": "fabric", "cotton": "fabric",
}

TYPES_BY_KIND: Mapping[str, tuple[str, ...]] = {
    "object": OBJECT_TYPES,
    "world": WORLD_TYPES,
    "floor": FLOOR_TYPES,
}
_PARAMS_BY_KIND: Mapping[str, Mapping[str, Mapping]] = {
    "object": {"color": COLORS, "material": FINISHES},
    "world": {},
    "floor": {"color": COLORS},
}


class ProceduralUriError(ValueError):
    """A procedural URI names an unknown kind, type, parameter or value."""


class ProceduralRef(NamedTuple):
    kind: str  # "object" | "world" | "floor"
    type: str  # one of TYPES_BY_KIND[kind]
    params: dict[str, str]


def normalize_color(name: str) -> str | None:
    """The ``COLORS`` key for a colour word ("Grey" → "gray"), or None if unknown."""
    word = name.strip().lower()
    word = COLOR_SYNONYMS.get(word, word)
    return word if word in COLORS else None


def normalize_finish(name: str) -> str | None:
    """The ``FINISHES`` key for a material word ("wooden" → "wood"), or None if unknown."""
    word = name.strip().lower()
    word = FINISH_SYNONYMS.get(word, word)
    return word if word in FINISHES else None


def linear_rgb(color: str) -> tuple[float, float, float]:
    """Linear-light RGB of a named colour (Blender's base colour is linear)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = COLORS[color]
    return channel(r), channel(g), channel(b)


def _validate(kind: str, type_: str, params: Mapping[str, str], uri: str) -> None:
    if kind not in TYPES_BY_KIND:
        raise ProceduralUriError(f"{uri}: unknown procedural kind {kind!r}; known: {', '.join(TYPES_BY_KIND)}")
    if type_ not in TYPES_BY_KIND[kind]:
        raise ProceduralUriError(f"{uri}: unknown {kind} type {type_!r}")
    allowed = _PARAMS_BY_KIND[kind]
    for key, value in params.items():
        if key not in allowed:
            raise ProceduralUriError(f"{uri}: {kind} takes no parameter {key!r}; allowed: {', '.join(allowed) or 'none'}")
        if value not in allowed[key]:
            raise ProceduralUriError(f"{uri}: unknown {key} {value!r}; known: {', '.join(allowed[key])}")


def procedural_uri(kind: str, type_: str, **params: str | None) -> str:
    """Build a validated URI; ``None`` parameters are left out, keys are sorted."""
    given = {key: value for key, value in sorted(params.items()) if value is not None}
    uri = f"{SCHEME}://{kind}/{type_}" + (f"?{urlencode(given)}" if given else "")
    _validate(kind, type_, given, uri)
    return uri


def is_procedural(uri: str) -> bool:
    return uri.startswith(f"{SCHEME}://")


def parse_procedural_uri(uri: str) -> ProceduralRef:
    """``procedural://object/chair?color=red`` → ``ProceduralRef("object", "chair", {"color": "red"})``."""
    parts = urlsplit(uri)
    if parts.scheme != SCHEME:
        raise ProceduralUriError(f"{uri}: not a {SCHEME}:// URI")
    type_ = parts.path.strip("/")
    try:
        params = dict(parse_qsl(parts.query, strict_parsing=bool(parts.query)))
    except ValueError as error:
        raise ProceduralUriError(f"{uri}: {error}") from None
    _validate(parts.netloc, type_, params, uri)
    return ProceduralRef(parts.netloc, type_, params)
