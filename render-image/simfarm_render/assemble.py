"""``simfarm-render assemble``: join a variant's segments into ``video.mp4`` by stream copy,
and their annotations into ``annotations.json`` with the caption's claims checked over the whole clip."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from simfarm.plan import annotations
from simfarm.plan.sharding import variant_shards

from . import encode, locations, plans
from .errors import PermanentError


def run(plan_uri: str, variant_index: int, out: str | None) -> dict[str, Any]:
    started = time.monotonic()
    plan = plans.load_plan(plan_uri)
    if not 0 <= variant_index < len(plan.variants):
        raise PermanentError(f"variant {variant_index} is out of range: the plan has {len(plan.variants)} (0..{len(plan.variants) - 1})")
    variant = plan.variants[variant_index]
    layout = plans.output_layout(plan_uri, out)
    shards = variant_shards(plan, variant_index)
    if len(shards) == 1:
        raise PermanentError(f"variant {variant_index} is rendered as one shard, which writes video.mp4 itself")
    with tempfile.TemporaryDirectory(prefix="simfarm-assemble-") as scratch:
        work = Path(scratch)
        video = work / "video.mp4"
        segments = []
        for shard in shards:
            uri = layout.segment(variant_index, shard.first_frame, shard.last_frame)
            try:
                segments.append(locations.download(uri, work / f"{shard.index}.mp4"))
            except PermanentError as error:
                raise PermanentError(f"segment of shard {shard.index} is missing: {error}") from error
        frames = encode.concat(segments, video)
        expected = sum(shard.frames for shard in shards)
        if frames != expected:
            raise PermanentError(f"segments hold {frames} frames, the plan has {expected}")
        truth = annotations.with_claims(annotations.merge([
            json.loads(locations.read_text(layout.segment_annotations(variant_index, s.first_frame, s.last_frame)))
            for s in shards]), variant)
        encode.write_thumbnail(video, work / "thumbnail.png")
        locations.publish(work / "thumbnail.png", layout.thumbnail(variant_index))
        plans.publish_texts(variant, layout, variant_index)
        locations.publish_text(json.dumps(truth), layout.annotations(variant_index))
        output_bytes = locations.publish(video, layout.video(variant_index))
    return {
        "command": "assemble", "variant": variant_index, "segments": len(segments), "frames": frames,
        "seconds": round(time.monotonic() - started, 3), "output": layout.video(variant_index),
        "output_bytes": output_bytes,
    }
