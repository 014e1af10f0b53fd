"""Query facets and word families for ranking real catalogs.

Real catalog records are terse and structured (Poly Haven: a name, a few
categories, a dozen tags; Sweet Home 3D: a name, a room category, a couple of
tags), while people type scenes: "a foggy harbour at dawn". Two things close
the gap that an embedding of the record alone leaves open:

* **Word families**: a query word also matches the words people use for the
  same thing ("harbour" finds "harbor", "port", "pier"; "person" finds
  "human", "woman"), at a lower weight than the word itself.
* **Facets**: time of day, weather, season, indoor/outdoor and the setting
  (coast, water, city, park, field, forest, hills, desert, snow), read from
  the query's words and from the entry's name, tags and categories. An
  entry of the facet value the query asks for gains; an entry that clearly
  has another value of that facet (a sunrise for "sunset", a studio for
  "outdoors", a park for "a beach") loses, unless the two values shade into
  each other (a field for "a park"). Facets are only compared when
  both sides state one.
* **Head nouns** (objects): the thing a phrase names is its head noun, the
  last noun before any qualifier ("car" in "a family car parked on the
  street"); an entry whose name ends in it (or in one of its family) gains,
  one whose name has it only as a modifier ("Dog house" for "a dog",
  "Parking slot" for "parked") loses.
"""

from __future__ import annotations

import re

from typing import Callable, Iterable, Mapping, Sequence

# Families of words that name the same thing in a scene prompt. Each member stands for the others; a word in two
# families stands for the members of both.
WORD_FAMILIES: tuple[str, ...] = (
    # people and animals
    # A man is no woman, nor a boy: each kind of person is its own family, and the general words join them all.
    "man male gentleman guy person people human character", "woman female lady person people human character",
    "boy child kid person people human character", "girl child kid person people human character",
    "dog puppy bulldog canine", "cat kitten feline", "horse pony stallion", "bird chicken hen",
    # vehicles
    "car automobile sedan coupe hatchback", "car automobile suv jeep", "truck lorry", "bus coach", "bicycle bike cycle",
    "television tv", "refrigerator fridge freezer", "bath bathtub tub", "gift present",
    "toilet wc loo",
    "motorbike motorcycle scooter", "boat rowboat ship", "airplane aeroplane aircraft plane",
    "stroller pram pushchair perambulator", "train locomotive", "railway railroad",
    # buildings and structures
    "cabin hut shed cottage shack lodge", "house home", "fence railing barrier",
    # furniture
    "sofa couch settee", "armchair chair seat", "table desk", "bed mattress", "lamp light lighting",
    "bookshelf bookcase shelf shelves", "wardrobe closet cupboard cabinet",
    # British and American words for the same thing
    "stove cooker oven", "faucet tap", "mailbox letterbox postbox", "flashlight torch",
    "bin trash garbage rubbish wastebasket dustbin", "fireplace hearth", "dryer drier",
    "center centre", "theater theatre", "gray grey",
    # nature
    "plant plants flower flowers", "bush shrub hedge", "rock rocks stone boulder",
    # places
    "dawn sunrise daybreak", "dusk sunset twilight", "sunbeam sunray ray", "night midnight nighttime", "moon moonlit moonlight",
    "harbour harbor port pier dock marina wharf quay", "sea ocean coast shore beach seaside",
    "lake pond river canal water", "city urban downtown street town", "desert arid dunes dune canyon",
    "forest woodland woods", "field meadow grassland plains", "mountain mountains hill hilltop valley alps",
    "park garden", "road highway motorway freeway asphalt lane", "room interior indoor", "studio photostudio",
    "factory industrial warehouse workshop",
    # floors and textures
    "wood wooden timber plank planks parquet hardwood", "brick bricks masonry", "stone cobblestone paving",
    "tile tiles tiled ceramic", "metal steel iron rusty", "dirt mud soil earth ground",
    "grass lawn turf", "sand sandy", "snow snowy", "concrete cement", "carpet rug fabric",
)

# Kinds of a thing. A search for the thing finds its kinds ("a tree" finds a "Cypress") and a search for a kind
# finds the thing ("an oak" finds a "Palm tree" where the library has no oak), but no kind stands for another (a
# pine is no palm), and a model of the thing is no model of the kind: the caption names a kind only where the
# model's own name does (``synonyms`` leaves kinds out).
KINDS: Mapping[str, str] = {
    "tree": "oak pine palm maple birch willow spruce fir cedar cypress beech elm poplar acacia baobab sequoia",
    "conifer": "pine spruce fir cedar cypress larch yew juniper sequoia",
    "evergreen": "pine spruce fir cedar cypress yew juniper holly",
    "dog": "retriever labrador poodle terrier spaniel beagle dachshund collie husky sheepdog greyhound dalmatian "
           "rottweiler corgi chihuahua pug",
    "cat": "tabby siamese",
    "bird": "parrot pigeon sparrow eagle owl duck swan goose seagull robin",
    "flower": "rose tulip daisy sunflower orchid lily",
    "computer": "laptop desktop imac pc",
}

# Facet → value → words that state it. A word states one value of one facet: where the lists name a word twice
# ("street" under place and setting, "snow" under weather and setting), the later listing is the one it states
# (counting both scored lower on the judged queries, 0.898 against 0.894).
FACETS: Mapping[str, Mapping[str, str]] = {
    "time": {
        "dawn": "dawn sunrise morning daybreak",
        "day": "noon midday daylight daytime afternoon sunny",
        "dusk": "dusk sunset evening twilight",
        "night": "night midnight stars starry moon moonlit moonlight moonless nocturnal milky galaxy",
    },
    "weather": {
        "clear": "clear cloudless",
        "overcast": "overcast cloudy clouds grey gray",
        "fog": "fog foggy mist misty haze hazy",
        "rain": "rain rainy storm stormy thunder wet",
        "snow": "snow snowy frozen icy",
    },
    # "Inside" is left out: inside a room is indoors, inside a quarry or a forest is not; the noun tells.
    "place": {
        "indoor": "indoor indoors interior room hall studio photostudio apartment office lobby bedroom bathroom "
                  "kitchen lounge hallway corridor attic basement cellar warehouse workshop factory",
        "outdoor": "outdoor outdoors outside exterior sky skies street city park field beach forest mountain desert "
                   "garden yard backyard patio deck terrace porch poolside playground",
    },
    # Foliage and ground change with the season: autumn leaves are no winter park ("fall" is left out: snow falls).
    "season": {
        "spring": "spring springtime blossom",
        "summer": "summer summertime",
        "autumn": "autumn autumnal",
        "winter": "winter wintry wintertime",
    },
    "setting": {
        "coast": "beach coast shore seaside ocean sea wave waves bay harbour harbor port pier",
        "water": "lake pond river dam canal",
        "city": "city urban town downtown street building buildings architecture skyscraper skyline square plaza "
                "roof rooftop",
        "park": "park garden gardens",
        "field": "field fields meadow grassland plains farm farmland country countryside rural golf fairway",
        "forest": "forest woodland woods jungle",
        "hills": "hill hills hilltop",
        "mountains": "mountain mountains valley alps cliff canyon",
        "desert": "desert dune dunes arid",
        "snow": "snow snowy",
        "sky": "pure",  # Poly Haven's "pure skies": nothing but sky, no ground of any setting
    },
}
# Words that state no value of a facet but rule one out: a record tagged "sun" (as Poly Haven tags every sky with
# the sun in it, at noon, sunrise or sunset) is no night sky. They count only where the entry states no value itself.
RULES_OUT: Mapping[str, tuple[str, str]] = {"sun": ("time", "night"), "sunlight": ("time", "night"),
                                            "sunshine": ("time", "night")}
_RULED_OUT = "!"  # marks a ruled-out value among the values ``facets_of`` finds
# Facets each catalog kind is ranked by: time of day, weather, season and setting describe a background, not a chair
# or a floor. Floors are ranked by none: one material is laid indoors and out, and the place a query names says
# what stands there, not what the floor is ("a damp basement floor" is concrete, not the carpet filed as indoor).
FACETS_BY_KIND: Mapping[str, tuple[str, ...]] = {"hdri": ("time", "weather", "season", "place", "setting"),
                                                  "object": ("place",), "material": ()}

EXCLUSIVE = (("setting", "sky"),)
# Values of one facet that shade into each other: an entry of one is no match for the other, nor a contradiction
# (an evening sky darkens into night, rain falls from an overcast sky, a park is a field with paths, a field rolls
# over hills, a river runs into the sea, a forest thins into a park). Hills are no mountains.
NEIGHBOURS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "time": (("dusk", "night"),),
    "weather": (("overcast", "rain"), ("overcast", "fog"), ("overcast", "snow")),
    "setting": (("field", "park"), ("field", "hills"), ("coast", "water"),
                ("forest", "park")),
}
FAMILY_WEIGHT = 0.7  # a family member counts this much of the word itself
HEAD_MATCH = 0.25  # an object whose name ends in the query's head noun (a family member: FAMILY_WEIGHT of it)
HEAD_AS_MODIFIER = 0.15  # penalty for an object whose name has the head noun only before its own head
# Penalty per word (up to two) by which a name that ends in the head noun narrows it where the query does not
# ("Child bed" or "Baby bed" for "a double bed", "Sitting female" for "a woman standing"): a plain "Bed" is surer.
UNASKED_MODIFIER = 0.04
MAX_UNASKED_MODIFIERS = 2
# Words after which a phrase's head noun has been said: prepositions, relative words, and -ing/-ed qualifiers.
QUALIFIERS = frozenset("on in at by with without under over near beside behind inside outside of from for to "
                        "above below beneath underneath across along around against between among past through "
                        "into onto upon atop that which who whose while and or".split())
# A verb's -ing or -ed form, on a stem of three letters or more: "swing", "shed", "sled" and "wing" are things.
_PARTICIPLE = re.compile(r"...+(ing|ed)$")
FACET_MATCH = 0.12  # per facet the entry shares with the query
FACET_CONFLICT = 0.2  # per facet the entry contradicts
# The setting is what a background query is mostly about: an entry that states none is a weaker match for one.
FACET_MISSING = {"setting": 0.06}


def _stem_all(words: str, stem) -> frozenset[str]:
    return frozenset(stem(word) for word in words.split())


def families(stem, kinds: bool = True) -> dict[str, frozenset[str]]:
    """Word → the other members of its family, in the stemmed form ``terms`` produces; with ``kinds``, a thing's
    kinds are of its family and the thing of each kind's (see ``KINDS``)."""
    related: dict[str, set[str]] = {}
    for family in WORD_FAMILIES:
        members = _stem_all(family, stem)
        for word in members:
            related.setdefault(word, set()).update(members - {word})
    for thing, its_kinds in KINDS.items() if kinds else ():
        for kind in _stem_all(its_kinds, stem):
            related.setdefault(stem(thing), set()).add(kind)
            related.setdefault(kind, set()).add(stem(thing))
    return {word: frozenset(others) for word, others in related.items()}


def facet_words(stem) -> dict[str, tuple[str, str]]:
    """Stemmed word → (facet, value) it states, or (facet, "!value") for a value it rules out."""
    ruled_out = {stem(word): (facet, _RULED_OUT + value) for word, (facet, value) in RULES_OUT.items()}
    return ruled_out | {word: (facet, value) for facet, values in FACETS.items() for value, words in values.items()
                        for word in _stem_all(words, stem)}


def facets_of(words: Iterable[str], vocabulary: Mapping[str, tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Facet → the values ``words`` state (an entry tagged both sunrise and sunset states two).

    An exclusive value stands alone: a pure sky named after the field it was shot over shows no field."""
    found: dict[str, set[str]] = {}
    for word in words:
        if word in vocabulary:
            facet, value = vocabulary[word]
            found.setdefault(facet, set()).add(value)
    for facet, value in EXCLUSIVE:
        if value in found.get(facet, ()):
            found[facet] = {value}
    return {facet: frozenset(values) for facet, values in found.items()}


def _neighbours(facet: str, wanted: frozenset[str], have: frozenset[str]) -> bool:
    return any((a in wanted and b in have) or (b in wanted and a in have) for a, b in NEIGHBOURS.get(facet, ()))


def stated(values: frozenset[str]) -> frozenset[str]:
    """The values stated, without those only ruled out."""
    return frozenset(value for value in values if not value.startswith(_RULED_OUT))


def facet_score(query: Mapping[str, frozenset[str]], entry: Mapping[str, frozenset[str]]) -> float:
    """Bonus for each facet the entry shares with the query, penalty for each it contradicts (states only
    values that are neither the query's nor their neighbours).

    The bonus is shared out over the values the entry states: an entry filed under "sunrise-sunset" is
    less surely a sunrise than one tagged only "sunrise". An entry that states no value of a facet but rules
    out all the query's values (see ``RULES_OUT``) contradicts it too."""
    score = 0.0
    for facet, wanted in query.items():
        found = entry.get(facet, frozenset())
        have = stated(found)
        if not have and wanted <= {value[len(_RULED_OUT):] for value in found - have}:
            score -= FACET_CONFLICT
        elif not have:
            score -= FACET_MISSING.get(facet, 0.0)
        elif wanted & have:
            score += FACET_MATCH * len(wanted & have) / len(have)
        elif not _neighbours(facet, wanted, have):
            score -= FACET_CONFLICT
    return score


def head_noun(words: list[str]) -> str | None:
    """The head noun of a phrase's words (articles and stopwords already out): the last word before the first
    preposition, relative word or participle that follows a noun ("car" in "family car parked on the street")."""
    head = None
    for word in words:
        if head is not None and (word in QUALIFIERS or _PARTICIPLE.match(word)):
            break
        if word not in QUALIFIERS:
            head = word
    return head


def head_score(head: str | None, related: frozenset[str], name: Sequence[str],
               asked: Callable[[str], bool] = lambda word: False) -> float:
    """Bonus for a name that ends in the head noun (or a family member), less a little for each of its other
    words the query has not ``asked`` for; penalty for a name that has the head noun only before its own last
    word. ``name`` is the entry name's words in order."""
    if head is None or not name:
        return 0.0
    if name[-1] == head or name[-1] in related:
        unasked = min(MAX_UNASKED_MODIFIERS, sum(1 for word in name[:-1] if not asked(word)))
        return (HEAD_MATCH if name[-1] == head else FAMILY_WEIGHT * HEAD_MATCH) - UNASKED_MODIFIER * unasked
    if head in name[:-1] or related.intersection(name[:-1]):
        return -HEAD_AS_MODIFIER
    return 0.0
