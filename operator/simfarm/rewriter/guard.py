"""What an LLM may say about a prompt: a tight answer schema, checks against the prompt, a merge.

Schema validity is not meaning: a small model can answer valid JSON whose
objects are "four grey pigeons" (one entry), "rain" and "crane up", whose
camera move is one the prompt never names, and whose names are sentences.
So the model answers ``LLMAnswer`` (short noun names, integer counts, colours
and camera moves from the vocabulary), ``violations`` lists every claim the
prompt does not support, and ``merge`` builds the draft: what the rules
rewriter parsed stays, the model only fills what rules left open and only
with claims that pass the checks. Descriptions are always the prompt's own
words, so a caption can never quote the model.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from ..plan import vocabulary as vocab
from ..plan.draft import (
    AnimationName, AnimationSpeedName, CameraAngle, DraftEffects, DraftMovement, DraftObject, DraftRelation,
    FramingName, RelationKind, ScaleName, SceneDraft,
)
from ..plan.models import Model
from . import lexicon as lex

ColorName = Literal[tuple(sorted(lex.COLORS - set(lex.COLOR_ALIASES)))]  # type: ignore[valid-type]
MaterialName = Literal[tuple(sorted(set(lex.MATERIALS.values())))]  # type: ignore[valid-type]
MAX_ANSWER_OBJECTS = 12
NAME_PATTERN = r"^[a-z][a-z'-]*( [a-z][a-z'-]*){0,2}$"  # one to three lower-case words

# Words of a camera move's wordings that say which move it is ("crane", "orbit", "clockwise").
_MOVE_FILLER = frozenset("the camera a an to of in around left right up down slowly".split())


class AnswerRelation(Model):
    kind: RelationKind
    target: int = Field(ge=0, description="Index of the other entry in `objects`")


class AnswerObject(Model):
    name: str = Field(max_length=40, pattern=NAME_PATTERN,
                      description="The object's noun as the prompt says it, singular, no adjectives: 'taxi', 'pine tree'")
    count: int = Field(1, ge=1, le=lex.MAX_COPIES, description="How many; 'four pigeons' is one entry with count 4")
    color: ColorName | None = None
    material: MaterialName | None = None
    scale: ScaleName | None = Field(None, description="Only when the prompt gives this object a size word")
    movement: DraftMovement | None = None
    on_top_of: int | None = Field(None, ge=0, description="Index of the entry it stands on or in")
    relation: AnswerRelation | None = None


class LLMAnswer(Model):
    objects: list[AnswerObject] = Field(min_length=1, max_length=MAX_ANSWER_OBJECTS,
                                        description="Things placed in the scene; never places, weather or camera moves")
    camera_animation: AnimationName | None = None
    animation_speed: AnimationSpeedName | None = None
    framing: FramingName | None = None
    camera_angle: CameraAngle | None = None
    background: str | None = Field(None, max_length=80, description="Place, weather, time of day: 'train station in the rain'")
    floor: str | None = Field(None, max_length=60, description="Ground surface named by the prompt: 'wet asphalt'")
    effects: DraftEffects = Field(default_factory=DraftEffects)


# ------------------------------------------------------------------ prompt words


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z][a-z'-]*|\d+", text.lower().replace("\u2019", "'"))


def _forms(word: str) -> set[str]:
    """A word with its plural/singular neighbours, so 'pigeon' matches 'pigeons'."""
    forms = {word, word + "s", word + "es"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    if word.endswith("f"):
        forms.add(word[:-1] + "ves")
    return forms


def _in_prompt(word: str, prompt_words: set[str]) -> bool:
    return bool(_forms(word) & prompt_words) or any(w.startswith(word) for w in prompt_words if len(word) > 4)


def _move_keywords(name: str) -> set[str]:
    animation = vocab.ANIMATIONS_BY_NAME[name]
    words = set()
    for wording in animation.synonyms + tuple(k for k, v in lex.EXTRA_CAMERA_MOVES.items() if v == name):
        words |= set(_words(wording)) - _MOVE_FILLER
    return words


def _says_move(name: str, prompt: str) -> bool:
    text = " ".join(_words(prompt))
    wordings = [w for w in vocab.ANIMATIONS_BY_NAME[name].synonyms] + [
        k for k, v in lex.EXTRA_CAMERA_MOVES.items() if v == name]
    if any(re.search(rf"\b{re.escape(' '.join(_words(w)))}\b", text) for w in wordings):
        return True
    keywords = _move_keywords(name)
    return bool(keywords) and set(_words(prompt)) >= keywords


# ------------------------------------------------------------------ checks


def violations(answer: LLMAnswer, prompt: str) -> list[str]:
    """Every claim in ``answer`` that the prompt does not support, phrased for the model to fix."""
    words = set(_words(prompt))
    problems: list[str] = []
    for i, obj in enumerate(answer.objects):
        problems += [f"objects[{i}] {problem}" for problem in _object_problems(obj, words)]
        for reference in (obj.on_top_of, obj.relation.target if obj.relation else None):
            if reference is not None and (reference >= len(answer.objects) or reference == i):
                problems.append(f"objects[{i}] refers to entry {reference}, which is not another entry")
    move = answer.camera_animation
    if move and not _says_move(move, prompt):
        problems.append(f"camera_animation {move!r} is not a camera move the prompt names; use null unless it does")
    for field, value in _unworded_shot_fields(answer, prompt):
        problems.append(f"{field} {value!r} is not in the prompt; use null unless the prompt names it")
    for field in ("background", "floor"):
        value = getattr(answer, field)
        if value and not all(_in_prompt(w, words) for w in _words(value) if w not in lex.DETERMINERS
                             and w not in ("a", "an", "in", "at", "on", "of", "the", "with", "and", "under")):
            problems.append(f"{field} {value!r} uses words the prompt does not contain; use the prompt's words")
    return problems


def _object_problems(obj: AnswerObject, words: set[str]) -> list[str]:
    name_words = obj.name.split()
    head = name_words[-1]
    problems = []
    if not all(_in_prompt(w, words) for w in name_words):
        problems.append(f"name {obj.name!r} is not a noun phrase of the prompt")
    if any(w in lex.COLORS or w in lex.SIZE_PHRASES or w in lex.COUNT_WORDS or w.isdigit() for w in name_words):
        problems.append(f"name {obj.name!r} holds a colour, size or count; put those in color/scale/count")
    if head in lex.SETTING_NOUNS or head in lex.WEATHER_NOUNS or head in lex.FLOOR_NOUNS:
        problems.append(f"{obj.name!r} is a place, weather or ground, not an object; put it in background or floor")
    if (head in lex.NON_OBJECT_NOUNS or head in lex.CAMERA_ONLY_TERMS or head in FUNCTION_WORDS
            or obj.name.replace("-", " ") in _camera_wordings()):
        problems.append(f"{obj.name!r} is not a thing in the scene (camera or picture words go in camera fields)")
    if obj.color and not (_in_prompt(obj.color, words) or any(lex.COLOR_ALIASES.get(w) == obj.color for w in words)):
        problems.append(f"color {obj.color!r} of {obj.name!r} is not in the prompt")
    if obj.scale and not any(w in words for w in _scale_words(obj.scale)):
        problems.append(f"scale {obj.scale!r} of {obj.name!r}: the prompt gives no such size word")
    direction = obj.movement.direction if obj.movement else None
    if direction is not None and not DIRECTION_WORDS[direction.value] & words:
        problems.append(f"movement direction {direction.value!r} of {obj.name!r} is not in the prompt")
    return problems


DIRECTION_WORDS = {
    "left": {"left", "leftward", "leftwards"}, "right": {"right", "rightward", "rightwards"},
    "forward": {"towards", "toward", "forward", "forwards", "closer", "approaches", "approaching", "us"},
    "backward": {"away", "back", "backward", "backwards"},
    "up": {"up", "upward", "upwards", "rises", "rising", "ascends", "ascending", "sky", "air", "lifts", "soars"},
}


def _unworded_shot_fields(answer: LLMAnswer, prompt: str) -> list[tuple[str, str]]:
    """Framing, camera angle, camera speed and effects the prompt has no wording for."""
    text = " " + " ".join(_words(prompt)) + " "
    wordings = {
        "framing": {f.name: f.synonyms for f in vocab.FRAMINGS},
        "camera_angle": _inverse(lex.CAMERA_ANGLES),
        "animation_speed": _inverse(lex.ANIMATION_SPEED_WORDS),
    }
    unworded = []
    for field, table in wordings.items():
        value = getattr(answer, field)
        if value and not any(f" {' '.join(_words(w))} " in text for w in table.get(value, ())):
            unworded.append((field, value))
    effect_words = _inverse(lex.EFFECT_TERMS)
    for name, level in answer.effects:
        if level is not None and not any(f" {' '.join(_words(w))} " in text for w in effect_words.get(name, ())):
            unworded.append((f"effects.{name}", level.value))
    return unworded


def _inverse(table: dict[str, str]) -> dict[str, tuple[str, ...]]:
    inverse: dict[str, tuple[str, ...]] = {}
    for wording, value in table.items():
        inverse[value] = inverse.get(value, ()) + (wording,)
    return inverse


FUNCTION_WORDS = frozenset("up down in on off out over under away back it them this that there here".split())


def _camera_wordings() -> set[str]:
    wordings = {w for a in vocab.CAMERA_ANIMATIONS for w in a.synonyms} | set(lex.EXTRA_CAMERA_MOVES)
    wordings |= {w for f in vocab.FRAMINGS for w in f.synonyms} | set(lex.CAMERA_ANGLES)
    return {w.replace("-", " ") for w in wordings}


def _scale_words(scale: str) -> set[str]:
    return {w for s in vocab.SCALES if s.name == scale for phrase in s.words for w in phrase.split()}


# ------------------------------------------------------------------ merge


def merge(answer: LLMAnswer, rules: SceneDraft, prompt: str, *, rules_found_objects: bool) -> tuple[SceneDraft, list[str]]:
    """The rules draft, with the gaps it left filled by the answer's claims that pass the checks.

    Returns the draft and a note per claim that was dropped.
    """
    words = set(_words(prompt))
    dropped: list[str] = []
    objects = [o.model_copy(deep=True) for o in rules.objects] if rules_found_objects else []
    first_entry: dict[int, int] = {}
    for i, obj in enumerate(answer.objects):
        problems = _object_problems(obj, words)
        if problems:
            dropped += [f"objects[{i}] {p}" for p in problems]
            continue
        head = obj.name.split()[-1]
        existing = [k for k, o in enumerate(objects) if o.name.split()[-1] == head]
        if not existing:
            existing = _rehead(objects, head, claimed={o.name.split()[-1] for o in answer.objects})
        if existing:
            first_entry[i] = existing[0]
            for k in existing:
                _fill(objects[k], obj)
            continue
        first_entry[i] = len(objects)
        description = _description_from_prompt(obj.name, prompt)
        for _ in range(obj.count):
            objects.append(DraftObject(name=obj.name, description=description, color=obj.color,
                                       material=obj.material, scale=obj.scale, movement=obj.movement))
    if not objects:
        objects = [o.model_copy(deep=True) for o in rules.objects]
    _merge_relations(answer, objects, first_entry, words, dropped)
    fields = {}
    for field in ("camera_animation", "animation_speed", "framing", "camera_angle", "background", "floor"):
        value = getattr(rules, field) or getattr(answer, field)
        fields[field] = value
    if not rules.camera_animation and answer.camera_animation and not _says_move(answer.camera_animation, prompt):
        dropped.append(f"camera_animation {answer.camera_animation!r} (the prompt names no such move)")
        fields["camera_animation"] = None
    unworded = dict(_unworded_shot_fields(answer, prompt))
    for field in ("framing", "camera_angle", "animation_speed"):
        if not getattr(rules, field) and field in unworded:
            dropped.append(f"{field} {unworded[field]!r} (not in the prompt)")
            fields[field] = None
    for field in ("background", "floor"):
        if not getattr(rules, field) and fields[field] and any(
                not _in_prompt(w, words) for w in _words(fields[field]) if len(w) > 3):
            dropped.append(f"{field} {fields[field]!r} (not the prompt's words)")
            fields[field] = None
    effects = {name: getattr(rules.effects, name)
               or (getattr(answer.effects, name) if f"effects.{name}" not in unworded else None)
               for name in vocab.EFFECTS}
    draft = SceneDraft(objects=objects[:24], effects=DraftEffects(**effects), **fields)
    return draft, dropped


def _rehead(objects: list[DraftObject], head: str, claimed: set[str]) -> list[int]:
    """'a red car zips left': rules took 'zips' for the noun of 'red car zips'; the model's 'car' is the head."""
    for k, obj in enumerate(objects):
        words = obj.description.split()
        if head in words[:-1] and obj.name.split()[-1] not in claimed:
            same = [j for j, o in enumerate(objects) if o.description == obj.description]
            description = " ".join(words[:words.index(head) + 1])
            for j in same:
                objects[j].name, objects[j].description = head, description
            return same
    return []


def _fill(target: DraftObject, claim: AnswerObject) -> None:
    target.color = target.color or claim.color
    target.material = target.material or claim.material
    target.scale = target.scale or claim.scale
    target.movement = target.movement or claim.movement


def _merge_relations(answer: LLMAnswer, objects: list[DraftObject], first_entry: dict[int, int], words: set[str],
                     dropped: list[str]) -> None:
    for i, obj in enumerate(answer.objects):
        if i not in first_entry:
            continue
        mine = first_entry[i]
        group = [k for k, o in enumerate(objects) if o.name == objects[mine].name]
        if obj.on_top_of is not None and obj.on_top_of in first_entry:
            support = first_entry[obj.on_top_of]
            for k in group:
                if objects[k].on_top_of is None and k != support and objects[support].on_top_of != k:
                    objects[k].on_top_of = support
        if obj.relation is not None and obj.relation.target in first_entry:
            target = first_entry[obj.relation.target]
            if not _relation_worded(obj.relation.kind, words):
                dropped.append(f"objects[{i}] relation {obj.relation.kind!r} (the prompt has no such wording)")
                continue
            for k in group:
                if objects[k].relation is None and k != target:
                    objects[k].relation = DraftRelation(kind=obj.relation.kind, target=target)


RELATION_WORDS = {
    "left_of": {"left"}, "right_of": {"right"}, "in_front_of": {"front", "before"}, "behind": {"behind", "back"},
    "facing": {"facing", "faces", "face", "opposite"}, "side_by_side": {"side"},
    "under": {"under", "beneath", "below", "underneath"}, "over": {"over", "above", "overhead"},
    "next_to": {"next", "beside", "besides", "alongside", "by", "near", "against", "around", "between", "among",
                "close", "nearby"},
}


def _relation_worded(kind: str, words: set[str]) -> bool:
    return bool(RELATION_WORDS.get(kind, set()) & words)


def _description_from_prompt(name: str, prompt: str) -> str:
    """The object's noun with the prompt's own modifiers just before it ('yellow taxi'), never the model's."""
    words = _words(prompt)
    head = name.split()[-1]
    for i, word in enumerate(words):
        if word in _forms(head):
            start = i
            while start > 0 and i - start < 3 and words[start - 1] not in lex.DETERMINERS | {"a", "an", "and", "of"} \
                    and words[start - 1] not in lex.COUNT_WORDS and not words[start - 1].isdigit() \
                    and words[start - 1] not in lex.SIZE_PHRASES and words[start - 1] not in lex.PREPOSITION_KINDS:
                start -= 1
            return " ".join(words[start:i] + [head])
    return name
