"""Whether a chosen asset can show an object's colour and finish, so captions never claim one it lacks.

A plan object's colour ("a red car") is shown when the asset already has it
(its name, tags or description say so: the Sweet Home 3D importer tags each
model with its body's colour), or when the worker can paint it: procedural
shapes take any catalog colour, and library models have their body
material (``library_uris.ModelRef.body``) painted. A finish ("a wooden
chair") is shown when the asset's words or its body material's name say it
(``wood2``, ``oak``), or when the asset is a procedural shape. Retrieval
prefers assets that show both as they are, then assets that can be
painted; whatever is left unshown is dropped from the object's description
(the caption's words) with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entries import CatalogEntry
from .library_uris import is_library_model, parse_model_uri
from .procedural import is_procedural, normalize_color, normalize_finish

_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Looks:
    """The colour and finish words a plan object asks for (either may be None)."""

    color: str | None = None
    material: str | None = None

    @property
    def wanted_color(self) -> str | None:
        return (normalize_color(self.color) or self.color.strip().lower()) if self.color else None

    @property
    def wanted_finish(self) -> str | None:
        return (normalize_finish(self.material) or self.material.strip().lower()) if self.material else None


def entry_words(entry: CatalogEntry) -> frozenset[str]:
    """The words describing an entry, with those of its body material's name."""
    text = " ".join((entry.name, entry.description, *entry.tags, *entry.categories))
    if is_library_model(entry.uri):
        text += " " + parse_model_uri(entry.uri).body
    return frozenset(_WORD.findall(text.lower()))


def has_color(entry: CatalogEntry, looks: Looks) -> bool:
    """The entry is of the wanted colour as it comes."""
    wanted = looks.wanted_color
    return wanted is not None and any(word == wanted or normalize_color(word) == wanted for word in entry_words(entry))


def can_paint(entry: CatalogEntry, looks: Looks) -> bool:
    """The worker can give the entry the wanted colour: a catalog colour, on a shape or a model with a body."""
    if looks.color is None or normalize_color(looks.color) is None:
        return False
    return is_procedural(entry.uri) or (is_library_model(entry.uri) and bool(parse_model_uri(entry.uri).body))


def has_finish(entry: CatalogEntry, looks: Looks) -> bool:
    wanted = looks.wanted_finish
    if wanted is None:
        return False
    if is_procedural(entry.uri):
        return normalize_finish(looks.material) is not None
    return any(word == wanted or normalize_finish(word) == wanted for word in entry_words(entry))


def shown(entry: CatalogEntry, looks: Looks) -> tuple[bool, bool]:
    """(colour shown, finish shown); True where nothing is asked."""
    colour = looks.color is None or has_color(entry, looks) or can_paint(entry, looks)
    finish = looks.material is None or has_finish(entry, looks)
    return colour, finish


def rank(entry: CatalogEntry, looks: Looks) -> tuple[int, int]:
    """Lower is better: how many asked words the entry cannot show, then 0 when it has the colour as it comes."""
    colour, finish = shown(entry, looks)
    return (not colour) + (not finish), int(looks.color is not None and not has_color(entry, looks))


def without(description: str, phrase: str) -> str:
    """``description`` without the word or words of ``phrase`` (and the colour or finish words meaning the same)."""
    words = phrase.lower().split()
    kept, tokens, i = [], description.split(), 0
    while i < len(tokens):
        if [token.lower() for token in tokens[i:i + len(words)]] == words:
            i += len(words)
            continue
        kept.append(tokens[i])
        i += 1
    same_colour, same_finish = normalize_color(phrase), normalize_finish(phrase)
    kept = [token for token in kept
            if not (same_colour and normalize_color(token) == same_colour)
            and not (same_finish and normalize_finish(token) == same_finish)]
    return " ".join(kept)
