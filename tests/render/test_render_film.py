"""Films rendered for real by ``simfarm render --story/--shots``: one MP4 cut at the planned frames,
a WebVTT cue per shot, the same entity looking the same in every shot, continuity across cuts and every
shot's claims true — all checked on the decoded video and the worker's measured ground truth.

The colour of an entity is measured inside its region of the segmentation pass (ids = the object ids of
each shot's annotations.json); its hue must agree across shots (its brightness follows the light on the
faces the camera sees). Cuts are found from consecutive frames (``support.film_video``).
"""

from __future__ import annotations

import colorsys
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import OpenEXR
import pytest

from render_helpers import decode
from support.film_video import detected_cuts, frame_steps, webvtt_cues

STORY = ("A red ball rolls to the left on a wooden floor. The ball stops beside a blue box, wide shot. "
         "It rolls slowly to the right beside the box.")
TINY = ["--width", "160", "--height", "90", "--fps", "12"]
MIN_PIXELS = 40  # an entity's region must cover this many pixels of a frame to be measured
HUE_DEGREES = 12.0  # an entity's mean colour keeps its hue within this across shots (red to orange is ~30°)
SATURATION = 0.3  # a mean colour at least this saturated has a hue to compare


def simfarm(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simfarm", *args], capture_output=True, text=True, timeout=900,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "SIMFARM_HOME": str(home)})


def rendered(done: subprocess.CompletedProcess) -> Path:
    """The request folder of the one video the command printed."""
    assert done.returncode == 0, done.stderr[-4000:]
    (video,) = [Path(line) for line in done.stdout.split()]
    assert video.name == "video.mp4"
    return video.parents[2]


def truth_of(request: Path, shot: dict) -> dict:
    return json.loads((request / "variants/0" / shot["annotations"]).read_text())


def eroded(mask: np.ndarray) -> np.ndarray:
    """The mask without its border pixels (4-neighbourhood)."""
    inner = mask.copy()
    inner[1:] &= mask[:-1]
    inner[:-1] &= mask[1:]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    return inner


def entity_colours(request: Path, film: dict, frames: list[np.ndarray]) -> dict[str, dict[int, np.ndarray]]:
    """Per entity and shot, its mean colour inside its region of the segmentation pass (eroded by a pixel,
    so the video's blurred edges stay out), over the frames it covers enough of the picture."""
    colours: dict[str, dict[int, np.ndarray]] = {}
    passes = request / "variants/0/passes/segmentation"
    for shot in film["shots"]:
        samples: dict[str, list[np.ndarray]] = {}
        for frame in range(shot["first_frame"], shot["last_frame"] + 1):
            with OpenEXR.File(str(passes / f"{frame:06d}.exr")) as image:
                ids = np.array(image.channels()["id"].pixels)
            for obj in shot["objects"]:
                region = eroded(ids == obj["id"])
                if region.sum() >= MIN_PIXELS:
                    samples.setdefault(obj["entity"], []).append(frames[frame - 1][region].astype(float).mean(axis=0))
        for entity, means in samples.items():
            colours.setdefault(entity, {})[shot["shot"]] = np.mean(means, axis=0)
    return colours


def hue_apart(a: float, b: float) -> float:
    """Degrees between two hues (0-1) on the colour circle."""
    turn = abs(a - b) % 1.0
    return 360.0 * min(turn, 1.0 - turn)


def camera_centre(world_to_camera) -> np.ndarray:
    matrix = np.array(world_to_camera)
    return -matrix[:3, :3].T @ matrix[:3, 3]


def box_centre(entry: dict, object_id: int) -> np.ndarray:
    return np.array(next(o for o in entry["objects"] if o["id"] == object_id)["box_3d"]).mean(axis=0)


def cut_sides(request: Path, film: dict, before: dict, after: dict) -> tuple[float, float] | None:
    """Which side of the subject's line of action (its travel in ``before``, else the line to another entity
    both shots show) the measured camera stands on, just before and just after the cut."""
    subject = after["objects"][0]["entity"]
    ids_before = {o["entity"]: o["id"] for o in before["objects"]}
    if subject not in ids_before:
        return None
    first, last = truth_of(request, before)["per_frame"][0], truth_of(request, before)["per_frame"][-1]
    opening = truth_of(request, after)["per_frame"][0]
    origin = box_centre(last, ids_before[subject])
    direction = origin - box_centre(first, ids_before[subject])
    partner = next((o["entity"] for o in after["objects"][1:] if o["entity"] in ids_before), None)
    if np.linalg.norm(direction[:2]) < 0.01 and partner:
        direction = box_centre(last, ids_before[partner]) - origin
    if np.linalg.norm(direction[:2]) < 0.01:
        return None  # a still subject alone: the line is its facing, which the box does not show

    def side(point: np.ndarray) -> float:
        offset = point[:2] - origin[:2]
        return float(direction[0] * offset[1] - direction[1] * offset[0])

    return side(camera_centre(last["world_to_camera"])), side(camera_centre(opening["world_to_camera"]))


def check_film(request: Path, report: list[str], segmented: bool) -> dict:
    """Every acceptance check on one rendered film (the colours with ``segmented``: the film has the
    segmentation pass); returns its film.json."""
    variant = request / "variants/0"
    film = json.loads((variant / "film.json").read_text())
    plan = json.loads((request / "plan.json").read_text())
    frames = decode(variant / "video.mp4")
    # one decodable MP4, as long as its shots, cut where they were planned
    assert len(frames) == sum(s["frames"] for s in film["shots"]) == plan["settings"]["frames"]
    steps = frame_steps(frames)
    report.append("frame-to-frame differences: " + " ".join(f"{k + 2}:{step:.1f}" for k, step in enumerate(steps)))
    assert detected_cuts(steps) == film["cuts"] == [s["first_frame"] for s in film["shots"][1:]]
    # the timed script: a cue per shot, on its frames, with its caption
    cues = webvtt_cues((variant / "captions.vtt").read_text(), film["fps"])
    assert cues == [(s["shot"] + 1, s["first_frame"], s["last_frame"], s["caption"]) for s in film["shots"]]
    # identity: one asset, colour and scale per entity in every shot (plan), and the same look (pixels)
    scenes = plan["variants"]
    for entity in film["entities"]:
        looks = {json.dumps([o["asset"]["id"], o["asset"]["uri"], o["color"], o["scale"], o["dimensions"]])
                 for shot, scene in zip(plan["film"]["shots"], scenes)
                 for o, e in zip(scene["objects"], shot["entities"]) if e == entity["id"]}
        assert len(looks) == 1, entity
    compared = 0
    for entity, by_shot in (entity_colours(request, film, frames) if segmented else {}).items():
        hues = {shot: colorsys.rgb_to_hsv(*(mean / 255)) for shot, mean in by_shot.items()}
        spread = max((hue_apart(a[0], b[0]) for a in hues.values() for b in hues.values()), default=0.0)
        levels = float(np.ptp(list(by_shot.values()), axis=0).max())
        report.append(f"{entity}: mean RGB per shot {({s: m.round(1).tolist() for s, m in by_shot.items()})}, "
                      f"hue spread {spread:.1f}°, RGB spread {levels:.1f}")
        if len(by_shot) > 1 and min(saturation for _, saturation, _ in hues.values()) >= SATURATION:
            compared += 1
            assert spread < HUE_DEGREES, (entity, by_shot)
    assert compared >= 1 or not segmented
    # continuity across each cut: positions and the side of the line of action, as Blender measured them
    sided = 0
    for before, after in zip(film["shots"], film["shots"][1:]):
        if before["set"] != after["set"]:
            continue
        ids = {o["entity"]: o["id"] for o in after["objects"]}
        last, opening = truth_of(request, before)["per_frame"][-1], truth_of(request, after)["per_frame"][0]
        for obj in before["objects"]:
            if obj["entity"] in ids:
                assert np.allclose(box_centre(last, obj["id"]), box_centre(opening, ids[obj["entity"]]), atol=0.01)
        sides = cut_sides(request, film, before, after)
        if sides is not None and abs(sides[0]) > 1e-3:
            assert (sides[0] * sides[1] < 0) == after["crosses_line"], (after["shot"], sides)
            sided += 1
            report.append(f"cut into shot {after['shot']}: camera {sides[0]:+.2f} then {sides[1]:+.2f} m from the line "
                          f"of action ({'crossed on purpose' if after['crosses_line'] else 'same side'})")
    assert sided >= 1
    # every shot's caption claims hold on the plan's path and on the measured scene
    verified = simfarm("verify", str(request), home=request)
    assert verified.returncode == 0, verified.stdout[-3000:] + verified.stderr[-2000:]
    assert "annotations" in verified.stdout and f"0/{len(film['shots']) - 1} " in verified.stdout
    return film


def test_story_renders_one_video_cut_at_the_planned_frames(tmp_path, render_report):
    done = simfarm("render", "--story", STORY, *TINY, "--engine", "CYCLES", "--samples", "4", "--passes",
                   "segmentation", "--seconds", "1", "--workers", "2", "--out", str(tmp_path), home=tmp_path / "home")
    request = rendered(done)
    film = check_film(request, render_report, segmented=True)
    assert [len(s["objects"]) for s in film["shots"]][0] == 1
    (ball,) = [e for e in film["entities"] if e["name"] == "ball"]
    assert ball["shots"] == [0, 1, 2] and ball["color"] == "red"
    for name in ("caption.txt", "credits.txt", "thumbnail.png"):
        assert (request / "variants/0" / name).is_file()
    assert (request / "variants/0/caption.txt").read_text().splitlines() == [s["caption"] for s in film["shots"]]


def test_shot_list_file_renders_its_lengths_and_moves(tmp_path, render_report):
    shots = [{"prompt": "a green cactus stands beside an orange cone in a desert", "frames": 6, "framing": "wide"},
             {"prompt": "the cone slides to the right", "frames": 10, "camera": "static"},
             {"prompt": "the cone slides to the left", "seconds": 0.75, "camera": "pan_left", "crossAxis": True}]
    (tmp_path / "shots.json").write_text(json.dumps(shots))
    done = simfarm("render", "--shots", str(tmp_path / "shots.json"), *TINY, "--engine", "WORKBENCH",
                   "--frames-per-shard", "4", "--workers", "2", "--out", str(tmp_path / "out"), home=tmp_path / "home")
    request = rendered(done)
    film = check_film(request, render_report, segmented=False)
    assert [(s["first_frame"], s["last_frame"]) for s in film["shots"]] == [(1, 6), (7, 16), (17, 25)]
    assert [s["camera"] for s in film["shots"]][1:] == ["static", "pan_left"]
    assert film["shots"][2]["crosses_line"] and not film["shots"][1]["crosses_line"]
    segments = sorted(p.name for p in (request / "segments/0").glob("*.mp4"))
    assert segments == ["000001-000004.mp4", "000005-000006.mp4", "000007-000010.mp4", "000011-000014.mp4",
                        "000015-000016.mp4", "000017-000020.mp4", "000021-000024.mp4", "000025-000025.mp4"]


@pytest.fixture
def render_report(request) -> list[str]:
    lines: list[str] = []
    yield lines
    for line in lines:
        print(line)
