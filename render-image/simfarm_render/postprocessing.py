"""The plan's postprocessing, mapped onto what Blender 5 offers.

- bloom: a compositor Glare node of type Bloom (every engine);
- ambient occlusion: EEVEE horizon scan ("fast GI") in AO mode, Cycles'
  fast-GI AO, Workbench cavity shading;
- reflections: EEVEE ray tracing (max roughness, screen-trace thickness);
  Cycles traces reflections anyway; Workbench shows specular highlights;
- motion blur: render motion blur with the plan's shutter (EEVEE, Cycles;
  ``vocabulary.ENGINE_EFFECTS`` says so; for Workbench the plan keeps it, the caption leaves it out).

An effect at level ``none`` changes nothing.
"""

from __future__ import annotations

import bpy

from simfarm.plan.models import Postprocessing
from simfarm.plan.vocabulary import ENGINE_EFFECTS, Level

BLOOM_RADIUS_MAX = 10.0  # plan radius is on Simverse's 0–10 scale; Glare size is 0–1 of the image


def apply(scene: bpy.types.Scene, post: Postprocessing, engine: str) -> None:
    if post.bloom.level != Level.none:
        _bloom(scene, post)
    if post.ssao.level != Level.none:
        _ambient_occlusion(scene, post, engine)
    if post.ssrr.level != Level.none:
        _reflections(scene, post, engine)
    if post.motionblur.level != Level.none and "motionblur" in ENGINE_EFFECTS[engine]:
        scene.render.use_motion_blur = True
        scene.render.motion_blur_shutter = post.motionblur.shutter_speed


def _bloom(scene: bpy.types.Scene, post: Postprocessing) -> None:
    tree = bpy.data.node_groups.new("postprocessing", "CompositorNodeTree")
    tree.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
    layers = tree.nodes.new("CompositorNodeRLayers")
    glare = tree.nodes.new("CompositorNodeGlare")
    output = tree.nodes.new("NodeGroupOutput")
    glare.inputs["Type"].default_value = "Bloom"
    glare.inputs["Threshold"].default_value = post.bloom.threshold
    glare.inputs["Strength"].default_value = post.bloom.intensity
    glare.inputs["Size"].default_value = min(1.0, post.bloom.radius / BLOOM_RADIUS_MAX)
    tree.links.new(layers.outputs["Image"], glare.inputs["Image"])
    tree.links.new(glare.outputs["Image"], output.inputs["Image"])
    scene.compositing_node_group = tree
    scene.render.use_compositing = True


def _ambient_occlusion(scene: bpy.types.Scene, post: Postprocessing, engine: str) -> None:
    if engine == "EEVEE":
        scene.eevee.use_raytracing = True
        scene.eevee.fast_gi_method = "AMBIENT_OCCLUSION_ONLY"
        scene.eevee.fast_gi_distance = post.ssao.distance
    elif engine == "CYCLES":
        scene.cycles.use_fast_gi = True
        scene.cycles.fast_gi_method = "REPLACE"
        scene.world.light_settings.ao_factor = post.ssao.factor
        scene.world.light_settings.distance = post.ssao.distance
    else:
        shading = scene.display.shading
        shading.show_cavity, shading.cavity_type = True, "WORLD"
        shading.cavity_valley_factor = min(2.5, 2.0 * post.ssao.factor)


def _reflections(scene: bpy.types.Scene, post: Postprocessing, engine: str) -> None:
    if engine == "EEVEE":
        scene.eevee.use_raytracing = True
        scene.eevee.ray_tracing_options.trace_max_roughness = post.ssrr.max_roughness
        scene.eevee.ray_tracing_options.screen_trace_thickness = post.ssrr.thickness
    elif engine == "WORKBENCH":
        scene.display.shading.show_specular_highlight = True
