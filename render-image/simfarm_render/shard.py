"""``simfarm-render shard``: render one shard of a request into an MP4.

Before rendering, the shard checks every claim of the variant's caption on
the scene Blender built (``groundtruth``); a false claim is a permanent
failure, so a wrong label never lands. A variant rendered as one shard goes
straight to ``video.mp4`` with its thumbnail, caption and
``annotations.json``; otherwise the shard writes its segment and its
frames' annotations for ``assemble`` to join. A film shot is rendered like
a variant, as a clip of its own (frames 1..its length); its segments are
named by where they land in the film, and a film is always assembled.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

import bpy
import numpy as np

from simfarm.plan import annotations
from simfarm.plan.claims import check_all
from simfarm.plan.models import ScenePlan
from simfarm.plan.sharding import scene_of, shard_of, variant_shards
from simfarm.plan.visibility import sample_frames

from . import camera, encode, engine, groundtruth, locations, passes, plans, scene
from .assets import AssetCache
from .errors import PermanentError

FRAME_PREFIX = "frame_"
CLAIM_FRAMES = 120  # frames of the clip the claim check measures (all of a shorter clip)


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
    variant = scene_of(plan, shard)
    settings = plan.clip_settings(variant)  # a film shot is a clip of its own
    layout = plans.output_layout(plan_uri, out)
    assets = scene.fetch_assets(variant, AssetCache.from_environment())
    claim_frames = sample_frames(settings.frames, CLAIM_FRAMES)
    own_frames = np.arange(shard.first_frame, shard.last_frame + 1, dtype=float)
    key_frames = np.union1d(camera.shard_key_frames(shard.first_frame, shard.last_frame), claim_frames)
    built = scene.build(variant, settings, assets, key_frames)
    check_claims(variant, groundtruth.scene_track(built, claim_frames), settings.fps)
    device = engine.select_cycles_device(built.scene) if settings.engine == "CYCLES" else None
    with tempfile.TemporaryDirectory(prefix="simfarm-shard-") as scratch:
        work = Path(scratch)
        passes.enable(built.scene, passes.require_depth_for_flow(settings.passes), built.roots, work / "raw-passes")
        render_started = time.monotonic()
        frames = render_frames(built.scene, shard.first_frame, shard.last_frame, work)
        render_seconds = time.monotonic() - render_started
        pass_started = time.monotonic()
        for frame in range(shard.first_frame, shard.last_frame + 1):
            written = passes.convert(settings.passes, work / "raw-passes", frame, work / "passes",
                                     built.camera.data.clip_end)
            for name, path in written.items():
                locations.publish(path, layout.pass_frame(shard.variant, name, shard.offset + frame))  # video's frame
        pass_seconds = time.monotonic() - pass_started
        annotation_started = time.monotonic()
        truth = annotations.document(variant, groundtruth.scene_track(built, own_frames), settings.fps, settings.frames)
        annotation_seconds = time.monotonic() - annotation_started
        device = device or engine.opengl_device()
        video = work / "video.mp4"
        encode.encode_frames(frames, video, settings.fps)
        if plan.film is None and len(variant_shards(plan, shard.variant)) == 1:
            output = layout.video(shard.variant)
            encode.write_thumbnail(video, work / "thumbnail.png")
            locations.publish(work / "thumbnail.png", layout.thumbnail(shard.variant))
            plans.publish_texts(variant, layout, shard.variant)
            locations.publish_text(json.dumps(annotations.with_claims(truth, variant)),
                                   layout.annotations(shard.variant))
        else:
            where = (shard.variant, shard.video_first_frame, shard.video_last_frame)  # named by the video's frames
            output = layout.segment(*where)
            locations.publish_text(json.dumps(truth), layout.segment_annotations(*where))
        output_bytes = locations.publish(video, output)
    seconds = time.monotonic() - started
    return {
        "command": "shard", "shard": shard.index, "variant": shard.variant, "shot": shard.shot,
        "first_frame": shard.first_frame, "last_frame": shard.last_frame, "frames": shard.frames,
        "seconds": round(seconds, 3), "render_seconds": round(render_seconds, 3),
        "annotation_seconds": round(annotation_seconds, 3), "pass_seconds": round(pass_seconds, 3),
        "seconds_per_frame": round(render_seconds / shard.frames, 4),
        "engine": settings.engine, "device": device, "threads": built.scene.render.threads,
        "output": output, "output_bytes": output_bytes,
    }


def check_claims(variant: ScenePlan, track, fps: int) -> None:
    """Refuse to render a caption the built scene contradicts."""
    false = [check for check in check_all(variant.claims, track, fps) if not check.holds]
    if false:
        shown = "; ".join(f"{c.claim.sentence!r} ({c.claim.kind} {c.claim.value}: {c.measured})" for c in false[:3])
        raise PermanentError(f"{len(false)} caption claim(s) do not hold in the built scene: {shown}")
