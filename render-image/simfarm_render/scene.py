"""One variant's scene, built from its ScenePlan in an empty Blender file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import bpy

from simfarm.plan import geometry
from simfarm.plan.models import RenderSettings, ScenePlan
from simfarm.retrieval.library_uris import is_library_model
from simfarm.retrieval.procedural import is_procedural

from . import camera, engine, library_models, motion, objects, postprocessing, stage, world
from .assets import AssetCache

MIN_FLOOR = 60.0  # scene units; the floor reaches past the frame at the widest framings
FLOOR_CELLS = 12


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


def build(plan: ScenePlan, settings: RenderSettings, assets: SceneAssets) -> bpy.types.Scene:
    """Replace whatever Blender holds with the variant's scene, animated over the whole clip."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    engine.configure(scene, settings)
    scene.frame_start, scene.frame_end = 1, settings.frames
    world.setup_world(scene, plan.background, assets.hdri)
    collection = bpy.data.collections.new("objects")
    scene.collection.children.link(collection)
    placed = objects.add_objects(plan.objects, assets.models, collection)
    cell = geometry.cell_size(max(obj.scale.factor for obj in plan.objects))
    stage.add_floor(scene, plan.stage, assets.floor_maps, max(MIN_FLOOR, FLOOR_CELLS * cell))
    motion.animate_movement(plan.objects, placed, plan.orientation.yaw, settings.fps, settings.frames)
    camera.add_camera_rig(scene, plan, camera.focus_of(plan, placed), settings.frames)
    postprocessing.apply(scene, plan.postprocessing, settings.engine)
    return scene
