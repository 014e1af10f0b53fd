"""Objects, places and relations read from a dependency parse of what the scene-wide passes left.

Noun phrases (``chunks``) are each an object, a place (background/floor),
weather or time of day, or a word for the picture. Direction and side
phrases (``directions``) are read off the words first and never count as
objects: after a verb of motion they give its subject's way ("gallops to the
right"), elsewhere they place their object in the picture ("a snowman on the
left and a lamp on the right": the snowman is left of the lamp). A definite
phrase naming an earlier object is that object, and "one" stands for a noun
already named (``references``).

Relations come from prepositions and the phrase they attach to, found through
the parse: "on"/"in a bowl" make a support, "under", "over", "behind", "next
to", "facing" a relation; the subject of a preposition is the noun it hangs
from, or the subject of the verb it hangs from ("a tower looms over a hut"),
or what follows a place phrase that leads its clause ("under the tree, a
bench"). A preposition after the last of coordinated nouns applies to each
("a mug and a laptop on a desk"), a pronoun points back to the owner of a
"with" phrase ("a shelf with a clock on it") or else the nearest earlier
object of its number, and "each other" / "side by side" relate the objects
of their clause to one another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..plan import vocabulary as vocab
from ..plan.draft import MAX_OBJECTS, DraftMovement, DraftObject, DraftRelation
from ..plan.wording import PAIR_NOUNS
from . import directions, references
from . import lexicon as lex
from .chunks import (PRONOUNS, SEPARATORS, Chunk, alone_in_segment, chunk_doc, count_of, draft_object, is_attribute_word,
                     is_noun, is_possessor, is_unknown_adjective, phrase_of, word_list)
from .directions import match_phrase

FILL_VERBS = frozenset("fill cover load pile stack top set heap crowd stock lay".split())
SURFACE_PREPOSITIONS = frozenset("on onto upon across along over atop".split())
RECIPROCALS = (("each", "other"), ("one", "another"))
EACH_WORDS = frozenset({"each", "every"})
SUBJECT_PRONOUNS = frozenset({"it", "they", "he", "she"})
SINGULAR_PRONOUNS = frozenset({"it", "he", "she"})
OBJECT_PRONOUNS = PRONOUNS | {"him", "her"}
# Verbs that put their object somewhere: in "place the lamp left of the sofa" the lamp is what is placed.
PLACING_VERBS = frozenset("place put set position arrange stand lay hang prop lean move".split())
# The always-transitive ones: whatever their subject, the relation is their object's ("a girl puts a book into a
# bag": the book, not the girl, goes into the bag). "Move", "stand" or "hang" are often intransitive.
TRANSFER_VERBS = frozenset("place put set position arrange lay throw toss tuck insert stuff pack load".split())
# Verbs whose unnamed object is a substance: in "pour from it into the cup" what goes into the cup is tea, which
# the scene does not show, so the relation places nothing.
POURING_VERBS = frozenset("pour spill drip tip empty squirt sprinkle splash".split())
DISTRIBUTIVES = frozenset({"both", "all", "each"})
CLAUSE_MARKERS = frozenset("while whilst as when then and".split())


@dataclass
class Structure:
    objects: list[DraftObject] = field(default_factory=list)
    background: list[str] = field(default_factory=list)
    floor: str | None = None
    implied_floor: str | None = None
    unknown_adjectives: dict[int, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read(doc) -> Structure:
    reader = _Reader(doc)
    reader.run()
    return reader.result


class _Reader:
    def __init__(self, doc) -> None:
        self.doc = doc
        self.result = Structure()
        self.mistaken_verbs = directions.mistaken_verbs(doc)
        self.phrases = directions.find(doc, self.mistaken_verbs)
        self.in_phrase = {i for phrase in self.phrases for i in range(phrase.start, phrase.end)}
        self.phrase_verbs = {i: phrase.verb for phrase in self.phrases if phrase.verb is not None
                             for i in range(phrase.start, phrase.end)}
        self.chunks = chunk_doc(doc, self.in_phrase | self.mistaken_verbs)
        self.chunk_of = {t.i: c for c in self.chunks for t in c.tokens}

    # -------------------------------------------------------------- passes

    def run(self) -> None:
        for chunk in self.chunks:
            self._classify(chunk)
        self._read_of_phrases()
        references.resolve(self.chunks)
        self._attach_attributes()
        for chunk in self.chunks:
            if chunk.kind == "object":
                self._add(chunk)
        references.describe_members(self.chunks, self.result.objects)
        self._read_sides()
        for token in self.doc:
            if token.i in self.in_phrase:
                continue
            if token.pos_ == "ADP" or token.dep_ in ("prep", "agent") or token.lower_ in lex.PREPOSITION_KINDS:
                self._read_preposition(token)
            if token.lemma_ == "face" and token.pos_ == "VERB":
                self._read_facing(token)
        self._read_reciprocals()
        self._read_motion()
        self._read_poses()
        self._read_held()
        references.read_predicates(self.doc, self.chunk_of, self.result.objects)
        self._read_places()

    def _classify(self, chunk: Chunk) -> None:
        head = chunk.head
        if head.lower_ in lex.RELATIONAL_NOUNS and head.dep_ == "pobj" and head.head.pos_ == "ADP":
            chunk.kind = "ignore"  # "on top", "to its left" (tagged an adjective)
            return
        if not is_noun(head) or (head.lower_ in lex.STYLE_WORDS and alone_in_segment(chunk)):
            chunk.kind = "attribute"
            return
        if is_possessor(head):
            chunk.kind = "ignore"
            return
        if _negated(chunk) or _is_heading(chunk):
            chunk.kind = "ignore"  # "no people", "without passengers", "items: a globe, ...": nothing to place
            return
        lemma, compound = chunk.lemma, chunk.compound_lemma
        governor = head.head if head.dep_ == "pobj" else None
        if head.dep_ == "dobj" and head.head.dep_ == "pcomp":  # "in shining armour"
            governor = head.head.head
        on_surface = governor is not None and governor.lower_ in SURFACE_PREPOSITIONS
        if lemma in lex.RELATIONAL_NOUNS and governor is not None and governor.pos_ == "ADP":
            chunk.kind = "ignore"  # "on top", "in front of", "to the left"
        elif ((lemma in lex.WEARABLE_NOUNS and governor is not None and governor.lower_ in ("in", "with"))
              or (lemma in lex.BODY_PART_NOUNS and governor is not None and governor.lower_ == "with")):
            chunk.kind = "ignore"
        elif lemma in lex.FLOOR_NOUNS and (on_surface or alone_in_segment(chunk)):
            chunk.kind = "floor"
        elif lemma in lex.MASS_NOUNS and governor is not None and governor.lower_ == "of":
            chunk.kind = "ignore"  # "a glass of water": contents, not a lake
        elif compound in lex.SETTING_NOUNS or lemma in lex.SETTING_NOUNS or lemma in lex.WEATHER_NOUNS:
            chunk.kind = "setting"
        elif _describes_each(chunk):
            chunk.kind = "ignore"  # "three vases, each a different shape"
        elif lemma in lex.NON_OBJECT_NOUNS or lemma in lex.MASS_NOUNS or _is_attribute(chunk):
            chunk.kind = "attribute" if _is_attribute(chunk) else "ignore"
        if chunk.kind == "object":
            chunk.count, chunk.counted = count_of(chunk)

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
            if outer.lemma in lex.PART_NOUNS and inner.kind == "object":  # "the roof of a cottage": the cottage
                outer.kind, outer.owner = "ignore", inner
                continue
            if (outer.lemma in lex.QUANTITY_NOUNS or outer.lemma in lex.UNIT_NOUNS) and outer.kind in ("object", "ignore"):
                quantity = lex.QUANTITY_NOUNS.get(outer.lemma)
                if outer.lemma in lex.UNIT_NOUNS or (outer.lemma == "pair" and inner.head.lower_ in PAIR_NOUNS):
                    quantity = outer.count  # "a pair of sneakers" is one thing, "two rolls of tape" two
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
                    if outer.lemma in lex.CONTAINER_NOUNS:  # "a bowl of fruit": a model may hold it
                        outer.holds = inner

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
            elif chunk.kind == "attribute" and previous is not None and alone_in_segment(chunk):
                words = chunk.words()
                if not any(w in lex.WEATHER_ADJECTIVES for w in words):
                    previous.tokens = previous.tokens[:-1] + chunk.tokens + previous.tokens[-1:]
                    chunk.kind = "ignore"

    def _add(self, chunk: Chunk) -> None:
        start = len(self.result.objects)
        obj = draft_object(chunk)
        if chunk.holds is not None:  # searched whole, and captioned so where the model shows it
            obj.description = f"{obj.description} of {draft_object(chunk.holds).description}"[:200]
        copies = min(chunk.count, lex.MAX_COPIES, MAX_OBJECTS - start)
        if copies < chunk.count:
            limit = "the most copies of one object" if copies == lex.MAX_COPIES else "the room left in the scene"
            self.result.warnings.append(f"the prompt asks for {chunk.count} × {obj.name}: the draft places {copies}, "
                                        f"{limit}")
        self.result.objects.extend(obj.model_copy(deep=True) for _ in range(copies))
        chunk.ids = list(range(start, len(self.result.objects)))
        modifiers = chunk.tokens[:chunk.tokens.index(chunk.head)]
        adjectives = {t.lower_ for t in modifiers if t.pos_ == "ADJ"}
        unknown = [w for w in word_list(modifiers) if (w in adjectives or "-" in w) and is_unknown_adjective(w)]
        if unknown and obj.scale is None:
            self.result.unknown_adjectives.update({index: unknown for index in chunk.ids})  # every copy
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
        if word == "to" and (prep.head.lower_ in ("next", "close") or prep.head.lemma_ in lex.FASTENING_VERBS):
            kind = "next_to"
        if target is not None and target.lemma in lex.RELATIONAL_NOUNS and target.kind == "ignore":
            kind, target, pronoun = self._relational(prep, target, kind)
        if target is not None and target.kind in ("ignore", "reference") and target.owner is not None:
            target = target.owner  # "beside a stack of papers": the papers
        if kind is None:
            return
        subjects = (self._fronted_subjects(prep, target, pronoun) or self._second_place_of(prep)
                    or self._subjects(prep.head, prep) or self._fragment_subjects(prep))
        if prep.i > 0 and self.doc[prep.i - 1].lower_ in DISTRIBUTIVES:  # "a cup and a vase, both on a shelf"
            subjects = [c for c in self.chunks if c.kind == "object" and prep.sent.start <= c.head.i < prep.i]
        if not subjects:
            return
        if target is None:
            target = self._antecedent(subjects, prep, getattr(pronoun, "lower_", None))
        subjects = [s for s in subjects if s is not target]
        if target is None or target.kind != "object" or not subjects:
            return
        if kind == "support" or (kind == "contained" and target.lemma in lex.CONTAINER_NOUNS):
            self._stack(subjects, target)
        elif kind != "contained":
            for subject in subjects:
                self._relate(self._standing_on(subject, prep), kind, target)

    def _fragment_subjects(self, prep) -> list[Chunk]:
        """'a couple of mugs next to a coffee machine': in a fragment the parse roots at the relation word;
        what it places is the object just before it in its clause."""
        root = prep.head
        if root.dep_ != "ROOT" or root.pos_ not in ("ADJ", "ADV", "ADP"):
            return []
        before = self._clause_objects(root)
        return self._with_conjuncts(before[-1]) if before else []

    def _second_place_of(self, prep) -> list[Chunk]:
        """'a cup on a tray and a pen on a desk': the parser hangs the second 'on' from the cup, which has
        its place already; it belongs to the noun just before it."""
        holder = self.chunk_of.get(prep.head.i)
        own = [c for c in prep.head.children if c.dep_ == "prep" and c.i < prep.i and c.lower_ in lex.PREPOSITION_KINDS]
        before = self.chunk_of.get(prep.i - 1)
        if holder is None or not own or before is None or before is holder or before.kind != "object":
            return []
        return [before] if before.head.dep_ == "conj" and prep.lower_ in {c.lower_ for c in own} else []

    def _fronted_subjects(self, prep, target: Chunk | None, pronoun=None) -> list[Chunk]:
        """'under the tree, a red bench', 'beside him, a sled': a place phrase that leads its clause describes
        what follows it."""
        before = self.doc[prep.i - 1] if prep.i > 0 else None
        if (target is None and pronoun is None) or (before is not None and before.text not in SEPARATORS):
            return []
        place_end = (self._pobj_chunk(prep) or target).tokens[-1].i if target is not None else pronoun.i
        comma = place_end + 1  # the place phrase, then a separator, then what stands there
        if comma >= len(self.doc) or self.doc[comma].text not in SEPARATORS:
            return []
        after = [c for c in self.chunks if c.kind == "object" and c.tokens[0].i == comma + 1]
        return self._with_conjuncts(after[0]) if after else []

    def _relational(self, prep, noun: Chunk, kind):
        """'on top of X', 'in front of X', 'to the left of X'; without 'of X' the target is implicit."""
        relation = lex.RELATIONAL_NOUNS[noun.lemma]
        if noun.lemma == "top":
            relation = "support"
        elif noun.lemma == "side" and kind not in ("next_to", "support"):
            relation = "next_to"
        elif noun.lemma == "back" and kind == "support":  # "on the wolf's back": on the wolf
            relation = "support"
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
        if holders and contents.lemma in lex.STANDING_FURNITURE and holder_token.pos_ != "VERB":
            for chunk in self._with_conjuncts(contents):  # "a table with two chairs": beside it
                self._relate(chunk, "next_to", holders[0])
        elif holders and (holders[0].lemma in lex.CONTAINER_NOUNS or holder_token.pos_ == "VERB"):
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
        directed = {phrase.verb: phrase.direction for phrase in self.phrases if phrase.direction}
        sides = {i for phrase in self.phrases if phrase.side for i in range(phrase.start, phrase.end)}
        for verb in self.doc:
            direction = directed.get(verb.i)
            lifts_off = verb.lemma_ in lex.LIFT_OFF_VERBS and any(c.dep_ == "prt" and c.lower_ == "off"
                                                                  for c in verb.children)
            if lifts_off:
                direction = direction or vocab.Direction.up
            if verb.i in self.chunk_of or (direction is None and not directions.is_move_verb(verb)):
                continue
            after = []
            for token in self.doc[verb.i + 1:verb.i + 8]:
                if token.text in SEPARATORS or token.lower_ in ("while", "as", "and", "then", "whilst") or token.i in sides:
                    break
                after.append(token.lower_)
            if direction is None and verb.lower_ in lex.STATIONARY_MOVE_VERBS and not set(after) & lex.PATH_WORDS:
                continue  # "a hummingbird hovering", "a boat floating on a lake"
            subjects = self._movers(verb)
            if not subjects:
                continue
            movement = DraftMovement(direction=direction)
            if verb.lower_ in lex.UPWARD_VERBS or verb.lemma_ in lex.UPWARD_VERBS:
                movement.direction = movement.direction or vocab.Direction.up
            for i in range(len(after)):
                found = match_phrase(after, i, lex.DIRECTION_PHRASES)
                if found and directions.names_no_way([verb.lower_] + after, i + 1, found[1]):
                    found = None
                if found and movement.direction is None:
                    movement.direction = vocab.Direction(lex.DIRECTION_PHRASES[found[0]])
                speed = match_phrase(after, i, lex.SPEED_WORDS)
                if speed and movement.speed is None:
                    movement.speed = lex.SPEED_WORDS[speed[0]]
            if movement.speed is None and verb.lower_ in lex.SPEED_WORDS and verb.lower_ not in ("slow", "fast"):
                movement.speed = lex.SPEED_WORDS[verb.lower_]
            for subject in subjects:
                for index in subject.ids:
                    self.result.objects[index].movement = movement.model_copy()

    def _read_poses(self) -> None:
        """The pose a verb gives its subjects ("a man sitting on a bench", "two girls sat on a wall"), or a
        participle or adjective its noun ("a seated woman", "a standing man")."""
        for token in self.doc:
            pose = lex.POSES.get(token.lower_) or lex.POSES.get(token.lemma_.lower())
            if pose is None or _negated_verb(token):
                continue
            if token.i in self.chunk_of or (token.dep_ == "amod" and token.head.i in self.chunk_of):
                chunk = self.chunk_of.get(token.i) or self.chunk_of[token.head.i]
                subjects = self._with_conjuncts(chunk.owner or chunk)
            elif token.pos_ in ("VERB", "AUX", "ADJ"):
                subjects = self._subjects(token, token)
            else:
                continue
            for subject in subjects:
                if subject.kind == "object":
                    for index in subject.ids:
                        self.result.objects[index].pose = pose

    def _read_held(self) -> None:
        """What someone reads, eats or holds is where they are: on the support they rest on, or theirs on its
        own ("a girl eating an apple on a chair", where the parse hangs the chair from the apple)."""
        for verb in self.doc:
            if verb.pos_ != "VERB" or verb.lemma_.lower() not in lex.HOLDING_VERBS or _negated_verb(verb):
                continue
            held = [self.chunk_of.get(c.i) for c in verb.children if c.dep_ == "dobj"]
            held = [c.owner or c for c in held if c is not None and (c.owner or c).kind == "object"]
            holders = [c for c in self._subjects(verb, verb) if all(c is not h for h in held)]
            if verb.dep_ == "acl" and verb.head.i in self.chunk_of:  # "a man reading a newspaper"
                holders = [self.chunk_of[verb.head.i].owner or self.chunk_of[verb.head.i]]
            for holder in (h for h in holders if h.kind == "object" and h.ids):
                for thing in held:
                    self._share_support(holder, thing)

    def _share_support(self, holder: Chunk, thing: Chunk) -> None:
        """The support one of them rests on carries both; with none, the thing is next to its holder, and a
        place said of the thing is the holder's ("a girl reads a book under a tree": she is under it)."""
        objects = self.result.objects
        support = objects[holder.ids[0]].on_top_of
        if support is None:
            support = objects[thing.ids[0]].on_top_of
            if support is None:
                self._keep_close(holder, thing)
                return
            if support in holder.ids or support in thing.ids:
                return
            for index in holder.ids:
                if objects[index].on_top_of is None and not self._rests_on(support, index):
                    objects[index].on_top_of = support
            return
        for index in thing.ids:
            if objects[index].on_top_of is None and index != support and not self._rests_on(support, index):
                objects[index].on_top_of = support

    def _keep_close(self, holder: Chunk, thing: Chunk) -> None:
        objects = self.result.objects
        placed = objects[thing.ids[0]].relation
        if placed is not None and placed.target in holder.ids:
            return
        if placed is not None and all(objects[index].relation is None for index in holder.ids):
            for index in holder.ids:
                objects[index].relation = placed.model_copy()
        for index in thing.ids:
            if objects[index].movement is None and placed is not None:
                objects[index].relation = DraftRelation(kind="next_to", target=holder.ids[0])

    def _movers(self, verb) -> list[Chunk]:
        if verb.i in self.mistaken_verbs:  # "a grey wolf trots": the phrase just before is the subject
            chunk = self.chunk_of.get(verb.i - 1)
            chunk = (chunk.owner or chunk) if chunk is not None else None
            return self._with_conjuncts(chunk) if chunk is not None and chunk.kind == "object" else []
        subjects = self._subjects(verb, verb) if verb.pos_ in ("VERB", "AUX") else []
        named = [self.chunk_of.get(c.i) for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subjects and not any(named):  # the tagger read "moves" in "a robot moves left" as a noun
            before = self._clause_objects(verb)
            subjects = self._with_conjuncts(before[-1]) if before else []
        return subjects

    # -------------------------------------------------------------- sides

    def _read_sides(self) -> None:
        """'a snowman on the left and a lamp on the right': the left object is left of the other."""
        placed: dict[int, tuple[Chunk, str]] = {}
        for phrase in self.phrases:
            if phrase.side is None:
                continue
            for chunk in self._side_owners(phrase):
                placed.setdefault(id(chunk), (chunk, phrase.side))
        by_side = {side: [c for c, s in placed.values() if s == side] for side in ("left", "middle", "right")}
        for chunk, side in placed.values():
            if side == "middle":
                continue
            other = by_side["right" if side == "left" else "left"]
            if by_side["middle"]:
                target = by_side["middle"][0]
            elif other:
                target = other[0] if side == "left" else None  # the left object carries the pair's relation
            else:
                unplaced = [c for c in self.chunks if c.kind == "object" and id(c) not in placed]
                target = min(unplaced, key=lambda c: abs(c.head.i - chunk.head.i), default=None)
            if target is not None:
                self._relate(chunk, f"{side}_of", target)

    def _side_owners(self, phrase) -> list[Chunk]:
        """The object a side phrase places: the one before it in its segment, or after it where it leads."""
        objects = [c for c in self.chunks if c.kind == "object"]
        before_word = self.doc[phrase.start - 1] if phrase.start > 0 else None
        leads = before_word is None or before_word.text in SEPARATORS or before_word.lower_ in ("and", "with")
        if not leads:
            start = max((t.i for t in self.doc[:phrase.start] if t.text in SEPARATORS), default=-1)
            before = [c for c in objects if start < c.head.i < phrase.start]
            if before:
                return [c for c in self._with_conjuncts(before[-1]) if c.head.i < phrase.start]
        after = [c for c in objects if c.head.i >= phrase.end]
        ends = [t.i for t in self.doc[phrase.end:] if t.text in SEPARATORS and t.i > phrase.end]
        if after and (not ends or after[0].head.i < ends[0] or not [c for c in after if c.head.i < ends[0]]):
            return [after[0]]
        return []

    # -------------------------------------------------------------- places

    def _read_places(self) -> None:
        for chunk in self.chunks:
            phrase = phrase_of(chunk)
            if not phrase:
                continue
            if chunk.kind == "floor" and self.result.floor is None:
                self.result.floor = phrase
            elif chunk.kind == "setting":
                self.result.background.append(phrase)
                surfaces = [lex.GROUND_ADJECTIVES.get(w, w) for w in chunk.words()[:-1]
                            if w in lex.FLOOR_NOUNS or w in lex.MATERIALS or w in lex.GROUND_ADJECTIVES]
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
        return next((c for c in prep.children if c.lower_ in OBJECT_PRONOUNS and c.pos_ == "PRON"), None)

    def _subjects(self, head, prep, depth: int = 0) -> list[Chunk]:
        """The object chunks a word hanging from ``head`` describes."""
        if depth > 6:
            return []
        chunk = self.chunk_of.get(head.i)
        if chunk is not None:
            listed = chunk  # "a lamp and a stack of books on a desk": the stack is what the lamp is listed with
            chunk = chunk.owner or chunk
            if chunk.kind == "object":
                return self._distributed(chunk, prep, listed.head)
            governor = head.head if head.dep_ in ("pobj", "dobj", "appos", "attr", "amod") else None  # amod: "a cat asleep on"
            if governor is not None and governor.i != head.i:
                return self._subjects(governor.head if governor.pos_ == "ADP" else governor, prep, depth + 1)
            return []
        if head.i in self.mistaken_verbs:
            return self._movers(head)
        if head.i in self.phrase_verbs:  # "darts left behind a bale": "behind" hangs from "left"
            return self._subjects(self.doc[self.phrase_verbs[head.i]], prep, depth + 1)
        if head.pos_ in ("VERB", "AUX"):
            moved = [self.chunk_of.get(c.i) for c in head.children if c.dep_ == "dobj"]
            moved = [c.owner or c for c in moved if c is not None and (c.owner or c).kind == "object"]
            if moved and head.lemma_ in TRANSFER_VERBS:
                return [c for chunk in moved for c in self._with_conjuncts(chunk)]
            if not moved and head.lemma_ in POURING_VERBS:
                return []
            named = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
            near = [c for c in named if not self._separated(c, head)]
            found = [self._subject_chunk(c) for c in (near or named)]
            if any(c.dep_ == "expl" for c in head.children):
                found += [self.chunk_of.get(c.i) for c in head.children if c.dep_ in ("attr", "dobj")]
            if not found and head.lemma_ in lex.POSTURE_VERBS | PLACING_VERBS | {"sit", "lie", "rest", "perch"}:
                found = [self.chunk_of.get(c.i) for c in head.children if c.dep_ in ("dobj", "attr")]
            if not found and head.dep_ == "xcomp":  # "picture a hummingbird hovering in front of a flower"
                found = [self.chunk_of.get(c.i) for c in head.head.children if c.dep_ == "dobj" and c.i < head.i]
            singular = {id(self._subject_chunk(c)) for c in named if c.lower_ in SINGULAR_PRONOUNS}
            found = [c for c in found if c is not None]
            mentioned = [c for chunk in found  # "the ball" names the ball alone, not what it was listed with
                         for c in ([chunk.owner or chunk] if chunk.kind == "reference" or id(chunk) in singular
                                   else self._with_conjuncts(chunk.owner or chunk))]
            subjects = [c for c in {id(c): c for c in mentioned}.values() if c.kind == "object"]
            if subjects:
                return subjects
            if found and all(c.kind in ("setting", "floor") for c in found):
                return []  # "rain falls around it": the subject is the weather
            if head.dep_ == "ROOT" or not found:
                before = [c for c in self._clause_objects(head) if c.head.head.i == head.i or c.head.dep_ == "conj"]
                if before and head.dep_ in ("ROOT", "conj", "advcl"):
                    return before
        if head.head.i != head.i and head.dep_ != "ROOT":
            return self._subjects(head.head, prep, depth + 1)
        return []

    def _separated(self, token, verb) -> bool:
        """A separator between a subject and its verb: where another subject is nearer, the parser joined
        two clauses ('a car and a van, the car is ...')."""
        low, high = sorted((token.i, verb.i))
        return any(t.text in SEPARATORS for t in self.doc[low:high])

    def _subject_chunk(self, token) -> Chunk | None:
        """The phrase a subject word heads; 'it' / 'they' stand for the nearest object before them."""
        if token.lower_ in SINGULAR_PRONOUNS and token.pos_ == "PRON":
            return self._previous_subject(token)
        if token.lower_ in SUBJECT_PRONOUNS and token.pos_ == "PRON":
            return self._object_before(token)
        if token.i in self.mistaken_verbs:  # "a fox darts left": "darts" parsed as the subject of "left"
            return self.chunk_of.get(token.i - 1)
        return self.chunk_of.get(token.i)

    def _previous_subject(self, token) -> Chunk | None:
        """'a boy holds a kite; he runs': a subject pronoun continues the previous clause's subject, its first
        object, rather than the nearest noun (the kite)."""
        starts = [t.i for t in self.doc[:token.i] if t.text in SEPARATORS or t.lower_ in CLAUSE_MARKERS]
        if not starts:
            return self._object_before(token)
        own = starts[-1]  # where the pronoun's clause begins ("; he runs", "and it drives")
        for start in [i for i in starts if i < own and self.doc[i].lower_ != "and"][::-1] + [-1]:
            previous = [c for c in self.chunks if c.kind == "object" and start < c.head.i < own]
            if previous:
                return previous[0]
        return self._object_before(token)

    def _distributed(self, chunk: Chunk, prep, head=None) -> list[Chunk]:
        """A preposition after the last of coordinated nouns applies to each one without its own
        (the parser may hang it from the first: 'a jug and three cups on a tray'); ``head``: the word
        ``chunk`` is listed by, when a quantity noun holds it ("a stack of books")."""
        head = head if head is not None else chunk.head
        conjuncts = self._coordinated_objects(head, chunk)
        if not conjuncts or prep.i < max(c.head.i for c in conjuncts + [chunk]):
            return [chunk]  # inside the list, the preposition is its own noun's
        free = [c for c in conjuncts  # its own place comes before this one: "a cup on a tray and a pen on a desk"
                if not any(ch.dep_ == "prep" and ch.lower_ != "of" and ch.i < prep.i for ch in c.head.children)]
        return sorted(free + [chunk], key=lambda c: c.head.i)

    def _coordinated_objects(self, head, chunk: Chunk) -> list[Chunk]:
        """The objects listed with ``chunk``; a quantity's are its things ("a stack of books and a lamp")."""
        listed = [self.chunk_of.get(t.i) for t in _coordinated(head) if t.i != head.i]
        return [c.owner or c for c in listed if c is not None and (c.owner or c).kind == "object"
                and (c.owner or c) is not chunk]

    def _with_conjuncts(self, chunk: Chunk) -> list[Chunk]:
        conjuncts = self._coordinated_objects(chunk.head, chunk)
        return sorted({id(c): c for c in [chunk] + conjuncts}.values(), key=lambda c: c.head.i)

    def _antecedent(self, subjects: list[Chunk], prep, pronoun: str | None = None) -> Chunk | None:
        """What 'it' / 'them' / 'on top' points at: the owner of a 'with' phrase, else the nearest earlier
        object, one of its number where the pronoun says ('it': one thing, 'them': several)."""
        first = subjects[0].head
        root = first
        while root.dep_ == "conj" and root.head.i != root.i:
            root = root.head
        if root.dep_ == "pobj" and root.head.lower_ == "with":
            owner = self.chunk_of.get(root.head.head.i)
            if owner is not None and owner.kind == "object":
                return owner
        earlier = [c for c in self.chunks if c.kind == "object" and c.head.i < prep.i
                   and all(c is not s for s in subjects)]
        if pronoun in ("it", "them"):
            agreeing = [c for c in earlier if (c.count > 1) == (pronoun == "them")]
            earlier = agreeing or earlier
        return earlier[-1] if earlier else None

    def _standing_on(self, subject: Chunk, prep) -> Chunk:
        """'a cat on a box next to a lamp': a relation read after a support belongs to the support."""
        below = self.result.objects[subject.ids[0]].on_top_of if subject.ids else None
        support = next((c for c in self.chunks if below is not None and below in c.ids), None)
        if support is not None and subject.head.i < support.head.i < prep.i:
            return support
        return subject

    def _stack(self, subjects: list[Chunk], support: Chunk) -> None:
        """Put the subjects on the support; on copies of it, in turn ("two lamps on two tables": one on each)."""
        if not support.ids:
            return
        stacked = [index for subject in subjects for index in subject.ids if index not in support.ids
                   and self.result.objects[index].on_top_of is None]
        for turn, index in enumerate(stacked):
            below = support.ids[turn % len(support.ids)]
            if not self._rests_on(below, index):
                self.result.objects[index].on_top_of = below

    def _rests_on(self, index: int, below: int) -> bool:
        """Whether object ``index`` already stands, directly or through others, on ``below`` (no cycles)."""
        seen = set()
        while index is not None and index not in seen:
            if index == below:
                return True
            seen.add(index)
            index = self.result.objects[index].on_top_of
        return False

    def _relate(self, subject: Chunk, kind: str, target: Chunk) -> None:
        if not target.ids:
            return
        for index in subject.ids:
            obj = self.result.objects[index]
            if obj.relation is None and index not in target.ids:
                obj.relation = DraftRelation(kind=kind, target=target.ids[0])


def _negated_verb(token) -> bool:
    """'a man not sitting', 'nobody stands': a pose the sentence denies."""
    return any(child.dep_ == "neg" for child in token.children)


def _is_attribute(chunk: Chunk) -> bool:
    """A colour, size or material word heading a phrase; 'a rock' with its article is a rock, 'stone' alone a material."""
    head = chunk.head
    if not is_attribute_word(head):
        return False
    before = chunk.tokens[:chunk.tokens.index(head)]
    return head.lower_ not in lex.MATERIALS or not any(t.pos_ in ("DET", "NUM") for t in before)


def _negated(chunk: Chunk) -> bool:
    """'no people', 'zero cars', 'not a single car', 'without (any) passengers', 'no chairs or stools'."""
    first = chunk.tokens[0]
    if first.lower_ in lex.NEGATING_WORDS:
        return True
    doc = first.doc
    before = [t.lower_ for t in doc[max(first.i - 3, 0):first.i]]
    while before and before[-1] in ("any", "a", "an", "single"):
        before.pop()
    if before and (before[-1] in lex.NEGATING_PREPOSITIONS or before[-1] == "not"):
        return True
    head = chunk.head  # "no chairs or stools": a conjunct of a negated phrase
    return head.dep_ == "conj" and any(t.lower_ in lex.NEGATING_WORDS and t.head.i == head.head.i
                                       for t in head.head.children)


def _is_heading(chunk: Chunk) -> bool:
    """'Items: a globe, a quill', 'Props: two chairs': a bare noun before a colon that a phrase of its own follows."""
    tokens = chunk.tokens
    doc = tokens[0].doc
    before = doc[tokens[0].i - 1].text if tokens[0].i > 0 else None
    after = doc[tokens[-1].i + 1:tokens[-1].i + 3]
    return ((before is None or before in SEPARATORS) and all(t.pos_ not in ("DET", "NUM") for t in tokens)
            and len(after) == 2 and after[0].text == ":" and after[1].pos_ in ("DET", "NUM"))


def _describes_each(chunk: Chunk) -> bool:
    first = chunk.tokens[0]
    previous = first.doc[first.i - 1].lower_ if first.i > 0 else ""
    if first.lower_ in EACH_WORDS and len(chunk.tokens) > 1:
        previous, first = first.lower_, chunk.tokens[1]
    return previous in EACH_WORDS and first.lower_ in ("a", "an")


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
