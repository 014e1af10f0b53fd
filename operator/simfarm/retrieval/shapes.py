"""Blueprints for every embedded-catalog object type, built from primitives.

A blueprint is a list of parts: a unit primitive (centred, 1 unit across)
placed, sized and turned in the object's own frame (x right, y depth, z up,
resting on z = 0). The absolute size does not matter: the catalog gives each
type its real-world size and the renderer fits the object to the plan's box.
``paint`` is ``body`` (the object's colour and finish) or
``<colour>[/<finish>]`` from the catalog. Simple, but each type keeps the
silhouette that names it.

Every catalog model is built standing with its front towards local -y (what a
camera at yaw 0 sees); ``Blueprint.front`` says where a blueprint was drawn
facing, and ``FRONT_TURN`` is the turn about z that brings that side to -y.
Vehicles and animals are drawn nose along +x. Pure data: the catalog (no
Blender) reads the sizes, the render worker builds the parts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Mapping

from ..plan.geometry import rotation_matrix

Vec = tuple[float, float, float]
Front = Literal["-y", "+x"]
FRONT_TURN: Mapping[str, float] = {"-y": 0.0, "+x": -90.0}  # degrees about z


@dataclass(frozen=True)
class Part:
    primitive: str  # cube | sphere | cylinder | cone | torus
    location: Vec
    size: Vec
    rotation: Vec = (0.0, 0.0, 0.0)  # degrees
    paint: str = "body"
    taper: float = 0.0  # cone: top radius / bottom radius


@dataclass(frozen=True)
class Blueprint:
    default_color: str
    parts: tuple[Part, ...]
    default_finish: str | None = None
    front: Front = "-y"


def box(x, y, z, w, d, h, paint="body", rotation=(0.0, 0.0, 0.0)) -> Part:
    return Part("cube", (x, y, z), (w, d, h), rotation, paint)


def ball(x, y, z, w, d=None, h=None, paint="body") -> Part:
    return Part("sphere", (x, y, z), (w, d or w, h or w), paint=paint)


def rod(x, y, z, diameter, length, paint="body", rotation=(0.0, 0.0, 0.0)) -> Part:
    return Part("cylinder", (x, y, z), (diameter, diameter, length), rotation, paint)


def cone(x, y, z, diameter, height, paint="body", taper=0.0, rotation=(0.0, 0.0, 0.0)) -> Part:
    return Part("cone", (x, y, z), (diameter, diameter, height), rotation, paint, taper)


def ring(x, y, z, diameter, thickness, paint="body", rotation=(0.0, 0.0, 0.0)) -> Part:
    return Part("torus", (x, y, z), (diameter, diameter, thickness), rotation, paint)


def legs(width, depth, height, diameter=0.06, paint="body") -> tuple[Part, ...]:
    """Four vertical legs under a top of ``width`` × ``depth``, standing on z = 0."""
    dx, dy = width / 2 - diameter, depth / 2 - diameter
    return tuple(rod(sx * dx, sy * dy, height / 2, diameter, height, paint) for sx in (-1, 1) for sy in (-1, 1))


def wheels(xs, track, z, diameter, width=0.2) -> tuple[Part, ...]:
    """Pairs of black wheels at each x, axles along y."""
    return tuple(rod(x, sy * track / 2, z, diameter, width, "black/rubber", (90, 0, 0)) for x in xs for sy in (-1, 1))


def quadruped(length, height, neck, head, ears=(), tail=0.4, paint="body") -> tuple[Part, ...]:
    """Body, four legs, neck, head and tail: the shared plan of dogs, cats and horses."""
    leg = height * 0.5
    body_z = leg + height * 0.2
    return (
        ball(0, 0, body_z, length, height * 0.35, height * 0.4, paint),
        *(rod(sx * length * 0.35, sy * height * 0.1, leg / 2, height * 0.1, leg, paint) for sx in (-1, 1) for sy in (-1, 1)),
        rod(length * 0.45, 0, body_z + neck * 0.4, height * 0.14, neck, paint, (0, 30, 0)),
        ball(length * 0.55, 0, body_z + neck * 0.85, head * 1.3, head, head, paint),
        *(cone(length * 0.5, sy * head * 0.3, body_z + neck * 0.85 + head * 0.55, head * 0.3, head * 0.4, paint)
          for sy in (-1, 1) if ears),
        rod(-length * 0.6, 0, body_z + 0.05, height * 0.05, tail, paint, (0, -60, 0)),
    )


def tree_crown(*layers: tuple[float, float, float], paint="green") -> tuple[Part, ...]:
    """Stacked cones (z, diameter, height) over a trunk: conifers."""
    return tuple(cone(0, 0, z, d, h, paint) for z, d, h in layers)


BLUEPRINTS: Mapping[str, Blueprint] = {
    # primitives
    "cube": Blueprint("blue", (box(0, 0, 0.5, 1, 1, 1),)),
    "sphere": Blueprint("red", (ball(0, 0, 0.5, 1),)),
    "cylinder": Blueprint("green", (rod(0, 0, 0.5, 1, 1),)),
    "cone": Blueprint("orange", (cone(0, 0, 0.5, 1, 1),)),
    "torus": Blueprint("gold", (ring(0, 0, 0.15, 1, 0.3),)),
    "pyramid": Blueprint("beige", (Part("cone", (0, 0, 0.4), (1.2, 1.2, 0.8), (0, 0, 45), "body"),)),
    # furniture
    "chair": Blueprint("brown", (box(0, 0, 0.45, 0.5, 0.5, 0.06), *legs(0.5, 0.5, 0.45),
                                 box(0, 0.22, 0.75, 0.5, 0.06, 0.6)), "wood"),
    "table": Blueprint("brown", (box(0, 0, 0.75, 1.4, 0.8, 0.06), *legs(1.4, 0.8, 0.75, 0.08)), "wood"),
    "bench": Blueprint("brown", (box(0, 0, 0.45, 1.6, 0.4, 0.06), *legs(1.6, 0.4, 0.45, 0.08),
                                 box(0, 0.18, 0.75, 1.6, 0.05, 0.3)), "wood"),
    "sofa": Blueprint("gray", (box(0, 0, 0.25, 2.0, 0.9, 0.3), box(0, 0.35, 0.6, 2.0, 0.2, 0.7),
                               box(-0.9, 0, 0.45, 0.2, 0.9, 0.4), box(0.9, 0, 0.45, 0.2, 0.9, 0.4),
                               box(0, -0.05, 0.45, 1.6, 0.75, 0.12, "white/fabric")), "fabric"),
    "bed": Blueprint("blue", (box(0, 0, 0.25, 1.4, 2.0, 0.3, "brown/wood"), box(0, 0, 0.45, 1.35, 1.95, 0.15),
                              box(0, 0.75, 0.58, 1.0, 0.35, 0.12, "white/fabric"),
                              box(0, 0.98, 0.5, 1.4, 0.06, 0.9, "brown/wood")), "fabric"),
    "bookshelf": Blueprint("brown", (box(-0.45, 0, 0.9, 0.05, 0.35, 1.8), box(0.45, 0, 0.9, 0.05, 0.35, 1.8),
                                     box(0, 0.16, 0.9, 0.9, 0.03, 1.8),
                                     *(box(0, 0, z, 0.9, 0.35, 0.04) for z in (0.02, 0.6, 1.2, 1.78)),
                                     box(-0.2, 0, 0.8, 0.3, 0.25, 0.36, "red"), box(0.2, 0, 1.4, 0.3, 0.25, 0.36, "blue")),
                           "wood"),
    "lamp": Blueprint("white", (rod(0, 0, 0.02, 0.3, 0.04, "black/metal"), rod(0, 0, 0.5, 0.03, 1.0, "black/metal"),
                                cone(0, 0, 1.05, 0.45, 0.3, taper=0.5)), "fabric"),
    "stool": Blueprint("brown", (rod(0, 0, 0.6, 0.4, 0.05), *legs(0.35, 0.35, 0.6, 0.04)), "wood"),
    # household
    "vase": Blueprint("teal", (ball(0, 0, 0.25, 0.4, 0.4, 0.5), rod(0, 0, 0.55, 0.15, 0.25)), "ceramic"),
    "bottle": Blueprint("green", (rod(0, 0, 0.3, 0.25, 0.6), cone(0, 0, 0.7, 0.25, 0.2, taper=0.35),
                                  rod(0, 0, 0.85, 0.09, 0.15)), "glass"),
    "cup": Blueprint("white", (cone(0, 0, 0.2, 0.3, 0.4, taper=1.25), ring(0.19, 0, 0.22, 0.2, 0.04, rotation=(90, 0, 0))),
                     "ceramic"),
    "bowl": Blueprint("red", (Part("sphere", (0, 0, 0.25), (0.8, 0.8, 0.5)), rod(0, 0, 0.27, 0.7, 0.02, "beige")),
                      "ceramic"),
    "clock": Blueprint("white", (rod(0, 0, 0.5, 1.0, 0.12, rotation=(90, 0, 0)), ring(0, 0, 0.5, 1.0, 0.08, "black", (90, 0, 0)),
                                 box(0, -0.07, 0.62, 0.04, 0.02, 0.25, "black"), box(0.1, -0.07, 0.5, 0.2, 0.02, 0.04, "black"))),
    "television": Blueprint("black", (box(0, 0, 0.55, 1.2, 0.08, 0.7), box(0, -0.045, 0.55, 1.1, 0.01, 0.6, "blue/glass"),
                                      rod(0, 0, 0.1, 0.05, 0.2), box(0, 0, 0.01, 0.4, 0.25, 0.02)), "plastic"),
    "barrel": Blueprint("brown", (rod(0, 0, 0.5, 0.7, 1.0), ball(0, 0, 0.5, 0.8, 0.8, 0.9),
                                  ring(0, 0, 0.2, 0.75, 0.04, "gray/metal"), ring(0, 0, 0.8, 0.75, 0.04, "gray/metal")), "wood"),
    "crate": Blueprint("beige", (box(0, 0, 0.4, 0.8, 0.8, 0.8), box(0, -0.41, 0.4, 0.85, 0.02, 0.1, "brown/wood"),
                                 box(0, -0.41, 0.4, 0.1, 0.02, 0.85, "brown/wood")), "wood"),
    # vehicles
    "car": Blueprint("red", (box(0, 0, 0.45, 2.0, 0.9, 0.4), box(-0.1, 0, 0.8, 1.1, 0.85, 0.35),
                             box(0.46, 0, 0.8, 0.02, 0.75, 0.28, "teal/glass"),
                             *wheels((-0.65, 0.65), 0.9, 0.25, 0.5)), "metal", front="+x"),
    "truck": Blueprint("blue", (box(-0.4, 0, 1.0, 2.4, 1.1, 1.3, "white/metal"), box(1.3, 0, 0.8, 0.9, 1.1, 0.9),
                                box(1.76, 0, 0.95, 0.02, 0.9, 0.4, "teal/glass"),
                                *wheels((-1.2, -0.4, 1.3), 1.1, 0.3, 0.6, 0.25)), "metal", front="+x"),
    "bus": Blueprint("yellow", (box(0, 0, 1.0, 4.0, 1.2, 1.5),
                                *(box(x, -0.61, 1.3, 0.6, 0.02, 0.45, "teal/glass") for x in (-1.4, -0.7, 0.0, 0.7, 1.4)),
                                *wheels((-1.3, 1.3), 1.2, 0.3, 0.6, 0.25)), "metal", front="+x"),
    "boat": Blueprint("white", (Part("cube", (0, 0, 0.25), (2.0, 0.8, 0.5)), cone(1.2, 0, 0.25, 0.8, 0.5, rotation=(0, 90, 0)),
                                box(-0.2, 0, 0.7, 0.8, 0.6, 0.4, "teal/glass"), rod(0.2, 0, 1.2, 0.06, 1.4, "brown/wood")), front="+x"),
    "airplane": Blueprint("silver", (rod(0, 0, 0.5, 0.5, 3.0, rotation=(0, 90, 0)), cone(1.75, 0, 0.5, 0.5, 0.5, rotation=(0, 90, 0)),
                                     box(0.1, 0, 0.45, 0.7, 3.2, 0.06), box(-1.3, 0, 0.55, 0.35, 1.2, 0.05),
                                     box(-1.35, 0, 0.9, 0.4, 0.05, 0.6)), "metal", front="+x"),
    "rocket": Blueprint("white", (rod(0, 0, 1.2, 0.6, 2.0), cone(0, 0, 2.5, 0.6, 0.6, "red"),
                                  *(box(sx * 0.35, sy * 0.35, 0.35, 0.3, 0.05, 0.5, "red", (0, 0, 45))
                                    for sx, sy in ((1, 1), (-1, -1))),
                                  *(box(sx * 0.35, sy * 0.35, 0.35, 0.05, 0.3, 0.5, "red", (0, 0, 45))
                                    for sx, sy in ((1, -1), (-1, 1))),
                                  cone(0, 0, 0.1, 0.45, 0.2, "gray/metal", taper=1.4)), "metal"),
    # nature
    "tree": Blueprint("green", (rod(0, 0, 0.6, 0.25, 1.2, "brown/wood"), ball(0, 0, 1.6, 1.3, 1.3, 1.1),
                                ball(0.3, 0.2, 2.0, 0.8))),
    "pine_tree": Blueprint("green", (rod(0, 0, 0.3, 0.2, 0.6, "brown/wood"),
                                     *tree_crown((0.9, 1.2, 0.9), (1.4, 0.9, 0.8), (1.9, 0.6, 0.7), paint="body"))),
    "palm_tree": Blueprint("green", (cone(0, 0, 1.2, 0.25, 2.4, "brown/wood", taper=0.6),
                                     *(box(0, 0, 2.4, 1.4, 0.25, 0.04, rotation=(0, -15, angle)) for angle in (0, 60, 120)),
                                     ball(0.1, 0, 2.3, 0.2, paint="brown"))),
    "bush": Blueprint("green", (ball(0, 0, 0.35, 0.9, 0.8, 0.7), ball(0.35, 0.1, 0.3, 0.6), ball(-0.35, -0.1, 0.3, 0.6))),
    "rock": Blueprint("gray", (Part("sphere", (0, 0, 0.3), (1.0, 0.8, 0.6), (10, 5, 30)), ball(0.3, 0.1, 0.2, 0.5, 0.4, 0.4)),
                      "stone"),
    "flower": Blueprint("pink", (rod(0, 0, 0.3, 0.03, 0.6, "green"), ball(0, 0, 0.62, 0.12, paint="yellow"),
                                 *(ball(0.1 * dx, 0.1 * dy, 0.62, 0.12, 0.12, 0.04) for dx, dy in
                                   ((1, 0), (-1, 0), (0, 1), (0, -1), (0.7, 0.7), (-0.7, -0.7), (0.7, -0.7), (-0.7, 0.7))),
                                 box(0.06, 0, 0.25, 0.12, 0.04, 0.01, "green", (0, -30, 0)))),
    "mushroom": Blueprint("red", (rod(0, 0, 0.2, 0.2, 0.4, "white"), Part("sphere", (0, 0, 0.42), (0.7, 0.7, 0.4)),
                                  *(ball(0.15 * dx, 0.15 * dy, 0.58, 0.08, paint="white") for dx, dy in ((1, 0), (-0.5, 0.8), (-0.5, -0.8))))),
    "cactus": Blueprint("green", (rod(0, 0, 0.6, 0.3, 1.2), ball(0, 0, 1.2, 0.3),
                                  rod(0.3, 0, 0.6, 0.16, 0.3, rotation=(0, 90, 0)), rod(0.42, 0, 0.85, 0.16, 0.5),
                                  rod(-0.28, 0, 0.75, 0.16, 0.25, rotation=(0, 90, 0)), rod(-0.38, 0, 0.95, 0.16, 0.4))),
    # buildings and structures
    "house": Blueprint("white", (box(0, 0, 0.75, 2.0, 1.6, 1.5), Part("cone", (0, 0, 1.9), (2.1, 2.4, 0.8), (0, 0, 45), "red"),
                                 box(0, -0.81, 0.45, 0.4, 0.02, 0.9, "brown/wood"),
                                 box(-0.6, -0.81, 0.95, 0.35, 0.02, 0.35, "teal/glass"),
                                 box(0.6, -0.81, 0.95, 0.35, 0.02, 0.35, "teal/glass"))),
    "cabin": Blueprint("brown", (*(rod(0, 0, z, 0.22, 2.2, rotation=(0, 90, 0)) for z in (0.11, 0.33, 0.55, 0.77, 0.99, 1.21)),
                                 box(0, 0, 0.66, 2.1, 1.5, 1.3),
                                 box(0, -0.4, 1.65, 2.4, 1.0, 0.08, "black", (35, 0, 0)),
                                 box(0, 0.4, 1.65, 2.4, 1.0, 0.08, "black", (-35, 0, 0)),
                                 box(0, -0.76, 0.45, 0.45, 0.02, 0.9, "black/wood")), "wood"),
    "tower": Blueprint("gray", (rod(0, 0, 1.5, 1.0, 3.0), rod(0, 0, 3.1, 1.2, 0.2),
                                *(box(0.55 * dx, 0.55 * dy, 3.3, 0.2, 0.2, 0.25) for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))),
                                cone(0, 0, 3.7, 1.0, 0.8, "red")), "stone"),
    "lighthouse": Blueprint("white", (cone(0, 0, 1.5, 1.0, 3.0, taper=0.6), ring(0, 0, 1.0, 0.9, 0.12, "red"),
                                      ring(0, 0, 2.0, 0.75, 0.12, "red"), rod(0, 0, 3.2, 0.55, 0.4, "yellow/glass"),
                                      cone(0, 0, 3.6, 0.7, 0.4, "red"))),
    "windmill": Blueprint("white", (cone(0, 0, 1.2, 1.2, 2.4, taper=0.6), cone(0, 0, 2.65, 0.8, 0.5, "red"),
                                    *(box(0, -0.5, 2.1, 0.25, 0.04, 2.4, "brown/wood", (0, angle, 0)) for angle in (0, 90)),
                                    ball(0, -0.5, 2.1, 0.15, paint="gray"))),
    "tent": Blueprint("orange", (Part("cone", (0, 0, 0.6), (1.8, 1.8, 1.2), (0, 0, 45)), box(0, -0.55, 0.3, 0.4, 0.02, 0.6, "black")),
                      "fabric"),
    "fence": Blueprint("white", (*(box(x, 0, 0.5, 0.08, 0.08, 1.0) for x in (-1.2, -0.6, 0.0, 0.6, 1.2)),
                                 box(0, 0, 0.3, 2.5, 0.04, 0.1), box(0, 0, 0.75, 2.5, 0.04, 0.1)), "wood"),
    "street_lamp": Blueprint("black", (rod(0, 0, 1.5, 0.1, 3.0), box(0.3, 0, 3.0, 0.6, 0.06, 0.06),
                                       cone(0.6, 0, 2.9, 0.35, 0.2, taper=0.3), ball(0.6, 0, 2.8, 0.15, paint="yellow"),
                                       rod(0, 0, 0.05, 0.3, 0.1)), "metal"),
    # characters and animals
    "robot": Blueprint("silver", (box(0, 0, 1.0, 0.7, 0.45, 0.8), box(0, 0, 1.6, 0.45, 0.4, 0.35),
                                  *(ball(sx * 0.1, -0.2, 1.65, 0.08, paint="teal") for sx in (-1, 1)),
                                  rod(0, 0, 1.85, 0.03, 0.2), ball(0, 0, 1.97, 0.07, paint="red"),
                                  *(rod(sx * 0.45, 0, 1.05, 0.14, 0.7) for sx in (-1, 1)),
                                  *(rod(sx * 0.18, 0, 0.3, 0.18, 0.6) for sx in (-1, 1))), "metal"),
    "dog": Blueprint("brown", quadruped(0.9, 0.7, 0.3, 0.25, ears=True), front="+x"),
    "cat": Blueprint("gray", quadruped(0.6, 0.45, 0.15, 0.2, ears=True, tail=0.45), front="+x"),
    "horse": Blueprint("brown", quadruped(1.6, 1.6, 0.7, 0.35, tail=0.6), front="+x"),
    "bird": Blueprint("blue", (ball(0, 0, 0.3, 0.4, 0.25, 0.25), ball(0.2, 0, 0.42, 0.18),
                               cone(0.33, 0, 0.42, 0.07, 0.12, "orange", rotation=(0, 90, 0)),
                               *(box(0, sy * 0.2, 0.35, 0.25, 0.3, 0.02, rotation=(sy * 20, 0, 0)) for sy in (-1, 1)),
                               box(-0.25, 0, 0.33, 0.2, 0.12, 0.02),
                               *(rod(0, sy * 0.05, 0.1, 0.02, 0.2, "orange") for sy in (-1, 1))), front="+x"),
    "snowman": Blueprint("white", (ball(0, 0, 0.4, 0.8), ball(0, 0, 1.0, 0.6), ball(0, 0, 1.45, 0.42),
                                   cone(0, -0.25, 1.45, 0.07, 0.25, "orange", rotation=(90, 0, 0)),
                                   rod(0, 0, 1.68, 0.45, 0.03, "black"), rod(0, 0, 1.82, 0.28, 0.28, "black"))),
    # miscellaneous
    "ball": Blueprint("red", (ball(0, 0, 0.5, 1.0), ring(0, 0, 0.5, 1.0, 0.05, "white")), "rubber"),
    "traffic_cone": Blueprint("orange", (box(0, 0, 0.02, 0.5, 0.5, 0.04, "black"), cone(0, 0, 0.4, 0.4, 0.75, taper=0.15),
                                         cone(0, 0, 0.45, 0.27, 0.12, "white", taper=0.85)), "plastic"),
    "umbrella": Blueprint("red", (rod(0, 0, 0.75, 0.04, 1.5, "black"), cone(0, 0, 1.45, 1.6, 0.4),
                                  ring(0.08, 0, 0.05, 0.16, 0.03, "black", (90, 0, 0))), "fabric"),
    "pumpkin": Blueprint("orange", (*(Part("sphere", (0.12 * dx, 0.12 * dy, 0.3), (0.55, 0.55, 0.55)) for dx, dy in
                                      ((1, 0), (-1, 0), (0, 1), (0, -1))), rod(0, 0, 0.62, 0.08, 0.15, "green"))),
    "trophy": Blueprint("gold", (box(0, 0, 0.08, 0.4, 0.4, 0.16, "black"), rod(0, 0, 0.3, 0.08, 0.3),
                                 cone(0, 0, 0.6, 0.5, 0.35, taper=0.3, rotation=(180, 0, 0)),
                                 *(ring(sx * 0.27, 0, 0.62, 0.18, 0.03, rotation=(90, 0, 0)) for sx in (-1, 1))), "metal"),
}



def _part_extent(part: Part) -> tuple[Vec, Vec]:
    """Exact world-aligned bounds of one part in the blueprint's frame (analytic, not tessellated)."""
    r = rotation_matrix(part.rotation)
    sx, sy, sz = (s / 2 for s in part.size)
    centre = part.location
    if part.primitive == "cube":
        half = [sum(abs(r[i][j]) * (sx, sy, sz)[j] for j in range(3)) for i in range(3)]
    elif part.primitive == "sphere":
        half = [math.sqrt(sum((r[i][j] * (sx, sy, sz)[j]) ** 2 for j in range(3))) for i in range(3)]
    elif part.primitive == "torus":  # a ring of radius major about local z, tube radius minor
        minor = part.size[2] / 2
        major = sx - minor
        half = [major * math.hypot(r[i][0], r[i][1]) + minor for i in range(3)]
    else:  # cylinder and cone: caps of radius (sx, sy) at z = -sz and radius × taper at z = +sz
        top = 1.0 if part.primitive == "cylinder" else part.taper
        low, high = [], []
        for i in range(3):
            ring = math.hypot(r[i][0] * sx, r[i][1] * sy)
            ends = [-r[i][2] * sz - ring, -r[i][2] * sz + ring, r[i][2] * sz - ring * top, r[i][2] * sz + ring * top]
            low.append(centre[i] + min(ends))
            high.append(centre[i] + max(ends))
        return tuple(low), tuple(high)
    return (tuple(c - h for c, h in zip(centre, half)), tuple(c + h for c, h in zip(centre, half)))


def blueprint_bounds(blueprint: Blueprint) -> tuple[Vec, Vec]:
    """(low, high) corners of a blueprint's bounding box in the frame it was drawn in."""
    extents = [_part_extent(part) for part in blueprint.parts]
    return (tuple(min(low[i] for low, _ in extents) for i in range(3)),
            tuple(max(high[i] for _, high in extents) for i in range(3)))


def front_facing_size(blueprint: Blueprint) -> Vec:
    """(width, depth, height) of the bounding box once the blueprint's front is turned to -y."""
    low, high = blueprint_bounds(blueprint)
    width, depth, height = (h - l for l, h in zip(low, high))
    return (depth, width, height) if FRONT_TURN[blueprint.front] % 180 else (width, depth, height)
