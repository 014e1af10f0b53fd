"""One variant's scene, built from its ScenePlan in an empty Blender file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import bpy
import numpy as np

from simfarm.plan.models import RenderSettings, ScenePlan
from simfarm.retrieval.library_uris import is_library_model
from simfarm.retrieval.procedural import is_procedural

from . import camera, engine, library_models, motion, objects, postprocessing, stage, world
from .assets import AssetCache

MIN_FLOOR = 60.0  # metres
FLOOR_DISTANCES = 40  # the floor spans this many camera distances, so its edge stays out of the frame
# Under an HDRI the floor is a patch of this many camera distances' radius (it reaches under the camera) that
# fades into the HDRI's ground; Workbench shows no HDRI and keeps the whole floor.
PATCH_DISTANCES = 1.2
MIN_PATCH = 3.0  # metres


@dataclass
class SceneAssets:
    """Local files for every non-procedural asset a variant uses."""

    models: dict[int, Path] = field(default_factory=dict)  # object index -> model file
    hdri: Path | None = None
    floor_maps: dict[str, Path] = field(default_factory=dict)  # map role -> image file


def fetch_assets(plan: ScenePlan, cache: AssetCache) -> SceneAssets:
    fetched = SceneAssets()
    for index, plan_object in enumerate(plan.objects):
        uri = plan_object.asset.uri
        if uri and not is_procedural(uri):
            fetched.models[index] = library_models.fetch_model(uri, cache) if is_library_model(uri) else cache.fetch(uri)
    if plan.background.uri and not is_procedural(plan.background.uri):
        fetched.hdri = library_models.background_file(plan.background.uri) or cache.fetch(plan.background.uri)
    material = plan.stage.material
    maps = dict(material.maps)
    if material.uri and not is_procedural(material.uri):
        maps.setdefault("diffuse", material.uri)
    fetched.floor_maps = {role: cache.fetch(uri) for role, uri in maps.items()}
    return fetched


@dataclass
class BuiltScene:
    """A variant's scene in Blender and the handles ground truth needs."""

    scene: bpy.types.Scene
    roots: list[bpy.types.Object]  # one per plan object, in plan order
    camera: bpy.types.Object
    top_shares: list[float]  # per root, where stacked objects rest on it (``SceneObject.top_share``)


def build(plan: ScenePlan, settings: RenderSettings, assets: SceneAssets, key_frames: np.ndarray) -> BuiltScene:
    """Replace whatever Blender holds with the variant's scene; the camera is keyed on ``key_frames``."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    engine.configure(scene, settings)
    scene.frame_start, scene.frame_end = 1, settings.frames
    world.setup_world(scene, plan.background, assets.hdri)
    collection = bpy.data.collections.new("objects")
    scene.collection.children.link(collection)
    roots = objects.add_objects(plan.objects, assets.models, collection)
    patch = (max(MIN_PATCH, PATCH_DISTANCES * plan.framing.distance)
             if assets.hdri is not None and settings.engine != "WORKBENCH" else None)
    stage.add_floor(scene, plan.stage, assets.floor_maps, max(MIN_FLOOR, FLOOR_DISTANCES * plan.framing.distance),
                    patch)
    motion.animate_movement(plan, roots, settings.fps, settings.frames)
    rig_camera, _ = camera.add_camera_rig(scene, plan, settings, key_frames)
    postprocessing.apply(scene, plan.postprocessing, settings.engine)
    return BuiltScene(scene, roots, rig_camera, [obj.top_share for obj in plan.objects])
