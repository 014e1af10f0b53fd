"""Build each variant's scene with the worker's own code (no rendering) and report what Blender shows.

Run as a subprocess (Blender holds one scene per process):
``python tests/render/scene_probe.py PLAN.json OUT.json``. For every variant it
writes the camera's world matrix at every frame as Blender evaluates it, each
object root's world matrix, and every caption claim checked on the geometry
the worker measures in the built scene (``simfarm_render.groundtruth``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from simfarm.plan.claims import check_all
from simfarm.plan.models import RequestPlan
from simfarm_render import groundtruth, scene
from simfarm_render.assets import AssetCache


def probe(plan: RequestPlan) -> list[dict]:
    settings = plan.settings
    frames = np.arange(1, settings.frames + 1, dtype=float)
    results = []
    for variant in plan.variants:
        built = scene.build(variant, settings, scene.fetch_assets(variant, AssetCache.from_environment()), frames)
        track = groundtruth.scene_track(built, frames)
        roots = []
        for frame in frames:
            built.scene.frame_set(int(frame))
            roots.append([[list(row) for row in root.matrix_world] for root in built.roots])
        results.append({
            "camera_to_world": track.camera_to_world.tolist(),
            "roots": roots,
            "checks": [{"kind": c.claim.kind, "value": c.claim.value, "objects": c.claim.objects, "holds": c.holds,
                        "measured": c.measured, "sentence": c.claim.sentence}
                       for c in check_all(variant.claims, track, settings.fps)],
        })
    return results


if __name__ == "__main__":
    request = RequestPlan.model_validate_json(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).write_text(json.dumps(probe(request)))
