"""Who is who across a film: its entities, resolved once per film.

"A red car" in shot 1, "the car" in shot 3 and "it" in shot 4 are one
entity, so every shot renders the same catalog asset in the same colour at
the same size. The rules are a reader's, kept simple:

- a shot that opens on a pronoun ("It drives away", "He waves") with no
  noun before it means someone already seen: it is replaced by that
  entity's words before the shot is read (``he``/``she`` the last person of
  that kind, ``it`` the last thing — the previous shot's subject first —
  ``they`` the previous shot's cast); so is "him", "her" or "them" after the
  shot's own nouns when none of those can be meant ("A woman walks past
  him": the man seen before), while "it" there is the shot's own ("picks up
  a stick and throws it");
- an object whose head noun names an earlier entity is that entity, unless
  the shot marks it as new ("another car", "a second dog") or its colour or
  material contradicts it ("a blue car" after "a red car"); copies ("two
  dogs") are several entities, matched in order;
- each entity takes the richest words any shot gives it ("the car", then
  "the red vintage car": a red vintage car everywhere), and its size word.

A shot whose words name nothing (``found_objects`` false: "The sun
sets.") shows the previous shot's cast.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..rewriter.lexicon import COUNT_WORDS
from .draft import DraftObject, SceneDraft
from .models import Entity

MALE = frozenset("man boy father dad king prince gentleman grandfather grandpa son brother husband guy knight "
                 "wizard uncle monk groom waiter fisherman policeman fireman".split())
FEMALE = frozenset("woman girl mother mom mum queen princess lady grandmother grandma daughter sister wife witch "
                   "aunt nun bride waitress ballerina actress".split())
PEOPLE = MALE | FEMALE | frozenset(
    "person people child kid baby toddler teenager chef cook doctor nurse student worker farmer runner jogger player "
    "soldier dancer teacher pilot driver cyclist skier surfer skater hiker climber musician singer artist "
    "painter photographer tourist traveler traveller customer shopper clown astronaut athlete friend stranger "
    "passenger officer detective scientist".split())
# The kinds of person a model library shows. Any other person word is a role ("waiter", "nurse"): a model of its
# kind stands in, and captions name the kind, for a suit or an apron is no proof of a trade.
PERSON_KINDS = frozenset("man woman boy girl person people child kid human".split())
SUBJECT_PRONOUNS = {"it": "thing", "he": "male", "she": "female", "they": "group"}
OBJECT_PRONOUNS = {"him": "male", "them": "group"}  # "her" and "it" read as subjects' forms too
NEW_MARKERS = ("another", "second", "third", "different", "new", "one more")
NOUN_TAGS = frozenset({"NOUN", "PROPN"})



def _meant_before(kind: str | None, nouns: list) -> bool:
    """Could a pronoun of ``kind`` mean one of the shot's own earlier nouns (spaCy tokens)?"""
    if kind == "group":
        return any(noun.tag_ in ("NNS", "NNPS") or noun.dep_ == "conj" for noun in nouns)
    words = MALE if kind == "male" else FEMALE if kind == "female" else PEOPLE
    return any(noun.lemma_.lower() in words or noun.lower_ in words for noun in nouns)


def person_kind(name: str) -> str | None:
    """The kind of person a role word shows as ("waiter": man, "nurse": person, "toddler": child); None for a
    kind itself or a word that names no person."""
    if name not in PEOPLE or name in PERSON_KINDS:
        return None
    if name in ("baby", "toddler"):
        return "child"
    return "man" if name in MALE else "woman" if name in FEMALE else "person"

@dataclass
class _Entity:
    id: str
    name: str  # head noun
    description: str
    color: str | None
    material: str | None
    scale: str | None
    shots: list[int] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.name in MALE:
            return "male"
        if self.name in FEMALE:
            return "female"
        return "person" if self.name in PEOPLE else "thing"

    def fits(self, obj: DraftObject) -> bool:
        """Could this mention be the entity? Not if its colour or material says otherwise."""
        return (_head(obj.name) == self.name
                and not (obj.color and self.color and obj.color != self.color)
                and not (obj.material and self.material and obj.material != self.material))

    def learn(self, obj: DraftObject) -> None:
        """Take what a mention adds: colour, material, size, and richer words that keep the old ones."""
        self.color, self.material, self.scale = (self.color or obj.color, self.material or obj.material,
                                                 self.scale or obj.scale)
        if set(self.description.split()) < set(obj.description.split()):
            self.description = obj.description


def _head(name: str) -> str:
    return name.split()[-1]


@dataclass
class Cast:
    """Entities as the shots are read, in order; ``finish`` makes them the film's and the drafts agree."""

    entities: list[_Entity] = field(default_factory=list)
    shots: list[list[str]] = field(default_factory=list)  # entity id of each draft object, per shot read
    linked: dict[str, str] = field(default_factory=dict)  # a story reader's entity id -> ours

    def _by_id(self, entity_id: str) -> _Entity:
        return next(e for e in self.entities if e.id == entity_id)

    def replace_pronouns(self, text: str, doc, mentions: dict[str, str] | None = None) -> str:
        """``text`` with a leading pronoun (no noun before it) replaced by the words of whom it means.

        ``doc`` is the parsed text (spaCy), whose part-of-speech tags tell a pronoun from a noun;
        ``mentions`` (words -> a story reader's entity id) names whom a pronoun means where it knows.
        """
        mentions = mentions or {}
        replacements = []
        nouns: list = []  # the nouns before the token, which a later pronoun may mean instead
        for token in doc:
            if token.pos_ in NOUN_TAGS and token.lower_ not in SUBJECT_PRONOUNS:
                nouns.append(token)
                continue
            kind = SUBJECT_PRONOUNS.get(token.lower_) or OBJECT_PRONOUNS.get(token.lower_)
            if kind is None and token.lower_ == "her" and token.dep_ != "poss":
                kind = "female"
            if nouns and (token.lower_ not in ("him", "her", "them") or _meant_before(kind, nouns)):
                continue  # "a man picks up a ball and throws it": the ball; "a woman walks past him": someone seen
            if kind is not None and token.pos_ == "PRON":
                linked = self.linked.get(mentions.get(token.lower_, ""))
                words = f"the {self._by_id(linked).description}" if linked else self._antecedent(kind)
                if words:
                    replacements.append((token.idx, token.idx + len(token.text), words))
        for start, end, words in reversed(replacements):
            text = text[:start] + words + text[end:]
        return text

    def _antecedent(self, kind: str) -> str | None:
        """The words of whom a pronoun of ``kind`` means among the entities already seen."""
        recent = [self._by_id(i) for i in (self.shots[-1] if self.shots else [])]
        if kind == "group":  # "They": the previous shot's cast, copies as a plural ("the brown dogs")
            counts = Counter(e.description for e in recent)
            return " and ".join(f"the {words}{'s' if count > 1 else ''}" for words, count in counts.items()) or None
        seen = [self._by_id(i) for shot in reversed(self.shots) for i in shot]
        if kind == "thing":
            chosen = [e for e in seen if e.kind == "thing"]
        else:
            chosen = ([e for e in seen if e.kind == kind] or [e for e in seen if e.kind == "person"])
        return f"the {chosen[0].description}" if chosen else None

    def cast_shot(self, shot: int, text: str, draft: SceneDraft, found_objects: bool,
                  mentions: dict[str, str] | None = None) -> list[str]:
        """The entity of each of the draft's objects (new ones made as needed); a draft that found no
        object gets the previous shot's cast instead of its stand-in. ``mentions`` (words -> a story
        reader's entity id) links mentions the head nouns cannot ("the vehicle" for the car)."""
        mentions = mentions or {}
        if not found_objects and self.shots:
            draft.objects = [_mention(self._by_id(i)) for i in dict.fromkeys(self.shots[-1])]
        self._known_group_sizes(text, draft)
        fresh = _new_mentions(text, {_head(obj.name) for obj in draft.objects})
        taken: set[str] = set()
        ids = []
        for obj in draft.objects:
            head = _head(obj.name)
            reader_id = next((i for words, i in mentions.items() if _names(words, head)), None)
            match = None
            if reader_id in self.linked and self.linked[reader_id] not in taken:
                match = self._by_id(self.linked[reader_id])
            elif fresh[head] > 0:
                fresh[head] -= 1
            else:  # a story reader's ids only join mentions; they never split what the head nouns join
                match = next((e for e in self.entities if e.id not in taken and e.fits(obj)), None)
            if match is None:
                match = _Entity(f"e{len(self.entities) + 1}", head, obj.description, obj.color, obj.material,
                                obj.scale)
                self.entities.append(match)
            else:
                match.learn(obj)
            taken.add(match.id)
            if reader_id is not None:
                self.linked.setdefault(reader_id, match.id)
            match.shots.append(shot)
            ids.append(match.id)
        self.shots.append(ids)
        return ids

    def _known_group_sizes(self, text: str, draft: SceneDraft) -> None:
        """"The dogs" after two dogs are those two: a definite plural without a number keeps the known count
        (the rewriter reads a bare plural as several copies)."""
        for head in {_head(obj.name) for obj in draft.objects}:
            known = sum(e.name == head for e in self.entities)
            copies = [i for i, obj in enumerate(draft.objects) if _head(obj.name) == head]
            definite = re.search(rf"\b(?:the|these|those|both)\s+((?:[a-z-]+\s+){{0,2}}?){re.escape(head)}e?s\b",
                                 text.lower())
            counted = definite and any(word in COUNT_WORDS or word.isdigit() for word in definite.group(1).split())
            if definite and not counted and 0 < known < len(copies):
                _drop_objects(draft, set(copies[known:]))

    def appears(self, entity_id: str, shot: int) -> None:
        """The entity is in ``shot`` too, without a mention (a support that stays under what it carries)."""
        self._by_id(entity_id).shots.append(shot)

    def finish(self, drafts: list[SceneDraft]) -> list[Entity]:
        """Every draft object takes its entity's final words, colour, material and size; the film's entities."""
        for draft, ids in zip(drafts, self.shots):
            for obj, entity_id in zip(draft.objects, ids):
                entity = self._by_id(entity_id)
                obj.description, obj.color, obj.material, obj.scale = (entity.description, entity.color,
                                                                       entity.material, entity.scale)
        return [Entity(id=e.id, name=e.name, description=e.description, color=e.color, material=e.material,
                       scale=e.scale or "medium", shots=sorted(set(e.shots))) for e in self.entities]


def _names(words: str, head: str) -> bool:
    """Do a mention's words ("the red cars") end in the head noun ("car")?"""
    last = words.split()[-1] if words.split() else ""
    return last in (head, head + "s", head + "es") or (head.endswith("y") and last == head[:-1] + "ies")


def _drop_objects(draft: SceneDraft, drop: set[int]) -> None:
    """Remove objects from a draft, keeping the others' supports and relations pointing right."""
    kept = [i for i in range(len(draft.objects)) if i not in drop]
    new_index = {old: new for new, old in enumerate(kept)}
    objects = []
    for i in kept:
        obj = draft.objects[i]
        obj.on_top_of = new_index.get(obj.on_top_of) if obj.on_top_of is not None else None
        if obj.relation is not None:
            obj.relation = (obj.relation.model_copy(update={"target": new_index[obj.relation.target]})
                            if obj.relation.target in new_index else None)
        objects.append(obj)
    draft.objects = objects


def _mention(entity: _Entity) -> DraftObject:
    return DraftObject(name=entity.name, description=entity.description, color=entity.color,
                       material=entity.material, scale=entity.scale)


def _new_mentions(text: str, heads: set[str]) -> dict[str, int]:
    """How many times the text marks each head noun as new ("another car", "a second red car")."""
    markers = "|".join(re.escape(m) for m in NEW_MARKERS)
    return {head: len(re.findall(rf"\b(?:{markers})\s+(?:[\w-]+\s+){{0,2}}{re.escape(head)}(?:e?s)?\b", text.lower()))
            for head in heads}
