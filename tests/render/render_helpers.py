"""Helpers of the render tests: plans from the pydantic models, the worker as a subprocess, decoding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from simfarm.plan import vocabulary
from simfarm.plan.layout import lay_out
from simfarm.retrieval import builtin
from simfarm.plan.models import (
    Animation, Background, CatalogRef, Framing, ObjectScale, Orientation, RenderSettings, RequestPlan, RigKeyframe,
    SceneObject, ScenePlan, Stage, StageMaterial,
)

WORKER_TIMEOUT_S = 300


def animation(name: str, speed_factor: float = 1.0) -> Animation:
    keys = [RigKeyframe(part=k.part, position=k.position, rotation=k.rotation, fov_offset=k.fov_offset)
            for k in vocabulary.ANIMATIONS_BY_NAME[name].keyframes]
    return Animation(name=name, keyframes=keys, speed_factor=speed_factor)


def scene_object(kind: str, placement: int, scale: str = "medium", **fields) -> SceneObject:
    """A plan object of an embedded type (its real size from the catalog), or of any ``uri`` (size unknown)."""
    uri = fields.pop("uri", None)
    asset = CatalogRef(uri=uri) if uri else CatalogRef(uri=f"procedural://object/{kind}", size_m=builtin.real_size(kind))
    return SceneObject(name=kind, description=kind, asset=asset, placement=placement,
                       scale=ObjectScale(factor=vocabulary.SCALES_BY_NAME[scale].factor, name=scale), **fields)


def variant(objects: list[SceneObject], *, camera: str = "static", index: int = 0, world: str = "procedural://world/studio",
            floor: str = "procedural://floor/concrete", yaw: float = 0.0, pitch: float = 20.0,
            framing: Framing = Framing(name="wide", fov=60, coverage_factor=2.5), **fields) -> ScenePlan:
    return ScenePlan(index=index, seed=index, objects=objects, background=Background(uri=world),
                     stage=Stage(material=StageMaterial(uri=floor)), orientation=Orientation(yaw=yaw, pitch=pitch),
                     framing=framing.model_copy(), animation=animation(camera),
                     caption=f"variant {index}", **fields)


def request(variants: list[ScenePlan], *, frames: int = 4, engine: str = "WORKBENCH", width: int = 64, height: int = 36,
            fps: int = 24, samples: int = 1, frames_per_shard: int = 0) -> RequestPlan:
    """A request of hand-made variants, laid out like the planner lays out its own."""
    settings = RenderSettings(width=width, height=height, fps=fps, frames=frames, engine=engine, samples=samples)
    for scene in variants:
        lay_out(scene, None, settings)
    return RequestPlan(prompt="test scene", seed=0, settings=settings, frames_per_shard=frames_per_shard,
                       variants=variants)


@dataclass
class WorkerResult:
    returncode: int
    summary: dict
    stderr: str


def write_plan(plan: RequestPlan, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "plan.json"
    path.write_text(plan.to_json())
    return path


def run_worker(*args: str, env: dict[str, str] | None = None) -> WorkerResult:
    completed = subprocess.run([sys.executable, "-m", "simfarm_render", *args], capture_output=True, text=True,
                               timeout=WORKER_TIMEOUT_S, env={**os.environ, **(env or {})})
    lines = completed.stdout.strip().splitlines()
    assert len(lines) == 1, f"stdout must hold exactly the JSON summary, got {completed.stdout!r}\n{completed.stderr}"
    return WorkerResult(completed.returncode, json.loads(lines[0]), completed.stderr)


def render(plan: RequestPlan, directory: Path, index: int = 0, env: dict[str, str] | None = None) -> WorkerResult:
    result = run_worker("shard", "--plan", str(write_plan(plan, directory)), "--index", str(index), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def decode(video: Path) -> list[np.ndarray]:
    """Every frame of a video as an RGB array."""
    with av.open(str(video)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def _blocks(frame: np.ndarray, size: int = 4) -> np.ndarray:
    height, width = frame.shape[0] // size * size, frame.shape[1] // size * size
    return frame[:height, :width].reshape(height // size, size, width // size, size, 3).mean(axis=(1, 3))


def difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two frames' 4×4 block averages, 0–255.

    Averaging blocks cancels most H.264 noise (an I-frame and a P-frame of the
    same picture differ by ~1–2 levels per pixel at 64×36) but keeps motion.
    """
    return float(np.abs(_blocks(a) - _blocks(b)).mean())


PROBE = Path(__file__).parent / "scene_probe.py"


def probe_scenes(plan: RequestPlan, directory: Path, env: dict[str, str] | None = None) -> list[dict]:
    """What the worker's Blender scene of each variant shows (see scene_probe.py)."""
    directory.mkdir(parents=True, exist_ok=True)
    plan_path, out = write_plan(plan, directory), directory / "probe.json"
    completed = subprocess.run([sys.executable, str(PROBE), str(plan_path), str(out)], capture_output=True, text=True,
                               timeout=WORKER_TIMEOUT_S * 4, env={**os.environ, **(env or {})})
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(out.read_text())
