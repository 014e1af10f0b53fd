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
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 3, "few": 3,
    "couple": 2, "pair": 2, "both": 2, "many": 3, "multiple": 3, "some": 3, "numerous": 3,
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

# Camera jargon the vocabulary's synonyms lack; each names its move unambiguously.
EXTRA_CAMERA_MOVES = {
    "orbits clockwise": "orbit_right", "orbit clockwise": "orbit_right", "circles clockwise around": "orbit_right",
    "orbits counterclockwise": "orbit_left", "orbits counter-clockwise": "orbit_left",
    "orbit counterclockwise": "orbit_left", "orbit counter-clockwise": "orbit_left",
    "push-in": "dolly_in", "pull-back": "dolly_out", "pull-out": "dolly_out", "pulls away": "dolly_out",
    "dolly shot": "dolly_in", "slow zoom": "zoom_in", "zoom-in": "zoom_in", "zoom-out": "zoom_out",
    "truck left": "pan_left", "trucks left": "pan_left", "truck right": "pan_right", "trucks right": "pan_right",
    "pans across": "pan_right", "pan across": "pan_right", "panning shot": "pan_right", "whip pan": "pan_right",
    "crane shot": "crane_up", "crane-up": "crane_up", "crane-down": "crane_down", "jib up": "crane_up",
    "jib down": "crane_down", "pedestals up": "crane_up", "pedestals down": "crane_down",
    "orbiting shot": "orbit_left",
    "360-degree orbit": "orbit_left", "360 degree orbit": "orbit_left", "turntable shot": "orbit_left",
}
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

# Sky, light and time-of-day phrases read before parsing; a phrase containing one is a background phrase.
# Places and weather nouns ("forest", "rain") are found by the parse (SETTING_NOUNS, WEATHER_NOUNS).
BACKGROUND_TERMS = (
    "night sky full of stars", "starry night sky", "starry sky", "starry night", "night sky",
    "under the stars", "at night", "golden hour", "high noon", "blue hour", "sunny day", "clear sky", "blue sky",
    "cloudy sky", "stormy sky", "overcast sky", "studio lighting", "white backdrop", "neutral backdrop",
    "plain backdrop", "black backdrop", "morning light", "evening light", "natural light", "daylight",
    "moonlight", "sunlight", "moonlit", "sunlit", "candlelight", "candlelit",
)
BACKGROUND_LEADS = frozenset("at in under during against amid inside beneath with".split())

# Place nouns: where the scene is, never a prop on the grid. Noun -> floor query (None: no floor implied).
_GRASS, _SAND, _WATER, _PAVING, _WOOD = "grass", "sand", "water", "asphalt", "wooden floor"
SETTING_NOUNS: dict[str, str | None] = {
    **dict.fromkeys("hill hillside meadow field pasture park garden lawn prairie countryside farm farmland "
                    "valley orchard vineyard backyard yard cornfield barnyard savanna savannah plain plains "
                    "moor heath".split(), _GRASS),
    **dict.fromkeys("beach desert dune dunes shore seashore coast".split(), _SAND),
    **dict.fromkeys("lake sea ocean river pond stream waterfall bay harbour harbor lagoon canal marsh swamp "
                    "water waves".split(), _WATER),
    **dict.fromkeys("street road alley alleyway square plaza highway motorway city town village downtown "
                    "avenue boulevard crossroads intersection lot runway sidewalk driveway bridge parking "
                    "station track racetrack pier dock jetty port quay market marketplace".split(), _PAVING),
    **dict.fromkeys("room kitchen bedroom bathroom hallway corridor office study library classroom attic "
                    "basement cellar living diner cafe café restaurant bar pub shop store hall lobby studio "
                    "gallery museum workshop garage warehouse interior porch balcony veranda terrace "
                    "factory theater theatre gym "
                    "greenhouse motel hotel".split(), _WOOD),
    **dict.fromkeys("forest woods wood jungle rainforest clearing woodland grove".split(), "forest floor"),
    **dict.fromkeys("mountain mountains cliff canyon cave tunnel glacier tundra volcano rooftop roof "
                    "island moon mars space planet skyline horizon landscape scenery wilderness "
                    "outdoors backdrop background".split(), None),
    **dict.fromkeys("snowfield iceberg arctic antarctica".split(), "snow"),
}
# Weather, light and time of day: background words wherever they stand.
WEATHER_NOUNS = frozenset(
    "rain rainfall drizzle downpour storm thunderstorm snowstorm blizzard snow snowfall hail fog mist haze "
    "smog lightning thunder wind breeze clouds cloud sky stars night nighttime midnight sunset sunrise dawn "
    "dusk twilight morning afternoon evening noon midday daytime daylight darkness dark autumn fall winter "
    "spring summer weather sun moonrise".split()
)
WEATHER_ADJECTIVES = frozenset(
    "rainy foggy misty snowy stormy cloudy overcast sunny hazy windy dark gloomy moonlit sunlit starry "
    "frosty icy".split()
)
# Mood and style words that taggers read as nouns when they stand alone ("old truck, rusty, farm").
STYLE_WORDS = frozenset(
    "cosy cozy rusty vintage retro modern old antique ancient futuristic cyberpunk steampunk rustic moody "
    "cinematic dramatic epic serene peaceful quiet calm spooky eerie creepy cute realistic photorealistic "
    "stylized stylised minimalist colourful colorful shiny glossy matte weathered worn abandoned empty "
    "lonely lone abstract surreal whimsical magical mystical".split()
)
# What stands, sits or lies somewhere; as the last word of a phrase it is a verb the tagger mistook.
POSTURE_VERBS = frozenset(
    "stand stands standing sit sits sitting lie lies lying rest rests resting hang hangs hanging lean leans "
    "leaning perch perched wait waits waiting sleep sleeps sleeping parked placed stacked arranged "
    "positioned left abandoned curled grazing hiding looming towering".split()
)
# Clothing: "a knight in shining armour" does not place the armour in the scene.
WEARABLE_NOUNS = frozenset(
    "armour armor coat jacket dress suit hat uniform costume helmet robe cloak scarf gown shirt sweater "
    "hoodie overalls apron cape".split()
)
# Plurals whose singular keeps "ie" ("cookies" -> "cookie", not "cooky").
IE_SINGULARS = frozenset("cookie movie pie tie brownie zombie hoodie selfie magpie necktie smoothie pixie "
                         "rookie goalie budgie beanie genie collie".split())
# "garage" in "a car in a garage" is a place, "shelf" in "a book on a shelf" a prop: only SETTING_NOUNS are places.

# Nouns that make "on …" a floor rather than a support object.
FLOOR_NOUNS = frozenset(
    "floor ground surface stage platform pavement carpet rug tiles tile grass sand asphalt concrete dirt "
    "gravel parquet floorboards boards planks mud ice cobblestones cobblestone terrain soil moss tarmac "
    "linoleum snow".split()
)

# Look words: term -> effect; modifiers before a term pick the level.
EFFECT_TERMS = {
    "motion blur": "motionblur", "motion-blur": "motionblur", "motion blurred": "motionblur",
    "motion-blurred": "motionblur", "speed blur": "motionblur", "neon glow": "bloom", "neon lights": "bloom",
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
    "scene frame shot view image picture video clip foreground camera viewer distance "
    "air sky lens composition horizon corner bottom way circle line row light lighting glow shadow "
    "shadows reflection reflections color colour past away overhead clockwise counterclockwise together "
    "apart ahead "
    "style mood atmosphere tone scheme motion blur other guard place spot time moment kind sort video "
    "footage".split()
)
# "a row of four taxis": the quantity noun gives the count (None: a plural, count left to PLURAL_COUNT).
QUANTITY_NOUNS: dict[str, int | None] = {
    "pair": 2, "couple": 2, "dozen": 9, "row": None, "stack": None, "pile": None, "heap": None, "group": None,
    "flock": None, "herd": None, "bunch": None, "set": None, "line": None, "cluster": None, "handful": None,
    "collection": None, "crowd": None, "swarm": None, "school": None, "pack": None, "bundle": None,
    "series": None, "number": None, "lot": None, "lots": None, "plenty": None,
}
PLURAL_COUNT = 3  # "apples", "several apples": a plural without a number
# Things that hold what is "of" / "in" / "full of" / "filled with" them: the contents stand on them.
CONTAINER_NOUNS = frozenset(
    "bowl basket vase plate tray box crate jar table desk counter workbench nightstand windowsill stand "
    "pedestal easel bucket cup mug glass pot cart bag bin bathtub tub cage nest "
    "shelf bookshelf bookcase dish pan sack barrel trough wheelbarrow trolley planter chest drawer "
    "aquarium tank cauldron kettle teapot pitcher jug bottle saucer boat wagon trailer truck chair "
    "armchair sofa couch bench bed hammock stroller pram".split()
)
# Nouns inside relation phrases: "on top of", "in front of", "to the left of".
RELATIONAL_NOUNS = {"top": "on_top_of", "front": "in_front_of", "back": "behind", "left": "left_of",
                    "right": "right_of", "side": "next_to", "middle": None, "center": None, "centre": None,
                    "edge": "next_to", "foot": "next_to", "base": "next_to", "end": None, "corner": None}
# Preposition -> relation kind; "support" puts the subject on the target, None says nothing.
PREPOSITION_KINDS = {
    "on": "support", "onto": "support", "upon": "support", "atop": "support",
    "in": "contained", "inside": "contained", "into": "contained", "within": "contained",
    "under": "under", "beneath": "under", "below": "under", "underneath": "under",
    "over": "over", "above": "over",
    "behind": "behind", "before": "in_front_of",
    "beside": "next_to", "besides": "next_to", "alongside": "next_to", "by": "next_to", "near": "next_to",
    "against": "next_to", "around": "next_to", "between": "next_to", "among": "next_to", "amongst": "next_to",
    "nearby": "next_to", "next": "next_to", "opposite": "facing",
}
# Contents that are substances, not objects: "a cup of coffee", "a trailer full of hay".
MASS_NOUNS = frozenset(
    "coffee tea water milk juice wine beer soup hay straw sand soil dirt snow ice paint oil smoke steam "
    "fire light food rice cereal popcorn candy honey cream sauce".split()
)

