"""Every embedded-catalog type has a generator, and every object generator builds and renders."""

from __future__ import annotations

from simfarm.plan.sharding import plan_shards
from simfarm.retrieval.procedural import FLOOR_TYPES, OBJECT_TYPES, WORLD_TYPES

from render_helpers import decode, render, request, scene_object, variant


def test_generators_cover_the_catalog():
    import bpy  # noqa: F401  (bmesh and mathutils come with it)
    from simfarm.retrieval.shapes import BLUEPRINTS
    from simfarm_render.stage import FLOORS
    from simfarm_render.world import SKIES

    assert sorted(BLUEPRINTS) == sorted(OBJECT_TYPES)
    assert sorted(SKIES) == sorted(WORLD_TYPES)
    assert sorted(FLOORS) == sorted(FLOOR_TYPES)


def test_every_object_type_renders(tmp_path):
    groups = [OBJECT_TYPES[start:start + 9] for start in range(0, len(OBJECT_TYPES), 9)]
    variants = [variant([scene_object(kind, cell) for cell, kind in enumerate(group)], index=number,
                        world=f"procedural://world/{WORLD_TYPES[number % len(WORLD_TYPES)]}",
                        floor=f"procedural://floor/{FLOOR_TYPES[number % len(FLOOR_TYPES)]}")
                for number, group in enumerate(groups)]
    plan = request(variants, frames=1)

    for shard in plan_shards(plan):
        render(plan, tmp_path, shard.index)

    for number in range(len(variants)):
        assert len(decode(tmp_path / f"variants/{number}/video.mp4")) == 1
