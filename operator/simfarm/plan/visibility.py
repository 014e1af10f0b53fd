"""What the camera sees of each object at each frame: the geometry track claims are checked against.

A ``SceneTrack`` holds, per frame, the camera (intrinsics ``K`` and the
OpenCV-style world-to-camera matrix: x right, y down, z forward) and, per
object, its 2D box in pixels, the fraction of that box inside the frame,
its depth, its 3D box and how much of it nearer objects hide. It is made
from three sources with one meaning: the plan alone (``track_from_plan``:
the boxes the worker is told to build, moved along the camera path), the
worker's Blender scene (tight boxes of the real meshes, ray-cast
occlusion), and an ``annotations.json`` written by the worker.

Pixel coordinates: (0, 0) is the top-left corner of the image, x to the
right, y down; a pixel's centre is at +0.5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .camera_path import CameraPath, camera_path, euler_matrices
from .models import RenderSettings, ScenePlan, SceneObject

BLENDER_TO_OPENCV = np.diag([1.0, -1.0, -1.0, 1.0])  # camera axes: (x, y up, -z forward) -> (x, y down, z forward)
NEAR = 0.05  # metres: corners closer than this (or behind) count as out of view
OCCLUSION_SAMPLES = 10  # per side of an object's box, planner's estimate


@dataclass
class ObjectTrack:
    box: np.ndarray  # (F, 4) x0, y0, x1, y1 in pixels, not clipped to the image
    in_view: np.ndarray  # (F,) fraction of the box inside the image
    depth: np.ndarray  # (F,) mean camera-space depth of the object (metres, along the view axis)
    corners: np.ndarray  # (F, 8, 3) world corners of its 3D box
    occluded: np.ndarray  # (F,) fraction of its visible part hidden behind nearer objects
    top_share: float = 1.0  # share of the box height where what stands on it rests (``SceneObject.top_share``)

    @property
    def centre(self) -> np.ndarray:
        return np.stack([(self.box[:, 0] + self.box[:, 2]) / 2, (self.box[:, 1] + self.box[:, 3]) / 2], axis=1)

    @property
    def size(self) -> np.ndarray:
        """(F, 2) width and height of the box in pixels."""
        return np.stack([self.box[:, 2] - self.box[:, 0], self.box[:, 3] - self.box[:, 1]], axis=1)


@dataclass
class SceneTrack:
    frames: np.ndarray  # (F,)
    width: int
    height: int
    K: np.ndarray  # (F, 3, 3)
    world_to_camera: np.ndarray  # (F, 4, 4), OpenCV axes
    objects: list[ObjectTrack]
    path: CameraPath | None = None  # the pure path, when the track was made from the plan

    @property
    def camera_to_world(self) -> np.ndarray:
        """Blender-style camera matrices (camera looks down its -z)."""
        return rigid_inverse(self.world_to_camera) @ BLENDER_TO_OPENCV


def intrinsics(fov_degrees: np.ndarray, width: int, height: int) -> np.ndarray:
    """(F, 3, 3) pinhole matrices for a horizontal FOV with square pixels (Blender's sensor fit HORIZONTAL)."""
    focal = (width / 2) / np.tan(np.radians(np.asarray(fov_degrees, dtype=float)) / 2)
    K = np.zeros((len(focal), 3, 3))
    K[:, 0, 0] = K[:, 1, 1] = focal
    K[:, 0, 2], K[:, 1, 2], K[:, 2, 2] = width / 2, height / 2, 1.0
    return K


def rigid_inverse(matrices: np.ndarray) -> np.ndarray:
    """Inverse of (F, 4, 4) rotation-and-translation matrices, without a general (and, in a
    busy BLAS, slow) matrix inversion."""
    rotation_t = np.swapaxes(matrices[:, :3, :3], 1, 2)
    inverse = np.zeros_like(matrices)
    inverse[:, :3, :3] = rotation_t
    inverse[:, :3, 3] = -np.einsum("fij,fj->fi", rotation_t, matrices[:, :3, 3])
    inverse[:, 3, 3] = 1.0
    return inverse


def world_to_camera(camera_to_world: np.ndarray) -> np.ndarray:
    """OpenCV-axes extrinsics from Blender camera matrices."""
    return BLENDER_TO_OPENCV @ rigid_inverse(camera_to_world)


def pixel_rays(K: np.ndarray) -> np.ndarray:
    """(F, 3, 3) inverses of pinhole matrices: pixel (u, v, 1) -> ray in OpenCV camera axes."""
    inverse = np.zeros_like(K)
    inverse[:, 0, 0] = 1 / K[:, 0, 0]
    inverse[:, 1, 1] = 1 / K[:, 1, 1]
    inverse[:, 0, 2] = -K[:, 0, 2] / K[:, 0, 0]
    inverse[:, 1, 2] = -K[:, 1, 2] / K[:, 1, 1]
    inverse[:, 2, 2] = 1.0
    return inverse


def box_corners(obj: SceneObject) -> np.ndarray:
    """(8, 3) world corners of an object's planned box at frame 1."""
    width, depth, height = obj.dimensions
    x, y, z = obj.position
    local = np.array([(sx * width / 2, sy * depth / 2, sz * height) for sx in (-1, 1) for sy in (-1, 1) for sz in (0, 1)])
    turn = euler_matrices(np.radians([[0.0, 0.0, obj.heading]]))[0]
    return local @ turn.T + np.array((x, y, z))


def project(points: np.ndarray, extrinsics: np.ndarray, K: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """World points (F, P, 3) -> pixels (F, P, 2) and depths (F, P) for per-frame cameras."""
    homogeneous = np.concatenate([points, np.ones((*points.shape[:2], 1))], axis=2)
    camera = np.einsum("fij,fpj->fpi", extrinsics, homogeneous)[..., :3]
    depth = camera[..., 2]
    safe = np.where(depth > NEAR, depth, np.nan)
    pixels = np.einsum("fij,fpj->fpi", K, camera)[..., :2] / safe[..., None]
    return pixels, depth


def boxes_in_view(pixels: np.ndarray, depth: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """2D boxes (F, 4) of projected point sets and the fraction of each inside the image.

    A set with any point at or behind the near plane counts as out of view (its
    projection is unbounded).
    """
    behind = np.any(depth <= NEAR, axis=1)
    with np.errstate(invalid="ignore"):
        low, high = np.nanmin(pixels, axis=1), np.nanmax(pixels, axis=1)
    box = np.concatenate([low, high], axis=1)
    clipped_w = np.clip(np.minimum(high[:, 0], width) - np.maximum(low[:, 0], 0), 0, None)
    clipped_h = np.clip(np.minimum(high[:, 1], height) - np.maximum(low[:, 1], 0), 0, None)
    area = (high[:, 0] - low[:, 0]) * (high[:, 1] - low[:, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(area > 0, clipped_w * clipped_h / area, 0.0)
    fraction = np.where(behind | np.isnan(fraction), 0.0, fraction)
    return box, fraction


def _ray_box_entry(origins: np.ndarray, directions: np.ndarray, centres: np.ndarray, turns: np.ndarray,
                   halves: np.ndarray) -> np.ndarray:
    """Distance along each ray to where it enters a box turned about z (inf where it misses).

    origins (F, 3), directions (F, R, 3), centres (F, 3), turns (3, 3), halves (3,) -> (F, R).
    """
    local_origin = (origins - centres) @ turns  # rows of `turns` map local to world; @ turns maps back
    local_direction = directions @ turns
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = 1.0 / local_direction
        t1 = (-halves - local_origin[:, None, :]) * inverse
        t2 = (halves - local_origin[:, None, :]) * inverse
    near = np.nanmax(np.minimum(t1, t2), axis=2)
    far = np.nanmin(np.maximum(t1, t2), axis=2)
    return np.where((far >= np.maximum(near, 0.0)), np.maximum(near, 0.0), np.inf)


def occlusion_by_boxes(boxes: np.ndarray, centres: np.ndarray, turns: np.ndarray, halves: np.ndarray,
                       camera_to_world: np.ndarray, K: np.ndarray,
                       supports: dict[int, tuple[int, np.ndarray, np.ndarray]] | None = None) -> np.ndarray:
    """(F, N) share of each object hidden behind others, by casting rays through its on-screen box.

    Objects are taken as their 3D boxes (which are larger than their shapes, so
    this errs towards calling an object hidden). Rays through an object's 2D box
    that miss its own 3D box are not counted. ``supports`` maps an object resting
    inside its support's box (a cat on a chair's seat) to (support, centres, halves)
    of the part of that box below the seat, which is what can hide it.
    """
    frames, count = boxes.shape[:2]
    steps = (np.arange(OCCLUSION_SAMPLES) + 0.5) / OCCLUSION_SAMPLES
    origins = camera_to_world[:, :3, 3]
    to_world = camera_to_world[:, :3, :3] @ BLENDER_TO_OPENCV[:3, :3]  # OpenCV camera axes -> world
    inverse_K = pixel_rays(K)
    hidden = np.zeros((frames, count))
    for i in range(count):
        xs = boxes[:, i, 0:1] + (boxes[:, i, 2:3] - boxes[:, i, 0:1]) * steps  # (F, S)
        ys = boxes[:, i, 1:2] + (boxes[:, i, 3:4] - boxes[:, i, 1:2]) * steps
        pixels = np.stack(np.broadcast_arrays(xs[:, None, :], ys[:, :, None], 1.0), axis=-1).reshape(frames, -1, 3)
        directions = np.einsum("fij,fjk,frk->fri", to_world, inverse_K, pixels)
        own = _ray_box_entry(origins, directions, centres[:, i], turns[i], halves[i])
        blocked = np.zeros(own.shape, dtype=bool)
        for j in range(count):
            if j != i:
                centre, half = centres[:, j], halves[j]
                if supports and i in supports and supports[i][0] == j:
                    _, centre, half = supports[i]
                blocked |= _ray_box_entry(origins, directions, centre, turns[j], half) < own
        on_object = np.isfinite(own)
        with np.errstate(invalid="ignore", divide="ignore"):
            hidden[:, i] = np.where(on_object.any(axis=1), (blocked & on_object).sum(axis=1) / on_object.sum(axis=1), 0.0)
    return hidden


def track_from_plan(plan: ScenePlan, settings: RenderSettings, frames: np.ndarray | None = None, *,
                    occlusion: bool = True) -> SceneTrack:
    """The track of a laid-out plan: its boxes moved along its camera path.

    ``occlusion=False`` skips the ray casting (every ``occluded`` is 0), for a quick first look.
    """
    path = camera_path(plan, settings.frames, settings.fps, frames)
    K = intrinsics(path.fov, settings.width, settings.height)
    extrinsics = world_to_camera(path.camera_to_world)
    corners = np.stack([box_corners(obj) for obj in plan.objects])  # (N, 8, 3)
    moved = corners[None, :, :, :] + path.object_offsets[:, :, None, :]  # (F, N, 8, 3)
    boxes, fractions, depths = [], [], []
    for i in range(len(plan.objects)):
        pixels, depth = project(moved[:, i], extrinsics, K)
        box, fraction = boxes_in_view(pixels, depth, settings.width, settings.height)
        boxes.append(box)
        fractions.append(fraction)
        depths.append(depth.mean(axis=1))
    box_array, depth_array = np.stack(boxes, axis=1), np.stack(depths, axis=1)
    hidden = np.zeros(depth_array.shape)
    if occlusion:
        hidden = _occlusion_of_plan(plan, path, K, box_array, settings)
    objects = [ObjectTrack(box=box_array[:, i], in_view=fractions[i], depth=depth_array[:, i], corners=moved[:, i],
                           occluded=hidden[:, i], top_share=plan.objects[i].top_share)
               for i in range(len(plan.objects))]
    return SceneTrack(frames=path.frames, width=settings.width, height=settings.height, K=K,
                      world_to_camera=extrinsics, objects=objects, path=path)


def _occlusion_of_plan(plan: ScenePlan, path: CameraPath, K: np.ndarray, box_array: np.ndarray,
                       settings: RenderSettings) -> np.ndarray:
    turns = np.stack([euler_matrices(np.radians([[0.0, 0.0, obj.heading]]))[0] for obj in plan.objects])
    halves = np.array([(w / 2, d / 2, h / 2) for w, d, h in (obj.dimensions for obj in plan.objects)])
    centres = (np.array([obj.position for obj in plan.objects]) + halves * (0, 0, 1))[None] + path.object_offsets
    visible_part = np.clip(np.nan_to_num(box_array), [0, 0, 0, 0],
                           [settings.width, settings.height, settings.width, settings.height])
    supports = {}
    for i, obj in enumerate(plan.objects):
        below = plan.objects[obj.on_top_of] if obj.on_top_of is not None else None
        if below is not None and below.top_share < 1:
            half = halves[obj.on_top_of] * (1, 1, below.top_share)
            centre = centres[:, obj.on_top_of] - (0, 0, halves[obj.on_top_of][2] - half[2])
            supports[i] = (obj.on_top_of, centre, half)
    return occlusion_by_boxes(visible_part, centres, turns, halves, path.camera_to_world, K, supports)


def sample_frames(clip_frames: int, most: int) -> np.ndarray:
    """At most ``most`` frames spread over the clip, always with the first and the last."""
    if clip_frames <= most:
        return np.arange(1, clip_frames + 1, dtype=float)
    return np.unique(np.round(np.linspace(1, clip_frames, most)))


def horizontal_fov_to_vertical(fov_degrees: float, width: int, height: int) -> float:
    return math.degrees(2 * math.atan(math.tan(math.radians(fov_degrees) / 2) * height / width))
