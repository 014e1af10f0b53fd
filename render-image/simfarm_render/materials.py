"""Principled-BSDF materials: flat colours with a finish, and image-map sets.

Every material also sets ``diffuse_color``, the colour Workbench shows, so
the three engines agree on what colour a thing is.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Mapping

import bpy

from simfarm.retrieval.procedural import FINISHES, Finish, linear_rgb

from .errors import PermanentError

DEFAULT_FINISH = Finish(roughness=0.5)
# Image-map roles a material's ``maps`` may carry, and whether they hold colour.
MAP_ROLES: Mapping[str, bool] = {
    "diffuse": True, "normal": False, "roughness": False, "ao": False, "displacement": False, "arm": False,
}


def _new_principled(name: str) -> tuple[bpy.types.Material, bpy.types.Node]:
    material = bpy.data.materials.new(name)  # with a node tree: Blender 5 has no other kind
    bsdf = next(node for node in material.node_tree.nodes if node.type == "BSDF_PRINCIPLED")
    return material, bsdf


def flat(name: str, rgb: tuple[float, float, float], finish: Finish = DEFAULT_FINISH) -> bpy.types.Material:
    """A uniform material: ``rgb`` is linear, ``finish`` sets roughness/metal/glass."""
    material, bsdf = _new_principled(name)
    bsdf.inputs["Base Color"].default_value = (*rgb, 1.0)
    bsdf.inputs["Roughness"].default_value = finish.roughness
    bsdf.inputs["Metallic"].default_value = finish.metallic
    bsdf.inputs["Transmission Weight"].default_value = finish.transmission
    # Workbench shows metals as dark mirrors of its studio light: it gets the colour only.
    material.diffuse_color = (*rgb, 1.0 - 0.6 * finish.transmission)
    material.roughness = finish.roughness
    return material


def named(color: str, finish_name: str | None = None) -> bpy.types.Material:
    """A flat material from the catalog's colour and finish names, shared per pair."""
    key = f"{color}:{finish_name or 'default'}"
    existing = bpy.data.materials.get(key)
    if existing is not None:
        return existing
    return flat(key, linear_rgb(color), FINISHES.get(finish_name or "", DEFAULT_FINISH))


def uv_mapping(material: bpy.types.Material, repeat: tuple[float, float], rotation_degrees: float) -> bpy.types.Node:
    """A Mapping node fed by the mesh's UVs, tiled ``repeat`` times and turned about the normal."""
    nodes, links = material.node_tree.nodes, material.node_tree.links
    coordinates = nodes.new("ShaderNodeTexCoord")
    mapping = nodes.new("ShaderNodeMapping")
    mapping.inputs["Scale"].default_value = (repeat[0], repeat[1], 1.0)
    mapping.inputs["Rotation"].default_value = (0.0, 0.0, math.radians(rotation_degrees))
    links.new(coordinates.outputs["UV"], mapping.inputs["Vector"])
    return mapping


def image_maps(name: str, maps: Mapping[str, Path], repeat: tuple[float, float],
               rotation_degrees: float) -> bpy.types.Material:
    """A material from texture maps (diffuse, normal, roughness, ao, displacement, arm).

    ARM is the glTF packing: ambient occlusion in red, roughness in green,
    metallic in blue. AO darkens the base colour (there is no AO input).
    """
    unknown = set(maps) - set(MAP_ROLES)
    if unknown:
        raise PermanentError(f"material {name}: unknown texture map(s) {sorted(unknown)}; known: {list(MAP_ROLES)}")
    material, bsdf = _new_principled(name)
    nodes, links = material.node_tree.nodes, material.node_tree.links
    mapping = uv_mapping(material, repeat, rotation_degrees)

    def texture(role: str) -> bpy.types.Node:
        node = nodes.new("ShaderNodeTexImage")
        try:
            node.image = bpy.data.images.load(str(maps[role]), check_existing=True)
        except RuntimeError as error:
            raise PermanentError(f"material {name}: cannot load {role} map {maps[role]}: {error}") from error
        if not MAP_ROLES[role]:
            node.image.colorspace_settings.is_data = True
        links.new(mapping.outputs["Vector"], node.inputs["Vector"])
        return node

    textures = {role: texture(role) for role in maps}
    occlusion = None
    if "arm" in textures:
        channels = nodes.new("ShaderNodeSeparateColor")
        links.new(textures["arm"].outputs["Color"], channels.inputs["Color"])
        occlusion = channels.outputs["Red"]
        links.new(channels.outputs["Green"], bsdf.inputs["Roughness"])
        links.new(channels.outputs["Blue"], bsdf.inputs["Metallic"])
    if "ao" in textures:
        occlusion = textures["ao"].outputs["Color"]
    if "roughness" in textures:
        links.new(textures["roughness"].outputs["Color"], bsdf.inputs["Roughness"])
    if "diffuse" in textures:
        base = textures["diffuse"].outputs["Color"]
        if occlusion is not None:
            multiply = nodes.new("ShaderNodeMix")
            multiply.data_type, multiply.blend_type = "RGBA", "MULTIPLY"
            multiply.inputs["Factor"].default_value = 1.0
            links.new(base, multiply.inputs["A"])
            links.new(occlusion, multiply.inputs["B"])
            base = multiply.outputs["Result"]
        links.new(base, bsdf.inputs["Base Color"])
    if "normal" in textures:
        normal_map = nodes.new("ShaderNodeNormalMap")
        links.new(textures["normal"].outputs["Color"], normal_map.inputs["Color"])
        links.new(normal_map.outputs["Normal"], bsdf.inputs["Normal"])
    if "displacement" in textures:
        displacement = nodes.new("ShaderNodeDisplacement")
        displacement.inputs["Scale"].default_value = 0.05
        links.new(textures["displacement"].outputs["Color"], displacement.inputs["Height"])
        output = next(node for node in nodes if node.type == "OUTPUT_MATERIAL")
        links.new(displacement.outputs["Displacement"], output.inputs["Displacement"])
    return material
