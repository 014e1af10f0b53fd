"""The stage: a floor plane under the objects with a procedural or image-map material.

Under an HDRI (Cycles and EEVEE) the floor is a patch around the scene that
fades out towards its rim: the objects stand and cast their shadows on the
plan's floor material, and beyond it the HDRI's own ground and horizon are
seen, as in a photograph, instead of a plane running to the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import bmesh
import bpy

from simfarm.plan.models import Stage
from simfarm.retrieval.procedural import Finish, linear_rgb, normalize_color

from . import materials
from .generators import generator_for

DEFAULT_FLOOR = "procedural://floor/concrete"
TILE_METRES = 2.0  # one texture repeat covers this much floor at uv_scale 1
FADE_SHARE = 0.35  # of the patch radius, at its rim, over which the floor fades out
MORTAR = (0.22, 0.19, 0.16, 1.0)  # linear RGB of sandy mortar
MORTAR_SHARE = 0.02  # in texture units, where a brick is 0.5 wide (20 cm of floor): joints 8 mm wide


@dataclass(frozen=True)
class Floor:
    color: str  # catalog colour name
    roughness: float
    pattern: str  # noise | bricks | checker | waves | plain
    contrast: float = 0.3  # how far the pattern darkens the colour
    metallic: float = 0.0


FLOORS: Mapping[str, Floor] = {
    "wood": Floor("brown", 0.5, "waves", 0.35),
    "marble": Floor("white", 0.1, "noise", 0.15),
    "concrete": Floor("gray", 0.9, "noise", 0.15),
    "asphalt": Floor("black", 0.95, "noise", 0.4),
    "grass": Floor("green", 0.95, "noise", 0.35),
    "sand": Floor("beige", 1.0, "noise", 0.15),
    "snow": Floor("white", 0.7, "noise", 0.05),
    "tiles": Floor("white", 0.2, "checker", 0.25),
    "carpet": Floor("red", 1.0, "noise", 0.2),
    "metal": Floor("silver", 0.3, "noise", 0.1, metallic=1.0),
    "dirt": Floor("brown", 1.0, "noise", 0.4),
    "brick": Floor("red", 0.85, "bricks", 0.5),
    "gravel": Floor("gray", 1.0, "noise", 0.5),
    "ice": Floor("teal", 0.05, "noise", 0.1),
    "water": Floor("blue", 0.02, "noise", 0.6),  # mirror-smooth: the sky it reflects is most of what it shows
}


def add_floor(scene: bpy.types.Scene, stage: Stage, image_maps: Mapping[str, Path], size: float,
              patch_radius: float | None = None) -> bpy.types.Object:
    """A square floor of side ``size`` centred under the scene at z = 0, or a patch of ``patch_radius`` that
    fades out at its rim."""
    if patch_radius is not None:
        size = 2 * patch_radius
    mesh = bpy.data.meshes.new("floor")
    bm = bmesh.new()
    bm.loops.layers.uv.new("UVMap")  # calc_uvs fills a UV layer only where one exists
    bmesh.ops.create_grid(bm, x_segments=1, y_segments=1, size=size / 2, calc_uvs=True)
    bm.to_mesh(mesh)
    bm.free()
    floor = bpy.data.objects.new("floor", mesh)
    scene.collection.objects.link(floor)
    repeat = (stage.uv_scale[0] * size / TILE_METRES, stage.uv_scale[1] * size / TILE_METRES)
    if image_maps:
        material = materials.image_maps("floor", image_maps, repeat, stage.uv_rotation)
    else:
        material = _procedural(stage.material.uri or DEFAULT_FLOOR, repeat, stage.uv_rotation)
    if patch_radius is not None:
        _fade_out(material, patch_radius)
    mesh.materials.append(material)
    return floor


def _fade_out(material: bpy.types.Material, radius: float) -> None:
    """Blend the material into a transparent surface towards ``radius`` from the floor's centre."""
    nodes, links = material.node_tree.nodes, material.node_tree.links
    output = next(node for node in nodes if node.type == "OUTPUT_MATERIAL")
    surface = output.inputs["Surface"].links[0].from_socket
    coordinates, mapping = nodes.new("ShaderNodeTexCoord"), nodes.new("ShaderNodeMapping")
    mapping.inputs["Scale"].default_value = (1 / radius,) * 3
    gradient = nodes.new("ShaderNodeTexGradient")
    gradient.gradient_type = "SPHERICAL"  # 1 at the centre, 0 from `radius` on
    ramp = nodes.new("ShaderNodeValToRGB")
    ramp.color_ramp.elements[1].position = FADE_SHARE
    mix, transparent = nodes.new("ShaderNodeMixShader"), nodes.new("ShaderNodeBsdfTransparent")
    links.new(coordinates.outputs["Object"], mapping.inputs["Vector"])
    links.new(mapping.outputs["Vector"], gradient.inputs["Vector"])
    links.new(gradient.outputs["Fac"], ramp.inputs["Fac"])
    links.new(ramp.outputs["Color"], mix.inputs["Fac"])
    links.new(transparent.outputs["BSDF"], mix.inputs[1])
    links.new(surface, mix.inputs[2])
    links.new(mix.outputs["Shader"], output.inputs["Surface"])


def _procedural(uri: str, repeat: tuple[float, float], rotation: float) -> bpy.types.Material:
    ref, floor = generator_for(uri, "floor", FLOORS)
    colour = linear_rgb(normalize_color(ref.params.get("color", "")) or floor.color)
    material = materials.flat(f"floor:{ref.type}", colour, Finish(floor.roughness, floor.metallic))
    if floor.pattern != "plain":
        _add_pattern(material, floor, colour, repeat, rotation)
    return material


def _add_pattern(material: bpy.types.Material, floor: Floor, colour, repeat, rotation: float) -> None:
    """Modulate the base colour by a texture: the floor reads as wood, tiles, bricks or grain."""
    nodes, links = material.node_tree.nodes, material.node_tree.links
    mapping = materials.uv_mapping(material, repeat, rotation)
    texture = nodes.new({"noise": "ShaderNodeTexNoise", "bricks": "ShaderNodeTexBrick",
                         "checker": "ShaderNodeTexChecker", "waves": "ShaderNodeTexWave"}[floor.pattern])
    links.new(mapping.outputs["Vector"], texture.inputs["Vector"])
    bsdf = next(node for node in nodes if node.type == "BSDF_PRINCIPLED")
    if floor.pattern == "bricks":
        _lay_bricks(material, texture, bsdf, colour, floor.contrast)
        return
    ramp = nodes.new("ShaderNodeValToRGB")
    dark = tuple(c * (1.0 - floor.contrast) for c in colour)
    ramp.color_ramp.elements[0].color = (*dark, 1.0)
    ramp.color_ramp.elements[1].color = (*colour, 1.0)
    links.new(texture.outputs["Fac"], ramp.inputs["Fac"])
    links.new(ramp.outputs["Color"], bsdf.inputs["Base Color"])


def _lay_bricks(material: bpy.types.Material, bricks: bpy.types.Node, bsdf: bpy.types.Node, colour,
                contrast: float) -> None:
    """Bricks of two shades of the colour in pale, sunken mortar.

    The mortar mask alone (a ramp over ``Fac``) is a line a few millimetres
    wide: seen from a few metres it vanishes and the floor reads as a flat
    plane of the colour. Shading brick by brick and denting the joints keeps
    the courses visible at a distance.
    """
    nodes, links = material.node_tree.nodes, material.node_tree.links
    bricks.inputs["Color1"].default_value = (*colour, 1.0)
    bricks.inputs["Color2"].default_value = (*(c * (1.0 - contrast) for c in colour), 1.0)
    bricks.inputs["Mortar"].default_value = MORTAR
    bricks.inputs["Mortar Size"].default_value = MORTAR_SHARE
    links.new(bricks.outputs["Color"], bsdf.inputs["Base Color"])
    bump = nodes.new("ShaderNodeBump")
    bump.invert = True  # the mask is 1 in the joints: they sink
    bump.inputs["Strength"].default_value = 0.3
    links.new(bricks.outputs["Fac"], bump.inputs["Height"])
    links.new(bump.outputs["Normal"], bsdf.inputs["Normal"])
