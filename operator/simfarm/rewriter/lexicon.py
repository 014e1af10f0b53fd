"""Words the rules rewriter knows, grouped by what they mean in a scene.

Camera moves, framings and scale words come from the vocabulary module;
this module holds the plain-English side: colours, materials, counts, verbs,
directions, relation markers, background and floor phrases, look words.
"""

from __future__ import annotations

from ..plan import vocabulary as vocab

COLORS = frozenset(
    "red orange yellow green blue purple violet pink brown black white gray grey silver gold golden "
    "beige teal cyan magenta maroon navy turquoise crimson lime olive tan ivory bronze copper".split()
)
COLOR_ALIASES = {"grey": "gray", "golden": "gold"}

# adjective -> material name used by the catalog
MATERIALS = {
    "wooden": "wood", "wood": "wood", "timber": "wood",
    "metal": "metal", "metallic": "metal", "steel": "metal", "iron": "metal", "chrome": "metal",
    "glass": "glass", "crystal": "glass",
    "stone": "stone", "rock": "stone",
    "marble": "marble",
    "plastic": "plastic",
    "golden": "gold", "gold": "gold",
    "ceramic": "ceramic", "porcelain": "ceramic", "clay": "ceramic",
    "rubber": "rubber",
    "concrete": "concrete",
    "leather": "leather",
    "fabric": "fabric", "cloth": "fabric", "woolen": "fabric",
    "paper": "paper", "cardboard": "paper",
    "brick": "brick",
}

COUNT_WORDS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "several": 3, "few": 3, "couple": 2, "pair": 2,
}
MAX_COPIES = 9
DETERMINERS = frozenset("the this that its his her their some another".split())

# Two-word size phrases first, then single words from the vocabulary.
SIZE_PHRASES = {" ".join(w.split()): s.name for s in vocab.SCALES for w in s.words}

MOVE_VERBS = frozenset(
    "drive drives driving drove move moves moving moved roll rolls rolling travel travels traveling "
    "travelling fly flies flying float floats floating slide slides sliding glide glides gliding walk "
    "walks walking run runs running drift drifts drifting race races racing crawl crawls crawling head "
    "heads heading go goes going hover hovers hovering sail sails sailing speed speeds speeding zoom "
    "zooms zooming rush rushes rushing dash dashes dashing creep creeps creeping bounce bounces "
    "bouncing hop hops hopping jump jumps jumping cruise cruises cruising swim swims swimming "
    "rise rises rising ascend ascends ascending lift lifts lifting climb climbs climbing levitate "
    "levitates levitating soar soars soaring".split()
)
UPWARD_VERBS = frozenset(
    "rise rises rising ascend ascends ascending lift lifts lifting climb climbs climbing levitate "
    "levitates levitating soar soars soaring".split()
)

# phrase -> direction, longest phrases are tried first
DIRECTION_PHRASES = {
    "to the left": "left", "towards the left": "left", "toward the left": "left", "leftward": "left",
    "leftwards": "left", "left": "left",
    "to the right": "right", "towards the right": "right", "toward the right": "right",
    "rightward": "right", "rightwards": "right", "right": "right",
    "towards the camera": "forward", "toward the camera": "forward", "towards us": "forward",
    "toward us": "forward", "towards the viewer": "forward", "toward the viewer": "forward",
    "forward": "forward", "forwards": "forward", "closer": "forward",
    "away from the camera": "backward", "away from us": "backward", "away": "backward",
    "backward": "backward", "backwards": "backward", "back": "backward",
    "upward": "up", "upwards": "up", "up": "up", "into the sky": "up", "into the air": "up",
}

# phrase -> relation kind; "on_top_of" makes a stack, None only introduces another object
RELATION_PHRASES = {
    "on top of": "on_top_of", "on the top of": "on_top_of", "atop": "on_top_of",
    "stacked on": "on_top_of", "sits on": "on_top_of", "sitting on": "on_top_of", "rests on": "on_top_of",
    "resting on": "on_top_of", "placed on": "on_top_of", "stands on": "on_top_of",
    "standing on": "on_top_of", "perched on": "on_top_of", "lies on": "on_top_of", "lying on": "on_top_of",
    "on": "on_top_of", "upon": "on_top_of",
    "to the left of": "left_of", "on the left of": "left_of", "on the left side of": "left_of",
    "left of": "left_of",
    "to the right of": "right_of", "on the right of": "right_of", "on the right side of": "right_of",
    "right of": "right_of",
    "in front of": "in_front_of", "before": "in_front_of",
    "behind": "behind", "in back of": "behind",
    "next to": "next_to", "beside": "next_to", "besides": "next_to", "alongside": "next_to",
    "near": "next_to", "close to": "next_to", "by": "next_to",
    "past": None, "around": None, "towards": None, "toward": None, "across from": None, "with": None,
    "and": None, "under": None, "beneath": None, "below": None,
}

SPEED_WORDS = {word: band.name for band in vocab.MOVEMENT_SPEEDS for word in band.words if " " not in word}
SPEED_WORDS.update({"at a moderate pace": "moderate", "at a steady pace": "moderate"})
ANIMATION_SPEED_WORDS = {
    "slow": "slow", "slowly": "slow", "gentle": "slow", "gently": "slow", "leisurely": "slow",
    "fast": "fast", "quick": "fast", "quickly": "fast", "rapid": "fast", "rapidly": "fast", "swift": "fast",
    "swiftly": "fast", "whip": "faster", "very fast": "faster", "very quickly": "faster",
}

# Words that end a noun phrase: verbs, prepositions, adverbs, conjunctions.
NOUN_PHRASE_STOPS = frozenset(
    "is are was were be being that which who while as and or but with without of in at on onto into to "
    "from by near next beside behind past across over under above below atop around towards toward "
    "through along then sits sit sitting rests rest resting stands stand standing lies lie lying placed "
    "stacked perched spins spin spinning turns turning rotates rotating slowly quickly fast slow "
    "gently rapidly swiftly steadily while it them left right front upon alongside before seen viewed shot "
    "filmed captured photographed rendered shown".split()
) | MOVE_VERBS

PRONOUNS = frozenset("it them him her this that".split())

# Terms that only a camera does; synonyms without them need "camera" nearby.
CAMERA_ONLY_TERMS = frozenset(
    "orbit orbits pan pans dolly dollies zoom zooms tilt tilts crane cranes boom booms pedestal "
    "push pushes pull pulls arc dutch tripod static locked camera".split()
)
CAMERA_CONTEXT_WORDS = frozenset("camera shot lens view angle framing".split())

CAMERA_ANGLES = {
    "low angle": "low_angle", "low-angle": "low_angle", "from below": "low_angle", "worm's-eye": "low_angle",
    "worms-eye": "low_angle", "worm's eye": "low_angle", "ground level": "low_angle",
    "high angle": "high_angle", "high-angle": "high_angle", "from above": "high_angle",
    "looking down": "high_angle",
    "bird's-eye view": "overhead", "bird's eye view": "overhead", "birds-eye view": "overhead",
    "birds eye view": "overhead", "bird's-eye": "overhead", "bird's eye": "overhead",
    "top-down": "overhead", "top down": "overhead", "overhead": "overhead", "top view": "overhead",
    "from directly above": "overhead", "aerial view": "overhead", "aerial": "overhead",
    "eye level": "eye_level", "eye-level": "eye_level",
}

# Background and lighting: a phrase containing one of these is a background phrase.
BACKGROUND_TERMS = (
    "night sky full of stars", "starry night sky", "starry sky", "starry night", "night sky",
    "under the stars", "at night", "nighttime", "night", "moonlight", "moonlit", "sunset", "sunrise",
    "dawn", "dusk", "twilight", "golden hour", "high noon", "noon", "midday", "daylight", "sunny day",
    "clear sky", "blue sky", "overcast", "cloudy sky", "cloudy", "stormy sky", "storm", "foggy", "fog",
    "misty", "mist", "snowy landscape", "snowy", "snowfall", "blizzard", "desert", "forest", "woods",
    "jungle", "studio lighting", "studio", "white backdrop", "neutral backdrop", "backdrop", "city",
    "urban", "indoors", "warehouse", "beach", "ocean", "mountains", "evening", "morning", "afternoon",
    "sky", "lighting",
)
BACKGROUND_LEADS = frozenset("at in under during against amid inside beneath with".split())

# Nouns that make "on …" a floor rather than a support object.
FLOOR_NOUNS = frozenset(
    "floor ground surface stage platform road street pavement carpet rug lawn field tiles tile grass "
    "sand snow asphalt concrete dirt gravel parquet floorboards boards planks mud ice bricks "
    "cobblestones cobblestone terrain soil".split()
)

# Look words: term -> effect; modifiers before a term pick the level.
EFFECT_TERMS = {
    "motion blur": "motionblur", "motion-blur": "motionblur", "motion blurred": "motionblur",
    "motion-blurred": "motionblur", "speed blur": "motionblur",
    "bloom": "bloom", "glow": "bloom", "glowing": "bloom", "dreamy": "bloom", "ethereal": "bloom",
    "luminous": "bloom", "radiant": "bloom",
    "ambient occlusion": "ssao", "soft shadows": "ssao", "contact shadows": "ssao", "deep shadows": "ssao",
    "reflections": "ssrr", "reflective floor": "ssrr", "glossy floor": "ssrr", "mirror-like": "ssrr",
    "screen-space reflections": "ssrr", "wet reflections": "ssrr",
}
EFFECT_MODIFIERS = {
    "no": "none", "without": "none",
    "subtle": "low", "slight": "low", "light": "low", "faint": "low", "gentle": "low", "soft": "low",
    "moderate": "medium", "some": "medium",
    "heavy": "high", "strong": "high", "intense": "high", "bright": "high", "dreamy": "high", "lots": "high",
    "extreme": "extreme", "massive": "extreme", "overwhelming": "extreme", "blinding": "extreme",
}
EFFECT_DEFAULT_LEVEL = {"dreamy": "high", "ethereal": "high"}

# Nouns that name parts of the picture, never objects to place.
NON_OBJECT_NOUNS = frozenset(
    "scene frame shot view image picture video clip background foreground camera viewer distance "
    "middle center centre side air sky lens composition".split()
)
