"""What a film variant writes beside its video, derived from ``plan.json`` alone.

- ``captions.vtt``: the timed script, WebVTT, one cue per shot from its
  first frame to the end of its last (``(first - 1) / fps`` to
  ``last / fps``) holding that shot's caption;
- ``film.json`` (``simfarm.film/1``): the shots with their frame ranges,
  seconds, captions, camera moves and framings, which entity each object
  (segmentation id = object index + 1, as in annotations.json) is, the
  cuts, the entities with the asset, colour, scale and size they have in
  every shot, and the sets;
- ``caption.txt``: the shots' captions, one line each.
"""

from __future__ import annotations

import posixpath
from typing import Any

from ..storage import RequestLayout
from .models import RequestPlan, ScenePlan

FORMAT = "simfarm.film/1"


def shot_annotations_name(variant: int, shot: int) -> str:
    """Where a shot's ground truth lies, relative to the variant's folder."""
    layout = RequestLayout("/request")  # only the part below the variant's folder matters
    return posixpath.relpath(layout.shot_annotations(variant, shot), layout.variant_dir(variant))


def timestamp(seconds: float) -> str:
    """WebVTT's ``HH:MM:SS.mmm``."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _film(plan: RequestPlan):
    if plan.film is None:
        raise ValueError("the plan is not a film (no film section)")
    return plan.film


def webvtt(plan: RequestPlan, variant: int) -> str:
    """The timed script of one film variant."""
    fps = plan.settings.fps
    cues = ["WEBVTT", ""]
    for shot, scene in zip(_film(plan).shots, plan.scenes_of(variant)):
        text = " ".join(scene.caption.replace("-->", "->").split()) or "(no caption)"
        cues += [f"shot-{shot.index + 1}",
                 f"{timestamp((shot.first_frame - 1) / fps)} --> {timestamp(shot.last_frame / fps)}", text, ""]
    return "\n".join(cues)


def film_caption(plan: RequestPlan, variant: int) -> str:
    return "\n".join(scene.caption for scene in plan.scenes_of(variant)) + "\n"


def _asset(scene_ref) -> dict[str, Any]:
    return {"catalog": scene_ref.catalog, "id": scene_ref.id, "name": scene_ref.name, "uri": scene_ref.uri,
            "license": scene_ref.license, "creator": scene_ref.creator}


def film_document(plan: RequestPlan, variant: int) -> dict[str, Any]:
    """``film.json`` of one film variant."""
    film = _film(plan)
    scenes = plan.scenes_of(variant)
    fps = plan.settings.fps
    first_look: dict[str, tuple[ScenePlan, int]] = {}
    for shot, scene in zip(film.shots, scenes):
        for position, entity in enumerate(shot.entities):
            first_look.setdefault(entity, (scene, position))
    entities = []
    for entity in film.entities:
        scene, position = first_look[entity.id]
        obj = scene.objects[position]
        entities.append({"id": entity.id, "name": entity.name, "description": entity.description,
                         "color": entity.color, "material": entity.material,
                         "scale": {"name": obj.scale.name, "factor": obj.scale.factor},
                         "dimensions": list(obj.dimensions) if obj.dimensions else None,
                         "asset": _asset(obj.asset), "shots": entity.shots})
    sets: dict[int, dict[str, Any]] = {}
    for shot, scene in zip(film.shots, scenes):
        sets.setdefault(shot.set, {"set": shot.set, "background": _asset(scene.background),
                                   "floor": _asset(scene.stage.material), "shots": []})["shots"].append(shot.index)
    return {
        "format": FORMAT,
        "variant": variant,
        "fps": fps,
        "frames": plan.settings.frames,
        "image": {"width": plan.settings.width, "height": plan.settings.height},
        "story": film.story,
        "cuts": [shot.first_frame for shot in film.shots[1:]],
        "shots": [{
            "shot": shot.index, "prompt": shot.prompt, "first_frame": shot.first_frame, "last_frame": shot.last_frame,
            "frames": shot.frames, "start_seconds": round((shot.first_frame - 1) / fps, 6),
            "end_seconds": round(shot.last_frame / fps, 6), "caption": scene.caption,
            "camera": scene.animation.name, "framing": scene.framing.name, "set": shot.set,
            "crosses_line": shot.cross_axis, "seed": scene.seed,
            "objects": [{"id": position + 1, "entity": entity, "description": obj.description}
                        for position, (entity, obj) in enumerate(zip(shot.entities, scene.objects))],
            "annotations": shot_annotations_name(variant, shot.index),
        } for shot, scene in zip(film.shots, scenes)],
        "entities": entities,
        "sets": list(sets.values()),
    }
