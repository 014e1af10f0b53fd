"""How a request splits into shards: a pure function of the plan.

Shard ``k`` is the Job's completion index. Shards run variant-major: all
chunks of variant 0, then variant 1, …; frames are 1-based and inclusive,
as Blender numbers them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import RequestPlan


@dataclass(frozen=True)
class Shard:
    index: int
    variant: int
    first_frame: int
    last_frame: int

    @property
    def frames(self) -> int:
        return self.last_frame - self.first_frame + 1


def chunks_per_variant(frames: int, frames_per_shard: int) -> int:
    if frames_per_shard <= 0 or frames_per_shard >= frames:
        return 1
    return -(-frames // frames_per_shard)


def shard_count(variants: int, frames: int, frames_per_shard: int) -> int:
    return variants * chunks_per_variant(frames, frames_per_shard)


def shard_at(index: int, variants: int, frames: int, frames_per_shard: int) -> Shard:
    per_variant = chunks_per_variant(frames, frames_per_shard)
    total = variants * per_variant
    if not 0 <= index < total:
        raise IndexError(f"shard index {index} is out of range: this request has {total} shards (0..{total - 1})")
    variant, chunk = divmod(index, per_variant)
    size = frames if per_variant == 1 else frames_per_shard
    first = chunk * size + 1
    return Shard(index, variant, first, min(frames, first + size - 1))


def plan_shards(plan: RequestPlan) -> list[Shard]:
    """Every shard of a request, in completion-index order."""
    args = (len(plan.variants), plan.settings.frames, plan.frames_per_shard)
    return [shard_at(k, *args) for k in range(shard_count(*args))]


def shard_of(plan: RequestPlan, index: int) -> Shard:
    return shard_at(index, len(plan.variants), plan.settings.frames, plan.frames_per_shard)


def variant_shards(plan: RequestPlan, variant: int) -> list[Shard]:
    return [s for s in plan_shards(plan) if s.variant == variant]
