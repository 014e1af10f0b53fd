"""Render worker benchmark (prints numbers; never a pass/fail test).

1. seconds per frame per engine at 640×360 (the worker's render time);
2. overhead of ``simfarm-render shard`` (plan, scene build, PNG frames, PyAV
   encode, publish) against a bare bpy script that opens the same scene as a
   .blend and renders it straight to MP4 with Blender's FFmpeg output;
3. speed-up of 2 parallel shards over 1 shard rendering the same frames;
4. what ground truth costs: the worker's time for annotations.json (scene
   measurement and ray-cast occlusion) and for each pass (depth,
   segmentation, flow: the render with the pass against the same render
   without, plus writing the EXRs), as fractions of the plain render time.

Comparisons take the best of ``--repeats`` runs, alternating the two sides, so
that load from other processes on a shared machine skews them less.

    .venv/bin/python -P bench/render.py [--frames 24] [--cycles-frames 4] [--eevee-frames 0]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simfarm.plan import vocabulary
from simfarm.plan.layout import lay_out
from simfarm.plan.models import (
    Animation, Background, CatalogRef, Framing, ObjectScale, Orientation, RenderSettings, RequestPlan, RigKeyframe,
    SceneObject, ScenePlan, Stage, StageMaterial,
)
from simfarm.retrieval import builtin

WORKER = [sys.executable, "-m", "simfarm_render"]
SAVE_SCENE = """
import sys
import bpy
import numpy as np
from simfarm.plan.models import RequestPlan
from simfarm_render import scene
plan = RequestPlan.model_validate_json(open(sys.argv[1]).read())
frames = np.arange(1, plan.settings.frames + 2, dtype=float)
built = scene.build(plan.variants[0], plan.settings, scene.SceneAssets(), frames)
bpy.ops.wm.save_as_mainfile(filepath=sys.argv[2])
"""
BARE_RENDER = """
import sys
import bpy
bpy.ops.wm.open_mainfile(filepath=sys.argv[1])
scene = bpy.context.scene
scene.render.image_settings.media_type = "VIDEO"
scene.render.image_settings.file_format = "FFMPEG"
scene.render.ffmpeg.format, scene.render.ffmpeg.codec = "MPEG4", "H264"
scene.render.filepath = sys.argv[2]
bpy.ops.render.render(animation=True)
"""


def bench_plan(engine: str, frames: int, samples: int, frames_per_shard: int = 0,
               passes: tuple[str, ...] = ()) -> RequestPlan:
    def obj(kind, placement, scale, colour):
        return SceneObject(name=kind, description=kind, color=colour, placement=placement,
                           asset=CatalogRef(uri=f"procedural://object/{kind}", size_m=builtin.real_size(kind)),
                           scale=ObjectScale(factor=vocabulary.SCALES_BY_NAME[scale].factor, name=scale))

    orbit = vocabulary.ANIMATIONS_BY_NAME["orbit_left"]
    scene = ScenePlan(
        index=0, seed=0,
        objects=[obj("car", 3, "medium", "red"), obj("cabin", 5, "large", None), obj("tree", 1, "large", None)],
        background=Background(uri="procedural://world/sunset"),
        stage=Stage(material=StageMaterial(uri="procedural://floor/grass")),
        orientation=Orientation(yaw=30, pitch=15), framing=Framing(name="medium_wide", fov=45, coverage_factor=1.6),
        animation=Animation(name="orbit_left", keyframes=[RigKeyframe(**vars(k)) for k in orbit.keyframes]),
        caption="bench")
    settings = RenderSettings(width=640, height=360, fps=24, frames=frames, engine=engine, samples=samples,
                              passes=list(passes))
    lay_out(scene, None, settings)
    return RequestPlan(prompt="bench", seed=0, settings=settings, frames_per_shard=frames_per_shard, variants=[scene])


def write(plan: RequestPlan, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "plan.json").write_text(plan.to_json())
    return directory / "plan.json"


def shard(plan_path: Path, index: int) -> subprocess.Popen:
    return subprocess.Popen([*WORKER, "shard", "--plan", str(plan_path), "--index", str(index)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def finish(process: subprocess.Popen) -> dict:
    out, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"worker failed: {out}")
    return json.loads(out)


def timed(*processes: subprocess.Popen) -> tuple[float, list[dict]]:
    started = time.monotonic()
    summaries = [finish(p) for p in processes]
    return time.monotonic() - started, summaries


def best_of(repeats: int, *measurements):
    """Run each zero-argument measurement ``repeats`` times, interleaved; the shortest time of each."""
    times = [[] for _ in measurements]
    for _ in range(repeats):
        for record, measure in zip(times, measurements):
            record.append(measure())
    return [min(record) for record in times]


def run_bare(blend: Path, video: Path) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", BARE_RENDER, str(blend), str(video)], check=True, capture_output=True)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=24, help="Workbench frames (default 24)")
    parser.add_argument("--cycles-frames", type=int, default=4, help="Cycles frames at 8 spp (default 4; 0 skips)")
    parser.add_argument("--eevee-frames", type=int, default=0, help="EEVEE frames (default 0: skipped, ~25 s/frame on CPU)")
    parser.add_argument("--repeats", type=int, default=2, help="runs per comparison side (default 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="simfarm-bench-") as scratch:
        work = Path(scratch)
        print("engine      frames  s/frame  device")
        for engine, frames, samples in (("WORKBENCH", args.frames, 16), ("CYCLES", args.cycles_frames, 8),
                                        ("EEVEE", args.eevee_frames, 16)):
            if frames:
                _, (summary,) = timed(shard(write(bench_plan(engine, frames, samples), work / engine), 0))
                print(f"{engine:<10} {frames:>7} {summary['seconds_per_frame']:>8.3f}  {summary['device']}")

        plan = write(bench_plan("WORKBENCH", args.frames, 16), work / "overhead")
        subprocess.run([sys.executable, "-c", SAVE_SCENE, str(plan), str(work / "scene.blend")], check=True,
                       capture_output=True)
        bare, worker = best_of(args.repeats, lambda: run_bare(work / "scene.blend", work / "bare.mp4"),
                               lambda: timed(shard(plan, 0))[0])
        print(f"overhead: simfarm-render shard {worker:.2f} s / bare bpy {bare:.2f} s = {worker / bare:.3f} "
              f"({args.frames} Workbench frames, process start included)")

        whole = write(bench_plan("WORKBENCH", args.frames, 16), work / "one")
        halves = write(bench_plan("WORKBENCH", args.frames, 16, frames_per_shard=-(-args.frames // 2)), work / "two")
        one, two = best_of(args.repeats, lambda: timed(shard(whole, 0))[0],
                           lambda: timed(shard(halves, 0), shard(halves, 1))[0])
        print(f"parallel: 1 shard {one:.2f} s, 2 shards at once {two:.2f} s, speed-up {one / two:.2f}×")

        if args.cycles_frames:
            ground_truth(work, args.cycles_frames, args.repeats)


def ground_truth(work: Path, frames: int, repeats: int) -> None:
    """Annotations and each pass, as fractions of the plain Cycles render of the same shard."""
    def run(passes: tuple[str, ...]) -> dict:
        name = "-".join(passes) or "plain"
        return timed(shard(write(bench_plan("CYCLES", frames, 8, passes=passes), work / f"gt-{name}"), 0))[1][0]

    cases = [(), ("depth",), ("segmentation",), ("flow",), ("depth", "segmentation", "flow")]
    best: dict[tuple[str, ...], dict] = {}
    for _ in range(repeats):
        for passes in cases:
            summary = run(passes)
            if passes not in best or summary["render_seconds"] < best[passes]["render_seconds"]:
                best[passes] = summary
    plain = best[()]["render_seconds"]
    print(f"ground truth on {frames} Cycles frames (8 spp, 640×360), plain render {plain:.2f} s:")
    print(f"  annotations.json: {best[()]['annotation_seconds']:.2f} s = {best[()]['annotation_seconds'] / plain:.1%}")
    for passes in cases[1:]:
        extra = best[passes]["render_seconds"] - plain + best[passes]["pass_seconds"]
        print(f"  {'+'.join(passes):<24} {extra:+.2f} s = {extra / plain:+.1%} "
              f"(render {best[passes]['render_seconds']:.2f} s, EXR writing {best[passes]['pass_seconds']:.2f} s)")


if __name__ == "__main__":
    main()
