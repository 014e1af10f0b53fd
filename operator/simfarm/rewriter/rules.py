"""The embedded rewriter: prompt → SceneDraft by rules, offline, in milliseconds.

It reads a prompt in passes. Scene-wide phrases go first (camera follow,
camera angle, shot size, camera move, look words, floor, background), each
cut out of the text once understood. What is left is read as object
phrases: a count, adjectives and a noun, then verbs of motion with their
direction and speed, then relation markers ("on top of", "left of") that
introduce further objects. Camera and shot phrases that match no known
wording, and size adjectives the lexicon lacks, are mapped to the nearest
vocabulary entry by embedding similarity (``nearest``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from ..plan import vocabulary as vocab
from ..plan.draft import DraftEffects, DraftMovement, DraftObject, DraftRelation, SceneDraft
from . import lexicon as lex
from .nearest import NearestVocabulary

SEPARATORS = frozenset(",;.!?:")
CLAUSE_SPLITTERS = frozenset({"and", "while", "as", "then", "whilst", "where"})


def normalize(prompt: str) -> str:
    text = unicodedata.normalize("NFKC", prompt).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[\"\u201c\u201d()\[\]{}]", " ", text)
    text = re.sub(r"\s[-\u2013\u2014]+\s", " , ", text)
    text = re.sub(r"([,;.!?:])", r" \1 ", text)
    return " " + re.sub(r"\s+", " ", text).strip() + " "


@lru_cache(maxsize=None)
def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Whole-word alternation, longest phrase first."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w'-])(?:" + "|".join(re.escape(p) for p in ordered) + r")(?![\w'-])")


def _clause_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(sep, 0, start) for sep in SEPARATORS)
    rights = [i for i in (text.find(sep, end) for sep in SEPARATORS) if i != -1]
    return text[left + 1: min(rights) if rights else len(text)]


@dataclass
class _Text:
    """The prompt as it is consumed: understood spans are cut out and leave a separator."""

    value: str

    def cut(self, start: int, end: int) -> None:
        self.value = self.value[:start] + " , " + self.value[end:]

    def cut_match(self, match: re.Match[str]) -> None:
        self.cut(match.start(), match.end())


@dataclass
class _Reading:
    objects: list[DraftObject] = field(default_factory=list)
    follow_target: str | None = None
    draft: dict = field(default_factory=dict)
    effects: dict[str, str] = field(default_factory=dict)
    unmatched_camera: list[str] = field(default_factory=list)
    unknown_adjectives: dict[int, list[str]] = field(default_factory=dict)


class RulesRewriter:
    """Prompt → SceneDraft. One instance per process; the embedding model loads on first need."""

    name = "rules"

    def __init__(self, nearest: NearestVocabulary | None = None) -> None:
        self.nearest = nearest or NearestVocabulary()

    def rewrite(self, prompt: str) -> SceneDraft:
        text = _Text(normalize(prompt))
        reading = _Reading()
        _read_camera_follow(text, reading)
        _read_camera_angle(text, reading)
        _read_framing(text, reading)
        _read_camera_animation(text, reading)
        _read_effects(text, reading)
        _read_floor(text, reading)
        _read_background(text, reading)
        _set_aside_camera_clauses(text, reading)
        _read_objects(text.value, reading)
        self._resolve_by_similarity(reading)
        _apply_camera_follow(reading)
        if not reading.objects:
            reading.objects.append(_whole_prompt_object(prompt))
        return SceneDraft(objects=reading.objects, effects=DraftEffects(**reading.effects), **reading.draft)

    def _resolve_by_similarity(self, reading: _Reading) -> None:
        for phrase in reading.unmatched_camera:
            family, value = self.nearest.camera_phrase(phrase) or (None, None)
            slot = {"animation": "camera_animation", "framing": "framing", "angle": "camera_angle"}.get(family)
            if slot and slot not in reading.draft:
                reading.draft[slot] = value
        pending = [(i, word) for i, words in reading.unknown_adjectives.items() for word in words]
        for (index, _), scale in zip(pending, self.nearest.scale_words([w for _, w in pending])):
            if scale and reading.objects[index].scale is None:
                reading.objects[index].scale = scale


def _read_camera_follow(text: _Text, reading: _Reading) -> None:
    pattern = re.compile(
        r"(?:,|\band\b|\bas\b|\bwhile\b)?\s*(?:the |a )?camera (?:follows|tracks|is following|is tracking|"
        r"keeps up with|stays with|stays on|follows along with|trails|chases) "
        r"(?!(?:in|out|left|right|up|down|back|forward|around|along|across)\b)(it|them|him|her|(?:the |a |an )?[\w-]+(?: [\w-]+)?)(?= [,;.!?:]| and | as | while |\s*$)"
    )
    match = pattern.search(text.value)
    if match:
        reading.follow_target = match.group(1).split()[-1]
        text.cut_match(match)
        return
    passive = re.search(r"(?:,\s*)?(?:followed|tracked|chased) by the camera", text.value)
    if passive:
        reading.follow_target = "it"
        text.cut_match(passive)


def _read_camera_angle(text: _Text, reading: _Reading) -> None:
    match = phrase_pattern(tuple(lex.CAMERA_ANGLES)).search(text.value)
    if match:
        reading.draft["camera_angle"] = lex.CAMERA_ANGLES[match.group(0)]
        _cut_with_shot_words(text, match)


def _cut_with_shot_words(text: _Text, match: re.Match[str]) -> None:
    """Cut a matched camera phrase along with filler like 'shot', 'view', 'from a'."""
    start, end = match.start(), match.end()
    before = re.search(r"(?:(?:in|from|with|as|seen from) )?(?:an? |the )?$", text.value[:start])
    after = re.match(r"(?: (?:camera )?(?:shot|view|angle|perspective|framing))*", text.value[end:])
    text.cut(before.start() if before else start, end + (after.end() if after else 0))


INTENSIFIED_FRAMINGS = {"closeup": "extreme_closeup", "wide": "extreme_wide"}


def _read_framing(text: _Text, reading: _Reading) -> None:
    synonyms = {s: f.name for f in vocab.FRAMINGS for s in f.synonyms}
    match = phrase_pattern(tuple(synonyms)).search(text.value)
    if not match:
        return
    framing = synonyms[match.group(0)]
    intensifier = re.search(r"(?:extremely|very|super|ultra|really) $", text.value[:match.start()])
    if intensifier:  # "an extremely tight shot", "a very wide shot"
        framing = INTENSIFIED_FRAMINGS.get(framing, framing)
        text.cut(intensifier.start(), intensifier.end())
        match = phrase_pattern(tuple(synonyms)).search(text.value)
    reading.draft["framing"] = framing
    _cut_with_shot_words(text, match)


def _animation_synonyms() -> dict[str, tuple[str, bool]]:
    """synonym -> (animation name, needs 'camera' nearby to count)."""
    table = {}
    for animation in vocab.CAMERA_ANIMATIONS:
        for synonym in animation.synonyms:
            unambiguous = bool(set(synonym.split()) & lex.CAMERA_ONLY_TERMS)
            table[synonym] = (animation.name, not unambiguous)
    return table


ANIMATION_SYNONYMS = _animation_synonyms()


def _read_camera_animation(text: _Text, reading: _Reading) -> None:
    pattern = phrase_pattern(tuple(ANIMATION_SYNONYMS))
    for match in pattern.finditer(text.value):
        name, needs_camera = ANIMATION_SYNONYMS[match.group(0)]
        clause = set(_clause_around(text.value, match.start(), match.end()).split())
        if needs_camera and not clause & lex.CAMERA_CONTEXT_WORDS:
            continue
        reading.draft["camera_animation"] = name
        start, end = match.start(), match.end()
        speed_before = re.search(r"(\w+) (?:camera )?$", text.value[:start])
        speed_after = re.match(r" (very \w+|\w+)", text.value[end:])
        for found, is_before in ((speed_before, True), (speed_after, False)):
            if found and found.group(1) in lex.ANIMATION_SPEED_WORDS:
                reading.draft["animation_speed"] = lex.ANIMATION_SPEED_WORDS[found.group(1)]
                start, end = (found.start(), end) if is_before else (start, end + found.end())
        subject = re.search(r"(?:the )?camera (?:slowly |quickly |gently |smoothly )?$", text.value[:start])
        text.cut(subject.start() if subject else start, end)
        return


def _read_effects(text: _Text, reading: _Reading) -> None:
    pattern = phrase_pattern(tuple(lex.EFFECT_TERMS))
    while match := pattern.search(text.value):
        term = match.group(0)
        effect = lex.EFFECT_TERMS[term]
        level = lex.EFFECT_DEFAULT_LEVEL.get(term, "medium")
        start = match.start()
        modifier = re.search(r"([\w-]+) (?:of )?(?:a )?$", text.value[:start])
        if modifier and modifier.group(1) in lex.EFFECT_MODIFIERS:
            level, start = lex.EFFECT_MODIFIERS[modifier.group(1)], modifier.start()
        if term in lex.EFFECT_MODIFIERS and effect == "bloom":  # "dreamy glow": the modifier is the term
            follow = re.match(r" (glow|glowing|bloom|light)\b", text.value[match.end():])
            end = match.end() + (follow.end() if follow else 0)
        else:
            end = match.end()
        lead = re.search(r"(?:with |and )?(?:an? |the )?$", text.value[:start])
        reading.effects[effect] = level
        text.cut(lead.start() if lead else start, end)


def _read_floor(text: _Text, reading: _Reading) -> None:
    nouns = "|".join(sorted(lex.FLOOR_NOUNS, key=len, reverse=True))
    match = re.search(
        rf"\b(?:on|across|over|along|onto) (?:an? |the )?((?:[\w'-]+ ){{0,3}}?(?:{nouns}))(?![\w'-])", text.value
    )
    if match:
        reading.draft["floor"] = match.group(1)
        text.cut_match(match)


def _read_background(text: _Text, reading: _Reading) -> None:
    phrases = []
    pattern = phrase_pattern(lex.BACKGROUND_TERMS)
    while match := pattern.search(text.value):
        start, end = match.start(), match.end()
        lead = re.search(r"\b(\w+) (?:an? |the )?((?:[\w'-]+ ){0,2})$", text.value[:start])
        if lead and lead.group(1) in lex.BACKGROUND_LEADS:
            phrase = (lead.group(2) + match.group(0)).strip()
            start = lead.start()
        else:
            phrase = match.group(0)
        phrases.append(re.sub(r"^(?:at|in|under) ", "", phrase))
        text.cut(start, end)
    if phrases:
        reading.draft["background"] = " ".join(phrases)


CAMERA_AS_TARGET = re.compile(r"\b(?:towards?|away from|at|into) the (?:camera|lens|viewer)\b")


def _set_aside_camera_clauses(text: _Text, reading: _Reading) -> None:
    """Clauses about the camera that no exact wording matched go to the similarity pass."""
    for clause in re.split(r"[,;.!?:]", text.value):
        words = CAMERA_AS_TARGET.sub(" ", clause).split()
        if set(words) & lex.CAMERA_CONTEXT_WORDS:
            reading.unmatched_camera.append(" ".join(words))
            text.value = text.value.replace(clause, " ", 1)


# ---------------------------------------------------------------- objects


def tokens_of(text: str) -> list[str]:
    return text.split()


def _chunks(tokens: list[str]) -> Iterable[list[str]]:
    """Split into clauses: at separators, and at 'and'/'while' when a new noun phrase follows."""
    current: list[str] = []
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        starts_phrase = following in lex.COUNT_WORDS or following in lex.DETERMINERS or following.isdigit()
        if token in SEPARATORS or (token in CLAUSE_SPLITTERS and starts_phrase):
            if current:
                yield current
            current = []
        else:
            current.append(token)
    if current:
        yield current


@dataclass
class _NounPhrase:
    count: int
    words: list[str]  # descriptive words and the head noun, size words removed
    scale: str | None
    end: int  # index after the phrase
    pronoun: bool = False

    @property
    def noun(self) -> str:
        return singular(self.words[-1])


def singular(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and re.search(r"(ch|sh|x|ss|zz)es$", word):
        return word[:-2]
    if len(word) > 3 and word.endswith("ves") and word not in {"gloves", "curves", "valves"}:
        return word[:-3] + "f"
    if len(word) > 2 and word.endswith("s") and not re.search(r"(ss|us|is|os)$", word):
        return word[:-1]
    return word


def _read_count(tokens: list[str], i: int) -> tuple[int, int]:
    """(count, index after the count words); 1 when the phrase gives none."""
    count = 1
    while i < len(tokens):
        token = tokens[i]
        if token.isdigit():
            count, i = int(token), i + 1
        elif token in ("pair", "couple") and i + 1 < len(tokens) and tokens[i + 1] == "of":
            count, i = 2, i + 2
        elif token in lex.COUNT_WORDS:
            count = lex.COUNT_WORDS[token] if token not in ("a", "an") else count
            i += 1
        elif token in lex.DETERMINERS:
            i += 1
        else:
            break
    return count, i


def _noun_phrase(tokens: list[str], i: int) -> _NounPhrase | None:
    count, i = _read_count(tokens, i)
    if i < len(tokens) and tokens[i] in lex.PRONOUNS:
        return _NounPhrase(count, [tokens[i]], None, i + 1, pronoun=True)
    words: list[str] = []
    scale = None
    while i < len(tokens) and tokens[i] not in lex.NOUN_PHRASE_STOPS and tokens[i] not in SEPARATORS:
        pair = f"{tokens[i]} {tokens[i + 1]}" if i + 1 < len(tokens) else ""
        if pair in lex.SIZE_PHRASES:
            scale, i = lex.SIZE_PHRASES[pair], i + 2
            continue
        if tokens[i] in lex.SIZE_PHRASES and (words or i + 1 < len(tokens)):
            scale = lex.SIZE_PHRASES[tokens[i]]
        elif tokens[i] != "very":
            words.append(tokens[i])
        i += 1
    if not words or singular(words[-1]) in lex.NON_OBJECT_NOUNS:
        return None
    return _NounPhrase(max(1, min(count, lex.MAX_COPIES)), words, scale, i)


def _draft_objects(phrase: _NounPhrase) -> list[DraftObject]:
    noun = phrase.noun
    adjectives = phrase.words[:-1]
    colors = [lex.COLOR_ALIASES.get(w, w) for w in adjectives if w in lex.COLORS]
    materials = [lex.MATERIALS[w] for w in adjectives if w in lex.MATERIALS]
    description = " ".join(adjectives + [noun])
    return [
        DraftObject(
            name=noun,
            description=description,
            color=colors[0] if colors else None,
            material=materials[0] if materials else None,
            scale=phrase.scale,
        )
        for _ in range(phrase.count)
    ]


def _match_phrase(tokens: list[str], i: int, table: dict) -> tuple[str, int] | None:
    """Longest phrase from ``table`` starting at token i: (phrase, length in tokens)."""
    for length in (4, 3, 2, 1):
        phrase = " ".join(tokens[i:i + length])
        if len(tokens) - i >= length and phrase in table:
            return phrase, length
    return None


def _read_objects(text: str, reading: _Reading) -> None:
    for chunk in _chunks(tokens_of(text)):
        _read_chunk(chunk, reading)


def _read_chunk(tokens: list[str], reading: _Reading) -> None:
    subject = _noun_phrase(tokens, 0)
    if subject is None or subject.pronoun:
        subject_ids = [len(reading.objects) - 1] if reading.objects else []
        i = subject.end if subject else 0
    else:
        subject_ids = _add(reading, subject)
        i = subject.end
    last_ids = subject_ids
    related_subject = False
    moving = False
    movement = DraftMovement()
    while i < len(tokens):
        token = tokens[i]
        relation = _match_phrase(tokens, i, lex.RELATION_PHRASES)
        direction = _match_phrase(tokens, i, lex.DIRECTION_PHRASES)
        if direction and (moving or token in ("up", "upward", "upwards")) and (
            not relation or direction[1] >= relation[1]
        ):
            movement.direction = vocab.Direction(lex.DIRECTION_PHRASES[direction[0]])
            moving, i = True, i + direction[1]
        elif relation:
            target = _noun_phrase(tokens, i + relation[1])
            if target is None:
                i += relation[1]
                continue
            target_ids = _resolve_target(reading, target, exclude=last_ids)
            kind = lex.RELATION_PHRASES[relation[0]]
            holders = subject_ids if not related_subject else last_ids
            if not subject_ids:  # "around a vase on a table": the first phrase is the subject
                subject_ids = target_ids
            else:  # after the first relation, later ones describe the phrase just read
                if kind is not None:
                    _relate(reading, holders, kind, target_ids)
                related_subject = True
            last_ids = target_ids or last_ids
            i = target.end
        elif token in lex.MOVE_VERBS:
            moving = True
            if token in lex.UPWARD_VERBS:
                movement.direction = vocab.Direction.up
            i += 1
        else:
            speed = _match_phrase(tokens, i, lex.SPEED_WORDS)
            if speed:
                movement.speed = lex.SPEED_WORDS[speed[0]]
                moving = moving or token not in ("slow", "fast")
            if subject is not None and not subject.pronoun and _is_unknown_adjective(token):
                reading.unknown_adjectives.setdefault(subject_ids[0], []).append(token)
            i += speed[1] if speed else 1
    if moving:
        for index in subject_ids:
            reading.objects[index].movement = movement.model_copy()
    if subject is not None and not subject.pronoun:
        unknown = [w for w in subject.words[:-1] if _is_unknown_adjective(w)]
        if unknown and subject.scale is None:
            reading.unknown_adjectives.setdefault(subject_ids[0], []).extend(unknown)


def _is_unknown_adjective(word: str) -> bool:
    known = (lex.COLORS, lex.MATERIALS, lex.SIZE_PHRASES, lex.SPEED_WORDS, lex.COUNT_WORDS, lex.DETERMINERS)
    return word.replace("-", "").isalpha() and len(word) > 3 and not any(word in table for table in known)


def _add(reading: _Reading, phrase: _NounPhrase) -> list[int]:
    start = len(reading.objects)
    reading.objects.extend(_draft_objects(phrase))
    return list(range(start, len(reading.objects)))


def _resolve_target(reading: _Reading, phrase: _NounPhrase, exclude: list[int]) -> list[int]:
    """An existing object when the phrase refers back to one ('it', 'the box'), else new ones."""
    if phrase.pronoun:
        earlier = [i for i in range(len(reading.objects)) if i not in exclude]
        return earlier[-1:] if earlier else []
    same = [i for i, o in enumerate(reading.objects) if o.name == phrase.noun and i not in exclude]
    if same and phrase.count == 1:
        return same[:1]
    return _add(reading, phrase)


def _relate(reading: _Reading, holders: list[int], kind: str, targets: list[int]) -> None:
    if not targets:
        return
    target = targets[0]
    for index in holders:
        if index == target:
            continue
        obj = reading.objects[index]
        if kind == "on_top_of":
            obj.on_top_of = target
        else:
            obj.relation = DraftRelation(kind=kind, target=target)


def _apply_camera_follow(reading: _Reading) -> None:
    target = reading.follow_target
    if target is None or not reading.objects:
        return
    named = [i for i, o in enumerate(reading.objects) if o.name == singular(target)]
    moving = [i for i, o in enumerate(reading.objects) if o.movement is not None]
    chosen = (named or moving or [len(reading.objects) - 1])[0]
    reading.objects[chosen].camera_follow = True


def _whole_prompt_object(prompt: str) -> DraftObject:
    """No object phrase was found: search the catalog with the prompt itself."""
    words = [w for w in re.findall(r"[a-z][\w-]*", prompt.lower())][:12] or ["object"]
    return DraftObject(name=words[-1], description=" ".join(words))
