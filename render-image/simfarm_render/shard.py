"""``simfarm-render shard``: render one shard of a request into an MP4.

A variant rendered as one shard goes straight to ``video.mp4`` with its
thumbnail and caption; otherwise the shard writes its segment for
``assemble`` to join.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import bpy

from simfarm.plan.sharding import shard_of, variant_shards

from . import encode, engine, locations, plans, scene
from .assets import AssetCache
from .errors import PermanentError

FRAME_PREFIX = "frame_"


def render_frames(blender_scene: bpy.types.Scene, first: int, last: int, directory: Path) -> list[Path]:
    """Render ``first..last`` as lossless, uncompressed-as-possible PNGs; returns them in order."""
    blender_scene.frame_start, blender_scene.frame_end = first, last
    image = blender_scene.render.image_settings
    image.file_format, image.color_mode, image.color_depth, image.compression = "PNG", "RGB", "8", 0
    blender_scene.render.filepath = str(directory / FRAME_PREFIX)
    bpy.ops.render.render(animation=True, scene=blender_scene.name)
    frames = [Path(blender_scene.render.frame_path(frame=number)) for number in range(first, last + 1)]
    missing = [str(path) for path in frames if not path.is_file()]
    if missing:
        raise RuntimeError(f"Blender did not write {len(missing)} frame(s), first {missing[0]}")
    return frames


def run(plan_uri: str, index: int, out: str | None) -> dict[str, Any]:
    started = time.monotonic()
    plan = plans.load_plan(plan_uri)
    try:
        shard = shard_of(plan, index)
    except IndexError as error:
        raise PermanentError(str(error)) from error
    variant = plan.variants[shard.variant]
    settings = plan.settings
    layout = plans.output_layout(plan_uri, out)
    assets = scene.fetch_assets(variant, AssetCache.from_environment())
    blender_scene = scene.build(variant, settings, assets)
    device = engine.select_cycles_device(blender_scene) if settings.engine == "CYCLES" else None
    with tempfile.TemporaryDirectory(prefix="simfarm-shard-") as scratch:
        work = Path(scratch)
        render_started = time.monotonic()
        frames = render_frames(blender_scene, shard.first_frame, shard.last_frame, work)
        render_seconds = time.monotonic() - render_started
        device = device or engine.opengl_device()
        video = work / "video.mp4"
        encode.encode_frames(frames, video, settings.fps)
        if len(variant_shards(plan, shard.variant)) == 1:
            output = layout.video(shard.variant)
            encode.write_thumbnail(video, work / "thumbnail.png")
            locations.publish(work / "thumbnail.png", layout.thumbnail(shard.variant))
            plans.publish_texts(variant, layout, shard.variant)
        else:
            output = layout.segment(shard.variant, shard.first_frame, shard.last_frame)
        output_bytes = locations.publish(video, output)
    seconds = time.monotonic() - started
    return {
        "command": "shard", "shard": shard.index, "variant": shard.variant,
        "first_frame": shard.first_frame, "last_frame": shard.last_frame, "frames": shard.frames,
        "seconds": round(seconds, 3), "render_seconds": round(render_seconds, 3),
        "seconds_per_frame": round(render_seconds / shard.frames, 4),
        "engine": settings.engine, "device": device, "output": output, "output_bytes": output_bytes,
    }
