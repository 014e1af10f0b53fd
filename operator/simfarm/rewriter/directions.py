"""Direction and side phrases, read off the words before the parse is trusted with them.

The small parser often hangs "to the right" off the wrong word, or takes a
verb it has not seen for a noun ("a grey wolf trots to the left": "trots"
a noun, "left" its object), so these closed phrases are matched on the token
sequence itself. After a verb of motion a direction phrase is the way the
mover goes ("gallops to the right", "darts left"); elsewhere "on the left",
"to the right", "at the left of the frame" or a heading "left:" says where
in the picture an object stands. Either way the phrase names no object. A
phrase followed by "of X" ("to the left of a box") is a relation and is left
to the parse.

A verb the tagger took for a noun is found by agreement: a singular
determiner and a singular noun followed by a plural one ("a skyscraper
towers", "a cyclist pedals") is a noun and its verb, and so is a plural
noun followed by a verb of motion ("two vases drift", "two robots races").
"""

from __future__ import annotations

from dataclasses import dataclass

from . import lexicon as lex

KNOWN_ADJECTIVES = (lex.COLORS, lex.MATERIALS, lex.SIZE_PHRASES, lex.STYLE_WORDS, lex.WEATHER_ADJECTIVES)
# Words after which a verb of motion says where its subject goes.
HEADING_WORDS = (lex.PATH_WORDS | {"to", "up", "left", "right", "forward", "forwards", "backward", "backwards",
                                  "leftward", "rightward", "upward", "onto"})
SINGULAR_DETERMINERS = frozenset("a an one each every this that another".split())
SKIPPED_BEFORE_PHRASE = frozenset("off slowly quickly steadily gently swiftly rapidly fast slow briskly".split())
SEPARATORS = frozenset(",;:|/.!?")
MISTAKEN_VERBS = "simfarm.mistaken_verbs"  # key in Doc.user_data: what the chunker must not take for a noun


@dataclass(frozen=True)
class Phrase:
    start: int  # first token
    end: int  # one past the last token
    direction: str | None = None  # the way the verb's subject moves
    verb: int | None = None  # that verb's token index
    side: str | None = None  # left | right | middle: where the object it belongs to stands


def _token_keys(table) -> dict[tuple[str, ...], str]:
    """Phrase table keyed by the tokens the tokenizer makes of each phrase ('left-hand' is three)."""
    return {tuple(key.replace("-", " - ").split()): value for key, value in table.items()}


DIRECTIONS = _token_keys(lex.DIRECTION_PHRASES)
SIDES = _token_keys(lex.SIDE_PHRASES)
LONGEST = max(len(key) for key in (*DIRECTIONS, *SIDES))


def match_phrase(tokens: list[str], i: int, table: dict) -> tuple[str, int] | None:
    """Longest phrase from ``table`` starting at token i: (phrase, length in tokens)."""
    for length in (4, 3, 2, 1):
        phrase = " ".join(tokens[i:i + length])
        if len(tokens) - i >= length and phrase in table:
            return phrase, length
    return None


def mistaken_verbs(doc) -> set[int]:
    """Tokens tagged as plural nouns that agreement shows are verbs: 'a grey wolf trots'."""
    found = set()
    for token in doc:
        if token.pos_ != "NOUN" or token.i == 0:
            continue
        noun = doc[token.i - 1]  # the tagger may call it an adjective: "a cyclist pedals"
        plural = noun.tag_ in ("NNS", "NNPS") or lex.IRREGULAR_SINGULARS.get(noun.lower_, noun.lower_) != noun.lower_
        if plural and (token.lower_ in lex.MOVE_VERBS or token.lower_ in lex.POSTURE_VERBS):
            found.add(token.i)  # "two vases drift", "two robots races"
            continue
        if token.lower_ in lex.MOVE_VERBS and token.lower_.endswith("ing") and noun.pos_ in ("NOUN", "ADJ", "PROPN"):
            found.add(token.i)  # "a goldfish swimming": a participle after its noun
            continue
        following = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else None
        if (token.lower_ in lex.MOVE_VERBS and noun.pos_ in ("NOUN", "PROPN") and following in HEADING_WORDS
                and token.lower_ not in lex.PLURAL_NOUNS_LIKE_MOVES):
            found.add(token.i)  # "a horse and rider gallop towards the camera", "two deer run to the left"
            continue
        if token.tag_ != "NNS" or not token.lower_.endswith("s") or noun.lower_.endswith("ing"):
            continue  # "a bench feeding pigeons": the gerund is the verb, the plural its object
        if noun.pos_ not in ("NOUN", "PROPN", "ADJ") or noun.tag_ in ("NNS", "NNPS") or noun.whitespace_ == "":
            continue
        if noun.pos_ == "ADJ" and any(noun.lower_ in words for words in KNOWN_ADJECTIVES):
            continue  # "a pink flamingos" is a tagging slip, not a verb
        if noun.lower_ in lex.QUANTITY_NOUNS or noun.lower_ in lex.COUNT_WORDS or noun.lower_ in ("little", "great"):
            continue
        following = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if following is not None and following.pos_ in ("NOUN", "PROPN"):
            continue  # "a sports car": the plural modifies what follows
        start = noun.i
        while start > 0 and doc[start - 1].pos_ in ("ADJ", "NOUN", "PROPN", "ADV") and doc[start - 1].text not in SEPARATORS:
            start -= 1
        determiner = doc[start - 1].lower_ if start > 0 and doc[start - 1].text not in SEPARATORS else None
        if determiner in SINGULAR_DETERMINERS:
            found.add(token.i)
        elif determiner in (None, "the") and (token.lower_ in lex.MOVE_VERBS or token.lower_ in lex.POSTURE_VERBS):
            found.add(token.i)  # "the robot moves left", "robot rolls right"
    doc.user_data[MISTAKEN_VERBS] = found
    return found


def is_motion_verb(token, mistaken: set[int]) -> bool:
    """A verb that a direction after it makes a movement ('gallops to the right'; not 'looks to the right')."""
    word = token.lower_
    if word in lex.STILL_VERBS or token.lemma_ in lex.STILL_VERBS:
        return False
    return token.i in mistaken or token.pos_ == "VERB" or word in lex.MOVE_VERBS


def is_move_verb(token) -> bool:
    return token.lower_ in lex.MOVE_VERBS or token.lemma_ in lex.MOVE_VERBS


def _verb_before(doc, start: int, mistaken: set[int]):
    i = start - 1
    while i >= 0 and doc[i].lower_ in SKIPPED_BEFORE_PHRASE:
        i -= 1
    if i >= 0 and is_motion_verb(doc[i], mistaken):
        return doc[i]
    return None


def _move_verb_in_clause(doc, start: int, mistaken: set[int]):
    for token in reversed(doc[doc[start].sent.start:start]):
        if token.text in SEPARATORS or token.lower_ in ("and", "while", "as", "whilst", "then"):
            return None
        if is_move_verb(token) and (token.pos_ == "VERB" or token.i in mistaken):
            return token
    return None


def _tags_a_noun(doc, i: int) -> bool:
    """A bare 'left' / 'right' right after a noun, ending its segment: a side in tag-style prompts."""
    ends = i + 1 >= len(doc) or doc[i + 1].text in SEPARATORS
    return ends and i > 0 and doc[i - 1].pos_ in ("NOUN", "PROPN")


def _frame_tail(words: list[str], end: int) -> int:
    """'of the frame', 'of the picture' after a side phrase belong to it; returns the new end (or -1: 'of X')."""
    if end >= len(words) or words[end] != "of":
        return end
    rest = words[end + 1:end + 3]
    if rest and (rest[0] in lex.FRAME_NOUNS or (rest[0] == "the" and rest[1:] and rest[1] in lex.FRAME_NOUNS)):
        return end + (2 if rest[0] in lex.FRAME_NOUNS else 3)
    return -1


def find(doc, mistaken: set[int]) -> list[Phrase]:
    words = [t.lower_ for t in doc]
    found: list[Phrase] = []
    i = 0
    while i < len(doc):
        phrase = _phrase_at(doc, words, i, mistaken)
        if phrase is None:
            i += 1
            continue
        found.append(phrase)
        i = phrase.end
    return found


def names_no_way(words: list[str], i: int, length: int) -> bool:
    """A direction word that says no way here: 'pulls away from the kerb' (away from a thing, not the camera,
    whose phrase is matched whole) and 'the horse's back' (a possessive's noun)."""
    return (words[i:i + length] == ["away"] and words[i + 1:i + 2] == ["from"]) or (i > 0 and words[i - 1] == "'s")


def _phrase_at(doc, words: list[str], i: int, mistaken: set[int]) -> Phrase | None:
    starts_segment = i == 0 or words[i - 1] in SEPARATORS or words[i - 1] in ("and", "with")
    if words[i] in lex.SIDE_HEADINGS and i + 1 < len(words) and words[i + 1] == ":" and starts_segment:
        return Phrase(i, i + 2, side=lex.SIDE_PHRASES.get(f"on the {words[i]}", "middle"))
    for length in range(min(LONGEST, len(words) - i), 0, -1):
        key = tuple(words[i:i + length])
        direction, side = DIRECTIONS.get(key), SIDES.get(key)
        if side is None and key in (("left",), ("right",)) and _tags_a_noun(doc, i):
            side = key[0]  # "red barn left, white silo right"
        if direction is None and side is None or names_no_way(words, i, length):
            continue
        end = _frame_tail(words, i + length)
        if end < 0:
            return None  # "to the left of a box": a relation
        following = doc[end] if end < len(doc) else None
        if following is not None and following.pos_ in ("NOUN", "PROPN", "ADJ", "NUM") and end == i + length:
            continue  # "on the left bank": "left" describes a noun
        verb = _verb_before(doc, i, mistaken) if direction is not None else None
        if verb is not None and (is_move_verb(verb) or " ".join(key) not in lex.WEAK_DIRECTIONS):
            return Phrase(i, end, direction=direction, verb=verb.i)
        verb = _move_verb_in_clause(doc, i, mistaken) if direction is not None and length > 1 else None
        if verb is not None:  # "drives past a barn to the left"
            return Phrase(i, end, direction=direction, verb=verb.i)
        if side is not None:
            return Phrase(i, end, side=side)
    return None
