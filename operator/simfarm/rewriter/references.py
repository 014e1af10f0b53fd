"""Phrases that point back at objects already named instead of adding new ones.

- A definite phrase naming an earlier object is that object: in "a glass table;
  a vase sits on the table" there is one table. Its modifiers pick among
  earlier objects of the same noun ("a big dog and a small dog; the small dog
  sleeps") and a modifier none of them has makes it a new object.
- "one" after a group describes one member: "two balloons, a large red one
  and a small blue one" gives each balloon its own size and colour; after a
  single object it is another of the same ("a tall cactus and a short one").
- An adjective phrase before "and" shares the noun after it: "a red and a
  blue ball" are two balls.
- A predicate adjective describes its subject: "the cups are white".
"""

from __future__ import annotations

from . import lexicon as lex
from .chunks import SIZE_WORDS, Chunk, count_of, describe

DEFINITES = frozenset("the this that these those".split())
ONE_WORDS = frozenset({"one", "ones"})
ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "middle": "middle", "last": "last"}


_ATTRIBUTE_WORDS = lex.COLORS | set(SIZE_WORDS) | set(lex.MATERIALS) | {"very"}


def _attribute_words(tokens) -> set[str]:
    return {t.lower_ for t in tokens if t.lower_ in _ATTRIBUTE_WORDS and t.lower_ != "very"}


def _is_member(chunk: Chunk) -> bool:
    """'a large red one', 'one giant': words describing a 'one' and no noun of their own."""
    tokens = [t for t in chunk.tokens if t.lower_ not in ("a", "an", "the")]
    if len(tokens) < 2 or not ONE_WORDS & {tokens[0].lower_, tokens[-1].lower_}:
        return False
    described = tokens[1:] if tokens[0].lower_ in ONE_WORDS else tokens[:-1]
    return all(t.pos_ == "ADJ" or t.lower_ in _ATTRIBUTE_WORDS for t in described)


def _share_nouns(chunks: list[Chunk]) -> None:
    """'a red and a blue ball', 'one big and one small robot': the first phrase is another of the noun after it;
    'a small and cosy cabin': its adjectives describe the one noun."""
    starting_at = {c.tokens[0].i: c for c in chunks}
    for chunk in chunks:
        last = chunk.tokens[-1]
        joined = last.doc[last.i + 1] if last.i + 1 < len(last.doc) else None
        following = starting_at.get(last.i + 2)
        if (chunk.kind != "attribute" or joined is None or joined.lower_ not in ("and", "or") or following is None
                or following.kind != "object" or chunk.tokens[0].pos_ not in ("DET", "NUM")
                or not all(t.pos_ == "ADJ" or t.lower_ in _ATTRIBUTE_WORDS for t in chunk.tokens[1:])):
            continue
        if following.tokens[0].pos_ in ("DET", "NUM"):
            chunk.kind, chunk.noun = "object", following.lemma
            chunk.count, chunk.counted = count_of(chunk)
        else:
            following.tokens = chunk.tokens + following.tokens
            following.count, following.counted = count_of(following)
            chunk.kind = "ignore"


def resolve(chunks: list[Chunk]) -> None:
    """Mark definite phrases for earlier objects, and 'one' phrases for group members, as not new objects;
    give an adjective phrase before 'and' the noun after it."""
    _share_nouns(chunks)
    earlier: list[Chunk] = []
    for chunk in chunks:
        if _is_member(chunk):
            group = next((c for c in reversed(earlier) if c.count > 1 and c.head.sent == chunk.head.sent), None)
            if group is not None:
                chunk.kind, chunk.owner = "member", group
            elif earlier:  # "a tall cactus; a short one": another of the same
                chunk.kind, chunk.noun, chunk.count, chunk.counted = "object", earlier[-1].lemma, 1, False
                earlier.append(chunk)
            continue
        if chunk.kind != "object":
            continue
        if chunk.tokens[0].lower_ in DEFINITES:
            referent = _referent(chunk, earlier)
            if referent is not None:
                chunk.kind, chunk.owner = "reference", referent
                continue
        earlier.append(chunk)


def _referent(chunk: Chunk, earlier: list[Chunk]) -> Chunk | None:
    wanted = _attribute_words(chunk.tokens)
    for candidate in reversed(earlier):
        if candidate.lemma != chunk.lemma or not wanted <= _attribute_words(candidate.tokens):
            continue
        if chunk.counted and chunk.count != candidate.count:
            continue
        return candidate
    return None


def describe_members(chunks: list[Chunk], objects: list) -> None:
    """Give each member phrase's words to the next copy of its group, in order."""
    used: dict[int, int] = {}
    for chunk in chunks:
        if chunk.kind != "member" or not chunk.owner.ids:
            continue
        group = chunk.owner
        position = used.get(id(group), 0)
        ordinal = next((ORDINALS[t.lower_] for t in chunk.tokens if t.lower_ in ORDINALS), None)
        if ordinal is not None:  # "the middle one", "the last one"
            position = {"middle": len(group.ids) // 2, "last": len(group.ids) - 1}.get(ordinal, ordinal)
        else:
            used[id(group)] = position + 1
        if position >= len(group.ids):
            continue
        chunk.ids = [group.ids[position]]
        modifiers = [t for t in chunk.tokens if t.lower_ not in ONE_WORDS and t.lower_ not in ORDINALS
                     and t.pos_ not in ("DET", "NUM")]
        member = describe(modifiers, group.lemma)
        target = objects[group.ids[position]]
        for attribute in ("color", "material", "scale"):
            if getattr(member, attribute) is not None:
                setattr(target, attribute, getattr(member, attribute))
        target.description = member.description


COLOURING_VERBS = frozenset("paint colour color dye stain tint".split())


def read_predicates(doc, chunk_of: dict, objects: list) -> None:
    """'the cups are white', 'the box is huge', 'the post is painted white': the adjective after 'be', or the
    colour a colouring verb gives, describes the subject."""
    for verb in doc:
        if verb.lemma_ != "be" and verb.lemma_ not in COLOURING_VERBS:
            continue
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < verb.i]
        subject = chunk_of.get(subjects[-1].i) if subjects else None  # the nearest: "three candles, the middle one is"
        if subject is not None and not (subject.kind == "member" and subject.ids):  # a member: its own copy
            subject = subject.owner or subject
        if subject is None or subject.kind not in ("object", "member"):
            continue
        adjectives = [c for c in verb.children if c.dep_ in ("acomp", "oprd")
                      and (verb.lemma_ == "be" or c.lower_ in lex.COLORS)]
        adjectives += [c for a in adjectives for c in a.children if c.dep_ == "conj"]
        described = describe(adjectives, subject.lemma)
        for index in subject.ids:
            for attribute in ("color", "material", "scale"):
                if getattr(described, attribute) is not None and getattr(objects[index], attribute) is None:
                    setattr(objects[index], attribute, getattr(described, attribute))
