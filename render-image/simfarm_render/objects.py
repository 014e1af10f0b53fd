"""Scene objects: built from a blueprint or imported from a model file, fitted to the
plan's box and set where the plan says.

Each object is an empty (its *root*) with the geometry under it. The plan
(``plan.layout``) fixes each object's box (``dimensions``: width, depth,
height), its turn about z (``heading``) and where the bottom centre of the
box stands at frame 1 (``position``); the worker makes the geometry fill
exactly that box in the root's frame — stretching each axis when the
catalog knows the real size (as Sweet Home 3D does with its models), else
scaling it uniformly to fit inside — and then turns and moves the root. So
the scene Blender renders is the one the planner framed and captioned.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable, Mapping

import bmesh
import bpy
import numpy as np
from mathutils import Matrix, Vector

from simfarm.plan.models import SceneObject
from simfarm.retrieval.procedural import FINISHES, is_procedural, normalize_color
from simfarm.retrieval.shapes import BLUEPRINTS, FRONT_TURN, Blueprint, Part

from . import library_models, materials
from .errors import PermanentError
from .generators import generator_for

SMOOTH_PRIMITIVES = ("sphere", "torus")


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


def _part_object(name: str, part: Part, body: bpy.types.Material, parent: bpy.types.Object) -> bpy.types.Object:
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
    obj.parent = parent
    return obj


def _body_material(blueprint: Blueprint, params: Mapping[str, str], plan_object: SceneObject) -> bpy.types.Material:
    colour = params.get("color") or normalize_color(plan_object.color or "") or blueprint.default_color
    finish = params.get("material") or (plan_object.material if plan_object.material in FINISHES else None)
    return materials.named(colour, finish or blueprint.default_finish)


def build_procedural(uri: str, plan_object: SceneObject, root: bpy.types.Object,
                     collection: bpy.types.Collection) -> None:
    """The blueprint's parts under ``root``, turned so that the object's front faces -y."""
    ref, blueprint = generator_for(uri, "object", BLUEPRINTS)
    body = _body_material(blueprint, ref.params, plan_object)
    model = bpy.data.objects.new(f"{root.name}.model", None)
    model.rotation_euler = (0.0, 0.0, math.radians(FRONT_TURN[blueprint.front]))
    model.parent = root
    collection.objects.link(model)
    for number, part in enumerate(blueprint.parts):
        collection.objects.link(_part_object(f"{root.name}.{number}", part, body, model))


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


def _mesh_points(root: bpy.types.Object, space: Matrix) -> np.ndarray:
    """(P, 3) every mesh vertex under ``root``, in the frame ``space`` maps world coordinates into."""
    points = []
    for obj in root.children_recursive:
        if obj.type != "MESH" or not obj.data.vertices:
            continue
        local = np.empty(len(obj.data.vertices) * 3)
        obj.data.vertices.foreach_get("co", local)
        matrix = np.array(space @ obj.matrix_world)
        points.append(local.reshape(-1, 3) @ matrix[:3, :3].T + matrix[:3, 3])
    if not points:
        raise PermanentError(f"object {root.name} has no mesh")
    return np.concatenate(points)


def fit(root: bpy.types.Object, dimensions: tuple[float, float, float], exact: bool) -> None:
    """Scale and shift the geometry under ``root`` so that its box, in the root's frame, is
    ``dimensions`` (or fits inside it, keeping proportions, when not ``exact``), bottom centre on the origin."""
    bpy.context.view_layer.update()
    points = _mesh_points(root, root.matrix_world.inverted())
    low, high = points.min(axis=0), points.max(axis=0)
    extent = high - low
    if np.any(extent <= 0) and exact or not np.any(extent > 0):
        raise PermanentError(f"object {root.name} has no extent")
    wanted = np.array(dimensions)
    with np.errstate(divide="ignore"):
        ratios = np.where(extent > 0, wanted / extent, np.inf)
    scale = ratios if exact else np.full(3, ratios.min())
    scale = np.where(np.isfinite(scale), scale, 1.0)
    bottom_centre = np.array(((low[0] + high[0]) / 2, (low[1] + high[1]) / 2, low[2]))
    shift = Matrix.Diagonal((*scale, 1.0)) @ Matrix.Translation(Vector(-bottom_centre))
    for child in root.children:
        child.matrix_parent_inverse = shift @ child.matrix_parent_inverse


def place(root: bpy.types.Object, position: tuple[float, float, float], heading: float) -> None:
    root.location = position
    root.rotation_euler = (0.0, 0.0, math.radians(heading))


def add_objects(plan_objects: list[SceneObject], model_files: Mapping[int, Path],
                collection: bpy.types.Collection) -> list[bpy.types.Object]:
    """Build, fit and place every plan object; ``model_files`` maps object index to a fetched file.

    Returns the roots, in plan order.
    """
    roots = []
    for index, plan_object in enumerate(plan_objects):
        if plan_object.dimensions is None or plan_object.position is None:
            raise PermanentError(f"object {index} ({plan_object.name}) has no layout (dimensions, position): plan the request again with this simfarm")
        root = bpy.data.objects.new(f"object{index}:{plan_object.name}", None)
        collection.objects.link(root)
        uri = plan_object.asset.uri or f"procedural://object/{plan_object.name}"
        if index in model_files:
            import_model(model_files[index], uri, root, plan_object.color)
        elif is_procedural(uri):
            build_procedural(uri, plan_object, root, collection)
        else:
            raise PermanentError(f"object {index} ({plan_object.name}): asset {uri} was not fetched")
        fit(root, plan_object.dimensions, exact=plan_object.asset.size_m is not None or is_procedural(uri))
        place(root, plan_object.position, plan_object.heading)
        roots.append(root)
    bpy.context.view_layer.update()
    return roots
