"""Noun phrases chunked from part-of-speech tags, and the draft objects they describe.

The head of a phrase is its last noun, so "a red fire hydrant" stays one
phrase even where the parse attaches it oddly; words before the head are its
modifiers (counts, colours, materials, sizes). A word the tagger mistook in a
fragment ("a jeep crossing", "jellyfish" alone) still counts as a noun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..plan.draft import DraftObject
from . import lexicon as lex
from .directions import MISTAKEN_VERBS

PHRASE_POS = frozenset({"DET", "NUM", "ADJ", "NOUN", "PROPN"})
NOUN_POS = frozenset({"NOUN", "PROPN"})
MODIFIER_ADVERBS = frozenset("very extremely really super bright brightly dark light pale deep".split())
PRONOUNS = frozenset("it them this that these those one".split())
SIZE_WORDS = lex.SIZE_PHRASES



ADJECTIVE_ENDINGS = ("y", "ous", "ful", "ive", "al", "ic", "less", "ish", "able", "ible", "ent", "ant", "ed",
                     "ing", "ly", "ern", "ese", "ian")
COMMON_ADJECTIVES = frozenset(
    "old new warm cold hot cool soft hard big small tall short long wide narrow thin thick flat deep high low "
    "dark light bright pale plain clear calm wild tiny huge giant lone quiet still fresh ripe young wet dry "
    "round square open closed full empty".split()
)
CLAUSE_WORDS = frozenset("while whilst as when then where".split())  # never part of a noun phrase ("a rug while")
NOMINAL_DEPENDENCIES = frozenset("nsubj nsubjpass dobj pobj attr appos conj".split())
DIMENSION_ADJECTIVES = frozenset("long short wide narrow thin thick flat deep high low round square".split())


def is_noun(token) -> bool:
    """A noun, or a word the tagger mistook in a fragment ('a jeep crossing', 'jellyfish' alone,
    'a golden retriever' with 'retriever' an adverb the parse still makes a subject)."""
    if token.pos_ in NOUN_POS or token.lower_ in lex.IRREGULAR_SINGULARS or follows_possessive(token):
        return True
    nominal = (token.pos_ == "ADV" and token.dep_ in NOMINAL_DEPENDENCIES and not token.lower_.endswith("ly")
               and token.lower_ not in lex.PREPOSITION_KINDS and token.lower_ not in lex.DIRECTION_PHRASES
               and token.lower_ not in lex.NON_OBJECT_NOUNS)
    if (token.pos_ not in ("ADJ", "VERB") and not nominal) or token.lower_ in lex.MOVE_VERBS \
            or token.lower_ in lex.POSTURE_VERBS:
        return False
    word = token.lower_
    known = (lex.COLORS, lex.MATERIALS, SIZE_WORDS, lex.WEATHER_ADJECTIVES, lex.STYLE_WORDS, COMMON_ADJECTIVES,
             lex.SPEED_WORDS, lex.ANIMATION_SPEED_WORDS)
    if any(word in table for table in known) or not word.isalpha():
        return False
    doc = token.doc
    ends_segment = (token.i + 1 >= len(doc) or doc[token.i + 1].text in SEPARATORS
                    or token.i + 1 in doc.user_data.get(MISTAKEN_VERBS, ()))
    if word.endswith(ADJECTIVE_ENDINGS) and not (ends_segment and token.i > 0 and doc[token.i - 1].pos_ == "DET"):
        return False  # but "a sundial," is a noun whatever its ending
    modifies_next = (token.dep_ in ("amod", "compound") and token.head.i > token.i and is_noun_pos(token.head)
                     and token.head.i not in doc.user_data.get(MISTAKEN_VERBS, ())
                     and not any(t.text in SEPARATORS for t in doc[token.i + 1:token.head.i]))
    previous = doc[token.i - 1] if token.i > 0 else None
    after_article = previous is not None and previous.pos_ in ("DET", "NUM", "ADJ")
    alone = (previous is None or previous.text in SEPARATORS) and (
        token.i + 1 >= len(doc) or doc[token.i + 1].text in SEPARATORS)
    return not modifies_next and (after_article or (alone and not nominal))


def follows_possessive(token) -> bool:
    """'the horse's back': what a possessive owns is a noun, whatever the tagger said."""
    return token.i > 0 and token.doc[token.i - 1].tag_ == "POS" and token.is_alpha


def is_noun_pos(token) -> bool:
    return token.pos_ in NOUN_POS


SEPARATORS = frozenset(",;:|/.!?")


def lemma(token) -> str:
    word = token.lower_
    if word in lex.IRREGULAR_SINGULARS:
        return lex.IRREGULAR_SINGULARS[word]
    if token.pos_ not in NOUN_POS:
        return word
    lemma = token.lemma_.lower()
    if word.endswith("ies") and lemma.endswith("y") and lemma[:-1] + "ie" in lex.IE_SINGULARS:
        return lemma[:-1] + "ie"
    counted = any(c.dep_ == "nummod" and c.like_num and c.lower_ not in ("one", "1") for c in token.children)
    if counted and lemma == word and word.endswith("is") and len(word) > 3:  # "four taxis"
        return word[:-1]
    if lemma == word and token.tag_ in ("NNS", "NNPS") and len(word) > 3:
        return lex.singular(word)
    return lemma


@dataclass
class Chunk:
    tokens: list  # spaCy tokens, in order
    kind: str = "object"  # object | setting | floor | ignore | attribute | reference | member
    count: int = 1
    counted: bool = False  # the phrase itself gave a number
    owner: "Chunk | None" = None  # a phrase whose relations belong to another ("cup of coffee", "the table")
    support: "Chunk | None" = None  # what this object stands in or on ("apples" in "a bowl of apples")
    holds: "Chunk | None" = None  # the one content an "of" gives a container ("fruit" in "a bowl of fruit")
    ids: list[int] = field(default_factory=list)  # entries in the draft's objects
    noun: str | None = None  # the noun a 'one' phrase stands for ("a tall cactus and a short one")

    @property
    def head(self):
        nouns = [t for t in self.tokens if is_noun(t)]
        return nouns[-1] if nouns else self.tokens[-1]

    @property
    def lemma(self) -> str:
        head = self.head
        return self.noun or (lemma(head) if is_noun(head) else head.lower_)

    @property
    def name(self) -> str:
        """The object's name: the lemma, with the words hyphenated to it ('penny-farthing', 'jack-o-lantern')."""
        joined = self.hyphen_prefix() if self.noun is None else []
        return "".join(t.lower_ for t in joined) + self.lemma

    def hyphen_prefix(self) -> list:
        """'penny', '-' in 'a penny-farthing': the words (and hyphens) the tokenizer split from the head."""
        start = index = self.tokens.index(self.head)
        while start >= 2 and self.tokens[start - 1].text == "-":
            word, hyphen = self.tokens[start - 2], self.tokens[start - 1]
            if word.whitespace_ or hyphen.whitespace_ or not word.is_alpha or lex.number_value(word.lower_) is not None:
                break
            start -= 2
        return self.tokens[start:index]

    @property
    def compound_lemma(self) -> str:
        index = self.tokens.index(self.head)
        before = self.tokens[index - 1].lower_ if index > 0 else ""
        return f"{before} {self.lemma}".strip()

    def words(self) -> list[str]:
        return word_list(self.tokens)


def chunk_doc(doc, skipped: set[int] = frozenset()) -> list[Chunk]:
    """Noun phrases from part-of-speech tags: determiners, numbers, modifiers, nouns; the last noun heads it.

    ``skipped`` tokens (direction phrases, verbs the tagger took for nouns) end a phrase and join none.
    """
    chunks: list[Chunk] = []
    current: list = []

    def close() -> None:
        if current:
            chunks.extend(_split_trailing(current))
        current.clear()

    for token in doc:
        eligible = (
            token.pos_ in PHRASE_POS or is_noun(token)
            or (token.pos_ == "PRON" and token.dep_ == "poss")
            or (token.tag_ in ("VBG", "VBN") and token.dep_ in ("amod", "compound") and token.head.i > token.i)
            or (token.pos_ == "ADV" and token.lower_ in MODIFIER_ADVERBS and token.i + 1 < len(doc)
                and doc[token.i + 1].pos_ == "ADJ")
        )
        if token.lower_ in PRONOUNS and token.pos_ == "PRON":
            eligible = False
        if token.tag_ == "HYPH" and current and not current[-1].whitespace_ and not token.whitespace_:
            eligible = True  # "pocket-sized", "normal-sized": one word split by the tokenizer
        if token.tag_ == "POS":  # "a child's tricycle": the possessor modifies what follows
            continue
        starts_new = current and token.pos_ in ("DET", "NUM") and is_noun(current[-1])
        if token.lower_ == "side" and doc[token.i + 1:token.i + 3].text.lower() == "by side":
            eligible = False
        if token.i in skipped or token.lower_ in CLAUSE_WORDS:
            eligible = False
        if not eligible or starts_new:
            close()
        if eligible:
            current.append(token)
    close()
    return chunks


def _split_trailing(tokens: list) -> list[Chunk]:
    """'a red car' stays one chunk; adjectives after the last noun ('deer, wide') form their own;
    a verb the tagger took for a noun ends it ('a clock standing', 'a motorcycle speeding past'), and
    what that verb acts on is a phrase of its own ('a park bench feeding pigeons')."""
    nouns = [i for i, t in enumerate(tokens) if is_noun(t)]
    verb = next((i for i in range(1, len(tokens)) if _acts_on_what_follows(tokens, nouns, i) or (
        i in nouns[1:] and (tokens[i].lower_ in lex.POSTURE_VERBS | lex.ACTIVITY_VERBS
                            or _is_move_participle(tokens[i].lower_)))), None)
    if verb is None and len(nouns) > 1 and _is_move_verb_form(tokens[nouns[-1]].lower_):
        verb = nouns[-1]  # "two robots races": the tagger's plural noun is the verb
    rest: list[Chunk] = []
    if verb is not None:
        if _acts_on_what_follows(tokens, nouns, verb):
            rest = _split_trailing(tokens[verb + 1:])
        tokens = tokens[:verb]
        nouns = [i for i in nouns if i < verb]
    if not nouns or nouns[-1] == len(tokens) - 1:
        return [Chunk(list(tokens))] + rest
    last = nouns[-1] + 1
    return [Chunk(list(tokens[:last])), Chunk(list(tokens[last:]))] + rest


def _acts_on_what_follows(tokens: list, nouns: list[int], i: int) -> bool:
    """An '-ing' word between two nouns of one phrase is a verb and its object: 'a bench feeding pigeons'
    (but 'an office building' ends its phrase)."""
    word = tokens[i].lower_
    return word.endswith("ing") and len(word) > 5 and i - 1 in nouns and any(j > i for j in nouns)


def _is_move_participle(word: str) -> bool:
    return word in lex.MOVE_VERBS and word.endswith(("ing", "ed"))


def _is_move_verb_form(word: str) -> bool:
    return word in lex.MOVE_VERBS and word.endswith("s") and word not in lex.PLURAL_NOUNS_LIKE_MOVES


def word_list(tokens: list) -> list[str]:
    """Lower-case words, hyphenated ones rejoined ('normal-sized')."""
    words: list[str] = []
    glue = False
    for token in tokens:
        if token.text == "-" and not words:
            continue  # what the hyphen joined to is not among these tokens
        if token.text == "-":
            words[-1] += "-"
            glue = True
            continue
        if glue:
            words[-1] += token.lower_
        else:
            words.append(token.lower_)
        glue = False
    return words


def is_possessor(token) -> bool:
    return token.i + 1 < len(token.doc) and token.doc[token.i + 1].tag_ == "POS"


def is_attribute_word(token) -> bool:
    word = token.lower_
    return word in lex.COLORS or word in SIZE_WORDS or (word in lex.MATERIALS and token.dep_ != "pobj")


def alone_in_segment(chunk: Chunk) -> bool:
    doc = chunk.tokens[0].doc
    first, last = chunk.tokens[0].i, chunk.tokens[-1].i
    before = doc[first - 1].text if first > 0 else ","
    after = doc[last + 1].text if last + 1 < len(doc) else ","
    separators = set(",;:|/.!?")
    return before in separators and after in separators


def count_of(chunk: Chunk) -> tuple[int, bool]:
    """How many the phrase asks for (uncapped: the reader places at most MAX_COPIES and says so)."""
    count, counted = 1, False
    before = [t for t in chunk.tokens if t.i < chunk.head.i]
    for word in word_list(before):
        value = lex.number_value(word)
        if value is not None:
            count, counted = value, True
    if not counted and chunk.head.tag_ in ("NNS", "NNPS") and chunk.head.lower_ != chunk.lemma:
        count = lex.PLURAL_COUNT
    return max(1, count), counted


def draft_object(chunk: Chunk) -> DraftObject:
    head = chunk.tokens.index(chunk.head)
    if chunk.noun is not None:  # "a short one", "a red (and a blue ball)": every word describes the noun
        head = len(chunk.tokens)
    elif chunk.hyphen_prefix():  # "penny-farthing" is the name, not a modifier and a noun
        start = head - len(chunk.hyphen_prefix())
        return describe(_modifiers(chunk.tokens[:start]) + chunk.tokens[head + 1:], chunk.name)
    return describe(_modifiers(chunk.tokens[:head]) + chunk.tokens[head + 1:], chunk.lemma)


def _modifiers(tokens: list) -> list:
    return [t for t in tokens if t.pos_ not in ("DET", "NUM") and t.dep_ != "poss"
            and t.lower_ not in lex.COUNT_WORDS and not t.like_num and not _in_number(t)]


def _in_number(token) -> bool:
    """A part of a hyphenated number ('twenty', '-', 'one' in 'twenty-one'), which the tokenizer splits."""
    doc = token.doc
    for start in range(max(token.i - 2, 0), token.i + 1):
        if (start + 2 < len(doc) and doc[start + 1].text == "-" and not doc[start].whitespace_
                and not doc[start + 1].whitespace_
                and lex.number_value(f"{doc[start].lower_}-{doc[start + 2].lower_}") is not None):
            return True
    return False


def describe(modifiers: list, noun: str) -> DraftObject:
    """The object ``noun`` with these modifier tokens: size words give its scale, the rest its description."""
    scale = None
    kept: list[str] = []
    texts = word_list(modifiers)
    i = 0
    while i < len(texts):
        pair = " ".join(texts[i:i + 2])
        if pair in SIZE_WORDS and i + 1 < len(texts):
            scale, i = SIZE_WORDS[pair], i + 2
            continue
        if texts[i] in SIZE_WORDS:
            scale = SIZE_WORDS[texts[i]]
        elif texts[i] != "very":
            kept.append(texts[i])
        i += 1
    colors = [lex.COLOR_ALIASES.get(w, w) for w in kept if w in lex.COLORS]
    materials = [lex.MATERIALS[w] for w in kept if w in lex.MATERIALS]
    description = " ".join(kept + [noun])[:200]
    return DraftObject(name=noun[:80], description=description, color=colors[0] if colors else None,
                       material=materials[0] if materials else None, scale=scale)


def phrase_of(chunk: Chunk) -> str:
    words = word_list([t for t in chunk.tokens if t.pos_ not in ("DET", "NUM") and t.dep_ != "poss"])
    return re.sub(r"\s+", " ", " ".join(words)).strip()


def is_unknown_adjective(word: str) -> bool:
    known = (lex.COLORS, lex.MATERIALS, SIZE_WORDS, lex.SPEED_WORDS, lex.COUNT_WORDS, lex.DETERMINERS)
    return (word.replace("-", "").isalpha() and len(word) > 3 and word not in DIMENSION_ADJECTIVES
            and not any(word in table for table in known))
