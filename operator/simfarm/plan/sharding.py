"""How a request splits into shards: a pure function of the plan.

Shard ``k`` is the Job's completion index. A request renders clips: one
per variant, or, for a film, one per shot of every variant (a shot is
planned and sharded like a variant). Shards run variant-major, then shot by
shot: all chunks of variant 0's first shot, its second shot, …, then
variant 1; frames are 1-based and inclusive, as Blender numbers them, and
count from the start of the shard's own clip. ``video_first_frame`` and
``video_last_frame`` say where those frames land in the variant's video.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .models import RequestPlan, ScenePlan


@dataclass(frozen=True)
class Shard:
    index: int
    variant: int
    first_frame: int
    last_frame: int
    shot: int | None = None  # the film shot, None outside films
    offset: int = 0  # frames of the video before the shot's clip starts

    @property
    def frames(self) -> int:
        return self.last_frame - self.first_frame + 1

    @property
    def video_first_frame(self) -> int:
        return self.offset + self.first_frame

    @property
    def video_last_frame(self) -> int:
        return self.offset + self.last_frame


def clip_lengths(plan: RequestPlan) -> list[int]:
    """Frames of each clip of a variant: its shots' lengths, or the one clip's."""
    return [shot.frames for shot in plan.film.shots] if plan.film else [plan.settings.frames]


def chunks_per_clip(frames: int, frames_per_shard: int) -> int:
    if frames_per_shard <= 0 or frames_per_shard >= frames:
        return 1
    return -(-frames // frames_per_shard)


def shard_count(variants: int, clips: Sequence[int], frames_per_shard: int) -> int:
    return variants * sum(chunks_per_clip(frames, frames_per_shard) for frames in clips)


def shard_at(index: int, variants: int, clips: Sequence[int], frames_per_shard: int, *, film: bool = False) -> Shard:
    """Shard ``index`` of ``variants`` videos made of clips of the given lengths (``film``: the clips are shots)."""
    per_variant = shard_count(1, clips, frames_per_shard)
    total = variants * per_variant
    if not 0 <= index < total:
        raise IndexError(f"shard index {index} is out of range: this request has {total} shards (0..{total - 1})")
    variant, rest = divmod(index, per_variant)
    offset = 0
    for shot, frames in enumerate(clips):
        chunks = chunks_per_clip(frames, frames_per_shard)
        if rest < chunks:
            size = frames if chunks == 1 else frames_per_shard
            first = rest * size + 1
            return Shard(index, variant, first, min(frames, first + size - 1), shot if film else None, offset)
        rest -= chunks
        offset += frames
    raise AssertionError("unreachable: the index was checked against the shard count")


def _arguments(plan: RequestPlan) -> tuple[int, list[int], int]:
    return plan.variant_count, clip_lengths(plan), plan.frames_per_shard


def plan_shards(plan: RequestPlan) -> list[Shard]:
    """Every shard of a request, in completion-index order."""
    args = _arguments(plan)
    return [shard_at(k, *args, film=plan.film is not None) for k in range(shard_count(*args))]


def shard_of(plan: RequestPlan, index: int) -> Shard:
    return shard_at(index, *_arguments(plan), film=plan.film is not None)


def variant_shards(plan: RequestPlan, variant: int) -> list[Shard]:
    return [s for s in plan_shards(plan) if s.variant == variant]


def scene_of(plan: RequestPlan, shard: Shard) -> ScenePlan:
    """The ScenePlan a shard renders."""
    return plan.scenes_of(shard.variant)[shard.shot or 0]
