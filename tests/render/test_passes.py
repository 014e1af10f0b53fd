"""Ground-truth passes agree with each other and with annotations.json, and are lossless.

Measured on static scenes seen by a moving camera: the optical flow Blender
renders must equal the flow predicted from the depth pass, the camera poses
and intrinsics in annotations.json (unproject each pixel at its depth, move
the camera, project again); the segmentation ids must cover the 2D boxes
annotations.json gives each object; depth must land every pixel on a surface
the plan put there.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import OpenEXR
import pytest

from simfarm.plan.models import Framing

from render_helpers import render, request, run_worker, scene_object, variant

MEDIUM = Framing(name="medium", fov=40, coverage_factor=1.4)


def _read(path: Path) -> dict[str, np.ndarray]:
    with OpenEXR.File(str(path)) as image:
        return {name: np.array(channel.pixels) for name, channel in image.channels().items()}


def _render(tmp_path: Path, camera: str, engine: str, passes: list[str]) -> Path:
    objects = [scene_object("chair", 3), scene_object("table", 5), scene_object("barrel", 1)]
    plan = request([variant(objects, camera=camera, framing=MEDIUM)], frames=4, engine=engine, width=160,
                   height=90, samples=4)
    plan.settings.passes = passes
    render(plan, tmp_path)
    return tmp_path / "variants/0"


def _surface_points(depth: np.ndarray, frame: dict) -> np.ndarray:
    """World point seen at each pixel's centre, from planar depth and the frame's camera."""
    K, to_camera = np.array(frame["K"]), np.array(frame["world_to_camera"])
    rows, columns = np.mgrid[0:depth.shape[0], 0:depth.shape[1]] + 0.5
    rays = np.stack([(columns - K[0, 2]) / K[0, 0], (rows - K[1, 2]) / K[1, 1], np.ones_like(rows)], axis=-1)
    camera = np.concatenate([rays * depth[..., None], np.ones((*depth.shape, 1))], axis=-1)
    return (np.linalg.inv(to_camera) @ camera[..., None])[..., 0][..., :3]


@pytest.mark.parametrize("camera", ["orbit_left", "dolly_in"])
def test_flow_matches_depth_and_camera_poses(camera, tmp_path, report):
    out = _render(tmp_path, camera, "CYCLES", ["depth", "segmentation", "flow"])
    frames = json.loads((out / "annotations.json").read_text())["per_frame"]
    for now, after in zip(frames, frames[1:]):
        depth = _read(out / f"passes/depth/{now['frame']:06d}.exr")["Z"]
        flow = _read(out / f"passes/flow/{now['frame']:06d}.exr")
        assert depth.dtype == flow["X"].dtype == np.float32  # no 8-bit quantisation
        world = _surface_points(depth, now)
        seen = np.concatenate([world, np.ones((*depth.shape, 1))], axis=-1) @ np.array(after["world_to_camera"]).T
        projected = seen[..., :3] @ np.array(after["K"]).T
        rows, columns = np.mgrid[0:depth.shape[0], 0:depth.shape[1]] + 0.5
        predicted = np.stack([projected[..., 0] / projected[..., 2] - columns,
                              projected[..., 1] / projected[..., 2] - rows], axis=-1)
        rendered = np.stack([flow["X"], flow["Y"]], axis=-1)
        defined = np.isfinite(depth) & np.isfinite(rendered).all(axis=-1)
        error = np.linalg.norm(predicted - rendered, axis=-1)[defined]
        moved = np.linalg.norm(predicted, axis=-1)[defined]
        assert defined.mean() > 0.5 and np.median(moved) > 1.0, "the camera must visibly move"
        report.append(f"flow vs depth+poses ({camera}, frame {now['frame']}): median end-point error "
                      f"{np.median(error):.3f} px over {defined.sum()} pixels moving {np.median(moved):.1f} px")
        assert np.median(error) < 0.5


def test_segmentation_ids_match_the_annotated_boxes(tmp_path):
    out = _render(tmp_path, "pan_right", "CYCLES", ["segmentation"])
    frames = json.loads((out / "annotations.json").read_text())["per_frame"]
    for frame in frames:
        ids = _read(out / f"passes/segmentation/{frame['frame']:06d}.exr")["id"]
        assert ids.dtype == np.uint32
        assert set(np.unique(ids)) <= {0} | {o["id"] for o in frame["objects"]}
        for obj in frame["objects"]:
            rows, columns = np.nonzero(ids == obj["id"])
            if obj["in_view"] == 1.0 and not obj["hidden"]:
                box = (columns.min(), rows.min(), columns.max() + 1, rows.max() + 1)
                assert np.allclose(box, obj["box"], atol=1.5), (obj["id"], box, obj["box"])


def test_depth_lands_every_pixel_on_a_planned_surface(tmp_path):
    """Workbench makes depth only: each pixel's point is on the floor or inside one of the objects' boxes."""
    out = _render(tmp_path, "static", "WORKBENCH", ["depth"])
    frame = json.loads((out / "annotations.json").read_text())["per_frame"][0]
    depth = _read(out / "passes/depth/000001.exr")["Z"]
    world = _surface_points(np.where(np.isfinite(depth), depth, 0.0), frame)
    explained = np.abs(world[..., 2]) < 0.02
    for obj in frame["objects"]:
        corners = np.array(obj["box_3d"])
        explained |= np.all((world >= corners.min(axis=0) - 0.02) & (world <= corners.max(axis=0) + 0.02), axis=-1)
    assert (explained | ~np.isfinite(depth)).mean() > 0.995
    assert not (out / "passes/segmentation").exists() and not (out / "passes/flow").exists()


def test_a_plan_asking_an_engine_for_a_pass_it_cannot_make_is_refused(tmp_path):
    plan = json.loads(request([variant([scene_object("cube", 4)])], engine="WORKBENCH").to_json())
    plan["settings"]["passes"] = ["segmentation"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = run_worker("shard", "--plan", str(path), "--index", "0")
    assert result.returncode == 3
    assert "WORKBENCH cannot render the segmentation pass (use CYCLES)" in result.summary["error"]
