"""``annotations.json``: per-frame ground truth beside every video, and its reader.

The render worker measures its Blender scene (``simfarm_render.groundtruth``)
and writes what it measured in this format; ``simfarm verify`` and the
assembler read it back into a ``visibility.SceneTrack`` and check the
caption's claims on it. The format (also in the README):

- ``format``: ``"simfarm.annotations/1"``;
- ``image``: ``{"width", "height"}`` in pixels; ``fps``; ``clip_frames``;
- ``conventions``: pixel (0, 0) is the top-left corner of the image, x right,
  y down; ``K`` is the 3×3 pinhole matrix; ``world_to_camera`` the 4×4
  extrinsics in OpenCV axes (camera x right, y down, z forward); the world
  is z-up, in metres;
- ``objects``: one per plan object — ``id`` (the instance id of the
  segmentation pass; 0 is the background), ``index`` in the plan, ``name``,
  ``description``, the ``asset`` it was built from and ``top_share`` (the
  share of its box height where what is stacked on it rests: 1 for its box
  top, less for a chair's seat);
- ``per_frame``: for each frame, ``frame`` (1-based), ``K``,
  ``world_to_camera`` and per object ``id``, ``box`` (its tight 2D box
  ``[x0, y0, x1, y1]`` in pixels, not clipped to the image), ``in_view``
  (the share of that box inside the image), ``depth`` (metres along the view
  axis to the centre of its 3D box), ``box_3d`` (the 8 world corners of its
  box) and ``occluded`` (the share of its visible part that nearer objects
  hide) with ``hidden`` (``occluded > 0.5``);
- ``claims``: each claim of the caption with its ``sentence``, the frames
  it is claimed for, whether it ``holds`` and the ``frames`` where it does,
  as ``[first, last]`` ranges.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .claims import NORMAL, check_all
from .models import ScenePlan
from .visibility import ObjectTrack, SceneTrack

FORMAT = "simfarm.annotations/1"
CONVENTIONS = {
    "pixels": "(0, 0) is the top-left corner of the image; x right, y down; a pixel's centre is at +0.5",
    "K": "3x3 pinhole intrinsics, square pixels",
    "world_to_camera": "4x4 extrinsics in OpenCV camera axes: x right, y down, z forward",
    "world": "z up, metres",
    "depth": "metres along the view axis to the centre of the object's 3D box",
    "occluded": "share of the object's visible part hidden by nearer objects",
}


def _rounded(array: np.ndarray, digits: int) -> list:
    return np.round(np.nan_to_num(np.asarray(array, dtype=float)), digits).tolist()


def document(plan: ScenePlan, track: SceneTrack, fps: int, clip_frames: int) -> dict[str, Any]:
    """The annotations of the frames in ``track`` (no claims yet: see ``with_claims``)."""
    per_frame = []
    for position, frame in enumerate(track.frames):
        per_frame.append({
            "frame": int(frame),
            "K": _rounded(track.K[position], 4),
            "world_to_camera": _rounded(track.world_to_camera[position], 6),
            "objects": [{
                "id": index + 1,
                "box": _rounded(obj.box[position], 2),
                "in_view": round(float(obj.in_view[position]), 4),
                "depth": round(float(obj.depth[position]), 4),
                "box_3d": _rounded(obj.corners[position], 4),
                "occluded": round(float(obj.occluded[position]), 4),
                "hidden": bool(obj.occluded[position] > NORMAL.hidden),
            } for index, obj in enumerate(track.objects)],
        })
    return {
        "format": FORMAT,
        "variant": plan.index,
        "image": {"width": track.width, "height": track.height},
        "fps": fps,
        "clip_frames": clip_frames,
        "conventions": CONVENTIONS,
        "objects": [{"id": index + 1, "index": index, "name": obj.name, "description": obj.description,
                     "asset": {"catalog": obj.asset.catalog, "id": obj.asset.id, "name": obj.asset.name,
                               "license": obj.asset.license, "creator": obj.asset.creator},
                     "top_share": round(obj.top_share, 4)}
                    for index, obj in enumerate(plan.objects)],
        "per_frame": per_frame,
    }


def merge(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """One document from the documents of consecutive frame ranges (a variant's shards)."""
    ordered = sorted(documents, key=lambda doc: doc["per_frame"][0]["frame"])
    merged = {**ordered[0], "per_frame": [entry for doc in ordered for entry in doc["per_frame"]]}
    frames = [entry["frame"] for entry in merged["per_frame"]]
    if frames != list(range(frames[0], frames[0] + len(frames))):
        raise ValueError(f"annotation segments do not join up: frames {frames[0]}..{frames[-1]} with gaps or overlaps")
    return merged


def track_from_document(doc: dict[str, Any]) -> SceneTrack:
    """The geometry an annotations document holds, ready for claim checks."""
    if doc.get("format") != FORMAT:
        raise ValueError(f"not a simfarm annotations document (format {doc.get('format')!r}, expected {FORMAT!r})")
    entries = doc["per_frame"]
    count = len(doc["objects"])
    objects = []
    for index in range(count):
        rows = [entry["objects"][index] for entry in entries]
        objects.append(ObjectTrack(box=np.array([row["box"] for row in rows], dtype=float),
                                   in_view=np.array([row["in_view"] for row in rows], dtype=float),
                                   depth=np.array([row["depth"] for row in rows], dtype=float),
                                   corners=np.array([row["box_3d"] for row in rows], dtype=float),
                                   occluded=np.array([row["occluded"] for row in rows], dtype=float),
                                   top_share=doc["objects"][index].get("top_share", 1.0)))
    return SceneTrack(frames=np.array([entry["frame"] for entry in entries], dtype=float),
                      width=doc["image"]["width"], height=doc["image"]["height"],
                      K=np.array([entry["K"] for entry in entries], dtype=float),
                      world_to_camera=np.array([entry["world_to_camera"] for entry in entries], dtype=float),
                      objects=objects)


def frame_ranges(frames: list[int]) -> list[list[int]]:
    """[1, 2, 3, 7, 8] -> [[1, 3], [7, 8]]."""
    ranges: list[list[int]] = []
    for frame in frames:
        if ranges and frame == ranges[-1][1] + 1:
            ranges[-1][1] = frame
        else:
            ranges.append([frame, frame])
    return ranges


def with_claims(doc: dict[str, Any], plan: ScenePlan) -> dict[str, Any]:
    """The document with each of the plan's claims checked on its frames."""
    checks = check_all(plan.claims, track_from_document(doc), doc["fps"])
    return {**doc, "claims": [{
        "kind": c.claim.kind, "objects": [i + 1 for i in c.claim.objects], "value": c.claim.value,
        "sentence": c.claim.sentence, "first_frame": c.claim.first_frame, "last_frame": c.claim.last_frame,
        "holds": c.holds, "frames": frame_ranges(c.frames), "measured": c.measured,
    } for c in checks]}
