"""Captions written from what the camera path shows, each sentence backed by claims.

A caption is built from a laid-out plan: the scene's track along its camera
path (``visibility.track_from_plan``) says which objects are seen, where
they stand on screen over the clip, how they move in the picture and what
the camera does; a sentence is written only for what holds, and carries
the ``Claim`` objects that prove it. Relations that change during the clip
(an orbit swaps left and right) are stated with their time or left out.
Claims are kept only when they hold with a margin (``claims.STRICT``), so
the real Blender scene, whose boxes are a little tighter than the planned
ones, agrees with them. The wording varies by the variant's seed (dataset
diversity) but never its meaning.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from itertools import groupby

import numpy as np

from . import claims as truth
from . import vocabulary as vocab
from .draft import SceneDraft
from .entities import PEOPLE, person_kind
from .models import Claim, RenderSettings, ScenePlan, SceneObject
from .visibility import SceneTrack, sample_frames, track_from_plan
from .wording import agreeing, counted, listed, many, named_plural, number_word, pair, plural

# What a person resting on something does, by the pose their box shows.
POSE_VERBS = {"sitting": "sits on", "lying": "lies on", "standing": "stands on"}

CAPTION_FRAMES = 120  # frames of the clip the caption is measured on (all of a shorter clip)
SIZE_WORDS = {
    "tiny": ("tiny", "very small"),
    "small": ("small", "little"),
    "small-medium": ("smallish", "fairly small"),
    "medium": ("",),  # life size: no size word
    "medium-large": ("sizable", "fairly large"),
    "large": ("large", "big"),
    "huge": ("huge", "enormous", "giant"),
}
DIRECTION_WORDS = {
    "left": "to the left",
    "right": "to the right",
    "forward": "towards the camera",
    "backward": "away from the camera",
    "up": "upward",
}
SPEED_ADVERBS = {"slow": "slowly", "moderate": "steadily", "fast": "quickly"}
MOVE_VERBS = ("moves", "travels", "glides")
RELATION_WORDS = {"left_of": "to the left of", "right_of": "to the right of", "in_front_of": "in front of",
                  "behind": "behind"}
OPPOSITE = {"left_of": "right_of", "right_of": "left_of", "in_front_of": "behind", "behind": "in_front_of"}
LEVEL_WORDS = {vocab.Level.low: "subtle", vocab.Level.medium: "moderate", vocab.Level.high: "strong",
               vocab.Level.extreme: "extreme"}
ANGLE_PHRASES = {"eye_level": "at eye level", "slightly_above": "from slightly above", "high": "from a high angle",
                 "overhead": "from overhead"}
TIMED_SHARE = 0.3  # a relation stated "at first" or "by the end" holds on at least this share of the clip
MAX_RELATIONS = 3


@dataclass
class Sentence:
    text: str
    claims: list[Claim] = field(default_factory=list)


def describe(plan: ScenePlan, settings: RenderSettings, draft: SceneDraft | None = None) -> tuple[str, list[Claim]]:
    """The caption of a laid-out plan and the claims that back it."""
    track = track_from_plan(plan, settings, sample_frames(settings.frames, CAPTION_FRAMES))
    writer = _Writer(plan, settings, track, random.Random(plan.seed))
    sentences = [
        writer.objects(),
        *writer.stacking(),
        *writer.relations(_requested_pairs(plan, draft)),
        *writer.motion(),
        writer.follow(),
        writer.camera(),
        writer.shot(),
        _setting_sentence(plan),
        _look_sentence(plan, settings.engine),
    ]
    caption, claims = [], []
    for sentence in sentences:
        if sentence is None or not sentence.text.strip():
            continue
        text = _tidy(sentence.text)
        caption.append(text)
        claims += [claim.model_copy(update={"sentence": text}) for claim in sentence.claims]
    return " ".join(caption), claims


def _requested_pairs(plan: ScenePlan, draft: SceneDraft | None) -> list[tuple[int, str, int]]:
    """(object, relation, target) the prompt asked for; the draft and the plan share indices."""
    if draft is None:
        return []
    return [(i, obj.relation.kind, obj.relation.target) for i, obj in enumerate(draft.objects)
            if obj.relation is not None and obj.relation.kind in RELATION_WORDS
            and i < len(plan.objects) and obj.relation.target < len(plan.objects)]


def _tidy(sentence: str) -> str:
    sentence = re.sub(r"\s+", " ", sentence).strip().rstrip(".")
    return sentence[0].upper() + sentence[1:] + "."


def shown_as(obj: SceneObject) -> str:
    """What the viewer sees: the prompt's words (in the plural where the model is several things: an "apple" whose
    model is the library's "Apples"), or the asset's name when retrieval fell back or found only a near match
    ("pedestrian crossing" for "bus stop")."""
    if (obj.asset.fallback or obj.asset.stand_in) and obj.asset.name:
        return obj.asset.name.lower()
    words = re.sub(r"^(a|an|the)\s+", "", obj.description.strip(), flags=re.IGNORECASE)
    kind = person_kind(obj.name)
    if kind and obj.asset.name and obj.name not in obj.asset.name.lower().split():  # a man stands in for a waiter
        return re.sub(rf"\b{re.escape(obj.name)}\b", kind, words)
    if obj.asset.name and named_plural(obj.asset.name) and not named_plural(words):  # an "apple" whose model is "Apples", a group
        return plural(words)
    return words


class _Writer:
    """Sentence builders over one variant's track; frames are positions in ``track.frames``."""

    def __init__(self, plan: ScenePlan, settings: RenderSettings, track: SceneTrack, rng: random.Random) -> None:
        self.plan, self.settings, self.track, self.rng = plan, settings, track, rng
        self.last = settings.frames
        self.seen = [i for i in range(len(plan.objects))
                     if self._holds(self._claim("visible", [i]))]

    def _claim(self, kind: str, objects: list[int], value: str = "", first: int = 1, last: int | None = None) -> Claim:
        return Claim(kind=kind, objects=objects, value=value, first_frame=first, last_frame=last or self.last,
                     sentence="")

    def _holds(self, claim: Claim) -> bool:
        with truth.strict():
            return truth.check(claim, self.track, self.settings.fps).holds

    def _the(self, index: int) -> str:
        return self._these([index])[0]

    def _takes_plural(self, index: int) -> bool:
        return self._these([index])[1]

    def _these(self, members: list[int]) -> tuple[str, bool]:
        """How the caption names some of the seen copies of one thing ("the vase", "both books", "two of the
        cups", "one of the chairs"), and whether they take a plural verb (so does one model named in the plural,
        "the flowers")."""
        text = shown_as(self.plan.objects[members[0]])
        total, count = sum(1 for i in self.seen if shown_as(self.plan.objects[i]) == text), len(members)
        if total == 1:
            return f"the {text}", named_plural(text)
        if count == total:
            return ("both " if count == 2 else f"all {number_word(count)} ") + many(text), True
        return f"{number_word(count)} of the {many(text)}", count > 1

    def objects(self) -> Sentence | None:
        if not self.seen:
            return None
        groups = []
        shown = [(i, shown_as(self.plan.objects[i]), self.plan.objects[i].scale.name) for i in self.seen]
        for (text, scale), items in groupby(shown, key=lambda item: (item[1], item[2])):
            size = self.rng.choice(SIZE_WORDS[scale])
            groups.append(counted(f"{size} {text}".strip(), len(list(items))))
        several = len(self.seen) > 1 or (named_plural(shown[0][1]) and not pair(shown[0][1]))  # "some flowers"
        template = self.rng.choice(("The scene shows {listed}", "{listed} {be} in view", "In view {be} {listed}",
                                    "{listed} {be} in the scene"))
        return Sentence(template.format(listed=listed(groups), be=agreeing("is", several)), [self._claim("visible", [i]) for i in self.seen])

    def stacking(self) -> list[Sentence]:
        """What rests on what; copies of one thing on one kind of support in one sentence ("both books are on
        the table", "two of the cups are on the tray"), copies piled on each other in another."""
        resting: dict[tuple[str, str], list[tuple[int, int, Claim]]] = {}
        for i in self.seen:
            below = self.plan.objects[i].on_top_of
            if below is None or below not in self.seen:
                continue
            claim = self._claim("stacked", [i, below])
            if self._holds(claim):
                kinds = (shown_as(self.plan.objects[i]), shown_as(self.plan.objects[below]))
                resting.setdefault(kinds, []).append((i, below, claim))
        sentences = []
        for (text, under), pairs in resting.items():
            things = [i for i, _, _ in pairs]
            verb, poses = self._resting_verb(things)
            subject, plural = self._these(things)
            verb = agreeing(verb, plural)
            if text == under:
                target = "another"
                verb = (verb.replace("are ", "are each ", 1) if verb.startswith("are ") else f"each {verb}") if plural else verb
            else:
                target = self._supports(sorted({below for _, below, _ in pairs}))
            sentences.append(Sentence(f"{subject} {verb} {target}",
                                      [claim for _, _, claim in pairs] + poses))
        return sentences

    def _supports(self, supports: list[int]) -> str:
        """The supports things rest on: one ("the table", "one of the tables") or several ("the tables", "two of
        the tables"), each thing on one of them."""
        if len(supports) == 1:
            return self._the(supports[0])
        text = shown_as(self.plan.objects[supports[0]])
        total = sum(1 for i in self.seen if shown_as(self.plan.objects[i]) == text)
        several = number_word(len(supports))
        return f"the {many(text)}" if len(supports) == total else f"{several} of the {many(text)}"

    def _resting_verb(self, things: list[int]) -> tuple[str, list[Claim]]:
        """How copies of one thing rest on their support. "Sits on" and "stands on" say a pose: people's is the
        pose all their boxes show (claims), else they are "on" it; a thing, an animal or a figure (a teddy
        bear) is "on" it or "rests on top of" it, for its box cannot tell whether it sits or stands."""
        if self.plan.objects[things[0]].name not in PEOPLE:
            return self.rng.choice(("rests on top of", "is on top of", "is on")), []
        for pose, verb in POSE_VERBS.items():
            claims = [self._claim("pose", [i], pose) for i in things]
            if all(self._holds(claim) for claim in claims):
                return verb, claims
        return "is on", []

    def relations(self, requested: list[tuple[int, int]]) -> list[Sentence]:
        """The prompt's relations first, then neighbours left to right as the first frame shows them."""
        ground = [i for i in self.seen if self.plan.objects[i].on_top_of is None]
        by_screen = sorted(ground, key=lambda i: self.track.objects[i].centre[0, 0])
        pairs = [(a, b, kind) for a, kind, b in requested if a in ground and b in ground]
        asked = {(a, b) for a, b, _ in pairs} | {(b, a) for a, b, _ in pairs}
        pairs += [(a, b, None) for a, b in zip(by_screen, by_screen[1:]) if (a, b) not in asked]
        sentences = []
        for a, b, kind in pairs:
            if shown_as(self.plan.objects[a]) == shown_as(self.plan.objects[b]):
                continue
            sentence = self._relation(a, b, kind)
            if sentence is not None:
                sentences.append(sentence)
            if len(sentences) == MAX_RELATIONS:
                break
        return sentences

    def _relation(self, a: int, b: int, asked: str | None) -> Sentence | None:
        """The relation the prompt asked for first (over the whole clip, else timed), then any other."""
        kinds = [asked] + [kind for kind in RELATION_WORDS if kind != asked] if asked else list(RELATION_WORDS)
        for kind in kinds:
            claim = self._claim("relation", [a, b], kind)
            if self._holds(claim):
                return Sentence(f"{self._the(a)} {agreeing('is', self._takes_plural(a))} {RELATION_WORDS[kind]} "
                                f"{self._the(b)}", [claim])
            if kind == asked:  # what the prompt asked for, if only for part of the clip, before anything else
                timed = self._timed_relation(a, b, kinds)
                if timed is not None and timed.claims[0].value == asked:
                    return timed
        return self._timed_relation(a, b, kinds)

    def _timed_relation(self, a: int, b: int, kinds: list[str]) -> Sentence | None:
        """'At first A is left of B; by the end it is to the right of it', with each part's frames."""
        frames = self.track.frames
        share = int(np.ceil(TIMED_SHARE * len(frames)))
        start = end = None
        for kind in kinds:
            head = self._claim("relation", [a, b], kind, 1, int(frames[share - 1]))
            if start is None and self._holds(head):
                start = (kind, self._longest(a, b, kind, from_start=True))
        for kind in kinds:
            if start is not None and kind == start[0]:
                continue
            tail = self._claim("relation", [a, b], kind, int(frames[-share]), self.last)
            if end is None and self._holds(tail):
                end = (kind, self._longest(a, b, kind, from_start=False))
        if start is None and end is None:
            return None
        parts, found = [], []
        plural = self._takes_plural(a)
        be = agreeing("is", plural)
        if start is not None:
            claim = self._claim("relation", [a, b], start[0], 1, start[1])
            parts.append(f"at first {self._the(a)} {be} {RELATION_WORDS[start[0]]} {self._the(b)}")
            found.append(claim)
        if end is not None:
            claim = self._claim("relation", [a, b], end[0], end[1], self.last)
            moving = "as the camera circles" if self.plan.animation.name.startswith("orbit") else "by the end"
            subject = ("they" if plural else "it") if start is not None else self._the(a)
            target = ("them" if self._takes_plural(b) else "it") if start is not None else self._the(b)
            verb = "ends up" if start is not None and OPPOSITE[start[0]] == end[0] else "is"
            parts.append(f"{moving}, {subject} {agreeing(verb, plural)} {RELATION_WORDS[end[0]]} {target}")
            found.append(claim)
        return Sentence("; ".join(parts), found)

    def _longest(self, a: int, b: int, kind: str, *, from_start: bool) -> int:
        """The last frame of the longest span from the start (or first frame of the longest span to the
        end) over which the relation holds as a claim would need it to."""
        frames = self.track.frames
        with truth.strict():
            holds = truth.relation_per_frame(self.track, a, b, kind)
            needed = truth.thresholds().holds
        ordered = holds if from_start else holds[::-1]
        shares = np.cumsum(ordered) / np.arange(1, len(ordered) + 1)
        good = np.flatnonzero(shares >= needed)
        reach = int(good[-1]) if len(good) else 0
        return int(frames[reach] if from_start else frames[len(frames) - 1 - reach])

    def motion(self) -> list[Sentence]:
        sentences = []
        for i in self.seen:
            obj = self.plan.objects[i]
            if obj.movement is None or obj.camera_follow or obj.on_top_of is not None:
                continue
            direction = truth.screen_direction(self.track, i, 0, len(self.track.frames) - 1)
            if direction is None:
                continue
            moves = self._claim("motion", [i], direction)
            if not self._holds(moves):
                continue
            found = [moves]
            way = DIRECTION_WORDS[direction]
            if direction == "up" and obj.movement.direction is not vocab.Direction.up:
                way = "up the frame"  # it goes along the ground, away from a camera that looks down: no rising
            words = f"{self._the(i)} {agreeing(self.rng.choice(MOVE_VERBS), self._takes_plural(i))} {way}"
            band = vocab.speed_band(obj.movement.speed).name
            pace = self._claim("speed", [i], band)
            if self._holds(pace):
                words += f" {SPEED_ADVERBS[band]}"
                found.append(pace)
            sentences.append(Sentence(words, found))
        return sentences

    def follow(self) -> Sentence | None:
        followed = [i for i in self.seen if self.plan.objects[i].camera_follow]
        if not followed:
            return None
        i = followed[0]
        follows = self._claim("follow", [i])
        if not self._holds(follows):
            return None
        direction = truth.world_direction(self.track, i, 0, len(self.track.frames) - 1)
        travel = self._claim("travel", [i], direction or "")
        if direction and self._holds(travel):
            moves = "as they move" if self._takes_plural(i) else "as it moves"
            return Sentence(f"the camera follows {self._the(i)} {moves} {DIRECTION_WORDS[direction]}",
                            [follows, travel])
        return Sentence(f"the camera follows {self._the(i)}", [follows])

    def camera(self) -> Sentence | None:
        animation = vocab.ANIMATIONS_BY_NAME[self.plan.animation.name]
        followed = [i for i, obj in enumerate(self.plan.objects) if obj.camera_follow]
        move = self._claim("camera", followed, animation.name)
        if not self._holds(move):
            return None
        if animation.name == "static":
            return Sentence(animation.phrase, [move])
        factor = self.plan.animation.speed_factor
        pace = ("slowly" if factor < vocab.ANIMATION_SPEEDS["medium"].low else
                "quickly" if factor >= vocab.ANIMATION_SPEEDS["fast"].low else None)
        if pace:
            claim = self._claim("pace", [], pace)
            if self._holds(claim):
                return Sentence(f"{animation.phrase} {pace}", [move, claim])
        return Sentence(animation.phrase, [move])

    def shot(self) -> Sentence | None:
        if not self.seen:
            return None
        followed = [i for i in self.seen if self.plan.objects[i].camera_follow]
        subjects = followed or self.seen
        parts, found = [], []
        framing = self._claim("shot", subjects, self.plan.framing.name, 1, 1)
        if self._holds(framing):
            parts.append(vocab.FRAMINGS_BY_NAME[self.plan.framing.name].phrase)
            found.append(framing)
        angle = truth.angle_name(truth.elevation(self.track, subjects, 0))
        height = self._claim("angle", subjects, angle, 1, 1)
        if self._holds(height):
            parts.append(ANGLE_PHRASES[angle])
            found.append(height)
        if not parts:
            return None
        if not found or found[0].kind != "shot":
            return Sentence(f"the shot is taken {parts[0]}", found)
        return Sentence(" ".join(parts), found)


def _setting_sentence(plan: ScenePlan) -> Sentence:
    background = plan.background.name or plan.background.query
    floor = plan.stage.material.name or plan.stage.material.query
    parts = []
    if background:
        parts.append(f"the background is {background.lower()}")
    if floor:
        parts.append(f"the floor is {floor.lower()}")
    return Sentence(", and ".join(parts))


def _look_sentence(plan: ScenePlan, engine: str) -> Sentence:
    """Effects the engine renders; the plan keeps what the prompt asked for, the caption says what is shown."""
    shown = vocab.ENGINE_EFFECTS[engine]
    post = plan.postprocessing
    levels = {"bloom": post.bloom.level, "ssao": post.ssao.level, "ssrr": post.ssrr.level,
              "motionblur": post.motionblur.level}
    looks = [f"{LEVEL_WORDS[level]} {vocab.EFFECTS[name].phrase}" for name, level in levels.items()
             if level != vocab.Level.none and name in shown]
    if not looks:
        return Sentence("")
    return Sentence("the image has " + listed(looks))
