"""Objects, places and relations read from a dependency parse of what the scene-wide passes left.

Noun phrases are chunked from part-of-speech tags (the head is the last noun,
so "a red fire hydrant" stays one phrase even where the parse attaches it
oddly); each phrase is an object, a place (background/floor), weather or
time of day, or a word for the picture. Relations come from prepositions and
the phrase they attach to, found through the parse: "on"/"in a bowl" make a
support, "under", "over", "behind", "next to", "facing" a relation; the
subject of a preposition is the noun it hangs from, or the subject of the
verb it hangs from ("a tower looms over a hut"). A preposition after the last
of coordinated nouns applies to each ("a mug and a laptop on a desk"), a
pronoun points back to the owner of a "with" phrase ("a shelf with a clock
on it") or else the nearest earlier object, and "each other" / "side by side"
relate the objects of their clause to one another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..plan import vocabulary as vocab
from ..plan.draft import DraftMovement, DraftObject, DraftRelation
from . import lexicon as lex

PHRASE_POS = frozenset({"DET", "NUM", "ADJ", "NOUN", "PROPN"})
NOUN_POS = frozenset({"NOUN", "PROPN"})
MODIFIER_ADVERBS = frozenset("very extremely really super bright brightly dark light pale deep".split())
PRONOUNS = frozenset("it them this that these those one".split())
FILL_VERBS = frozenset("fill cover load pile stack top set heap crowd stock lay".split())
SURFACE_PREPOSITIONS = frozenset("on onto upon across along over atop".split())
RECIPROCALS = (("each", "other"), ("one", "another"))
SIZE_WORDS = lex.SIZE_PHRASES


ADJECTIVE_ENDINGS = ("y", "ous", "ful", "ive", "al", "ic", "less", "ish", "able", "ible", "ent", "ant", "ed",
                     "ing", "ly", "ern", "ese", "ian")
COMMON_ADJECTIVES = frozenset(
    "old new warm cold hot cool soft hard big small tall short long wide narrow thin thick flat deep high low "
    "dark light bright pale plain clear calm wild tiny huge giant lone quiet still fresh ripe young wet dry "
    "round square open closed full empty".split()
)
DIMENSION_ADJECTIVES = frozenset("long short wide narrow thin thick flat deep high low round square".split())


def is_noun(token) -> bool:
    """A noun, or a word the tagger mistook in a fragment ('a jeep crossing', 'jellyfish' alone)."""
    if token.pos_ in NOUN_POS:
        return True
    if token.pos_ not in ("ADJ", "VERB") or token.lower_ in lex.MOVE_VERBS or token.lower_ in lex.POSTURE_VERBS:
        return False
    word = token.lower_
    known = (lex.COLORS, lex.MATERIALS, SIZE_WORDS, lex.WEATHER_ADJECTIVES, lex.STYLE_WORDS, COMMON_ADJECTIVES,
             lex.SPEED_WORDS, lex.ANIMATION_SPEED_WORDS)
    if any(word in table for table in known) or word.endswith(ADJECTIVE_ENDINGS) or not word.isalpha():
        return False
    doc = token.doc
    modifies_next = token.dep_ in ("amod", "compound") and token.head.i > token.i and is_noun_pos(token.head)
    previous = doc[token.i - 1] if token.i > 0 else None
    after_article = previous is not None and previous.pos_ in ("DET", "NUM", "ADJ")
    alone = (previous is None or previous.text in SEPARATORS) and (
        token.i + 1 >= len(doc) or doc[token.i + 1].text in SEPARATORS)
    return not modifies_next and (after_article or alone)


def is_noun_pos(token) -> bool:
    return token.pos_ in NOUN_POS


SEPARATORS = frozenset(",;:|/.!?")


def _lemma(token) -> str:
    word = token.lower_
    if token.pos_ not in NOUN_POS:
        return word
    lemma = token.lemma_.lower()
    if word.endswith("ies") and lemma.endswith("y") and lemma[:-1] + "ie" in lex.IE_SINGULARS:
        return lemma[:-1] + "ie"
    if lemma == word and token.tag_ in ("NNS", "NNPS") and len(word) > 3:
        from .rules import singular

        return singular(word)
    return lemma


@dataclass
class Chunk:
    tokens: list  # spaCy tokens, in order
    kind: str = "object"  # object | setting | floor | ignore | attribute
    count: int = 1
    counted: bool = False  # the phrase itself gave a number
    owner: "Chunk | None" = None  # an ignored chunk whose relations belong to another ("cup of coffee")
    support: "Chunk | None" = None  # what this object stands in or on ("apples" in "a bowl of apples")
    ids: list[int] = field(default_factory=list)  # entries in the draft's objects

    @property
    def head(self):
        nouns = [t for t in self.tokens if is_noun(t)]
        return nouns[-1] if nouns else self.tokens[-1]

    @property
    def lemma(self) -> str:
        head = self.head
        return _lemma(head) if is_noun(head) else head.lower_

    @property
    def compound_lemma(self) -> str:
        index = self.tokens.index(self.head)
        before = self.tokens[index - 1].lower_ if index > 0 else ""
        return f"{before} {self.lemma}".strip()

    def words(self) -> list[str]:
        return _words(self.tokens)


@dataclass
class Structure:
    objects: list[DraftObject] = field(default_factory=list)
    background: list[str] = field(default_factory=list)
    floor: str | None = None
    implied_floor: str | None = None
    unknown_adjectives: dict[int, list[str]] = field(default_factory=dict)


def read(doc) -> Structure:
    reader = _Reader(doc)
    reader.run()
    return reader.result


class _Reader:
    def __init__(self, doc) -> None:
        self.doc = doc
        self.result = Structure()
        self.chunks = _chunk(doc)
        self.chunk_of = {t.i: c for c in self.chunks for t in c.tokens}

    # -------------------------------------------------------------- passes

    def run(self) -> None:
        for chunk in self.chunks:
            self._classify(chunk)
        self._read_of_phrases()
        self._attach_attributes()
        for chunk in self.chunks:
            if chunk.kind == "object":
                self._add(chunk)
        for token in self.doc:
            if token.pos_ == "ADP" or token.dep_ in ("prep", "agent") or token.lower_ in lex.PREPOSITION_KINDS:
                self._read_preposition(token)
            if token.lemma_ == "face" and token.pos_ == "VERB":
                self._read_facing(token)
        self._read_reciprocals()
        self._read_motion()
        self._read_places()

    def _classify(self, chunk: Chunk) -> None:
        head = chunk.head
        if not is_noun(head) or (head.lower_ in lex.STYLE_WORDS and _alone_in_segment(chunk)):
            chunk.kind = "attribute"
            return
        if _is_possessor(head):
            chunk.kind = "ignore"
            return
        lemma, compound = chunk.lemma, chunk.compound_lemma
        governor = head.head if head.dep_ == "pobj" else None
        on_surface = governor is not None and governor.lower_ in SURFACE_PREPOSITIONS
        if lemma in lex.RELATIONAL_NOUNS and governor is not None and governor.pos_ == "ADP":
            chunk.kind = "ignore"  # "on top", "in front of", "to the left"
        elif lemma in lex.WEARABLE_NOUNS and governor is not None and governor.lower_ in ("in", "with"):
            chunk.kind = "ignore"
        elif lemma in lex.FLOOR_NOUNS and (on_surface or _alone_in_segment(chunk)):
            chunk.kind = "floor"
        elif compound in lex.SETTING_NOUNS or lemma in lex.SETTING_NOUNS or lemma in lex.WEATHER_NOUNS:
            chunk.kind = "setting"
        elif lemma in lex.NON_OBJECT_NOUNS or lemma in lex.MASS_NOUNS or _is_attribute_word(head):
            chunk.kind = "attribute" if _is_attribute_word(head) else "ignore"
        if chunk.kind == "object":
            chunk.count, chunk.counted = _count(chunk)

    def _read_of_phrases(self) -> None:
        """'a row of taxis', 'a bowl of apples', 'a cup of coffee', 'a statue of a lion', 'full of oranges'."""
        for token in self.doc:
            if token.lower_ != "of":
                continue
            inner = self._pobj_chunk(token)
            outer = self.chunk_of.get(token.head.i)
            if inner is None or inner.kind not in ("object", "ignore"):
                continue
            if token.head.lower_ == "full":  # "a basket full of oranges"
                holder = outer if outer is not None and outer.kind == "object" else self._object_before(token.head)
                self._contents(inner, holder)
                continue
            if outer is None:
                continue
            if outer.lemma in lex.QUANTITY_NOUNS and outer.kind in ("object", "ignore"):
                quantity = lex.QUANTITY_NOUNS[outer.lemma]
                if not inner.counted:
                    inner.count = quantity or (inner.count if inner.count > 1 else lex.PLURAL_COUNT)
                inner.counted = True
                outer.kind, outer.owner = "ignore", inner
            elif outer.kind == "object" and inner.kind == "object":
                plural = inner.count > 1 or inner.head.tag_ in ("NNS", "NNPS")
                if outer.lemma in lex.CONTAINER_NOUNS and plural:
                    self._contents(inner, outer)
                else:  # "a statue of a lion": the lion is part of what the statue shows
                    inner.kind, inner.owner = "ignore", outer

    def _object_before(self, token) -> Chunk | None:
        earlier = [c for c in self.chunks if c.kind == "object" and c.head.i < token.i]
        return earlier[-1] if earlier else None

    def _contents(self, inner: Chunk, holder: Chunk | None) -> None:
        if holder is not None and holder.kind == "object":
            inner.support = holder

    def _attach_attributes(self) -> None:
        """Tag-style prompts: 'dragon statue, gold, huge' gives the statue its colour and size."""
        previous: Chunk | None = None
        for chunk in self.chunks:
            if chunk.kind == "object":
                previous = chunk
            elif chunk.kind == "attribute" and previous is not None and _alone_in_segment(chunk):
                words = chunk.words()
                if not any(w in lex.WEATHER_ADJECTIVES for w in words):
                    previous.tokens = previous.tokens[:-1] + chunk.tokens + previous.tokens[-1:]
                    chunk.kind = "ignore"

    def _add(self, chunk: Chunk) -> None:
        start = len(self.result.objects)
        obj = _draft_object(chunk)
        self.result.objects.extend(obj.model_copy(deep=True) for _ in range(chunk.count))
        chunk.ids = list(range(start, len(self.result.objects)))
        modifiers = chunk.tokens[:chunk.tokens.index(chunk.head)]
        adjectives = {t.lower_ for t in modifiers if t.pos_ == "ADJ"}
        unknown = [w for w in _words(modifiers) if (w in adjectives or "-" in w) and _is_unknown_adjective(w)]
        if unknown and obj.scale is None:
            self.result.unknown_adjectives[start] = unknown
        if chunk.support is not None:
            self._stack([chunk], chunk.support)

    # -------------------------------------------------------------- relations

    def _read_preposition(self, prep) -> None:
        word = prep.lower_
        side = prep.head
        if word == "of" and side.lower_ in ("left", "right") and side.dep_ != "pobj":  # "a cat left of a box"
            kind = lex.RELATIONAL_NOUNS[side.lower_]
            target = self._pobj_chunk(prep)
            if target is not None and target.kind == "object":
                for subject in self._subjects(side.head, prep):
                    if subject is not target:
                        self._relate(subject, kind, target)
            return
        if word == "of" or word == "with":
            if word == "with":
                self._read_with(prep)
            return
        target = self._pobj_chunk(prep)
        pronoun = self._pobj_pronoun(prep)
        if target is None and pronoun is None:
            return
        kind = lex.PREPOSITION_KINDS.get(word)
        if word == "to" and prep.head.lower_ in ("next", "close"):
            kind = "next_to"
        if target is not None and target.lemma in lex.RELATIONAL_NOUNS and target.kind == "ignore":
            kind, target, pronoun = self._relational(prep, target, kind)
        if target is not None and target.kind == "ignore" and target.owner is not None:
            target = target.owner  # "beside a stack of papers": the papers
        if kind is None:
            return
        subjects = self._subjects(prep.head, prep)
        if not subjects:
            return
        if target is None:
            target = self._antecedent(subjects, prep)
        if target is None or target.kind != "object" or target in subjects:
            return
        if kind == "support" or (kind == "contained" and target.lemma in lex.CONTAINER_NOUNS):
            self._stack(subjects, target)
        elif kind != "contained":
            for subject in subjects:
                self._relate(self._standing_on(subject, prep), kind, target)

    def _relational(self, prep, noun: Chunk, kind):
        """'on top of X', 'in front of X', 'to the left of X'; without 'of X' the target is implicit."""
        relation = lex.RELATIONAL_NOUNS[noun.lemma]
        if noun.lemma == "top":
            relation = "support"
        elif noun.lemma == "side" and kind not in ("next_to", "support"):
            relation = "next_to"
        of = next((c for c in noun.head.children if c.lower_ == "of"), None)
        if of is None:
            return relation, None, True
        return relation, self._pobj_chunk(of), None

    def _read_with(self, prep) -> None:
        """'a plate with cookies', 'filled with sunflowers': contents of a holder stand on it."""
        holder_token = prep.head
        contents = self._pobj_chunk(prep)
        if contents is None or contents.kind != "object":
            return
        has_own_place = any(c.dep_ == "prep" and c.lower_ in lex.PREPOSITION_KINDS for c in contents.head.children)
        if has_own_place:
            return  # "with a clock on it" is read at its own preposition
        if holder_token.pos_ == "VERB" and holder_token.lemma_ in FILL_VERBS:
            holders = self._subjects(holder_token, prep)
        else:
            holder = self.chunk_of.get(holder_token.i)
            holders = [holder] if holder is not None and holder.kind == "object" else []
        if holders and (holders[0].lemma in lex.CONTAINER_NOUNS or holder_token.pos_ == "VERB"):
            self._stack(self._with_conjuncts(contents), holders[0])

    def _read_facing(self, verb) -> None:
        target = next((self.chunk_of.get(c.i) for c in verb.children if c.dep_ == "dobj"), None)
        if target is None or target.kind != "object":
            return
        for subject in self._subjects(verb, verb):
            if subject is not target:
                self._relate(subject, "facing", target)

    def _read_reciprocals(self) -> None:
        """'two chairs facing each other', 'a dog and a cat side by side'."""
        words = [t.lower_ for t in self.doc]
        for i, token in enumerate(self.doc):
            kind = None
            if tuple(words[i:i + 2]) in RECIPROCALS and i > 0 and self.doc[i - 1].lemma_ == "face":
                kind = "facing"
            elif words[i:i + 3] == ["side", "by", "side"]:
                kind = "side_by_side"
            if kind is None:
                continue
            group = [c for c in self._clause_objects(token)]
            ids = [index for chunk in group for index in chunk.ids]
            for position, index in enumerate(ids[:len(vocab.PLACEMENTS)]):
                partner = ids[1] if position == 0 and len(ids) > 1 else ids[0]
                if partner != index:
                    self.result.objects[index].relation = DraftRelation(kind=kind, target=partner)

    def _clause_objects(self, token) -> list[Chunk]:
        """Objects between the last separator (or sentence start) and ``token``."""
        start = token.sent.start
        for t in self.doc[start:token.i]:
            if t.text in ",;:|/":
                start = t.i + 1
        return [c for c in self.chunks if c.kind == "object" and start <= c.head.i < token.i]

    # -------------------------------------------------------------- motion

    def _read_motion(self) -> None:
        for verb in self.doc:
            if verb.i in self.chunk_of or not (verb.lower_ in lex.MOVE_VERBS or verb.lemma_ in lex.MOVE_VERBS):
                continue
            subjects = self._subjects(verb, verb) if verb.pos_ in ("VERB", "AUX") else []
            if not subjects:  # the tagger read "moves" in "a robot moves left" as a noun
                before = self._clause_objects(verb)
                subjects = self._with_conjuncts(before[-1]) if before else []
            if not subjects:
                continue
            movement = DraftMovement()
            if verb.lower_ in lex.UPWARD_VERBS or verb.lemma_ in lex.UPWARD_VERBS:
                movement.direction = vocab.Direction.up
            after = []
            for token in self.doc[verb.i + 1:verb.i + 8]:
                if token.text in SEPARATORS or token.lower_ in ("while", "as", "and", "then", "whilst"):
                    break
                after.append(token.lower_)
            for i in range(len(after)):
                found = _match_phrase(after, i, lex.DIRECTION_PHRASES)
                if found and movement.direction is None:
                    movement.direction = vocab.Direction(lex.DIRECTION_PHRASES[found[0]])
                speed = _match_phrase(after, i, lex.SPEED_WORDS)
                if speed and movement.speed is None:
                    movement.speed = lex.SPEED_WORDS[speed[0]]
            if movement.speed is None and verb.lower_ in lex.SPEED_WORDS and verb.lower_ not in ("slow", "fast"):
                movement.speed = lex.SPEED_WORDS[verb.lower_]
            for subject in subjects:
                for index in subject.ids:
                    self.result.objects[index].movement = movement.model_copy()

    # -------------------------------------------------------------- places

    def _read_places(self) -> None:
        for chunk in self.chunks:
            phrase = _phrase(chunk)
            if not phrase:
                continue
            if chunk.kind == "floor" and self.result.floor is None:
                self.result.floor = phrase
            elif chunk.kind == "setting":
                self.result.background.append(phrase)
                surfaces = [w for w in chunk.words()[:-1] if w in lex.FLOOR_NOUNS or w in lex.MATERIALS]
                floor = lex.SETTING_NOUNS.get(chunk.compound_lemma, lex.SETTING_NOUNS.get(chunk.lemma))
                floor = " ".join(surfaces) if surfaces else floor
                self.result.implied_floor = self.result.implied_floor or floor
            elif chunk.kind == "attribute" and any(w in lex.WEATHER_ADJECTIVES for w in chunk.words()):
                self.result.background.append(phrase)

    # -------------------------------------------------------------- helpers

    def _pobj_chunk(self, prep) -> Chunk | None:
        for child in prep.children:
            if child.dep_ in ("pobj", "dobj", "pcomp") or child.i in self.chunk_of:
                chunk = self.chunk_of.get(child.i)
                if chunk is not None:
                    return chunk
        following = self.chunk_of.get(prep.i + 1) if prep.i + 1 < len(self.doc) else None
        return following

    def _pobj_pronoun(self, prep):
        return next((c for c in prep.children if c.lower_ in PRONOUNS and c.pos_ == "PRON"), None)

    def _subjects(self, head, prep, depth: int = 0) -> list[Chunk]:
        """The object chunks a word hanging from ``head`` describes."""
        if depth > 6:
            return []
        chunk = self.chunk_of.get(head.i)
        if chunk is not None:
            chunk = chunk.owner or chunk
            if chunk.kind == "object":
                return self._distributed(chunk, prep)
            governor = head.head if head.dep_ in ("pobj", "dobj", "appos", "attr") else None
            if governor is not None and governor.i != head.i:
                return self._subjects(governor.head if governor.pos_ == "ADP" else governor, prep, depth + 1)
            return []
        if head.pos_ in ("VERB", "AUX"):
            found = [self.chunk_of.get(c.i) for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
            if any(c.dep_ == "expl" for c in head.children):
                found += [self.chunk_of.get(c.i) for c in head.children if c.dep_ in ("attr", "dobj")]
            if not found and head.lemma_ in lex.POSTURE_VERBS | {"sit", "stand", "lie", "rest", "hang", "perch"}:
                found = [self.chunk_of.get(c.i) for c in head.children if c.dep_ in ("dobj", "attr")]
            found = [(c.owner or c) for c in found if c is not None]
            subjects = [c for chunk in found if chunk.kind == "object" for c in self._with_conjuncts(chunk)]
            if subjects:
                return subjects
            if head.dep_ == "ROOT" or not found:
                before = [c for c in self._clause_objects(head) if c.head.head.i == head.i or c.head.dep_ == "conj"]
                if before and head.dep_ in ("ROOT", "conj", "advcl"):
                    return before
        if head.head.i != head.i and head.dep_ != "ROOT":
            return self._subjects(head.head, prep, depth + 1)
        return []

    def _distributed(self, chunk: Chunk, prep) -> list[Chunk]:
        """A preposition after the last of coordinated nouns applies to each one without its own."""
        head = chunk.head
        conjuncts = [self.chunk_of.get(t.i) for t in _coordinated(head) if t.i != head.i]
        conjuncts = [c for c in conjuncts if c is not None and c.kind == "object" and c is not chunk]
        if not conjuncts or any(c.head.i > head.i for c in conjuncts) or prep.i < head.i:
            return [chunk]
        free = [c for c in conjuncts if not any(ch.dep_ == "prep" for ch in c.head.children)]
        return sorted(free + [chunk], key=lambda c: c.head.i)

    def _with_conjuncts(self, chunk: Chunk) -> list[Chunk]:
        conjuncts = [self.chunk_of.get(t.i) for t in _coordinated(chunk.head)]
        return sorted({id(c): c for c in [chunk] + [c for c in conjuncts if c is not None and c.kind == "object"]}.values(),
                      key=lambda c: c.head.i)

    def _antecedent(self, subjects: list[Chunk], prep) -> Chunk | None:
        """What 'it' / 'them' / 'on top' points at: the owner of a 'with' phrase, else the nearest earlier object."""
        first = subjects[0].head
        root = first
        while root.dep_ == "conj" and root.head.i != root.i:
            root = root.head
        if root.dep_ == "pobj" and root.head.lower_ == "with":
            owner = self.chunk_of.get(root.head.head.i)
            if owner is not None and owner.kind == "object":
                return owner
        earlier = [c for c in self.chunks if c.kind == "object" and c.head.i < prep.i and c not in subjects]
        return earlier[-1] if earlier else None

    def _standing_on(self, subject: Chunk, prep) -> Chunk:
        """'a cat on a box next to a lamp': a relation read after a support belongs to the support."""
        below = self.result.objects[subject.ids[0]].on_top_of if subject.ids else None
        support = next((c for c in self.chunks if below is not None and below in c.ids), None)
        if support is not None and subject.head.i < support.head.i < prep.i:
            return support
        return subject

    def _stack(self, subjects: list[Chunk], support: Chunk) -> None:
        if not support.ids:
            return
        for subject in subjects:
            for index in subject.ids:
                if index not in support.ids and self.result.objects[index].on_top_of is None:
                    self.result.objects[index].on_top_of = support.ids[0]

    def _relate(self, subject: Chunk, kind: str, target: Chunk) -> None:
        if not target.ids:
            return
        for index in subject.ids:
            obj = self.result.objects[index]
            if obj.relation is None and index not in target.ids:
                obj.relation = DraftRelation(kind=kind, target=target.ids[0])


# ------------------------------------------------------------------ chunking


def _chunk(doc) -> list[Chunk]:
    """Noun phrases from part-of-speech tags: determiners, numbers, modifiers, nouns; the last noun heads it."""
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
        if not eligible or starts_new:
            close()
        if eligible:
            current.append(token)
    close()
    return chunks


def _split_trailing(tokens: list) -> list[Chunk]:
    """'a red car' stays one chunk; adjectives after the last noun ('deer, wide') form their own."""
    nouns = [i for i, t in enumerate(tokens) if is_noun(t)]
    while len(nouns) > 1 and (tokens[nouns[-1]].lower_ in lex.POSTURE_VERBS  # "a clock standing"
                              or tokens[nouns[-1]].lower_ in lex.MOVE_VERBS):  # "a robot moves"
        tokens = tokens[:nouns[-1]]
        nouns.pop()
    if not nouns or nouns[-1] == len(tokens) - 1:
        return [Chunk(list(tokens))]
    last = nouns[-1] + 1
    return [Chunk(list(tokens[:last])), Chunk(list(tokens[last:]))]


def _coordinated(token) -> list:
    """Tokens coordinated with ``token`` ('a, b and c'), through conj and appos links both ways."""
    root = token
    while root.dep_ in ("conj", "appos") and root.head.i != root.i:
        root = root.head
    found, stack = [], [root]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(c for c in current.children if c.dep_ in ("conj", "appos"))
    return sorted(found, key=lambda t: t.i)


def _words(tokens: list) -> list[str]:
    """Lower-case words, hyphenated ones rejoined ('normal-sized')."""
    words: list[str] = []
    glue = False
    for token in tokens:
        if token.text == "-" and words:
            words[-1] += "-"
            glue = True
            continue
        if glue:
            words[-1] += token.lower_
        else:
            words.append(token.lower_)
        glue = False
    return words


def _is_possessor(token) -> bool:
    return token.i + 1 < len(token.doc) and token.doc[token.i + 1].tag_ == "POS"


def _is_attribute_word(token) -> bool:
    word = token.lower_
    return word in lex.COLORS or word in SIZE_WORDS or (word in lex.MATERIALS and token.dep_ != "pobj")


def _alone_in_segment(chunk: Chunk) -> bool:
    doc = chunk.tokens[0].doc
    first, last = chunk.tokens[0].i, chunk.tokens[-1].i
    before = doc[first - 1].text if first > 0 else ","
    after = doc[last + 1].text if last + 1 < len(doc) else ","
    separators = set(",;:|/.!?")
    return before in separators and after in separators


def _count(chunk: Chunk) -> tuple[int, bool]:
    count, counted = 1, False
    for token in chunk.tokens:
        word = token.lower_
        if token.i >= chunk.head.i:
            break
        if word.isdigit() and len(word) <= 2:
            count, counted = int(word), True
        elif word in lex.COUNT_WORDS and word not in ("a", "an"):
            count, counted = lex.COUNT_WORDS[word], True
    if not counted and chunk.head.tag_ in ("NNS", "NNPS") and chunk.head.lower_ != chunk.lemma:
        count = lex.PLURAL_COUNT
    return max(1, min(count, lex.MAX_COPIES)), counted


def _draft_object(chunk: Chunk) -> DraftObject:
    head = chunk.tokens.index(chunk.head)
    modifiers = [t for t in chunk.tokens[:head] if t.pos_ not in ("DET", "NUM") and t.dep_ != "poss"
                 and t.lower_ not in lex.COUNT_WORDS and not t.like_num]
    modifiers += chunk.tokens[head + 1:]
    scale = None
    kept: list[str] = []
    texts = _words(modifiers)
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
    noun = chunk.lemma
    colors = [lex.COLOR_ALIASES.get(w, w) for w in kept if w in lex.COLORS]
    materials = [lex.MATERIALS[w] for w in kept if w in lex.MATERIALS]
    description = " ".join(kept + [noun])[:200]
    return DraftObject(name=noun[:80], description=description, color=colors[0] if colors else None,
                       material=materials[0] if materials else None, scale=scale)


def _phrase(chunk: Chunk) -> str:
    words = _words([t for t in chunk.tokens if t.pos_ not in ("DET", "NUM") and t.dep_ != "poss"])
    return re.sub(r"\s+", " ", " ".join(words)).strip()


def _is_unknown_adjective(word: str) -> bool:
    known = (lex.COLORS, lex.MATERIALS, SIZE_WORDS, lex.SPEED_WORDS, lex.COUNT_WORDS, lex.DETERMINERS)
    return (word.replace("-", "").isalpha() and len(word) > 3 and word not in DIMENSION_ADJECTIVES
            and not any(word in table for table in known))


def _match_phrase(tokens: list[str], i: int, table: dict) -> tuple[str, int] | None:
    """Longest phrase from ``table`` starting at token i: (phrase, length in tokens)."""
    for length in (4, 3, 2, 1):
        phrase = " ".join(tokens[i:i + length])
        if len(tokens) - i >= length and phrase in table:
            return phrase, length
    return None
