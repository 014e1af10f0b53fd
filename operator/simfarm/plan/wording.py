"""English for noun phrases in captions: articles, plurals, counts and the verbs that agree with them.

A caption names what is rendered, so a phrase counts models: a model the
catalog names in the plural ("Flowers", "Wood logs") is several things in one,
and a pair ("Sneakers", "Scissors") is one thing named in the plural. Three
copies of "Flowers" are "three groups of flowers", never "three flowers",
which would be a false count. Articles and irregular plurals come from
``inflect`` ("an hour", "a unicorn", "two men", "three shelves").
"""

from __future__ import annotations

import re
from functools import lru_cache

import inflect

from ..retrieval.facets import QUALIFIERS

NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
                10: "ten", 11: "eleven", 12: "twelve"}
# Nouns ending in "s" that name one thing ("a canvas"); any other head noun ending so (not in -ss, -us, -is) is plural.
_SINGULAR_IN_S = frozenset({"atlas", "canvas", "christmas", "lens", "news", "series", "species", "gas"})
# One thing, or a pair, named in the plural: "a pair of scissors", "two pairs of sneakers".
PAIR_NOUNS = frozenset({"scissors", "trousers", "jeans", "shorts", "pyjamas", "pajamas", "sunglasses", "spectacles",
                        "pliers", "tongs", "tweezers", "binoculars", "headphones", "earphones", "shoes", "sneakers",
                        "slippers", "boots", "sandals", "socks", "gloves", "mittens", "skis", "skates", "earrings"})


@lru_cache(maxsize=1)
def _english() -> inflect.engine:
    return inflect.engine()


def number_word(count: int) -> str:
    return NUMBER_WORDS.get(count, str(count))


def _head_end(words: list[str]) -> int:
    """Where a phrase's head noun ends: at its last word before any qualifier or number ("bowl with fruits",
    "sofa 2 seats")."""
    return next((i for i, word in enumerate(words) if i and (word in QUALIFIERS or word[0].isdigit())), len(words))


def _head(text: str) -> str:
    words = text.split()
    return words[_head_end(words) - 1].lower()


def _plural_word(word: str) -> bool:
    return word not in _SINGULAR_IN_S and bool(re.search(r"[^siu]s$", word)) and len(word) > 2


def named_plural(text: str) -> bool:
    """Whether a phrase's head noun is plural: "flowers", "wood logs", "kitchen tools", "scissors"."""
    return _plural_word(_head(text))


def pair(text: str) -> bool:
    """Whether a phrase names a pair, or one thing in the plural ("sneakers", "scissors")."""
    return _head(text) in PAIR_NOUNS


def article(phrase: str) -> str:
    """'a vase', 'an hour', 'a unicorn'."""
    return _english().a(phrase)


def plural(text: str) -> str:
    """The plural of a phrase's head noun ("bowls with fruits", "sofas 2 seats", "men"); a word already plural
    stays ("flowers", a model's own name)."""
    words = text.split()
    end = _head_end(words)
    head = words[end - 1]
    if not _plural_word(head.lower()):
        head = _english().plural_noun(head)
    return " ".join(words[:end - 1] + [head] + words[end:])


def many(text: str) -> str:
    """Several of a thing: "cups"; of a model that is several things, groups of it ("groups of flowers"); of a
    pair, pairs ("pairs of sneakers")."""
    if pair(text):
        return f"pairs of {text}"
    return f"groups of {text}" if named_plural(text) else plural(text)


def counted(phrase: str, count: int) -> str:
    """'a vase', 'three cups', 'some flowers', 'two groups of flowers', 'a pair of sneakers'."""
    if count > 1:
        return f"{number_word(count)} {many(phrase)}"
    if pair(phrase):
        return f"a pair of {phrase}"
    return f"some {phrase}" if named_plural(phrase) else article(phrase)


def agreeing(verb: str, plural_subject: bool) -> str:
    """A present-tense verb phrase ("is on", "rests on top of", "moves") for a plural subject when asked."""
    if not plural_subject:
        return verb
    first, _, rest = verb.partition(" ")
    first = {"is": "are", "has": "have"}.get(first, first[:-1] if first.endswith("s") else first)
    return f"{first} {rest}".strip()


def listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
