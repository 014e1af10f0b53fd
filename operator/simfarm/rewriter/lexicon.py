"""Words the rules rewriter knows, grouped by what they mean in a scene.

Camera moves, framings and scale words come from the vocabulary module;
this module holds the plain-English side: colours, materials, counts, verbs,
directions, relation markers, background and floor phrases, look words.
"""

from __future__ import annotations

import re
from typing import Iterable

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
    "couple": 2, "pair": 2, "both": 2, "many": 3, "multiple": 3, "some": 3, "numerous": 3, "dozen": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}
UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
MAX_COPIES = 9  # copies of one object a draft places; a larger count is placed as this many, with a warning
# Determiners that say the thing is absent: "no people", "zero cars"; "without" does the same as a preposition.
NEGATING_WORDS = frozenset({"no", "zero"})
NEGATING_PREPOSITIONS = frozenset({"without", "minus", "sans"})
DETERMINERS = frozenset("the this that its his her their some another".split())

# Two-word size phrases first, then single words from the vocabulary.
SIZE_PHRASES = {" ".join(w.split()): s.name for s in vocab.SCALES for w in s.words}

def inflections(bases: str) -> frozenset[str]:
    """'trot' -> trot trots trotting trotted; 'glide' -> gliding; 'fly' -> flies; irregular forms are listed apart."""
    forms = set()
    for base in bases.split():
        stem = base[:-1] if base.endswith("e") and not base.endswith("ee") else base
        if len(base) <= 4 and base[-1] in "bdgmnprt" and base[-2] in "aeiou" and base[-3] not in "aeiou":
            stem = base + base[-1]  # "trot" -> "trotting"
        if base.endswith("y") and base[-2] not in "aeiou":
            third, past = base[:-1] + "ies", base[:-1] + "ied"
        else:
            third = base + ("es" if base.endswith(("s", "sh", "ch", "x", "z", "o")) else "s")
            past = stem + ("d" if stem.endswith("e") else "ed")
        forms |= {base, third, stem + "ing", past}
    return frozenset(forms)


# Verbs whose subject travels; "drives to the left" gives the way.
MOVE_VERBS = inflections(
    "drive move roll travel fly float slide glide walk run drift race crawl head go hover sail speed zoom rush "
    "dash creep bounce hop jump cruise swim rise ascend lift climb levitate soar gallop trot canter ride pedal "
    "sprint dart jog stroll wander march waddle scurry scamper chug zip whizz whiz hurry flee skate ski surf "
    "paddle tumble slither wade amble saunter stride trundle hurtle skid approach advance fall sink descend "
    "dive plunge swoop flutter steer chase pursue tow pull push drag haul follow circle orbit spiral loop dance "
    "launch"
) | frozenset("drove flew ran rode rose went swam fell sank dove strode travelling pedalling".split())
# Forms of those verbs that end a compound noun more often than they are verbs: "roller skates", "water skis".
PLURAL_NOUNS_LIKE_MOVES = frozenset(
    "skates skis paddles rides dives falls hops darts pulls drags steers circles loops spirals dances orbits".split())
UPWARD_VERBS = inflections("rise ascend lift climb levitate soar launch") | frozenset({"rose"})
# Verb and particle that leave the ground: "a helicopter takes off", "the rocket blasts off".
LIFT_OFF_VERBS = frozenset("take lift blast".split())
# Moves that can stay in place ("a hummingbird hovering"): a movement only with a way or a path.
STATIONARY_MOVE_VERBS = inflections("hover float bob dance")
PATH_WORDS = frozenset("down along across through past toward towards away around into out off".split())
# Verbs that a direction phrase does not make a movement: "turns to the left", "looks up".
STILL_VERBS = inflections(
    "look face point stare gaze glance turn rotate spin lean tilt nod wave sit stand lie rest hang park lay "
    "place put set position sleep wait perch kneel crouch sway"
) | frozenset("is are was were be been lying sat stood slept hung".split())

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

# Where in the picture an object stands: "a lamp on the right", "on the left side stands a lamp", "left: a cat".
# "to the left" after a verb of motion is a direction instead; any of these followed by "of X" is a relation.
_SIDES = {"left": "left", "right": "right", "middle": "middle", "center": "middle", "centre": "middle"}
SIDE_PHRASES = {
    **{f"{lead} {far}{side}{tail}": where for side, where in _SIDES.items() if where != "middle"
       for lead in ("on the", "to the", "at the", "in the", "at", "on") for far in ("", "far ")
       for tail in ("", " side", " hand side", "-hand side", " half", " edge")},
    **{f"{lead} {side}": "middle" for side, where in _SIDES.items() if where == "middle"
       for lead in ("in the", "at the", "in the very")},
    "far left": "left", "far right": "right", "left side": "left", "right side": "right",
}
SIDE_HEADINGS = frozenset(_SIDES)  # "left: a cat; right: a dog"
FRAME_NOUNS = frozenset("frame picture image scene shot screen view composition foreground background".split())
# Direction words that follow many verbs without meaning a way ("looks up", "sits back"): only after a move verb.
WEAK_DIRECTIONS = frozenset("up back away closer forward forwards backward backwards".split())

SPEED_WORDS = {word: band.name for band in vocab.MOVEMENT_SPEEDS for word in band.words if " " not in word}
SPEED_WORDS.update({"at a moderate pace": "moderate", "at a steady pace": "moderate"})
ANIMATION_SPEED_WORDS = {
    "slow": "slow", "slowly": "slow", "gentle": "slow", "gently": "slow", "leisurely": "slow",
    "fast": "fast", "quick": "fast", "quickly": "fast", "rapid": "fast", "rapidly": "fast", "swift": "fast",
    "swiftly": "fast", "whip": "faster", "very fast": "faster", "very quickly": "faster",
}

# A camera move named without its way ("a slow pan", "the camera pans slowly", "a tilt shot") goes the way this
# says; the word counts as a move only beside "camera", a word of manner, or "shot" ("a frying pan" is a pan).
BARE_CAMERA_MOVES = {
    **dict.fromkeys(("pan", "pans", "panning"), "pan_right"), **dict.fromkeys(("tilt", "tilts", "tilting"), "tilt_up"),
    **dict.fromkeys(("dolly", "dollies", "dollying"), "dolly_in"), **dict.fromkeys(("drift", "drifts", "drifting"), "pan_right"),
    **dict.fromkeys(("zoom", "zooms", "zooming"), "zoom_in"), **dict.fromkeys(("crane", "cranes", "craning"), "crane_up"),
}
# Words of manner before such a move ("a slow, steady pan") and after it or "camera" ("the camera slowly pans").
MOVE_MANNERS = frozenset(
    "slow gentle leisurely fast quick rapid swift whip smooth steady gradual subtle sweeping lazy long continuous".split())
MOVE_ADVERBS = frozenset("slowly gently quickly rapidly swiftly smoothly steadily gradually".split())
# The way such a move is told to go, as the vocabulary's names say it ("a slow drift to the left": pan_left).
MOVE_WAYS = {"left": "left", "right": "right", "up": "up", "upward": "up", "upwards": "up", "down": "down",
             "downward": "down", "downwards": "down", "in": "in", "forward": "in", "forwards": "in", "out": "out",
             "back": "out", "backward": "out", "backwards": "out"}

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
    **{f"360{degree} {turn}": "orbit_left" for degree in ("", " degree", "-degree", "°")
       for turn in ("spin", "turn", "rotation", "view")},
    **{f"{arc} {way}": "orbit_up" for arc in ("arc", "arcs", "arcing") for way in ("upward", "upwards", "up and over")},
    **{f"{arc} {way}": "orbit_down" for arc in ("arc", "arcs", "arcing") for way in ("downward", "downwards")},
    "upward arc": "orbit_up", "downward arc": "orbit_down", "arcs around": "orbit_left", "arcing around": "orbit_left",
    "arcs left": "orbit_left", "arcs right": "orbit_right",
    **{f"{move} {toward}": "dolly_in" for move in ("dolly", "dollies", "dollying", "pushes", "creeps", "glides")
       for toward in ("towards", "toward", "closer to")},
    "dollies away from": "dolly_out", "dolly away from": "dolly_out", "pulls away from": "dolly_out",
    "tracks left": "pan_left", "tracks right": "pan_right", "tracking left": "pan_left", "tracking right": "pan_right",
}
# Lens jargon with no camera move in the vocabulary: read as camera words, never as objects ("rack focus").
LENS_PHRASES = (
    "rack focus", "racks focus", "racking focus", "focus pull", "pull focus", "pulls focus", "focus shifts",
    "shallow depth of field", "deep depth of field", "depth of field", "bokeh", "soft focus", "sharp focus",
    "selective focus", "in focus", "out of focus", "tilt-shift", "split diopter",
)
# Camera jargon for moves, shot sizes and angles the vocabulary does not have: cut, and left open with a
# warning, rather than read as the nearest thing it does have ("dolly zoom" is neither a dolly nor a zoom).
UNSUPPORTED_CAMERA_PHRASES = (
    "dolly zoom", "dolly-zoom", "vertigo shot", "vertigo effect", "zolly", "contra-zoom", "contra zoom",
    "dutch angle", "dutch tilt", "canted angle", "canted frame", "oblique angle",
    "handheld shot", "handheld camera", "hand-held camera", "handheld", "hand-held", "shaky cam", "shakycam",
    "steadicam shot", "steadicam", "gimbal shot", "pov shot", "point-of-view shot", "point of view shot",
    "over-the-shoulder shot", "over the shoulder shot", "split screen", "split-screen",
    "time-lapse", "timelapse", "time lapse", "hyperlapse", "slow reveal", "reveal shot", "slow motion", "slow-motion", "slow-mo", "slo-mo",
    "snorricam", "crash zoom", "snap zoom", "barrel roll",
)
# Camera-angle words that are also plain adverbs of place ("bunting overhead", "a plane flying overhead"):
# an angle only beside a camera word ("overhead shot", "shot overhead", "from overhead") or alone as a tag.
PLACE_ADVERB_ANGLES = frozenset({"overhead"})
# The camera following an object: "the camera tracks a bus", "tracking shot of a bus", "follow a taxi".
CAMERA_FOLLOW_VERBS = (
    "follows along with", "follows", "is following", "following", "tracks", "is tracking", "tracking", "chases",
    "is chasing", "chasing", "trails", "is trailing", "trailing", "tails", "tailing", "pursues", "pursuing",
    "keeps up with", "keeping up with", "keeps pace with", "keeping pace with", "stays with", "stays on",
    "sticks with", "stays close to", "moves along with", "moves with", "travels with", "travels alongside",
    "rides alongside", "runs alongside", "flies alongside",
)
FOLLOW_SHOTS = ("tracking shot", "follow shot", "following shot", "chase shot", "chase cam", "follow cam",
                "tracking camera", "trailing shot", "follow-cam", "tracking-shot")
FOLLOW_IMPERATIVES = ("follow", "track", "chase", "tail", "following", "tracking", "chasing")
# Terms that only a camera does; synonyms without them need "camera" nearby.
CAMERA_ONLY_TERMS = frozenset(
    "orbit orbits pan pans dolly dollies zoom zooms tilt tilts crane cranes boom booms pedestal "
    "push pushes pull pulls arc arcs arcing dutch tripod static locked camera panning tilting dollying".split()
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
                    "moor heath steppe steppes grassland grasslands".split(), _GRASS),
    **dict.fromkeys("beach desert dune dunes shore seashore coast".split(), _SAND),
    **dict.fromkeys("lake sea ocean river pond stream waterfall bay harbour harbor lagoon canal marsh swamp "
                    "water waves wetland wetlands".split(), _WATER),
    **dict.fromkeys("street road alley alleyway square plaza highway motorway city town village downtown "
                    "avenue boulevard crossroads intersection lot runway sidewalk driveway bridge parking playground patio "
    "schoolyard courtyard stadium "
                    "station track racetrack port quay market marketplace".split(), _PAVING),
    **dict.fromkeys("room kitchen bedroom bathroom hallway corridor office study library classroom attic "
                    "basement cellar living diner cafe café restaurant bar pub shop store hall lobby studio "
                    "gallery museum workshop garage warehouse interior porch balcony veranda terrace "
                    "factory theater theatre gym "
                    "greenhouse motel hotel pier dock jetty boardwalk".split(), _WOOD),
    **dict.fromkeys("forest woods wood jungle rainforest clearing woodland grove".split(), "forest floor"),
    **dict.fromkeys("mountain mountains cliff canyon cave tunnel glacier tundra volcano rooftop roof "
                    "island moon mars space planet skyline horizon landscape scenery wilderness "
                    "outdoors backdrop background".split(), None),
    **dict.fromkeys("snowfield iceberg arctic antarctica snow snowfall snowstorm blizzard".split(), "snow"),
}
# Weather, light and time of day: background words wherever they stand.
WEATHER_NOUNS = frozenset(
    "rain rainfall drizzle downpour storm thunderstorm snowstorm blizzard snow snowfall hail fog mist haze "
    "smog lightning thunder wind breeze clouds cloud sky stars night nighttime midnight sunset sunrise dawn "
    "dusk twilight morning afternoon evening noon midday daytime daylight darkness dark autumn fall winter "
    "spring summer weather sun moonrise raindrops raindrop snowflakes snowflake hailstones gale hurricane "
    "tornado typhoon monsoon squall sleet whiteout sandstorm duststorm rainstorm hailstorm heatwave".split()
)
WEATHER_ADJECTIVES = frozenset(
    "rainy foggy misty snowy stormy cloudy overcast sunny hazy windy dark gloomy moonlit sunlit starry "
    "frosty icy".split()
)
# "a rainy day", "a cold winter day": a day a weather or season word (or "clear", "hot", …) describes ("morning",
# "night" and the like are weather nouns the parse reads wherever they stand; "day" is not, "a day at the beach").
BACKGROUND_TERMS += tuple(f"{word} day" for word in sorted(WEATHER_ADJECTIVES | {
    "clear", "bright", "hot", "cold", "warm", "chilly", "grey", "gray", "summer", "winter", "autumn", "spring"})
    if f"{word} day" not in BACKGROUND_TERMS)
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
# What someone does where they are, which the tagger may read as a noun after a place ("a woman lying on a sofa
# reading": no "sofa reading"). Forms that also name things ("painting", "drawing") are left out.
# Verbs by which someone has a thing in hand where they are ("a man reading a newspaper on a bench": it is on
# the bench with him, not on the floor behind it).
HOLDING_VERBS = frozenset("read eat drink hold play carry use type write knit sew peel cut".split())
ACTIVITY_VERBS = frozenset(
    "reading eating drinking watching studying smiling laughing talking chatting singing cooking knitting "
    "napping relaxing thinking crying texting sunbathing".split()
)
# The pose a verb, participle or adjective gives its subject: "a man sitting on a bench", "a woman lies on a sofa",
# "a seated girl"; who walks or runs is upright. "lay" is left out: it is also the verb of putting something down.
POSES: dict[str, str] = {
    word: pose for pose, words in (
        ("sitting", "sit sits sitting sat seated seat"),
        ("lying", "lie lies lying lain reclining reclines recline sprawled sprawling sprawl asleep"),
        ("standing", "stand stands standing stood upright"),
    ) for word in words.split()
} | {word: "standing" for word in inflections("walk jog stroll march hike wander") | {"run", "runs", "running", "ran"}}
# Clothing: "a knight in shining armour" does not place the armour in the scene.
WEARABLE_NOUNS = frozenset(
    "armour armor coat jacket dress suit hat uniform costume helmet robe cloak scarf gown shirt sweater "
    "hoodie overalls apron cape".split()
)
# Body parts: "a snowman with a carrot nose", "a cat with green eyes" describe the owner, never add an object.
BODY_PART_NOUNS = frozenset(
    "nose eye ear tail mane beak bill wing horn antler tusk trunk fin paw claw hoof whisker fur feather "
    "face mouth tooth teeth hair beard moustache mustache head leg arm hand foot feet spot stripe".split()
)
# Plurals whose singular keeps "ie" ("cookies" -> "cookie", not "cooky").
IE_SINGULARS = frozenset("cookie movie pie tie brownie zombie hoodie selfie magpie necktie smoothie pixie "
                         "rookie goalie budgie beanie genie collie".split())
# Furniture that stands beside what it comes "with" ("a table with two chairs"), never on it.
STANDING_FURNITURE = frozenset("chair chairs stool stools bench benches sofa armchair couch table desk".split())
# Plurals the lemmatizer gets wrong, and place names that end in s.
IRREGULAR_SINGULARS = {"vases": "vase", "doses": "dose", "bases": "base", "geese": "goose", "cacti": "cactus",
                       "mars": "mars", "venus": "venus", "fungi": "fungus"}
# "garage" in "a car in a garage" is a place, "shelf" in "a book on a shelf" a prop: only SETTING_NOUNS are places.

# Nouns that make "on …" a floor rather than a support object.
FLOOR_NOUNS = frozenset(
    "floor ground surface stage platform pavement carpet rug tiles tile grass sand asphalt concrete dirt "
    "gravel parquet floorboards boards planks mud ice cobblestones cobblestone terrain soil moss tarmac "
    "linoleum snow floe".split()
)

# Adjectives that say what a place's ground is: "a snowy garden" is floored with snow, not a garden's grass.
GROUND_ADJECTIVES = {"snowy": "snow", "sandy": "sand", "grassy": "grass", "muddy": "mud", "icy": "ice",
                     "frozen": "ice", "rocky": "rock", "cobbled": "cobblestone"}
_NAMELESS_GROUNDS = frozenset("floor ground surface stage platform terrain".split())


def implied_floor(words: Iterable[str]) -> str | None:
    """The floor a place's words imply (a background record's name and tags): the ground they name ("grass",
    "cobblestone"), else the first setting's ("street": asphalt); None where they imply none."""
    words = list(words)
    named = next((word for word in words if word in FLOOR_NOUNS and word not in _NAMELESS_GROUNDS), None)
    return named or next((SETTING_NOUNS[word] for word in words if SETTING_NOUNS.get(word)), None)


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
    "footage dataset render animation dinner lunch breakfast supper brunch".split()
)
# "a row of four taxis": the quantity noun gives the count (None: a plural, count left to PLURAL_COUNT).
QUANTITY_NOUNS: dict[str, int | None] = {
    "pair": 2, "couple": 2, "trio": 3, "quartet": 4, "dozen": 12, "row": None, "stack": None, "pile": None, "heap": None, "group": None,
    "flock": None, "herd": None, "bunch": None, "set": None, "line": None, "cluster": None, "handful": None,
    "collection": None, "crowd": None, "swarm": None, "school": None, "pack": None, "bundle": None,
    "series": None, "number": None, "lot": None, "lots": None, "plenty": None, "convoy": None, "fleet": None,
    "procession": None, "parade": None, "queue": None, "caravan": None, "team": None, "family": None,
    "litter": None, "troop": None, "gaggle": None, "brood": None, "pod": None,
}
# "a roll of tape", "two loaves of bread": one of the thing per unit the number counts.
UNIT_NOUNS = frozenset("roll loaf bar piece slice bale sheet".split())
PLURAL_COUNT = 3  # "apples", "several apples": a plural without a number
# Things that hold what is "of" / "in" / "full of" / "filled with" them: the contents stand on them.
CONTAINER_NOUNS = frozenset(
    "bowl basket vase plate tray box crate jar table desk counter workbench nightstand windowsill stand "
    "pedestal easel bucket cup mug glass pot cart bag bin bathtub tub cage nest "
    "shelf bookshelf bookcase dish pan sack barrel trough wheelbarrow trolley planter chest drawer "
    "aquarium tank cauldron kettle teapot pitcher jug bottle saucer boat wagon trailer truck chair carton tin "
    "hamper fishbowl terrarium birdcage "
    "armchair sofa couch bench bed hammock stroller pram".split()
)
# Parts of a thing that stand for it after "of": "a dish on the roof of a cottage" stands on the cottage.
PART_NOUNS = frozenset("roof rooftop lid hood bonnet seat deck surface rim ledge".split())
# Verbs that fasten their subject "to" something, which it is then beside: "a bike chained to a railing".
FASTENING_VERBS = frozenset("chain tie attach fix bolt tether leash moor clip pin tape glue strap nail hitch lash "
                            "fasten lock".split())
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


def number_value(word: str) -> int | None:
    """'12' -> 12, 'twelve' -> 12, 'twenty-one' -> 21; None for a word that is no number."""
    if word.isdigit():
        return int(word) if len(word) <= 4 else None
    if word in COUNT_WORDS and word not in ("a", "an"):
        return COUNT_WORDS[word]
    tens, _, unit = word.partition("-")
    tens_value = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                  "ninety": 90}.get(tens)
    return tens_value + UNITS[unit] if tens_value and unit in UNITS else None


def singular(word: str) -> str:
    """A plural noun's singular by its spelling alone (the parser's lemma comes first where it has one)."""
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and re.search(r"(ch|sh|x|ss|zz)es$", word):
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not re.search(r"(ss|us|is|os)$", word):
        return word[:-1]
    return word
