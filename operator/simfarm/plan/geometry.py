"""Where things are: the one definition of scene coordinates.

Scene axes: x to the right and y away from a camera at yaw 0, z up; one
unit is one metre. Placement ``p`` on the 3×3 grid is row ``p // 3``
(0 = back, 2 = front, as seen at yaw 0) and column ``p % 3`` (0 = left).
The camera at yaw ``θ`` sits in direction ``Rz(θ)·(0, -1, 0)`` from the
centre and looks at it. Captions and the render worker both use these
functions, so "left of" in a caption is left in the picture.
"""

from __future__ import annotations

import math

from .vocabulary import GRID_SIZE

# Gap left between neighbouring objects, as a fraction of the larger one.
GRID_MARGIN = 0.35
MIN_CELL = 1.0


def grid_cell(placement: int) -> tuple[int, int]:
    """(row, column) of a placement."""
    if not 0 <= placement < GRID_SIZE * GRID_SIZE:
        raise ValueError(f"placement {placement} is outside the 3×3 grid (0..8)")
    return divmod(placement, GRID_SIZE)


def cell_size(largest_factor: float) -> float:
    """Grid spacing so that the largest object in a scene never overlaps a neighbour."""
    return max(MIN_CELL, largest_factor * (1.0 + GRID_MARGIN))


def grid_position(placement: int, cell: float) -> tuple[float, float]:
    """Scene (x, y) of a placement's centre for a given grid spacing."""
    row, col = grid_cell(placement)
    return ((col - 1) * cell, (1 - row) * cell)


def camera_axes(yaw_degrees: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """The camera's (right, forward) unit vectors on the ground plane."""
    theta = math.radians(yaw_degrees)
    cos, sin = math.cos(theta), math.sin(theta)
    return (cos, sin), (-sin, cos)


def camera_direction(yaw_degrees: float) -> tuple[float, float]:
    """Unit vector from the scene centre towards the camera on the ground plane."""
    _, forward = camera_axes(yaw_degrees)
    return (-forward[0], -forward[1])


def view_coordinates(x: float, y: float, yaw_degrees: float) -> tuple[float, float]:
    """(sideways, depth) of a point as the camera sees it: +sideways is right, +depth is farther."""
    right, forward = camera_axes(yaw_degrees)
    return (x * right[0] + y * right[1], x * forward[0] + y * forward[1])


def movement_vector(view_vector: tuple[float, float, float], yaw_degrees: float) -> tuple[float, float, float]:
    """Scene-axis unit vector of a movement given in view axes (see ``vocabulary.DIRECTION_VIEW_VECTORS``)."""
    sideways, depth, up = view_vector
    right, forward = camera_axes(yaw_degrees)
    return (sideways * right[0] + depth * forward[0], sideways * right[1] + depth * forward[1], up)


Matrix3 = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]


def rotation_matrix(euler_degrees: tuple[float, float, float]) -> Matrix3:
    """Rotation of Blender's default XYZ Euler mode (``Rz · Ry · Rx``), as rows."""
    x, y, z = (math.radians(angle) for angle in euler_degrees)
    cx, sx, cy, sy, cz, sz = math.cos(x), math.sin(x), math.cos(y), math.sin(y), math.cos(z), math.sin(z)
    return ((cz * cy, cz * sy * sx - sz * cx, cz * sy * cx + sz * sx),
            (sz * cy, sz * sy * sx + cz * cx, sz * sy * cx - cz * sx),
            (-sy, cy * sx, cy * cx))
