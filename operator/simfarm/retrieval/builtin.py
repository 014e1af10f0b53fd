"""The embedded catalog: procedural objects, worlds and floors, usable offline.

Objects and floors name a generator from ``procedural`` that the render
worker builds from Blender primitives; backgrounds are the eight real HDRIs
that ship inside Blender itself, plus procedural skies for the moods those
lack. So a plan made from this catalog renders with no download. Objects come
in colour/finish variants with a caption each; worlds and floors are tagged
like real HDRI/texture catalogs. Real models come from the default library
(``simfarm.retrieval.library``), imported on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import procedural
from .shapes import BLUEPRINTS, front_facing_size
from .entries import CatalogEntry, CatalogKind
from .library_uris import BLENDER_SCHEME

SOURCE = "embedded"
LICENSE = "CC0-1.0"

_FINISH_ADJECTIVES = {"wood": "wooden"}


@dataclass(frozen=True)
class _ObjectSpec:
    type: str
    noun: str
    caption: str
    tags: str
    categories: str
    height_m: float  # real-world height; the blueprint's proportions give width and depth
    variants: str  # "colour/finish" pairs separated by spaces


# Tags name what the shape is and what people call it, never a style or species it cannot show: a caption keeps a
# prompt's word ("vintage", "oak") only where the chosen entry's record states it.
_OBJECTS: tuple[_ObjectSpec, ...] = (
    _ObjectSpec("cube", "cube", "a simple box-shaped block with six square faces", "box block square geometric primitive",
                "primitive shape", 1.0, "red/plastic blue/plastic white/stone gold/metal"),
    _ObjectSpec("sphere", "sphere", "a perfectly round ball-shaped orb", "orb round globe geometric primitive",
                "primitive shape", 1.0, "blue/glass red/plastic silver/chrome white/ceramic"),
    _ObjectSpec("cylinder", "cylinder", "a round column with flat circular ends", "tube pillar round geometric primitive",
                "primitive shape", 1.0, "gray/stone green/plastic silver/metal"),
    _ObjectSpec("cone", "cone", "a solid with a round base tapering to a point", "pointed taper geometric primitive",
                "primitive shape", 1.0, "orange/plastic yellow/plastic purple/ceramic"),
    _ObjectSpec("torus", "torus", "a ring-shaped donut with a hole in the middle", "ring donut loop geometric primitive",
                "primitive shape", 0.4, "pink/ceramic gold/metal teal/plastic"),
    _ObjectSpec("pyramid", "pyramid", "a four-sided pyramid with a square base and a pointed top",
                "pointed triangle monument geometric primitive", "primitive shape landmark", 1.0,
                "beige/stone gold/metal gray/stone"),
    _ObjectSpec("chair", "chair", "a four-legged seat with a backrest", "seat seating furniture dining",
                "furniture interior", 0.9, "red/wood brown/wood black/metal white/plastic"),
    _ObjectSpec("table", "table", "a flat tabletop on four legs", "dining desk furniture surface",
                "furniture interior", 0.75, "brown/wood white/wood black/metal gray/glass"),
    _ObjectSpec("bench", "bench", "a long seat for several people, as in a park", "park seat seating outdoor",
                "furniture outdoor", 0.8, "brown/wood green/metal gray/stone"),
    _ObjectSpec("sofa", "sofa", "an upholstered couch with armrests and cushions", "couch settee living room furniture",
                "furniture interior", 0.85, "gray/fabric blue/fabric brown/leather red/fabric"),
    _ObjectSpec("bed", "bed", "a bed with a mattress, pillows and a headboard", "bedroom sleep mattress furniture",
                "furniture interior", 1.0, "white/fabric blue/fabric brown/wood"),
    _ObjectSpec("bookshelf", "bookshelf", "a tall shelf unit filled with books", "bookcase shelves library books furniture",
                "furniture interior", 1.8, "brown/wood white/wood black/metal"),
    _ObjectSpec("lamp", "lamp", "a table lamp with a shade and a glowing bulb", "light lampshade lighting desk lamp",
                "furniture lighting interior", 0.5, "white/ceramic gold/metal black/metal red/plastic"),
    _ObjectSpec("stool", "stool", "a small backless seat on three legs", "seat bar stool furniture",
                "furniture interior", 0.65, "brown/wood black/metal red/plastic"),
    _ObjectSpec("vase", "vase", "a decorative vessel for flowers with a narrow neck", "pot urn decoration flowers vessel",
                "household decoration", 0.35, "blue/ceramic white/ceramic teal/glass red/ceramic"),
    _ObjectSpec("bottle", "bottle", "a glass bottle with a narrow neck and a cap", "flask container drink wine beverage",
                "household kitchen", 0.3, "green/glass blue/glass white/plastic"),
    _ObjectSpec("cup", "cup", "a drinking cup or mug with a handle", "mug coffee tea drink kitchen",
                "household kitchen", 0.1, "white/ceramic red/ceramic blue/plastic"),
    _ObjectSpec("bowl", "bowl", "a round open dish for food", "dish kitchen food tableware",
                "household kitchen", 0.1, "white/ceramic brown/wood blue/ceramic"),
    _ObjectSpec("clock", "clock", "a round wall clock with hands and numbers", "time watch timepiece wall clock",
                "household decoration", 0.3, "white/plastic gold/metal black/wood"),
    _ObjectSpec("television", "television", "a flat screen television on a stand", "tv screen monitor display electronics",
                "household electronics", 0.7, "black/plastic silver/metal"),
    _ObjectSpec("barrel", "barrel", "a wooden barrel with metal hoops", "cask keg container storage",
                "container prop", 0.9, "brown/wood red/metal blue/plastic"),
    _ObjectSpec("crate", "crate", "a square wooden shipping crate", "box chest storage container cargo",
                "container prop", 0.6, "brown/wood green/plastic gray/metal"),
    _ObjectSpec("car", "car", "a four-wheeled passenger car", "automobile sedan vehicle car road",
                "vehicle transport", 1.45, "red/metal blue/metal black/metal yellow/metal white/metal"),
    _ObjectSpec("truck", "truck", "a large cargo truck with a cab and a trailer box", "lorry pickup vehicle delivery",
                "vehicle transport", 3.0, "red/metal white/metal blue/metal"),
    _ObjectSpec("bus", "bus", "a long passenger bus with many windows", "coach school bus vehicle public transport",
                "vehicle transport", 3.2, "yellow/metal red/metal blue/metal"),
    _ObjectSpec("boat", "boat", "a small boat with a hull and a sail", "sailboat ship vessel sailing water",
                "vehicle transport water", 2.5, "white/wood blue/wood red/plastic"),
    _ObjectSpec("airplane", "airplane", "a passenger airplane with wings and a tail fin", "plane aircraft jet flight",
                "vehicle transport aircraft", 4.0, "white/metal silver/metal red/metal"),
    _ObjectSpec("rocket", "rocket", "a space rocket with fins and a pointed nose cone", "spaceship spacecraft launch space",
                "vehicle space", 6.0, "white/metal red/metal silver/chrome"),
    _ObjectSpec("tree", "tree", "a leafy deciduous tree with a round green crown", "leafy plant forest nature",
                "nature plant", 6.0, "green/wood orange/wood"),
    _ObjectSpec("pine_tree", "pine tree", "a conifer with a pointed evergreen crown", "fir conifer evergreen christmas tree forest",
                "nature plant", 8.0, "green/wood white/wood"),
    _ObjectSpec("palm_tree", "palm tree", "a tall tropical palm with fronds at the top", "tropical beach coconut plant",
                "nature plant", 7.0, "green/wood"),
    _ObjectSpec("bush", "bush", "a round leafy shrub", "shrub hedge plant garden",
                "nature plant", 1.2, "green/wood"),
    _ObjectSpec("rock", "rock", "a rough grey boulder", "boulder stone pebble nature",
                "nature", 1.0, "gray/stone brown/stone"),
    _ObjectSpec("flower", "flower", "a single blooming flower on a green stem", "blossom bloom plant garden rose",
                "nature plant", 0.4, "red/fabric yellow/fabric pink/fabric purple/fabric"),
    _ObjectSpec("mushroom", "mushroom", "a mushroom with a spotted cap on a thick stem", "fungus toadstool forest",
                "nature plant", 0.2, "red/ceramic brown/ceramic"),
    _ObjectSpec("cactus", "cactus", "a spiny desert cactus with arms", "succulent desert plant",
                "nature plant", 1.5, "green/plastic"),
    _ObjectSpec("house", "house", "a two-storey family house with a pitched roof", "home building residence suburban",
                "building architecture", 7.0, "white/wood red/stone beige/stone"),
    _ObjectSpec("cabin", "cabin", "a small wooden log cabin with a chimney", "hut cottage log house lodge shack",
                "building architecture", 4.0, "brown/wood red/wood"),
    _ObjectSpec("tower", "tower", "a tall stone tower with battlements", "castle keep turret building",
                "building architecture landmark", 15.0, "gray/stone beige/stone"),
    _ObjectSpec("lighthouse", "lighthouse", "a striped lighthouse with a lamp room on top", "beacon coast sea tower",
                "building architecture landmark", 12.0, "white/stone red/stone"),
    _ObjectSpec("windmill", "windmill", "a windmill with four large rotating sails", "mill wind turbine farm",
                "building architecture", 10.0, "white/wood brown/wood"),
    _ObjectSpec("tent", "tent", "a camping tent with a triangular shape", "camping camp shelter outdoor",
                "building outdoor", 1.3, "orange/fabric green/fabric blue/fabric"),
    _ObjectSpec("fence", "fence", "a section of picket fence", "picket fence barrier garden railing",
                "structure outdoor", 1.0, "white/wood brown/wood black/metal"),
    _ObjectSpec("street_lamp", "street lamp", "a tall street light on a metal pole", "lamppost streetlight lamp post city",
                "structure outdoor lighting", 4.0, "black/metal gray/metal"),
    _ObjectSpec("robot", "robot", "a humanoid robot with a boxy head, arms and legs", "android droid machine mech",
                "character", 1.7, "silver/chrome white/plastic red/metal blue/metal"),
    _ObjectSpec("dog", "dog", "a four-legged dog with a tail", "puppy pet animal quadruped canine",
                "animal character", 0.6, "brown/fabric black/fabric white/fabric"),
    _ObjectSpec("cat", "cat", "a small four-legged cat with pointed ears and a tail", "kitten pet animal quadruped feline",
                "animal character", 0.3, "orange/fabric black/fabric gray/fabric"),
    _ObjectSpec("horse", "horse", "a horse standing on four long legs", "pony stallion animal quadruped farm",
                "animal character", 1.6, "brown/fabric white/fabric black/fabric"),
    _ObjectSpec("bird", "bird", "a small bird with wings and a beak", "sparrow songbird animal flying",
                "animal character", 0.2, "blue/fabric red/fabric yellow/fabric"),
    _ObjectSpec("snowman", "snowman", "a snowman made of three stacked snowballs with a carrot nose", "snow winter christmas",
                "character winter", 1.6, "white/fabric"),
    _ObjectSpec("ball", "ball", "a bouncy toy ball", "toy football soccer beach ball sport",
                "toy sport", 0.25, "red/rubber blue/rubber yellow/rubber white/leather"),
    _ObjectSpec("traffic_cone", "traffic cone", "an orange road traffic cone with reflective stripes", "pylon road work street",
                "structure outdoor", 0.7, "orange/plastic yellow/plastic"),
    _ObjectSpec("umbrella", "umbrella", "an open umbrella with a curved handle", "parasol rain",
                "accessory", 1.0, "black/fabric red/fabric blue/fabric"),
    _ObjectSpec("pumpkin", "pumpkin", "a round ribbed pumpkin with a stem", "halloween gourd vegetable autumn",
                "food autumn", 0.35, "orange/ceramic white/ceramic"),
    _ObjectSpec("trophy", "trophy", "a cup-shaped trophy on a pedestal", "award prize cup winner",
                "decoration", 0.4, "gold/metal silver/metal"),
)

# The HDRIs inside the bpy wheel (``bpy.utils.system_resource('DATAFILES', path='studiolights/world')``):
# 1k maps by Greg Zaal from Poly Haven originals, CC0. The worker finds them through blender:// URIs.
_HDRIS: tuple[tuple[str, str, str, str, str, str], ...] = (
    # file stem, name, description, tags, categories, Poly Haven original
    ("sunset", "Venice sunset", "golden evening light over a Venetian canal, low warm sun near the horizon",
     "sunset evening golden hour dusk warm orange low sun city canal water outdoor clear",
     "outdoor urban sunrise-sunset", "venice_sunset"),
    ("sunrise", "Spruit sunrise", "early morning sun rising over a misty field with trees and a path",
     "sunrise dawn morning early golden hour warm low sun mist field trees grass outdoor",
     "outdoor nature", "spruit_sunrise"),
    ("night", "Moonless golf course at night", "dark starry night over a golf course, the milky way overhead",
     "night stars starry milky way dark midnight grass field outdoor", "outdoor nature night", "moonless_golf"),
    ("city", "Portland landing pad", "city rooftop helipad among skyscrapers in daylight",
     "city urban skyscrapers buildings rooftop downtown day daylight street outdoor", "outdoor urban",
     "portland_landing_pad"),
    ("forest", "Ninomaru garden", "green Japanese garden with trees and dappled daylight",
     "forest trees woods garden park green nature dappled sunlight day outdoor", "outdoor nature",
     "ninomaru_teien"),
    ("studio", "Small photo studio", "neutral photo studio lit by softboxes and umbrellas",
     "studio softbox umbrella photography product neutral lamps indoor", "indoor studio artificial light",
     "studio_small_01"),
    ("interior", "Hotel room", "indoor hotel room with a window, soft daylight and lamps",
     "interior indoor room hotel bedroom window lamp home apartment", "indoor natural light artificial light",
     "hotel_room"),
    ("courtyard", "Courtyard", "sunny stone courtyard between old buildings at midday",
     "courtyard yard plaza square buildings stone sunny day midday noon outdoor", "outdoor urban",
     "courtyard"),
)
HDRI_CREATOR = "Greg Zaal (Poly Haven)"

# Procedural skies kept for the moods the HDRIs lack.
_WORLDS: tuple[tuple[str, str, str, str, str], ...] = (
    # type, name, description, tags, categories
    ("noon", "Midday clear sky", "bright blue sky with a high sun and hard shadows at noon",
     "noon midday day daylight sunny clear blue sky sun outdoor", "outdoor skies high contrast"),
    ("overcast", "Overcast sky", "grey cloudy sky with soft diffuse daylight and no shadows",
     "overcast cloudy clouds grey day diffuse soft outdoor", "outdoor skies low contrast"),
    ("snowy", "Snowy winter day", "cold white winter landscape with snow and pale sky",
     "snow snowy winter cold white ice outdoor", "outdoor nature skies"),
    ("foggy", "Foggy morning", "misty grey fog that fades everything into haze",
     "fog foggy mist misty haze grey morning outdoor", "outdoor nature low contrast"),
    ("desert", "Desert sun", "hot dry desert with sand dunes under a harsh sun",
     "desert sand dunes hot dry sun arid outdoor", "outdoor nature high contrast"),
    ("dusk", "Blue hour dusk", "deep blue twilight sky just after the sun has set",
     "dusk twilight blue hour evening dim outdoor", "outdoor skies low contrast"),
    ("stormy", "Stormy sky", "dark dramatic storm clouds with rain and flashes of lightning",
     "storm stormy thunder lightning rain dark clouds dramatic outdoor", "outdoor skies"),
)

_FLOORS: tuple[tuple[str, str, str, str, str], ...] = (
    ("wood", "Wooden floor", "polished hardwood floor planks", "wood wooden parquet planks hardwood floor indoor",
     "floor wood"),
    ("marble", "Marble tiles", "white polished marble with grey veins", "marble polished stone luxury white veins",
     "floor stone"),
    ("concrete", "Concrete slab", "smooth grey poured concrete", "concrete cement grey urban industrial",
     "floor man made"),
    ("asphalt", "Asphalt road", "dark tarmac road surface", "asphalt tarmac road street pavement urban",
     "floor road outdoor"),
    ("grass", "Grass lawn", "green grass lawn", "grass lawn meadow field green garden park",
     "floor terrain nature outdoor"),
    ("sand", "Beach sand", "fine yellow beach sand", "sand beach dunes desert sandy",
     "floor terrain nature outdoor"),
    ("snow", "Fresh snow", "clean white fresh snow", "snow snowy winter white cold",
     "floor terrain nature outdoor"),
    ("tiles", "Ceramic tiles", "square ceramic floor tiles with grout", "tiles tiled ceramic kitchen bathroom checkered",
     "floor tiles indoor"),
    ("carpet", "Carpet", "soft woven carpet", "carpet rug fabric soft living room",
     "floor fabric indoor"),
    ("metal", "Metal plate", "industrial diamond-plate metal floor", "metal steel plate industrial diamond plate",
     "floor metal man made"),
    ("dirt", "Dirt ground", "brown earth and mud", "dirt earth mud soil ground path",
     "floor terrain nature outdoor"),
    ("brick", "Brick pavement", "red brick paving", "brick bricks paving pavement red",
     "floor man made outdoor"),
    ("gravel", "Gravel", "loose grey gravel stones", "gravel pebbles stones path",
     "floor terrain outdoor"),
    ("ice", "Ice sheet", "slippery frozen blue-white ice", "ice frozen lake winter rink cold",
     "floor terrain nature outdoor"),
    ("water", "Calm water", "still dark water of a lake, a river or the sea", "water lake sea ocean river pond calm",
     "floor water nature outdoor"),
)


_OBJECTS_BY_TYPE = {spec.type: spec for spec in _OBJECTS}


def object_name(type_: str, color: str | None, finish: str | None) -> str:
    """How the embedded catalog names a procedural object: "red wooden chair"."""
    words = [color, _FINISH_ADJECTIVES.get(finish, finish), _OBJECTS_BY_TYPE[type_].noun]
    return " ".join(word for word in words if word)


def real_size(type_: str) -> tuple[float, float, float]:
    """(width, depth, height) in metres of an embedded object type: its real height, its blueprint's proportions."""
    spec = _OBJECTS_BY_TYPE[type_]
    width, depth, height = front_facing_size(BLUEPRINTS[type_])
    metres = spec.height_m / height
    return (round(width * metres, 3), round(depth * metres, 3), spec.height_m)


def _object_entries(spec: _ObjectSpec) -> list[CatalogEntry]:
    entries = []
    for variant in spec.variants.split():
        color, finish = variant.split("/")
        name = object_name(spec.type, color, finish)
        entries.append(CatalogEntry(
            id=f"{spec.type}-{color}-{finish}",
            kind=CatalogKind.object,
            name=name,
            description=f"a {name}: {spec.caption}",
            tags=tuple(spec.tags.split()) + (color, finish),
            categories=tuple(spec.categories.split()),
            uri=procedural.procedural_uri("object", spec.type, color=color, material=finish),
            license=LICENSE,
            source=SOURCE,
            size_m=real_size(spec.type),
        ))
    return entries


def _hdri_entries() -> list[CatalogEntry]:
    return [
        CatalogEntry(
            id=f"hdri-{stem}", kind=CatalogKind.hdri, name=name, description=description,
            tags=tuple(tags.split()), categories=tuple(categories.split()),
            uri=f"{BLENDER_SCHEME}://studiolights/world/{stem}.exr", license=LICENSE, creator=HDRI_CREATOR,
            source=SOURCE,
        )
        for stem, name, description, tags, categories, _original in _HDRIS
    ]


def _simple_entries(kind: CatalogKind, procedural_kind: str, rows) -> list[CatalogEntry]:
    return [
        CatalogEntry(
            id=f"{procedural_kind}-{type_}",
            kind=kind,
            name=name,
            description=description,
            tags=tuple(tags.split()),
            categories=tuple(categories.split()),
            uri=procedural.procedural_uri(procedural_kind, type_),
            license=LICENSE,
            source=SOURCE,
        )
        for type_, name, description, tags, categories in rows
    ]


@lru_cache(maxsize=None)
def builtin_entries(kind: CatalogKind) -> tuple[CatalogEntry, ...]:
    """The embedded entries of one kind, in a stable order."""
    if kind is CatalogKind.object:
        return tuple(entry for spec in _OBJECTS for entry in _object_entries(spec))
    if kind is CatalogKind.hdri:
        return tuple(_hdri_entries() + _simple_entries(kind, "world", _WORLDS))
    return tuple(_simple_entries(kind, "floor", _FLOORS))


# The entry a scene element falls back to when nothing matches its phrase.
FALLBACK_IDS: dict[CatalogKind, str] = {
    CatalogKind.object: "cube-white-stone",
    CatalogKind.hdri: "hdri-studio",
    CatalogKind.material: "floor-concrete",
}
