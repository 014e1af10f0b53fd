"""Indoors or outdoors: what a background phrase, a record and a scene's models say of their place; and the
light a background phrase asks for (its time of day and weather).

The place is the ``place`` facet of ``facets.FACETS`` (indoor, outdoor), read from words: a phrase's own
("a living room"; every setting, "a park", "a beach", is outdoors), a record's name, tags and categories
(Sweet Home 3D's "Exterior" or "Living room", Poly Haven's "indoor"). The resolver searches a scene's
models as of its place and draws what the prompt leaves unnamed from it.
"""

from __future__ import annotations

from collections import Counter

from ..plan.models import ScenePlan
from .catalog import SearchHit
from .entries import CatalogEntry
from .ranking import LexicalFields, facet_scores, query_facets, terms

# The values that make a picture's light: a daytime or clear sky is what most records leave unsaid ("a sunny beach"
# is any beach by day, not Poly Haven's "Sunny Vondelpark").
DEFINING_LIGHT = {"time": frozenset({"dawn", "dusk", "night"}), "weather": frozenset({"overcast", "fog", "rain", "snow"})}


def place_of(entry: CatalogEntry) -> str | None:
    """Indoors or outdoors, where the record files the entry under one of them only (Sweet Home 3D's "Exterior"
    or "Living room", Poly Haven's "indoor"); None for a record of either or neither (a car, a plant)."""
    places = query_facets(terms(" ".join((entry.name, *entry.tags, *entry.categories))), ("place",)).get("place", ())
    return next(iter(places)) if len(places) == 1 else None


def most_filed_place(entries: list[CatalogEntry]) -> str | None:
    """The place most of a scene's models are filed under, None where as many are of either or none is."""
    votes = Counter(place for place in map(place_of, entries) if place)
    ranked = votes.most_common(2)
    return ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else None


def scene_place(variant: ScenePlan) -> str | None:
    """Indoors or outdoors, where the scene's background phrase says which (``phrase_place``)."""
    return phrase_place(variant.background.query)


def settings(text: str) -> frozenset[str]:
    """The settings (coast, park, city, …: ``facets.FACETS["setting"]``) a text states."""
    return query_facets(terms(text), ("setting",)).get("setting", frozenset())


def phrase_place(phrase: str) -> str | None:
    """Indoors or outdoors, where a background phrase says which ("a living room"; "a park": every setting is
    outdoors); else None ("sunset" says neither)."""
    stated = query_facets(terms(phrase), ("place", "setting"))
    places = stated.get("place", frozenset()) or ({"outdoor"} if "setting" in stated else set())
    return next(iter(places)) if len(places) == 1 else None


def lit_as_asked(matching: list[SearchHit], phrase: str) -> list[SearchHit]:
    """The backgrounds that show the light the phrase states (dawn, dusk, night; overcast, fog, rain, snow), where
    some do: it is the whole picture, so "a city street at night" gets a night sky of any setting rather than
    Venice at sunset, which ranks first for its city. All of them where none does or the phrase states none."""
    stated = query_facets(terms(phrase), tuple(DEFINING_LIGHT))
    wanted = {facet: values & DEFINING_LIGHT[facet] for facet, values in stated.items() if values & DEFINING_LIGHT[facet]}
    if not wanted:
        return matching
    fields = [LexicalFields.of(hit.entry.name, hit.entry.tags + hit.entry.categories, hit.entry.description)
              for hit in matching]
    agreeing = [hit for hit, score in zip(matching, facet_scores(wanted, fields)) if score > 0]
    return agreeing or matching
