"""Ground truth measured on the Blender scene itself, as a ``SceneTrack``.

Per frame: the camera as Blender has it (``matrix_world``, lens), each
object's tight 2D box from its real mesh vertices, the share of that box
inside the image, the depth of its box centre, its 3D box (the geometry's
box in the object's own frame, carried by the object's transform) and how
much of it nearer objects hide — rays cast from the camera through a grid
over its on-screen box against every object's real triangles.

Objects only ever move in straight lines without turning, so their
vertices and triangles are read once at frame 1 and shifted per frame.
"""

from __future__ import annotations

import math

import bpy
import numpy as np
from mathutils import Vector
from mathutils.bvhtree import BVHTree

from simfarm.plan.visibility import (
    BLENDER_TO_OPENCV, ObjectTrack, SceneTrack, boxes_in_view, intrinsics, project, rigid_inverse,
)

from .scene import BuiltScene

RAYS_PER_SIDE = 6  # occlusion rays per side of an object's on-screen box
RAY_EPSILON = 1e-4


def _triangles(root: bpy.types.Object) -> tuple[np.ndarray, np.ndarray]:
    """World vertices (P, 3) and triangles (T, 3) of every mesh under ``root``, at the current frame."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    points, faces, offset = [], [], 0
    for obj in root.children_recursive:
        if obj.type != "MESH":
            continue
        mesh = obj.evaluated_get(depsgraph).data
        mesh.calc_loop_triangles()
        local = np.empty(len(mesh.vertices) * 3)
        mesh.vertices.foreach_get("co", local)
        matrix = np.array(obj.matrix_world)
        points.append(local.reshape(-1, 3) @ matrix[:3, :3].T + matrix[:3, 3])
        triangles = np.empty(len(mesh.loop_triangles) * 3, dtype=np.int32)
        mesh.loop_triangles.foreach_get("vertices", triangles)
        faces.append(triangles.reshape(-1, 3) + offset)
        offset += len(mesh.vertices)
    return np.concatenate(points), np.concatenate(faces)


def _own_box(root: bpy.types.Object, points: np.ndarray) -> np.ndarray:
    """(8, 3) corners, in world space at the current frame, of the geometry's box in the root's frame."""
    to_world = np.array(root.matrix_world)
    local = (points - to_world[:3, 3]) @ np.linalg.solve(to_world[:3, :3], np.eye(3)).T
    low, high = local.min(axis=0), local.max(axis=0)
    corners = np.array([(x, y, z) for x in (low[0], high[0]) for y in (low[1], high[1]) for z in (low[2], high[2])])
    return corners @ to_world[:3, :3].T + to_world[:3, 3]


def _camera(scene: bpy.types.Scene, camera: bpy.types.Object) -> tuple[np.ndarray, float]:
    """Blender camera matrix and horizontal FOV at the current frame."""
    data = camera.data
    fov = math.degrees(2 * math.atan(data.sensor_width / 2 / data.lens))
    return np.array(camera.matrix_world), fov


def scene_track(built: BuiltScene, frames: np.ndarray) -> SceneTrack:
    """Measure the scene at ``frames`` (1-based)."""
    scene = built.scene
    width, height = scene.render.resolution_x, scene.render.resolution_y
    scene.frame_set(1)
    geometry = [_triangles(root) for root in built.roots]
    start = [np.array(root.matrix_world.translation) for root in built.roots]
    trees = [BVHTree.FromPolygons([Vector(p) for p in points], faces.tolist()) for points, faces in geometry]
    cameras, fovs, shifts, boxes3d = [], [], [], []
    for frame in frames:
        scene.frame_set(int(frame))
        matrix, fov = _camera(scene, built.camera)
        cameras.append(matrix)
        fovs.append(fov)
        shifts.append([np.array(root.matrix_world.translation) - begin for root, begin in zip(built.roots, start)])
        boxes3d.append([_own_box(root, points + shift) for root, (points, _), shift in
                        zip(built.roots, geometry, shifts[-1])])
    camera_to_world = np.array(cameras)
    shifts = np.array(shifts)  # (F, N, 3)
    K = intrinsics(np.array(fovs), width, height)
    extrinsics = BLENDER_TO_OPENCV @ rigid_inverse(camera_to_world)
    objects = []
    for index, (points, _) in enumerate(geometry):
        moved = points[None, :, :] + shifts[:, index, None, :]
        pixels, depth = project(moved, extrinsics, K)
        box, in_view = boxes_in_view(pixels, depth, width, height)  # a vertex behind the camera: not in view
        corners = np.array([frame_boxes[index] for frame_boxes in boxes3d])
        _, centre_depth = project(corners.mean(axis=1, keepdims=True), extrinsics, K)
        objects.append(ObjectTrack(box=box, in_view=in_view, depth=centre_depth[:, 0], corners=corners,
                                   occluded=np.zeros(len(frames)), top_share=built.top_shares[index]))
    for index, obj in enumerate(objects):
        obj.occluded = _occlusion(index, obj.box, trees, shifts, camera_to_world, K, width, height)
    return SceneTrack(frames=np.asarray(frames, dtype=float), width=width, height=height, K=K,
                      world_to_camera=extrinsics, objects=objects)


def _occlusion(index: int, boxes: np.ndarray, trees: list[BVHTree], shifts: np.ndarray, camera_to_world: np.ndarray,
               K: np.ndarray, width: int, height: int) -> np.ndarray:
    """Per frame, the share of rays through the object's on-screen box that reach it but meet another
    object first."""
    steps = (np.arange(RAYS_PER_SIDE) + 0.5) / RAYS_PER_SIDE
    hidden = np.zeros(len(boxes))
    for f, box in enumerate(np.nan_to_num(boxes)):
        x0, y0, x1, y1 = np.clip(box, 0, [width, height, width, height])
        if x1 <= x0 or y1 <= y0:
            continue
        origin = camera_to_world[f, :3, 3]
        rotation = camera_to_world[f, :3, :3] @ BLENDER_TO_OPENCV[:3, :3]
        reached = blocked = 0
        for v in y0 + (y1 - y0) * steps:
            for u in x0 + (x1 - x0) * steps:
                ray = rotation @ np.array(((u - K[f, 0, 2]) / K[f, 0, 0], (v - K[f, 1, 2]) / K[f, 1, 1], 1.0))
                direction = Vector(ray / np.linalg.norm(ray))
                own = trees[index].ray_cast(Vector(origin - shifts[f, index]), direction)[3]
                if own is None:
                    continue
                reached += 1
                for other, tree in enumerate(trees):
                    if other == index:
                        continue
                    distance = tree.ray_cast(Vector(origin - shifts[f, other]), direction)[3]
                    if distance is not None and distance < own - RAY_EPSILON:
                        blocked += 1
                        break
        hidden[f] = blocked / reached if reached else 0.0
    return hidden

