"""Real models from the Sweet Home 3D libraries, planned from a prompt and rendered by the worker.

The catalog is the Debian package's CC0 and CC-BY libraries (imported here,
as ``simfarm catalog install-library`` does); the request is CC0-only. The
video is decoded and compared with a second render of the same plan whose
objects were moved under the floor: the difference is where the models
are. Each must be where ``annotations.json`` puts it, show its texture's
colours (its colour leans from grey the way its texture's does, where an
untextured import is grey and a missing image Blender's magenta), stand on the floor (or on its support's seat) and have its
catalog size.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path, PurePosixPath

import av
import numpy as np
import pytest

from simfarm.plan.models import RenderSettings, RequestPlan
from simfarm.plan.vocabulary import pose_of
from simfarm.retrieval.entries import license_allowed
from simfarm.retrieval.library import import_libraries, installed_libraries
from simfarm.retrieval.library_uris import parse_model_uri, resolve_library

from render_helpers import decode, probe_scenes, render

PROMPT = "a teddy bear on a chair next to a barrel and a chicken, static shot"
LIBRARIES = ("BlendSwap-CC-0.sh3f", "BlendSwap-CC-BY.sh3f")
SETTINGS = RenderSettings(width=256, height=144, fps=24, frames=2, engine="WORKBENCH", samples=1)
CHANGED = 40  # summed |RGB| difference above which a pixel shows an object (H.264 noise is far below)
UNTEXTURED = np.full(3, 1 / 3)  # the chromaticity of a grey, untextured surface


def _planner_over(names: tuple[str, ...], home: Path):
    """A planner whose catalog holds these libraries of the Debian package."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from simfarm.plan.planner import Planner
    from simfarm.retrieval.catalog import Catalog
    from simfarm.retrieval.resolve import resolve_assets

    libraries = [path for path in installed_libraries() if path.name in names]
    if len(libraries) < len(names):
        if os.environ.get("CI") == "true":
            pytest.fail("the Sweet Home 3D libraries are not installed (make test installs them)")
        pytest.skip("the Sweet Home 3D libraries are not installed: run `make test-library`")
    catalog = Catalog.open(home)
    import_libraries(catalog, libraries)
    return Planner(resolver=lambda plan: resolve_assets(plan, catalog))


@pytest.fixture(scope="module")
def library_planner(tmp_path_factory):
    return _planner_over(LIBRARIES, tmp_path_factory.mktemp("library-home"))


def _under_the_floor(plan: RequestPlan) -> RequestPlan:
    """The same request with every object a kilometre below the floor and nothing claimed: the empty set."""
    plate = plan.model_copy(deep=True)
    for variant in plate.variants:
        variant.claims = []
        for obj in variant.objects:
            x, y, z = obj.position
            obj.position = (x, y, z - 1000.0)
    return plate


def _texture_chroma(uri: str, tmp_path: Path) -> np.ndarray | None:
    """Mean chromaticity (r, g, b summing to 1) of the model's body texture, None when the body is a plain colour."""
    ref = parse_model_uri(uri)
    folder = PurePosixPath(ref.member).parent
    with zipfile.ZipFile(resolve_library(ref.library)) as library:
        names = [name for name in library.namelist() if PurePosixPath(name).parent == folder]
        mtl = next(library.read(name).decode("latin-1") for name in names if name.endswith(".mtl"))
        block = next((part for part in mtl.split("newmtl ")[1:] if part.splitlines()[0].strip() == ref.body), "")
        texture = next((line.split()[-1] for line in block.splitlines() if line.strip().startswith("map_Kd")), None)
        if texture is None:
            return None
        path = tmp_path / PurePosixPath(texture).name
        path.write_bytes(library.read(str(folder / PurePosixPath(texture).name)))
    with av.open(str(path)) as image:
        pixels = next(image.decode(video=0)).to_ndarray(format="rgb24").reshape(-1, 3).astype(float)
    return pixels.mean(axis=0) / pixels.mean(axis=0).sum()


def _edges(corners: np.ndarray) -> tuple[float, float, float]:
    """(shorter side, longer side, height) of an upright 3D box given by its 8 corners."""
    bottom = corners[np.argsort(corners[:, 2])[:4]]
    sides = sorted(float(np.linalg.norm(bottom[0, :2] - other[:2])) for other in bottom[1:])  # two sides, a diagonal
    return sides[0], sides[1], float(corners[:, 2].max() - corners[:, 2].min())


def test_real_models_render_textured_grounded_and_to_scale(library_planner, tmp_path, report):
    plan = library_planner.plan(PROMPT, variants=1, seed=3, settings=SETTINGS, licenses=["CC0"]).plan
    variant = plan.variants[0]
    names = [obj.description for obj in variant.objects]
    assert names == ["teddy bear", "chair", "barrel", "chicken"], names
    for obj in variant.objects:  # real CC0 models, at their catalog size (no scale word: life size)
        assert obj.asset.uri.startswith("library://sweethome3d/BlendSwap-CC-0.sh3f#model=")
        assert license_allowed(obj.asset.license, ["CC0"]) and obj.asset.size_m and obj.scale.factor == 1.0
        assert obj.dimensions == obj.asset.size_m
    assert "teddy bear" in variant.caption and "on the chair" in variant.caption, variant.caption

    render(plan, tmp_path / "scene")
    render(_under_the_floor(plan), tmp_path / "empty")
    frame = decode(tmp_path / "scene/variants/0/video.mp4")[0].astype(int)
    empty = decode(tmp_path / "empty/variants/0/video.mp4")[0].astype(int)
    truth = json.loads((tmp_path / "scene/variants/0/annotations.json").read_text())
    credits = (tmp_path / "scene/variants/0/credits.txt").read_text()
    shown = np.abs(frame - empty).sum(axis=2) > CHANGED

    lines = [line for line in credits.splitlines() if line.startswith(("object:", "background:", "floor:"))]
    assert len(lines) >= len(variant.objects) and all(" — CC0-1.0 (" in line for line in lines), credits
    assert all(obj.asset.name in credits for obj in variant.objects) and credits.endswith("Licenses: CC0-1.0\n")
    assert (np.abs(frame - (255, 0, 255)).sum(axis=2) < 60).mean() < 0.002  # no missing-texture magenta

    boxes = [np.array(row["box"]) for row in truth["per_frame"][0]["objects"]]
    textured = 0
    for index, obj in enumerate(variant.objects):
        corners = np.array(truth["per_frame"][0]["objects"][index]["box_3d"])
        short, long, height = _edges(corners)
        width, depth, real_height = obj.dimensions
        assert short == pytest.approx(min(width, depth), rel=0.02) and long == pytest.approx(max(width, depth), rel=0.02)
        assert height == pytest.approx(real_height, rel=0.02), obj.name
        rests_on = 0.0
        if obj.on_top_of is not None:  # on the chair's seat (its catalog drop-on-top height), not on its backrest
            support = variant.objects[obj.on_top_of]
            rests_on = support.asset.top_m
            assert rests_on < 0.7 * support.dimensions[2]
        assert corners[:, 2].min() == pytest.approx(rests_on, abs=0.01), obj.name

        x0, y0, x1, y1 = np.clip(np.round(boxes[index]).astype(int), 0, (SETTINGS.width, SETTINGS.height) * 2)
        region = shown[y0:y1, x0:x1]
        assert region.mean() > 0.2, f"{obj.name}: nothing drawn in its annotated box"
        rows, columns = np.nonzero(region)
        assert rows.max() >= region.shape[0] - 3 and columns.min() <= 2 and columns.max() >= region.shape[1] - 3, \
            f"{obj.name}: its pixels do not reach the bottom and sides of its annotated box"
        # its own pixels: inside its box, outside every other object's box
        own = np.zeros_like(shown)
        own[y0:y1, x0:x1] = shown[y0:y1, x0:x1]
        for other, box in enumerate(boxes):
            if other != index:
                a0, b0, a1, b1 = np.clip(np.round(box).astype(int), 0, None)
                own[b0:b1, a0:a1] = False
        expected = _texture_chroma(obj.asset.uri, tmp_path)
        if expected is None or own.sum() < 30 or np.abs(expected - UNTEXTURED).sum() < 0.06:
            continue
        seen = frame[own].mean(axis=0) / frame[own].mean(axis=0).sum()
        report.append(f"{obj.asset.name}: rendered chromaticity {np.round(seen, 3)}, texture {np.round(expected, 3)}")
        # the view transform and the studio light desaturate, but the colour leans the texture's way from grey
        towards, tinted = expected - UNTEXTURED, seen - UNTEXTURED
        cosine = towards @ tinted / np.linalg.norm(towards) / np.linalg.norm(tinted)
        assert cosine > 0.9 and np.linalg.norm(tinted) > 0.3 * np.linalg.norm(towards), report[-1]
        textured += 1
    assert textured >= 2
    # size ratios: every model's box height is its real height, so the ratios are the catalog's
    heights = [_edges(np.array(row["box_3d"]))[2] for row in truth["per_frame"][0]["objects"]]
    real = [obj.asset.size_m[2] for obj in variant.objects]
    assert np.allclose(np.array(heights) / np.array(real), 1.0, rtol=0.02)


COLOURS = {"blue": (0.15, 0.30, 0.85), "green": (0.15, 0.60, 0.20)}


def test_a_coloured_request_paints_the_models_bodies(library_planner, tmp_path):
    """"a blue horse and a green chair": the horse's texture and the chair's body are repainted, in the picture."""
    plan = library_planner.plan("a blue horse next to a green chair, static shot", variants=1, seed=1,
                                settings=SETTINGS, licenses=["CC0"]).plan
    variant = plan.variants[0]
    assert [obj.description for obj in variant.objects] == ["blue horse", "green chair"], variant.warnings
    assert all(parse_model_uri(obj.asset.uri).body for obj in variant.objects)
    assert "blue horse" in variant.caption and "green chair" in variant.caption
    render(plan, tmp_path / "scene")
    render(_under_the_floor(plan), tmp_path / "empty")
    frame = decode(tmp_path / "scene/variants/0/video.mp4")[0].astype(int)
    empty = decode(tmp_path / "empty/variants/0/video.mp4")[0].astype(int)
    shown = np.abs(frame - empty).sum(axis=2) > CHANGED
    truth = json.loads((tmp_path / "scene/variants/0/annotations.json").read_text())
    boxes = [np.clip(np.round(row["box"]).astype(int), 0, None) for row in truth["per_frame"][0]["objects"]]
    for index, obj in enumerate(variant.objects):
        own = np.zeros_like(shown)
        x0, y0, x1, y1 = boxes[index]
        own[y0:y1, x0:x1] = shown[y0:y1, x0:x1]
        for other, (a0, b0, a1, b1) in enumerate(boxes):
            if other != index:
                own[b0:b1, a0:a1] = False
        seen = frame[own].mean(axis=0)
        wanted = np.array(COLOURS[obj.color])
        assert int(np.argmax(seen)) == int(np.argmax(wanted)), f"{obj.description}: mean colour {seen.round()}"


POSED = (("a man sitting on a bench", "man", "sitting", "sits on"),
         ("a woman lying on a double bed", "woman", "lying", "lies on"),
         ("a girl standing on a wooden crate", "girl", "standing", "stands on"))


@pytest.mark.parametrize("prompt, person, pose, verb", POSED)
def test_a_person_rests_in_the_pose_the_prompt_gives_as_blender_builds_them(tmp_path_factory, prompt, person, pose,
                                                                            verb):
    """"A man sitting on a bench" is a sitting model on the bench, not a standing one on top of it; the caption's
    verb is the pose, a claim the worker checks on the box of the mesh it imported."""
    planner = _planner_over(("Reallusion.sh3f", "BlendSwap-CC-0.sh3f"), tmp_path_factory.mktemp("people-home"))
    plan = planner.plan(prompt, variants=3, seed=4, settings=SETTINGS).plan
    probes = probe_scenes(plan, tmp_path_factory.mktemp("people-probe"))
    stated = 0
    for variant, probe in zip(plan.variants, probes):
        someone = next(o for o in variant.objects if o.name == person)
        assert someone.pose == pose and pose_of(*someone.dimensions) == pose, (someone.asset.name, someone.dimensions)
        poses = [check for check in probe["checks"] if check["kind"] == "pose"]
        assert all(check["holds"] and check["value"] == pose for check in poses), poses
        stated += bool(poses) and verb in variant.caption
    assert stated >= 1, [variant.caption for variant in plan.variants]
