"""``simfarm-render assemble``: join a variant's segments into ``video.mp4`` by stream copy,
and their annotations into ``annotations.json`` with the caption's claims checked over the whole clip.

A film variant's segments are its shots' chunks in film order, so the
joined video cuts exactly at the planned frames; each shot's annotations
(in the shot's own frame numbers) are joined into
``shots/<s>/annotations.json`` with that shot's claims checked, and the
timed script (``captions.vtt``), ``film.json``, the captions and the
credits of every shot's assets are written beside the video.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from simfarm.plan import annotations
from simfarm.plan.credits import credits_text
from simfarm.plan.film_outputs import film_caption, film_document, webvtt
from simfarm.plan.models import RequestPlan
from simfarm.plan.sharding import Shard, scene_of, variant_shards
from simfarm.storage import RequestLayout

from . import encode, locations, plans
from .errors import PermanentError


def run(plan_uri: str, variant_index: int, out: str | None) -> dict[str, Any]:
    started = time.monotonic()
    plan = plans.load_plan(plan_uri)
    if not 0 <= variant_index < plan.variant_count:
        raise PermanentError(f"variant {variant_index} is out of range: the plan has {plan.variant_count} "
                             f"(0..{plan.variant_count - 1})")
    layout = plans.output_layout(plan_uri, out)
    shards = variant_shards(plan, variant_index)
    if len(shards) == 1 and plan.film is None:
        raise PermanentError(f"variant {variant_index} is rendered as one shard, which writes video.mp4 itself")
    with tempfile.TemporaryDirectory(prefix="simfarm-assemble-") as scratch:
        work = Path(scratch)
        video = work / "video.mp4"
        segments = []
        for shard in shards:
            uri = layout.segment(variant_index, shard.video_first_frame, shard.video_last_frame)
            try:
                segments.append(locations.download(uri, work / f"{shard.index}.mp4"))
            except PermanentError as error:
                raise PermanentError(f"segment of shard {shard.index} is missing: {error}") from error
        frames = encode.concat(segments, video)
        expected = sum(shard.frames for shard in shards)
        if frames != expected:
            raise PermanentError(f"segments hold {frames} frames, the plan has {expected}")
        if plan.film is None:
            _publish_variant(plan, layout, variant_index, shards)
        else:
            _publish_film(plan, layout, variant_index, shards)
        encode.write_thumbnail(video, work / "thumbnail.png")
        locations.publish(work / "thumbnail.png", layout.thumbnail(variant_index))
        output_bytes = locations.publish(video, layout.video(variant_index))
    return {
        "command": "assemble", "variant": variant_index, "segments": len(segments), "frames": frames,
        "seconds": round(time.monotonic() - started, 3), "output": layout.video(variant_index),
        "output_bytes": output_bytes,
    }


def _joined_truth(plan: RequestPlan, layout: RequestLayout, shards: list[Shard]) -> dict[str, Any]:
    """The shards' annotations joined, with the claims of the scene they rendered checked on them."""
    documents = [json.loads(locations.read_text(layout.segment_annotations(s.variant, s.video_first_frame,
                                                                           s.video_last_frame))) for s in shards]
    return annotations.with_claims(annotations.merge(documents), scene_of(plan, shards[0]))


def _publish_variant(plan: RequestPlan, layout: RequestLayout, variant: int, shards: list[Shard]) -> None:
    scene = plan.variants[variant]
    plans.publish_texts(scene, layout, variant)
    locations.publish_text(json.dumps(_joined_truth(plan, layout, shards)), layout.annotations(variant))


def _publish_film(plan: RequestPlan, layout: RequestLayout, variant: int, shards: list[Shard]) -> None:
    for shot in plan.film.shots:
        own = [s for s in shards if s.shot == shot.index]
        truth = {**_joined_truth(plan, layout, own), "shot": shot.index, "film_first_frame": shot.first_frame}
        locations.publish_text(json.dumps(truth), layout.shot_annotations(variant, shot.index))
    scenes = plan.scenes_of(variant)
    locations.publish_text(webvtt(plan, variant), layout.script(variant))
    locations.publish_text(json.dumps(film_document(plan, variant), indent=1), layout.film(variant))
    locations.publish_text(film_caption(plan, variant), layout.caption(variant))
    locations.publish_text(credits_text(*scenes), layout.credits(variant))
