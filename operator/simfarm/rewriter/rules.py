"""The embedded rewriter: prompt → SceneDraft by rules, offline, in milliseconds.

It reads a prompt in passes. Scene-wide phrases go first (camera follow,
camera angle, shot size, camera move, look words, lens jargon, sky and
light), each cut out of the text once understood. The camera may be the
subject of the sentence ("the camera tracks a bus moving left", "tracking
shot of a bus", "follow a taxi"): its words are cut, the object named after
them is the one followed, and the rest is read as any other scene. What is
left is parsed (spaCy's small
English pipeline, ``parser``) and read structurally (``structure``): noun
phrases with their counts and modifiers become objects, places, weather or
floors; prepositions and the phrases they attach to become supports and
relations; verbs of motion give movement. Camera and shot phrases that
match no known wording, and size adjectives the lexicon lacks, are mapped
to the nearest vocabulary entry by embedding similarity (``nearest``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..plan import vocabulary as vocab
from ..plan.draft import DraftEffects, DraftObject, SceneDraft
from . import Rewritten
from . import lexicon as lex
from . import parser, structure
from .nearest import NearestVocabulary

SEPARATORS = frozenset(",;.!?:")
CLAUSE_SPLITTERS = frozenset({"and", "while", "as", "then", "whilst", "where"})
CAMERA_SUBJECTS = frozenset("camera lens drone we viewer shot cam rig".split())


def normalize(prompt: str) -> str:
    text = unicodedata.normalize("NFKC", prompt).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[\"\u201c\u201d()\[\]{}]", " ", text)
    text = re.sub(r"\s[-\u2013\u2014|/+]+\s", " , ", text)
    text = re.sub(r"\bhalf(?: a |-)dozen\b", "six", text)
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

    def cut(self, start: int, end: int, separator: str = " , ") -> None:
        self.value = self.value[:start] + separator + self.value[end:]

    def cut_match(self, match: re.Match[str]) -> None:
        self.cut(match.start(), match.end())


@dataclass
class _Reading:
    objects: list[DraftObject] = field(default_factory=list)
    follow_target: list[str] | None = None  # the words naming what the camera follows
    draft: dict = field(default_factory=dict)
    effects: dict[str, str] = field(default_factory=dict)
    unmatched_camera: list[str] = field(default_factory=list)
    unknown_adjectives: dict[int, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # what was read but left out of the draft, and why


class RulesRewriter:
    """Prompt → SceneDraft. One instance per process; the embedding model loads on first need."""

    name = "rules"

    def __init__(self, nearest: NearestVocabulary | None = None) -> None:
        self.nearest = nearest or NearestVocabulary()

    def rewrite(self, prompt: str) -> SceneDraft:
        return self.read(prompt).draft

    def read(self, prompt: str) -> Rewritten:
        """The draft, whether the prompt named objects (else one stands in for the whole prompt), and warnings
        for what the prompt asked that the draft leaves out rather than guesses."""
        text = _Text(normalize(prompt))
        reading = _Reading()
        _read_camera_follow(text, reading)
        _cut_unsupported_camera(text, reading)
        _read_camera_angle(text, reading)
        _read_framing(text, reading)
        _read_camera_animation(text, reading)
        _read_effects(text, reading)
        _cut_lens_jargon(text)
        _read_background(text, reading)
        _set_aside_camera_clauses(text, reading)
        _read_structure(text.value, reading)
        self._resolve_by_similarity(reading)
        _apply_camera_follow(reading)
        found_objects = bool(reading.objects)
        if not found_objects:
            reading.objects.append(_whole_prompt_object(prompt))
        draft = SceneDraft(objects=reading.objects, effects=DraftEffects(**reading.effects), **reading.draft)
        return Rewritten(draft, backend="rules", warnings=list(dict.fromkeys(reading.warnings)),
                         found_objects=found_objects)

    def _resolve_by_similarity(self, reading: _Reading) -> None:
        for phrase in reading.unmatched_camera:
            family, value = self.nearest.camera_phrase(phrase) or (None, None)
            slot = {"animation": "camera_animation", "framing": "framing", "angle": "camera_angle"}.get(family)
            if slot and _contradicts(phrase, value):
                reading.warnings.append(f"camera phrase {phrase.strip()!r} reads closest to {value}, whose way "
                                        "the phrase contradicts; left it open")
            elif slot and slot not in reading.draft:
                reading.draft[slot] = value
                speeds = [lex.ANIMATION_SPEED_WORDS[word] for word in phrase.split() if word in lex.ANIMATION_SPEED_WORDS]
                if slot == "camera_animation" and speeds:  # "the camera slowly circles it"
                    reading.draft.setdefault("animation_speed", speeds[0])
        pending = [(i, word) for i, words in reading.unknown_adjectives.items() for word in words]
        distinct = list(dict.fromkeys(word for _, word in pending))  # copies of one phrase share their words
        scales = dict(zip(distinct, self.nearest.scale_words(distinct)))
        for index, word in pending:
            if scales[word] and reading.objects[index].scale is None:
                reading.objects[index].scale = scales[word]


OPPOSITE_WAYS = {"up": "down", "down": "up", "left": "right", "right": "left", "in": "out", "out": "in"}
WAY_WORDS = {"up": "up", "upward": "up", "upwards": "up", "down": "down", "downward": "down", "downwards": "down",
             "left": "left", "right": "right", "in": "in", "closer": "in", "out": "out", "back": "out", "away": "out"}


def _contradicts(phrase: str, value: str) -> bool:
    """'the camera tilting up' read as tilt_down: the phrase names the opposite way and not the move's own."""
    way = value.rsplit("_", 1)[-1]
    said = {WAY_WORDS[w] for w in phrase.split() if w in WAY_WORDS}
    return way in OPPOSITE_WAYS and OPPOSITE_WAYS[way] in said and way not in said


def _alternation(phrases) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


NOT_A_TARGET = r"(?!(?:in|out|left|right|up|down|back|forward|around|along|across|closer|away|upward|downward)\b)"
FOLLOW_PATTERNS = (
    # "the camera tracks a bus", "a handheld camera following two cyclists"
    re.compile(r"(?:(?:the|a|an|our|one) )?(?:[\w-]+ )?(?:camera|lens) (?:(?:slowly|smoothly|closely|steadily|gently) )?"
               rf"(?:{_alternation(lex.CAMERA_FOLLOW_VERBS)}) {NOT_A_TARGET}"),
    # "tracking shot of a bus", "a slow follow shot: a taxi"
    re.compile(r"(?:(?:an?|the) )?(?:(?:slow|smooth|handheld|long|low|steady) )?"
               rf"(?:{_alternation(lex.FOLLOW_SHOTS)})(?: (?:of|on|following|that follows|which follows|with))? "),
    # "follow a yellow taxi", "we follow the red kite": an instruction, at the start of a clause
    re.compile(rf"(?:^|(?<=[,;.!?:] )|\bwe |\blet's )\s*(?:{_alternation(lex.FOLLOW_IMPERATIVES)}) "
               rf"{NOT_A_TARGET}(?=(?:the|a|an|it|them|two|three|four|five|several|some|this|that|his|her|their)\b)"),
)
FOLLOW_PRONOUNS = frozenset({"it", "them", "him", "her"})
FOLLOW_WINDOW = 8  # words after the follow phrase in which the followed object is named


def _read_camera_follow(text: _Text, reading: _Reading) -> None:
    """The camera phrase is cut; the words after it name what is followed, read once objects are known."""
    for pattern in FOLLOW_PATTERNS:
        match = pattern.search(text.value)
        if match:
            after = re.split(r" [,;.!?:] ", text.value[match.end():] + " , ")[0].split()
            reading.follow_target = after[:FOLLOW_WINDOW] or ["it"]
            text.cut_match(match)
            return
    passive = re.search(r"(?:,\s*)?(?:being )?(?:followed|tracked|chased|trailed) (?:closely )?by the camera", text.value)
    if passive:
        reading.follow_target = ["it"]
        text.cut_match(passive)


def _read_camera_angle(text: _Text, reading: _Reading) -> None:
    moves = [m.span() for m in phrase_pattern(tuple(ANIMATION_SYNONYMS)).finditer(text.value)]
    for match in phrase_pattern(tuple(lex.CAMERA_ANGLES)).finditer(text.value):
        if any(start <= match.start() and match.end() <= end for start, end in moves):
            continue  # "arcs overhead" is a camera move, not the angle
        if match.group(0) in lex.PLACE_ADVERB_ANGLES and not _beside_camera_words(text.value, match):
            continue  # "bunting overhead", "a plane flying overhead"
        reading.draft["camera_angle"] = lex.CAMERA_ANGLES[match.group(0)]
        _cut_with_shot_words(text, match)
        return


CAMERA_NOUNS = frozenset("shot view angle camera perspective framing".split())
SHOOTING_WORDS = frozenset("from seen shot filmed viewed captured looking".split())


def _beside_camera_words(text: str, match: re.Match[str]) -> bool:
    """A camera word right after the phrase, a shooting word right before it, or the phrase alone in its clause."""
    before = text[:match.start()].split()
    after = text[match.end():].split()
    if (after and after[0] in CAMERA_NOUNS) or (before and before[-1] in SHOOTING_WORDS | CAMERA_NOUNS):
        return True
    return (not before or before[-1] in SEPARATORS) and (not after or after[0] in SEPARATORS)


def _cut_unsupported_camera(text: _Text, reading: _Reading) -> None:
    """Camera jargon with no move, shot size or angle in the vocabulary: cut, left open, and said so."""
    pattern = phrase_pattern(lex.UNSUPPORTED_CAMERA_PHRASES)
    while match := pattern.search(text.value):
        reading.warnings.append(f"{match.group(0)!r} has no camera move, shot size or angle in the vocabulary; "
                                "the plan leaves it to the variant")
        _cut_with_shot_words(text, match)


def _cut_with_shot_words(text: _Text, match: re.Match[str]) -> None:
    """Cut a matched camera phrase along with filler like 'shot', 'view', 'from a'."""
    start, end = match.start(), match.end()
    before = re.search(r"(?:(?:in|from|with|as|seen from) )?(?:an? |the )?$", text.value[:start])
    after = re.match(r"(?: (?:camera )?(?:shot|view|angle|perspective|framing))*(?: of(?= ))?", text.value[end:])
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


MOVE_PARTICLES = frozenset("in out up down left right back".split())


def _verb_forms(synonym: str) -> list[str]:
    """'tilts up' -> 'tilt up', 'tilting up'; 'dollies in' -> 'dolly in', 'dollying in': a move's wording in
    the other forms users write it ("with the camera tilting up", "then pull out")."""
    verb, _, rest = synonym.partition(" ")
    if not rest or not verb.endswith("s") or verb.endswith("ss"):
        return []
    if verb.endswith("ies"):
        base = verb[:-3] + "y"
    elif verb.endswith(("shes", "ches", "xes", "oes")):
        base = verb[:-2]
    else:
        base = verb[:-1]
    return [f"{form} {rest}" for form in sorted(lex.inflections(base)) if form != verb and not form.endswith("ed")]


def _animation_synonyms() -> dict[str, tuple[str, bool]]:
    """synonym -> (animation name, needs 'camera' nearby to count)."""
    table: dict[str, tuple[str, bool]] = {}
    for animation in vocab.CAMERA_ANIMATIONS:
        for synonym in animation.synonyms:
            table[synonym] = (animation.name, not set(synonym.split()) & lex.CAMERA_ONLY_TERMS)
    for synonym, name in lex.EXTRA_CAMERA_MOVES.items():
        table[synonym] = (name, False)
    for synonym, (name, needs_camera) in list(table.items()):
        for form in _verb_forms(synonym):
            if form not in table:
                table[form] = (name, needs_camera and not set(form.split()) & lex.CAMERA_ONLY_TERMS)
    for synonym, entry in list(table.items()):  # "dolly-in", "crane-down": the hyphenated noun
        verb, _, particle = synonym.partition(" ")
        if particle in MOVE_PARTICLES:
            table.setdefault(f"{verb}-{particle}", entry)
    return table


ANIMATION_SYNONYMS = _animation_synonyms()


def _read_camera_animation(text: _Text, reading: _Reading) -> None:
    pattern = phrase_pattern(tuple(ANIMATION_SYNONYMS))
    for match in pattern.finditer(text.value):
        name, needs_camera = ANIMATION_SYNONYMS[match.group(0)]
        clause = set(_clause_around(text.value, match.start(), match.end()).split())
        if needs_camera and not clause & lex.CAMERA_CONTEXT_WORDS:
            continue
        if _has_other_subject(text.value, match):
            continue  # "a bus pulls away from the kerb": the bus moves, not the camera
        reading.draft["camera_animation"] = name
        start, end = match.start(), match.end()
        speed_before = re.search(r"(\w+) (?:camera )?$", text.value[:start])
        speed_after = re.match(r" (very \w+|\w+)", text.value[end:])
        inside = [word for word in match.group(0).split() if word in lex.ANIMATION_SPEED_WORDS]  # "slow zoom"
        if inside:
            reading.draft["animation_speed"] = lex.ANIMATION_SPEED_WORDS[inside[0]]
        for found, is_before in ((speed_before, True), (speed_after, False)):
            if found and found.group(1) in lex.ANIMATION_SPEED_WORDS:
                reading.draft["animation_speed"] = lex.ANIMATION_SPEED_WORDS[found.group(1)]
                start, end = (found.start(), end) if is_before else (start, end + found.end())
        subject = re.search(r"(?:the )?camera (?:slowly |quickly |gently |smoothly )?$", text.value[:start])
        text.cut(subject.start() if subject else start, end)
        return
    _read_bare_camera_move(text, reading)


# "the camera pans slowly", "a slow, steady pan", "tilt shot", "a slow drift to the left", or the move alone
# between commas ("…, pan").
_BARE_MOVE = re.compile(
    rf"(?:(?:the |a |an )?camera (?:(?P<adverb>{_alternation(lex.MOVE_ADVERBS)}) )?"
    rf"|(?:a |an )?(?P<manner>(?:(?:{_alternation(lex.MOVE_MANNERS)}) ?,? )+)|(?<=, ))"
    rf"(?P<move>{_alternation(lex.BARE_CAMERA_MOVES)})(?: (?:to the |towards the )?(?P<way>{_alternation(lex.MOVE_WAYS)}))?"
    rf"(?P<shot> shot)?(?: (?P<after>{_alternation(lex.MOVE_ADVERBS)}))?(?![\w'-])")


def _read_bare_camera_move(text: _Text, reading: _Reading) -> None:
    """A move named without its way ("a slow pan"), or in words the vocabulary lacks ("a slow drift to the
    left"): ``lex.BARE_CAMERA_MOVES`` says which way it goes unless told, and its speed words how fast."""
    for match in _BARE_MOVE.finditer(text.value):
        alone = not (match.group("manner") or match.group("shot")) and "camera" not in match.group(0)
        if alone and not re.match(r"\s*(,|$)", text.value[match.end():]):
            continue  # "…, pan" only as a segment of its own, never "…, pan of soup"
        usual = lex.BARE_CAMERA_MOVES[match.group("move")]
        told = f"{usual.rsplit('_', 1)[0]}_{lex.MOVE_WAYS[match.group('way')]}" if match.group("way") else usual
        reading.draft["camera_animation"] = told if told in vocab.ANIMATIONS_BY_NAME else usual
        words = " ".join(filter(None, (match.group("adverb"), match.group("manner"), match.group("after"))))
        speeds = [lex.ANIMATION_SPEED_WORDS[word] for word in re.findall(r"\w+", words)
                  if word in lex.ANIMATION_SPEED_WORDS]
        if speeds:
            reading.draft["animation_speed"] = speeds[0]
        text.cut(*match.span())
        return


NOT_A_MOVER = frozenset(lex.ANIMATION_SPEED_WORDS) | CAMERA_SUBJECTS | frozenset(
    "a an the then and slow slowly smooth smoothly steady steadily gentle gently quick quickly fast we "
    "final long short brief sudden".split())


def _has_other_subject(text: str, match: re.Match[str]) -> bool:
    """The move, worded as a verb ('pulls out', 'circling'), has a subject that is no camera: a noun phrase
    ('a double-decker bus') right before it in its clause, its last word no camera, speed or filler word."""
    verb = match.group(0).split()[0]
    if not (verb.endswith("ing") or (verb.endswith("s") and not verb.endswith("ss"))):
        return False  # "a slow orbit", "a 360 orbit": the move named as a noun
    clause_start = max(text.rfind(sep, 0, match.start()) for sep in SEPARATORS) + 1
    before = text[clause_start:match.start()].split()
    if not before or before[-1] in NOT_A_MOVER or before[-1] in CLAUSE_SPLITTERS:
        return False
    if set(before) & CAMERA_SUBJECTS:
        return False
    return bool(set(before) & (lex.DETERMINERS | {"a", "an"}) or any(lex.number_value(w) for w in before))


# Words that may follow a look phrase without it describing the noun after it ("neon glow on a sign").
EFFECT_PHRASE_ENDS = frozenset(
    "and or with on in at of from to by over under around across while as then effect effects lighting light "
    "everywhere throughout all".split())


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
        reading.effects[effect] = level
        following = re.match(r" ([a-z][\w'-]*)", text.value[end:])
        if following and following.group(1) not in EFFECT_PHRASE_ENDS:  # "a luminous jellyfish": keep "a jellyfish"
            text.cut(start, end, separator=" ")
            continue
        lead = re.search(r"(?:with |and )?(?:an? |the )?$", text.value[:start])
        text.cut(lead.start() if lead else start, end)


def _cut_lens_jargon(text: _Text) -> None:
    """'rack focus', 'shallow depth of field': camera words with no move in the vocabulary, never objects."""
    pattern = phrase_pattern(lex.LENS_PHRASES)
    while match := pattern.search(text.value):
        lead = re.search(r"(?:with |and )?(?:an? |the )?$", text.value[:match.start()])
        text.cut(lead.start() if lead else match.start(), match.end())


def _read_background(text: _Text, reading: _Reading) -> None:
    phrases = []
    pattern = phrase_pattern(lex.BACKGROUND_TERMS)
    while match := pattern.search(text.value):
        start, end = match.start(), match.end()
        lead = re.search(r"\b(\w+) (?:an? |the )?((?:[\w'-]+ ){0,2})$", text.value[:start])
        if lead and lead.group(1) in lex.BACKGROUND_LEADS:
            phrase = (lead.group(2) + match.group(0)).strip()
            start = lead.start()
            ground = lex.implied_floor(lead.group(2).split())  # "in the snow at night": on snow
            if ground:
                reading.draft.setdefault("floor", ground)
        else:
            phrase = match.group(0)
        phrases.append(re.sub(r"^(?:at|in|under) ", "", phrase))
        text.cut(start, end)
    if phrases:
        reading.draft["background"] = " ".join(phrases)


CAMERA_FILLER = frozenset("a an the with and as in from of this that".split())
NOUN_PHRASE_STARTS = frozenset(lex.COUNT_WORDS) | lex.DETERMINERS | {"these", "those"}
CAMERA_TARGET_LEADS = frozenset("towards toward at into from facing faces face".split())  # "towards the camera"


def _set_aside_camera_clauses(text: _Text, reading: _Reading) -> None:
    """Camera talk that no exact wording matched goes to the similarity pass; what it is about stays.

    In "the camera glides slowly around a marble statue" the words up to the next noun phrase are cut
    and "a marble statue" is read as usual; the similarity pass sees the whole clause.
    """
    for clause in re.split(r"[,;.!?:]", text.value):
        words = clause.split()
        hits = [i for i, word in enumerate(words) if word in lex.CAMERA_CONTEXT_WORDS
                and not (i >= 2 and words[i - 1] == "the" and words[i - 2] in CAMERA_TARGET_LEADS)]
        if not hits:
            continue
        first = hits[0]
        start = next((j for j in range(first, max(first - 4, -1), -1) if words[j] in NOUN_PHRASE_STARTS), first)
        if start > 0 and words[start - 1] in CLAUSE_SPLITTERS:
            start -= 1
        if not NOUN_PHRASE_STARTS & set(words[:start]):
            start = 0  # only words about the camera before it ("static camera")
        end = next((j for j in range(first + 1, len(words)) if words[j] in NOUN_PHRASE_STARTS), len(words))
        if not set(words) - lex.CAMERA_CONTEXT_WORDS - CAMERA_FILLER:
            text.value = text.value.replace(clause, " , ", 1)  # "shot" left by a cut: nothing to read
            continue
        reading.unmatched_camera.append(" ".join(words))  # the threshold was measured on whole clauses
        kept = " ".join(words[:start]) + " , " + " ".join(words[end:])
        text.value = text.value.replace(clause, f" {kept} ", 1)


# ---------------------------------------------------------------- objects


def _for_parsing(text: str) -> str:
    """The text left after the scene-wide passes, with the separators their cuts left folded."""
    text = re.sub(r"(?:\s*[,;]\s*)+", " , ", text)
    return re.sub(r"^\s*,|,\s*$", "", text).strip()


def _read_structure(text: str, reading: _Reading) -> None:
    found = structure.read(parser.load()(_for_parsing(text)))
    reading.objects = found.objects
    reading.unknown_adjectives = found.unknown_adjectives
    reading.warnings += found.warnings
    background = [reading.draft["background"]] if "background" in reading.draft else []
    phrases = list(dict.fromkeys(background + found.background))
    if phrases:
        reading.draft["background"] = " ".join(phrases)[:200]
    floor = found.floor or found.implied_floor
    if floor:
        reading.draft["floor"] = floor[:200]


def _apply_camera_follow(reading: _Reading) -> None:
    """The first object named after the follow phrase; for 'it', or none named, the moving one, else the last."""
    words = reading.follow_target
    if words is None or not reading.objects:
        return
    position = {}
    if words[0] not in FOLLOW_PRONOUNS:
        for index, obj in enumerate(reading.objects):
            found = [i for i, word in enumerate(words)
                     if lex.singular(word) == obj.name.split()[-1] or word == obj.name]
            if found:
                position.setdefault(index, found[0])
    named = sorted(position, key=lambda index: (position[index], index))
    moving = [i for i, o in enumerate(reading.objects) if o.movement is not None]
    chosen = (named or moving or [len(reading.objects) - 1])[0]
    reading.objects[chosen].camera_follow = True


def _whole_prompt_object(prompt: str) -> DraftObject:
    """No object phrase was found: search the catalog with the prompt itself."""
    words = [w for w in re.findall(r"[a-z][\w-]*", prompt.lower())][:12] or ["object"]
    return DraftObject(name=words[-1], description=" ".join(words))
