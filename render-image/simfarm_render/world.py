"""The world: a procedural sky with a sun, or an HDRI environment map.

Workbench ignores world shaders and lights; it shows ``world.color``, set to
the sky's horizon colour (or a neutral grey for an HDRI).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import bpy

from simfarm.plan.models import Background

from .errors import PermanentError
from .generators import generator_for

DEFAULT_WORLD = "procedural://world/noon"
HDRI_GREY = (0.3, 0.3, 0.3)

RGB = tuple[float, float, float]  # linear


@dataclass(frozen=True)
class Sky:
    horizon: RGB
    zenith: RGB
    sun_elevation: float  # degrees above the horizon
    sun_azimuth: float  # degrees, scene bearing
    sun_energy: float  # W/m², Blender's sun strength
    sun_color: RGB = (1.0, 1.0, 1.0)
    sky_strength: float = 1.0


SKIES: Mapping[str, Sky] = {
    "sunset": Sky((0.9, 0.35, 0.1), (0.15, 0.1, 0.3), 6, 250, 3.0, (1.0, 0.5, 0.25)),
    "sunrise": Sky((0.95, 0.55, 0.35), (0.25, 0.35, 0.6), 8, 100, 3.0, (1.0, 0.7, 0.5)),
    "noon": Sky((0.6, 0.75, 0.95), (0.15, 0.35, 0.8), 70, 160, 4.0),
    "overcast": Sky((0.6, 0.62, 0.65), (0.45, 0.47, 0.5), 45, 180, 0.5, (0.9, 0.9, 0.95), 1.5),
    "night": Sky((0.02, 0.03, 0.08), (0.0, 0.0, 0.02), 30, 200, 0.3, (0.6, 0.7, 1.0), 0.5),
    "studio": Sky((0.5, 0.5, 0.5), (0.35, 0.35, 0.35), 50, 135, 3.0),
    "snowy": Sky((0.85, 0.88, 0.95), (0.55, 0.62, 0.75), 25, 200, 2.0, (0.95, 0.97, 1.0), 1.3),
    "foggy": Sky((0.7, 0.72, 0.74), (0.6, 0.62, 0.65), 35, 180, 0.6, (0.9, 0.9, 0.9), 1.4),
    "desert": Sky((0.95, 0.8, 0.55), (0.3, 0.5, 0.85), 60, 200, 5.0, (1.0, 0.95, 0.85)),
    "forest": Sky((0.45, 0.6, 0.4), (0.3, 0.5, 0.7), 40, 150, 2.5, (1.0, 0.95, 0.8)),
    "dusk": Sky((0.5, 0.3, 0.45), (0.05, 0.05, 0.2), 2, 260, 1.0, (0.9, 0.5, 0.5), 0.8),
    "stormy": Sky((0.3, 0.32, 0.35), (0.12, 0.13, 0.16), 40, 180, 0.8, (0.8, 0.85, 0.9), 0.8),
}


def setup_world(scene: bpy.types.Scene, background: Background, hdri: Path | None) -> None:
    world = bpy.data.worlds.new("world")  # with a node tree: Blender 5 has no other kind (use_nodes is deprecated)
    scene.world = world
    if hdri is not None:
        _environment_map(world, hdri, background.uri)
        return
    uri = background.uri or DEFAULT_WORLD
    _, sky = generator_for(uri, "world", SKIES)
    _gradient_sky(world, sky)
    _sun(scene, sky)


def _environment_map(world: bpy.types.World, path: Path, uri: str) -> None:
    nodes, links = world.node_tree.nodes, world.node_tree.links
    environment = nodes.new("ShaderNodeTexEnvironment")
    try:
        environment.image = bpy.data.images.load(str(path), check_existing=True)
    except RuntimeError as error:
        raise PermanentError(f"background {uri}: cannot load the environment map: {error}") from error
    links.new(environment.outputs["Color"], nodes["Background"].inputs["Color"])
    world.color = HDRI_GREY


def _gradient_sky(world: bpy.types.World, sky: Sky) -> None:
    """Horizon colour at and below the horizon, blending to the zenith colour overhead."""
    nodes, links = world.node_tree.nodes, world.node_tree.links
    direction = nodes.new("ShaderNodeTexCoord")
    axes = nodes.new("ShaderNodeSeparateXYZ")
    ramp = nodes.new("ShaderNodeValToRGB")
    ramp.color_ramp.elements[0].color = (*sky.horizon, 1.0)
    ramp.color_ramp.elements[1].color = (*sky.zenith, 1.0)
    links.new(direction.outputs["Generated"], axes.inputs["Vector"])
    links.new(axes.outputs["Z"], ramp.inputs["Fac"])
    background = nodes["Background"]
    links.new(ramp.outputs["Color"], background.inputs["Color"])
    background.inputs["Strength"].default_value = sky.sky_strength
    world.color = sky.horizon


def _sun(scene: bpy.types.Scene, sky: Sky) -> None:
    light = bpy.data.lights.new("sun", "SUN")
    light.energy = sky.sun_energy
    light.color = sky.sun_color
    light.angle = math.radians(2.0)
    sun = bpy.data.objects.new("sun", light)
    # A sun points down its local -Z: tilt it from straight down to the elevation, then turn it to the azimuth.
    sun.rotation_euler = (math.radians(90 - sky.sun_elevation), 0.0, math.radians(sky.sun_azimuth))
    scene.collection.objects.link(sun)
