"""Fill every plan's assets, backgrounds and floors from the catalog.

The planner writes the phrases (``objects[i].description`` / ``asset.query``,
``background.query``, ``stage.material.query``); this step writes what was
chosen into the same ``CatalogRef`` fields. The choice is deterministic for
a variant's seed but not always the top hit: every entry scoring within
``CHOICE_MARGIN`` of the best is a good match, and variants pick among them,
so N variants of one prompt do not all look alike. Inside one scene two
different descriptions never share an asset while an unused good one
exists; objects with the same description are copies and share one.

An object's colour and finish words choose among the good matches too (see
``appearance``): a model that has them as it comes, else one the worker
can paint; a word no chosen asset can show leaves the object's description
(the caption's words) with a warning, so the caption never claims it.
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from ..plan import vocabulary as vocab
from ..plan.entities import PEOPLE, person_kind
from ..plan.models import CatalogRef, RequestPlan, SceneObject, ScenePlan
from ..rewriter.lexicon import implied_floor
from . import appearance, builtin, procedural
from .appearance import Looks
from .catalog import Catalog, SearchHit
from .places import lit_as_asked, most_filed_place, phrase_place, place_of, scene_place, settings
from .ranking import family, name_words, query_head, synonyms, terms
from .entries import CatalogEntry, CatalogKind, license_allowed

SCORE_THRESHOLD = 0.35  # hybrid score below which nothing counts as a match
CHOICE_MARGIN = 0.1
CHOICE_POOL = 5
SEARCH_DEPTH = 10
# A model this many times larger or smaller than its noun's usual size, and named with words the phrase did not
# ask for, is another thing that shares the noun (``_the_asked_thing``): a lamp is 0.5 m, a floor lamp 1.8 m.
PLAUSIBLE_SIZE_RATIO = 4.0
# Words by which a record marks a plaything or a child's version of a thing (Sweet Home 3D tags them Toy, Game, Kid).
PLAYTHING_WORDS = frozenset({"toy", "game", "kid", "child", "children", "playground", "playhouse"})


@dataclass(frozen=True)
class _Choice:
    entry: CatalogEntry
    score: float | None
    fallback: bool = False
    stand_in: bool = False


class _Resolver:
    """Searches each distinct phrase once per plan, then chooses per variant.

    An object is searched by its identity, the phrase without colour and
    finish words ("xylophone" for "purple xylophone"), which decides whether
    anything matches and ranks what does; the colour and finish then choose
    among the good matches (``appearance``). Shapes are recoloured per plan
    and library models have their body painted, so a colour word must not
    make a purple cone pass for a purple xylophone, nor a white clothes horse
    for a white horse.
    """

    def __init__(self, catalog: Catalog, plan: RequestPlan) -> None:
        self.catalog = catalog
        self.licenses = plan.licenses
        self.sources = plan.catalogs
        self._hits: dict[tuple[CatalogKind, str, str | None], list[SearchHit]] = {}
        self._all: dict[CatalogKind, list[CatalogEntry]] = {}
        wanted: dict[CatalogKind, set[tuple[str, str | None]]] = {kind: set() for kind in CatalogKind}
        for variant in plan.variants:
            place = scene_place(variant)
            for obj in variant.objects:
                wanted[CatalogKind.object].add((_searched(obj), place))
            wanted[CatalogKind.hdri].add((variant.background.query.strip(), None))
            wanted[CatalogKind.material].add((variant.stage.material.query.strip(), None))
        for kind, queries in wanted.items():
            searches = sorted((query for query in queries if query[0]), key=lambda query: (query[0], query[1] or ""))
            found = catalog.search_many(kind, [phrase for phrase, _ in searches], SEARCH_DEPTH, plan.licenses,
                                        plan.catalogs, [place for _, place in searches])
            for (phrase, place), hits in zip(searches, found):
                self._hits[kind, phrase, place] = hits

    def choose(self, kind: CatalogKind, query: str, rng: random.Random, used: set[str],
               warnings: list[str], identity: str | None = None, looks: Looks = Looks(),
               pose: str | None = None, place: str | None = None) -> _Choice:
        identity = identity or query
        searched = (identity, place)
        matching = [hit for hit in self._found(kind, *searched) if hit.score >= SCORE_THRESHOLD
                    and not (kind is CatalogKind.object and _a_modifiers_thing(hit, identity))]
        if not matching:
            return self._fallback(kind, query, searched, rng, warnings)
        if kind is CatalogKind.object:
            asked = _of_the_place(_the_asked_thing(matching, identity), place)
            matching = _real_first(_playthings_as_asked(_named_first(_posed(asked, pose), identity), identity))
        if kind is CatalogKind.hdri:
            matching = lit_as_asked(matching, identity)
        matches = matching
        good = [hit for hit in matches if hit.score >= matches[0].score - CHOICE_MARGIN][:CHOICE_POOL]
        if kind is CatalogKind.object and _names_the_thing(good[0].entry, identity):  # stand-ins are as near
            good = _stating_most(good, identity)
        if kind is CatalogKind.hdri:
            good = _real_first(good)
        if looks != Looks():
            good = _best_looking(good, looks)
        fresh = [hit for hit in good if hit.entry.key not in used]
        if fresh:
            hit = rng.choice(fresh)
        else:  # every good match is taken in this scene: the next unused match, else repeat the best
            hit = next((hit for hit in matches if hit.entry.key not in used), good[0])
        if kind is CatalogKind.object and not _names_the_thing(hit.entry, identity):
            warnings.append(f"no object in the catalog is a {query!r}; using {hit.entry.name!r}, its nearest "
                            f"match, which the caption names")
            return _Choice(hit.entry, hit.score, stand_in=True)
        return _Choice(hit.entry, hit.score)

    def _found(self, kind: CatalogKind, phrase: str, place: str | None) -> list[SearchHit]:
        """The hits for a phrase: searched with the plan's other phrases, or now for one known only once a
        variant's background is chosen (the ground under it)."""
        if (kind, phrase, place) not in self._hits:
            self._hits[kind, phrase, place] = self.catalog.search_many(kind, [phrase], SEARCH_DEPTH, self.licenses,
                                                                       self.sources, [place])[0]
        return self._hits[kind, phrase, place]

    def any_of(self, kind: CatalogKind, rng: random.Random, place: str | None) -> _Choice:
        """What a prompt that names no background or floor gets: any entry of the kind, of the scene's place
        where the catalog has one (a living room's sofa under an indoor HDRI on an indoor floor, not in a
        snowy park on mud)."""
        entries = self._entries(kind)
        return _Choice(rng.choice([entry for entry in entries if place_of(entry) == place] or entries), None)

    def _entries(self, kind: CatalogKind) -> list[CatalogEntry]:
        """Every entry of the kind the plan may use (its catalogs and licenses)."""
        if kind not in self._all:
            self._all[kind] = [entry for entry in self.catalog.entries(kind, self.sources)
                               if license_allowed(entry.license, self.licenses)]
        return self._all[kind]

    def _fallback(self, kind: CatalogKind, query: str, searched: tuple[str, str | None], rng: random.Random,
                  warnings: list[str]) -> _Choice:
        """The embedded fallback; for a background phrase that says it is outdoors (or in) and matches nothing
        ("the sea" in a catalog without a coast), a background of that place that shows no other setting (a
        sky, not a garden), else any of that place, never the studio."""
        entry = next(e for e in builtin.builtin_entries(kind) if e.id == builtin.FALLBACK_IDS[kind])
        place = phrase_place(query) if kind is CatalogKind.hdri else None
        if place is not None and place_of(entry) != place:
            asked = settings(query)
            fitting = [e for e in self._entries(kind) if place_of(e) == place
                       and settings(" ".join((e.name, *e.tags, *e.categories))) <= asked]
            entry = rng.choice(fitting) if fitting else self.any_of(kind, rng, place).entry
        hits = self._found(kind, *searched)
        best = hits[0].score if hits else None
        shown = "no entries" if best is None else f"best score {best:.2f} < {SCORE_THRESHOLD}"
        warnings.append(f"no {kind.value} in the catalog matches {query!r} ({shown}); using {entry.name!r}")
        return _Choice(entry, best, fallback=True)


def _best_looking(good: list[SearchHit], looks: Looks) -> list[SearchHit]:
    """The good matches that best show the asked colour and finish (``appearance.rank``)."""
    best = min(appearance.rank(hit.entry, looks) for hit in good)
    return [hit for hit in good if appearance.rank(hit.entry, looks) == best]


def _real_first(matching: list[SearchHit]) -> list[SearchHit]:
    """The real assets among ``matching`` that name what was asked (a word of the query or of its family in
    their name or tags), when there are any: procedural shapes and skies are the fallback, not the first
    choice (a gradient "blue hour dusk" for "sunset" while a photographed sunset matches as well)."""
    real = [hit for hit in matching if not procedural.is_procedural(hit.entry.uri) and hit.lexical > 0]
    return real or matching


@lru_cache(maxsize=1)
def _embedded_shapes() -> tuple[frozenset[str], dict[tuple[str, ...], float]]:
    """The geometric primitives' types (cube, sphere, cylinder, cone, torus, pyramid), and each embedded shape's
    largest dimension by its type's words: ("street", "lamp") 4 m, ("lamp",) 0.5 m: a thing's usual size."""
    primitives, sizes = set(), {}
    for entry in builtin.builtin_entries(CatalogKind.object):
        shape = procedural.parse_procedural_uri(entry.uri).type
        if "primitive" in entry.categories:
            primitives.add(shape)
        sizes.setdefault(tuple(terms(shape.replace("_", " "))), max(entry.size_m))
    return frozenset(primitives), sizes


def _usual_size(identity: str) -> float | None:
    """The usual largest dimension of what the phrase names, from the embedded shape of its head noun (or of a
    word of its family: a "home" is a house), with the word before it where that names a shape of its own
    ("street lamp"); None for nouns no embedded shape has."""
    words, head = terms(identity), query_head(identity)
    if head not in words:
        return None
    before = tuple(words[:len(words) - 1 - words[::-1].index(head)])
    sizes = _embedded_shapes()[1]
    for noun in (head, *sorted(family(head))):
        for key in (before[-1:] + (noun,), (noun,)):
            if key in sizes:
                return sizes[key]
    return None


def _named_first(matching: list[SearchHit], identity: str) -> list[SearchHit]:
    """The matches whose name names the thing (``_names_the_thing``: "Garden hut" for "a cabin"), when there are
    any: a model only near in meaning ("Shower stall", tagged "Cabin") stands in only where nothing is the thing."""
    named = [hit for hit in matching if _names_the_thing(hit.entry, identity)]
    return named or matching


def _names_the_thing(entry: CatalogEntry, identity: str) -> bool:
    """Is the entry's name's own head noun the phrase's, or a word naming the same thing ("Smart car" for "a
    vintage car", "Garden hut" for "a cabin", "Table with tablecloth" for "a table")? An entry whose name does
    not hold it ("Pedestrian crossing" for "a bus stop", "Palm tree" for "an oak"), or holds it only as a
    modifier ("Football goal" for "a football", "Table fan" for "a table"), is another thing."""
    head = query_head(identity)
    own = name_words(entry.name)
    if head is None:
        return True
    if not own:
        return False
    words = terms(identity)
    before = words[words.index(head) - 1] if head in words[1:] else None
    # One thing written as one word or two: "Chessboard" for "a chess board", "Tooth brush" for "a toothbrush".
    return own[-1] in {head} | synonyms(head) or own[-1] == f"{before}{head}" or "".join(own[-2:]) == head


def _stating_most(good: list[SearchHit], identity: str) -> list[SearchHit]:
    """The good matches whose records state the most words of the phrase ("Chessboard" over "Chopping board"
    for "a chess board"), so that a word the caption would otherwise drop is kept where a model shows it."""
    words = terms(identity)

    def stated(hit: SearchHit) -> int:
        have = set(terms(" ".join(appearance.entry_words(hit.entry))))
        joined = {first + second for first, second in zip(words, words[1:])} & have  # "chessboard"
        return sum(1 for word in words if word in have or any(word in compound for compound in joined))

    counts = [stated(hit) for hit in good]
    return [hit for hit, count in zip(good, counts) if count == max(counts, default=0)]


def _a_modifiers_thing(hit: SearchHit, identity: str) -> bool:
    """Is the entry the thing a modifier of the phrase names, not the thing itself? "City bus" for "a bus stop",
    "Palm tree" for "a tree house": its name ends in a word that comes before the phrase's head noun and holds
    neither the head nor a word of its family. No such entry is a match, so the phrase falls back (with a
    warning) rather than a caption calling a bus a bus stop."""
    words, head = terms(identity), query_head(identity)
    name = terms(hit.entry.name)
    if head not in words or not name:
        return False
    modifiers = set(words[:len(words) - 1 - words[::-1].index(head)])
    return name[-1] in modifiers and not ({head} | family(head)) & set(name)


def _the_asked_thing(matching: list[SearchHit], identity: str) -> list[SearchHit]:
    """The matches that are the thing the phrase names, not another thing that shares its noun.

    A model the phrase names in full ("a Rubik's cube", "a doll house") is
    always kept. Otherwise a shape word ("a blue cube") gets the shape, not
    a 5.6 cm Rubik's cube; and a model whose name adds words the phrase did
    not ask for, at a size more than ``PLAUSIBLE_SIZE_RATIO`` from the noun's
    usual one, is another thing: "Dog house" or "Doll house" for "a house",
    "Punching ball" (a 1.5 m stand) for "a ball", a 38 cm "Christmas tree"
    for "a tree". A plain "Cactus" of any size is a cactus, and a toy ("a
    toy car") has no usual size. All of them stay when nothing else is left.
    """
    head = query_head(identity)
    primitives = _embedded_shapes()[0]
    usual = None if head in primitives or _asks_for_a_plaything(identity) else _usual_size(identity)

    def the_thing(hit: SearchHit) -> bool:
        if procedural.is_procedural(hit.entry.uri) or _named_in_full(hit.entry, identity):
            return True
        if head in primitives:
            return False
        size = max(hit.entry.size_m) if hit.entry.size_m else None
        return usual is None or size is None or 1 / PLAUSIBLE_SIZE_RATIO <= size / usual <= PLAUSIBLE_SIZE_RATIO

    kept = [hit for hit in matching if the_thing(hit)]
    return kept or matching


def _named_in_full(entry: CatalogEntry, identity: str) -> bool:
    """Does the phrase hold every word of the entry's name ("a doll house on a table" for "Doll house", "a chess
    board" for "Chessboard")?"""
    words = terms(identity)
    return set(terms(entry.name)) <= set(words) | {first + second for first, second in zip(words, words[1:])}


def _playthings_as_asked(matching: list[SearchHit], identity: str) -> list[SearchHit]:
    """The matches that are playthings (a word of ``PLAYTHING_WORDS`` in the record) where a word before the
    phrase's head noun asks for one, else those that are not, when one of them names the thing: the library's
    "Child hut", a playhouse with a slide tagged Game and Kid, names a hut, but it is no "wooden cabin" while a
    "Garden hut" is one; "a toy car" is the "Car model" tagged Toy, not a Smart car. A model the phrase names in
    full ("a Rubik's cube", "a doll house") is always kept, and all are where none of the kept ones names the
    thing ("a slide": the library's slides are playthings named "Children game")."""
    asked = _asks_for_a_plaything(identity)
    kept = [hit for hit in matching if _named_in_full(hit.entry, identity) or asked == _is_a_plaything(hit.entry)]
    return kept if any(_names_the_thing(hit.entry, identity) for hit in kept) else matching


def _asks_for_a_plaything(identity: str) -> bool:
    """"a toy car", "a child's swing"; not "a child" (a person)."""
    return bool(PLAYTHING_WORDS & (set(terms(identity)) - {query_head(identity)}))


def _is_a_plaything(entry: CatalogEntry) -> bool:
    return bool(PLAYTHING_WORDS & set(terms(" ".join((entry.name, *entry.tags, *entry.categories)))))


def _of_the_place(matching: list[SearchHit], place: str | None) -> list[SearchHit]:
    """The matches that a scene of ``place`` can hold: no living-room table in a garden while a garden table
    matches (ranking by the place alone leaves both within ``CHOICE_MARGIN``); all where none is of it."""
    if place is None:
        return matching
    return [hit for hit in matching if place_of(hit.entry) in (None, place)] or matching


def _posed(matching: list[SearchHit], pose: str | None) -> list[SearchHit]:
    """The matches whose box shows the pose the prompt gives (``vocabulary.pose_of``): "a man sitting on a
    bench" is a sitting model, not a standing one put on top of the bench. Without any, those whose box shows
    no other pose; without those, all."""
    if pose is None:
        return matching

    def shown(hit: SearchHit) -> str | None:
        return vocab.pose_of(*hit.entry.size_m) if hit.entry.size_m else None

    return ([hit for hit in matching if shown(hit) == pose] or [hit for hit in matching if shown(hit) is None]
            or matching)


def _usual_pose(obj: SceneObject) -> str | None:
    """The pose a person the prompt gives none is chosen in: standing ("a kid with a ball" is no lying boy),
    where the library has a standing one (``_posed``). The caption claims no pose the prompt did not give."""
    return "standing" if obj.name in PEOPLE else None


def _object_query(obj: SceneObject) -> str:
    return (obj.asset.query or obj.description).strip()


def _searched(obj: SceneObject) -> str:
    """What an object is searched by: its identity, a role by its kind of person ("old man" for "old waiter":
    the library shows people, not trades), with the pose the prompt gives it ("sitting man": the library's
    "Sitting male" is found by name)."""
    identity = _identity(_object_query(obj), obj.name)
    kind = person_kind(obj.name)
    if kind:
        identity = re.sub(rf"\b{re.escape(obj.name)}\b", kind, identity)
    return identity if obj.pose is None or obj.pose in identity.split() else f"{obj.pose} {identity}"


def _identity(phrase: str, noun: str) -> str:
    """The phrase without colour and finish words, or the phrase itself when nothing else is left. The words of
    ``noun`` stay: "an old oak" is an oak, not something old, and "a glass" is a glass."""
    kept = set(noun.lower().split())
    words = [word for word in phrase.split() if word.lower() in kept
             or (procedural.normalize_color(word) is None and procedural.normalize_finish(word) is None)]
    return " ".join(words) or phrase


def _fill(ref: CatalogRef, choice: _Choice, *, name: str | None = None, uri: str | None = None) -> None:
    ref.catalog = choice.entry.source
    ref.id = choice.entry.id
    ref.name = name or choice.entry.name
    ref.uri = uri or choice.entry.uri
    ref.maps = dict(choice.entry.maps)
    ref.score = None if choice.score is None else round(choice.score, 4)
    ref.fallback = choice.fallback
    ref.stand_in = choice.stand_in
    ref.license = choice.entry.license
    ref.creator = choice.entry.creator
    ref.size_m = choice.entry.size_m
    ref.top_m = choice.entry.top_m


def _fill_object(obj: SceneObject, choice: _Choice, warnings: list[str]) -> None:
    """Fill ``obj.asset``; a procedural object takes the plan object's own colour and finish, where known.

    The name then follows the URI ("red wooden chair"), so a caption made
    from it describes what is rendered. A colour or finish the asset cannot
    show leaves the object (``_drop_unshown``).
    """
    _drop_unshown(obj, choice.entry, warnings)
    if not (choice.fallback or choice.stand_in):  # else the caption names the asset itself
        _drop_unstated(obj, choice.entry, warnings)
    if not procedural.is_procedural(choice.entry.uri):
        _fill(obj.asset, choice)
        return
    ref = procedural.parse_procedural_uri(choice.entry.uri)
    params = dict(ref.params)
    for word, key, normalise in ((obj.color, "color", procedural.normalize_color),
                                 (obj.material, "material", procedural.normalize_finish)):
        if not word:
            continue
        value = normalise(word)
        if value is not None:
            params[key] = value
    _fill(obj.asset, choice, name=builtin.object_name(ref.type, params.get("color"), params.get("material")),
          uri=procedural.procedural_uri(ref.kind, ref.type, **params))


def _drop_unshown(obj: SceneObject, entry: CatalogEntry, warnings: list[str]) -> None:
    """Take the colour or finish the chosen asset cannot show out of ``obj`` (its description is the caption's
    wording; ``color``/``material`` tell the worker what to paint), and say so once per description."""
    colour, finish = appearance.shown(entry, Looks(obj.color, obj.material))
    for ok, field, word in ((colour, "color", obj.color), (finish, "material", obj.material)):
        if ok or word is None:
            continue
        what = "colour" if field == "color" else "finish"
        warning = (f"{obj.description}: the chosen asset ({entry.name}) cannot show the {what} {word!r}; "
                   f"it is rendered as it comes and the caption leaves {word!r} out")
        if warning not in warnings:  # copies of one object warn once
            warnings.append(warning)
        setattr(obj, field, None)
        obj.description = appearance.without(obj.description, word) or obj.name


def _drop_unstated(obj: SceneObject, entry: CatalogEntry, warnings: list[str]) -> None:
    """Take out of ``obj.description`` the words its chosen asset's record does not state: the caption would
    claim them of the video ("a red vintage car" rendered as a Smart car is "a red car", "a pine tree" rendered
    as a Palm tree "a tree"; "a car with chrome bumpers" is "a car" unless the record speaks of both). The plan's
    colour and finish are ``_drop_unshown``'s; the noun's last word and the pose the worker gives it stay. Only the asset's
    own words count, not their families: any tree's record says "tree", which says nothing of a pine. A finish
    word the plan does not paint ("pine" in "pine tree", a species) is a word like any other."""
    words = obj.description.split()
    lowered = [word.lower() for word in words]
    noun = obj.name.lower().split()
    if not noun or noun[-1] not in lowered:
        return
    end = len(lowered) - 1 - lowered[::-1].index(noun[-1])
    stated = set(terms(" ".join(appearance.entry_words(entry))))
    kept_words = {noun[-1], obj.pose or ""} | {word for word in (obj.color, obj.material) if word}

    painted_finish = procedural.normalize_finish(obj.material) if obj.material else None
    phrase = terms(obj.description)
    compounds = {first + second for first, second in zip(phrase, phrase[1:])} & stated  # "chess board": Chessboard

    def shown(word: str) -> bool:
        lowered_word = word.lower()
        return (lowered_word in kept_words or procedural.normalize_color(lowered_word) is not None
                or (painted_finish is not None and procedural.normalize_finish(lowered_word) == painted_finish)
                or set(terms(word)) <= stated or any(term in compound for term in terms(word) for compound in compounds))

    before = [word for word in words[:end] if shown(word)]
    after = words[end + 1:] if all(shown(word) for word in words[end + 1:]) else []
    dropped = [word for word in words[:end] if word not in before] + [word for word in words[end + 1:]
                                                                        if word not in after]
    if not dropped:
        return
    warning = (f"{obj.description}: the chosen asset ({entry.name}) does not show {' '.join(dropped)!r}; "
               f"the caption leaves it out")
    if warning not in warnings:  # copies of one object warn once
        warnings.append(warning)
    obj.description = " ".join(before + [words[end]] + after)


def _resolve_variant(variant: ScenePlan, resolver: _Resolver) -> None:
    def rng(role: str) -> random.Random:
        return random.Random(f"{variant.seed}:{role}")

    used: set[str] = set()
    copies: dict[tuple[str, str | None], _Choice] = {}  # by description and pose: a sitting and a standing man differ
    place = scene_place(variant)
    shown: list[CatalogEntry] = []
    for obj in variant.objects:
        copy_of = obj.description.strip().lower()
        if (copy_of, obj.pose) not in copies:
            query = _object_query(obj)
            copies[copy_of, obj.pose] = resolver.choose(CatalogKind.object, query, rng(f"object:{copy_of}"),
                                                        used, variant.warnings, identity=_searched(obj),
                                                        looks=Looks(obj.color, obj.material),
                                                        pose=obj.pose or _usual_pose(obj), place=place)
            used.add(copies[copy_of, obj.pose].entry.key)
        choice = copies[copy_of, obj.pose]
        shown.append(choice.entry)
        obj.asset.query = _object_query(obj)
        _fill_object(obj, choice, variant.warnings)

    # What the prompt leaves unnamed fits the scene: the background its models' place, the floor the background's
    # ground, else its place.
    background = _fill_setting(variant.background, CatalogKind.hdri, resolver, rng("background"), variant.warnings,
                               place or most_filed_place(shown))
    ground = None if place_of(background) == "indoor" else implied_floor(
        terms(" ".join((background.name, *background.tags, *background.categories))))
    _fill_setting(variant.stage.material, CatalogKind.material, resolver, rng("stage"), variant.warnings,
                  place or place_of(background) or most_filed_place(shown), ground)


def _fill_setting(ref: CatalogRef, kind: CatalogKind, resolver: _Resolver, rng: random.Random, warnings: list[str],
                  place: str | None, implied: str | None = None) -> CatalogEntry:
    """Choose the background or floor ``ref`` asks for; where it asks for none, what the scene ``implied`` (the
    grass under a photographed meadow) where the catalog has it, else any of ``place``. An indoor background
    implies none: its room's floor is drawn among the indoor ones, not always the wooden floor of every room."""
    query = ref.query.strip()
    if query:
        choice = resolver.choose(kind, query, rng, set(), warnings)
    else:
        choice = resolver.choose(kind, implied, rng, set(), []) if implied else None
        if choice is None or choice.fallback:
            choice = resolver.any_of(kind, rng, place)
    _fill(ref, choice)
    return choice.entry


def resolve_assets(plan: RequestPlan, catalog: Catalog) -> RequestPlan:
    """A copy of ``plan`` with every object asset, background and floor chosen from ``catalog``."""
    resolved = plan.model_copy(deep=True)
    resolver = _Resolver(catalog, resolved)
    for variant in resolved.variants:
        _resolve_variant(variant, resolver)
    return resolved


class CatalogResolver:
    """``resolve_assets`` bound to one catalog (a long-lived process's, e.g. the operator's shared store)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def __call__(self, plan: RequestPlan) -> RequestPlan:
        return resolve_assets(plan, self.catalog)


def resolver_for_home(home: str | os.PathLike | None = None, store: str | None = None
                      ) -> Callable[[RequestPlan], RequestPlan]:
    """``resolve_assets`` bound to the catalog under ``home`` (or on the ChromaDB server ``store``), opened on
    first use.

    A home that cannot be written (a read-only ``~`` in ``make demo``) falls
    back to an in-memory catalog with a note on stderr instead of failing.
    """
    catalog: Catalog | None = None

    def resolve(plan: RequestPlan) -> RequestPlan:
        nonlocal catalog
        catalog = catalog or (Catalog.server(store) if store else Catalog.open(home, in_memory_fallback=True))
        return resolve_assets(plan, catalog)

    return resolve
