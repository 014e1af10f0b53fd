"""Scene objects: built from a blueprint or imported from a model file,
normalised to their plan scale and set on the grid.

Each object is an empty (its *root*) with the geometry under it, so
normalising and moving act on one transform whatever the asset contains.
Normalised means the largest dimension of its bounding box equals
``scale.factor`` scene units, so a "huge" object is larger than a "tiny" one
whatever size the model file was authored at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import bmesh
import bpy
from mathutils import Vector

from simfarm.plan import geometry
from simfarm.plan.models import SceneObject
from simfarm.retrieval.procedural import FINISHES, is_procedural, normalize_color

from . import library_models, materials
from .errors import PermanentError
from .generators import generator_for
from simfarm.retrieval.shapes import BLUEPRINTS, FRONT_TURN, Blueprint, Part

SMOOTH_PRIMITIVES = ("sphere", "torus")


@dataclass
class PlacedObject:
    """An object in the scene, after normalisation and placement."""

    root: bpy.types.Object
    minimum: Vector  # world bounding box at frame 1
    maximum: Vector

    @property
    def centre(self) -> Vector:
        return (self.minimum + self.maximum) / 2

    @property
    def size(self) -> float:
        return max(self.maximum - self.minimum)


def _unit_mesh(primitive: str, taper: float = 0.0, ring_ratio: float = 0.3) -> bpy.types.Mesh:
    """A shared mesh 1 unit across centred on the origin (a torus is 1 unit across its outer rim)."""
    key = f"unit:{primitive}:{taper:.3f}:{ring_ratio:.3f}"
    mesh = bpy.data.meshes.get(key)
    if mesh is not None:
        return mesh
    bm = bmesh.new()
    if primitive == "cube":
        bmesh.ops.create_cube(bm, size=1.0)
    elif primitive == "sphere":
        bmesh.ops.create_uvsphere(bm, u_segments=32, v_segments=16, radius=0.5)
    elif primitive in ("cylinder", "cone"):
        top = 0.5 if primitive == "cylinder" else 0.5 * taper
        bmesh.ops.create_cone(bm, cap_ends=True, segments=32, radius1=0.5, radius2=top, depth=1.0)
    elif primitive == "torus":
        _torus(bm, minor=ring_ratio / 2, major=0.5 - ring_ratio / 2)
    else:
        raise ValueError(f"unknown primitive {primitive!r}")
    if primitive in SMOOTH_PRIMITIVES:
        for face in bm.faces:
            face.smooth = True
    mesh = bpy.data.meshes.new(key)
    bm.to_mesh(mesh)
    bm.free()
    mesh.materials.append(None)  # one slot, filled per object
    return mesh


def _torus(bm: bmesh.types.BMesh, minor: float, major: float, rings: int = 32, sides: int = 12) -> None:
    grid = [[bm.verts.new(((major + minor * math.cos(v)) * math.cos(u), (major + minor * math.cos(v)) * math.sin(u),
                           minor * math.sin(v)))
             for v in (2 * math.pi * j / sides for j in range(sides))]
            for u in (2 * math.pi * i / rings for i in range(rings))]
    for i in range(rings):
        for j in range(sides):
            a, b = grid[i][j], grid[(i + 1) % rings][j]
            c, d = grid[(i + 1) % rings][(j + 1) % sides], grid[i][(j + 1) % sides]
            bm.faces.new((a, b, c, d))


def _paint(paint: str, body: bpy.types.Material) -> bpy.types.Material:
    if paint == "body":
        return body
    colour, _, finish = paint.partition("/")
    return materials.named(colour, finish or None)


def _part_object(name: str, part: Part, body: bpy.types.Material, root: bpy.types.Object) -> bpy.types.Object:
    if part.primitive == "torus":
        mesh = _unit_mesh("torus", ring_ratio=part.size[2] / part.size[0])
        scale = (part.size[0],) * 3
    else:
        mesh = _unit_mesh(part.primitive, taper=part.taper)
        scale = part.size
    obj = bpy.data.objects.new(name, mesh)
    obj.location, obj.scale = part.location, scale
    obj.rotation_euler = tuple(math.radians(angle) for angle in part.rotation)
    obj.material_slots[0].link = "OBJECT"
    obj.material_slots[0].material = _paint(part.paint, body)
    obj.parent = root
    return obj


def _body_material(blueprint: Blueprint, params: Mapping[str, str], plan_object: SceneObject) -> bpy.types.Material:
    colour = params.get("color") or normalize_color(plan_object.color or "") or blueprint.default_color
    finish = params.get("material") or (plan_object.material if plan_object.material in FINISHES else None)
    return materials.named(colour, finish or blueprint.default_finish)


def build_procedural(uri: str, plan_object: SceneObject, root: bpy.types.Object,
                     collection: bpy.types.Collection) -> None:
    ref, blueprint = generator_for(uri, "object", BLUEPRINTS)
    body = _body_material(blueprint, ref.params, plan_object)
    for number, part in enumerate(blueprint.parts):
        collection.objects.link(_part_object(f"{root.name}.{number}", part, body, root))


def _importers() -> Mapping[str, Callable[[str], set]]:
    return {
        ".glb": lambda path: bpy.ops.import_scene.gltf(filepath=path),
        ".gltf": lambda path: bpy.ops.import_scene.gltf(filepath=path),
        ".obj": lambda path: bpy.ops.wm.obj_import(filepath=path),
        ".fbx": lambda path: bpy.ops.import_scene.fbx(filepath=path),
        ".usd": lambda path: bpy.ops.wm.usd_import(filepath=path),
        ".usda": lambda path: bpy.ops.wm.usd_import(filepath=path),
        ".usdc": lambda path: bpy.ops.wm.usd_import(filepath=path),
        ".usdz": lambda path: bpy.ops.wm.usd_import(filepath=path),
        ".stl": lambda path: bpy.ops.wm.stl_import(filepath=path),
        ".ply": lambda path: bpy.ops.wm.ply_import(filepath=path),
    }


MODEL_SUFFIXES = tuple(_importers())


def import_model(path: Path, uri: str, root: bpy.types.Object, colour: str | None = None) -> None:
    """Import a model file and hang its meshes under ``root``; cameras and lights in the file are dropped.

    A library model is then turned upright and its body painted ``colour`` (``library_models.prepare``)."""
    importer = _importers().get(path.suffix.lower())
    if importer is None:
        raise PermanentError(f"asset {uri}: unsupported model format {path.suffix!r}; supported: {', '.join(MODEL_SUFFIXES)}")
    before = set(bpy.data.objects)
    try:
        result = importer(str(path))
    except (RuntimeError, ValueError) as error:
        raise PermanentError(f"asset {uri}: cannot import: {str(error).strip().splitlines()[-1]}") from error
    imported = [obj for obj in bpy.data.objects if obj not in before]
    if "FINISHED" not in result or not any(obj.type == "MESH" for obj in imported):
        raise PermanentError(f"asset {uri}: the file holds no mesh")
    for obj in imported:
        if obj.type in ("CAMERA", "LIGHT"):
            bpy.data.objects.remove(obj)
        elif obj.parent is None:
            obj.parent = root
    library_models.prepare(root, uri, colour)


def world_bounds(root: bpy.types.Object) -> tuple[Vector, Vector]:
    meshes = [obj for obj in root.children_recursive if obj.type == "MESH"]
    corners = [obj.matrix_world @ Vector(corner) for obj in meshes for corner in obj.bound_box]
    return (Vector(min(c[i] for c in corners) for i in range(3)),
            Vector(max(c[i] for c in corners) for i in range(3)))


def normalise(root: bpy.types.Object, largest_dimension: float) -> None:
    """Scale ``root`` so its bounding box's largest side is ``largest_dimension``."""
    bpy.context.view_layer.update()
    low, high = world_bounds(root)
    extent = max(high - low)
    if extent <= 0:
        raise PermanentError(f"object {root.name} has no extent")
    root.scale = root.scale * (largest_dimension / extent)


def place(root: bpy.types.Object, footprint_centre: tuple[float, float], floor_z: float) -> PlacedObject:
    """Move ``root`` so its bounding box is centred on ``footprint_centre`` and rests on ``floor_z``."""
    bpy.context.view_layer.update()
    low, high = world_bounds(root)
    root.location += Vector((footprint_centre[0] - (low.x + high.x) / 2, footprint_centre[1] - (low.y + high.y) / 2,
                             floor_z - low.z))
    bpy.context.view_layer.update()
    return PlacedObject(root, *world_bounds(root))


def support_order(plan_objects: list[SceneObject]) -> list[int]:
    """Object indices with every supporter before what it supports."""
    order: list[int] = []

    def visit(index: int) -> None:
        if index in order:
            return
        below = plan_objects[index].on_top_of
        if below is not None:
            visit(below)
        order.append(index)

    for index in range(len(plan_objects)):
        visit(index)
    return order


def add_objects(plan_objects: list[SceneObject], model_files: Mapping[int, Path],
                collection: bpy.types.Collection) -> list[PlacedObject]:
    """Build, normalise and place every plan object; ``model_files`` maps object index to a fetched file."""
    cell = geometry.cell_size(max(obj.scale.factor for obj in plan_objects))
    placed: dict[int, PlacedObject] = {}
    for index in support_order(plan_objects):
        plan_object = plan_objects[index]
        root = bpy.data.objects.new(f"object{index}:{plan_object.name}", None)
        collection.objects.link(root)
        uri = plan_object.asset.uri or f"procedural://object/{plan_object.name}"
        if index in model_files:
            import_model(model_files[index], uri, root, plan_object.color)
        elif is_procedural(uri):
            build_procedural(uri, plan_object, root, collection)
        else:
            raise PermanentError(f"object {index} ({plan_object.name}): asset {uri} was not fetched")
        normalise(root, plan_object.scale.factor)
        if plan_object.on_top_of is None:
            centre, floor = geometry.grid_position(plan_object.placement, cell), 0.0
        else:
            below = placed[plan_object.on_top_of]
            centre, floor = (below.centre.x, below.centre.y), below.maximum.z
        placed[index] = place(root, centre, floor)
    return [placed[index] for index in range(len(plan_objects))]
