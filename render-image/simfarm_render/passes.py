"""Ground-truth passes, written losslessly beside the video: depth, instance segmentation, optical flow.

Blender renders them (its Depth, Object Index and Vector outputs, through a
compositor File Output node as 32-bit EXR); this module turns each frame's
raw files into the documented format, one EXR per pass and frame:

- ``depth``: channel ``Z``, float32, metres along the camera's view axis
  (planar depth); ``inf`` where no surface is seen (the sky);
- ``segmentation``: channel ``id``, uint32, the object ids of
  ``annotations.json`` (plan index + 1); 0 is the floor and the sky;
- ``flow``: channels ``X``, ``Y``, float32, forward optical flow in pixels
  (where each pixel's surface point is one frame later minus where it is
  now; x right, y down, as in ``annotations.json``); NaN where no surface.

Blender's Vector output holds, per pixel, the motion to the previous frame
and from the next frame, in pixels with y up; forward flow is minus its last
two components, y flipped.
"""

from __future__ import annotations

from pathlib import Path

import bpy
import numpy as np
import OpenEXR

SOCKETS = {"depth": "Depth", "segmentation": "Object Index", "flow": "Vector"}
VIEW_LAYER_FLAGS = {"depth": "use_pass_z", "segmentation": "use_pass_object_index", "flow": "use_pass_vector"}
RAW_MODES = {"depth": "BW", "segmentation": "BW", "flow": "RGBA"}
NO_SURFACE = 1e9  # raw depth at or above this (or the clip distance) is the sky


def compositor(scene: bpy.types.Scene) -> tuple[bpy.types.NodeTree, bpy.types.Node]:
    """The scene's compositor tree and its Render Layers node, made (passing the image through) if missing."""
    tree = scene.compositing_node_group
    if tree is None:
        tree = bpy.data.node_groups.new("compositor", "CompositorNodeTree")
        tree.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
        layers = tree.nodes.new("CompositorNodeRLayers")
        output = tree.nodes.new("NodeGroupOutput")
        tree.links.new(layers.outputs["Image"], output.inputs["Image"])
        scene.compositing_node_group = tree
    scene.render.use_compositing = True
    layers = next(node for node in tree.nodes if node.bl_idname == "CompositorNodeRLayers")
    return tree, layers


def enable(scene: bpy.types.Scene, passes: list[str], roots: list[bpy.types.Object], directory: Path) -> None:
    """Have the next render write the raw passes of every frame into ``directory``."""
    if not passes:
        return
    for index, root in enumerate(roots):
        for obj in root.children_recursive:
            obj.pass_index = index + 1
    view_layer = scene.view_layers[0]
    for name in passes:
        setattr(view_layer, VIEW_LAYER_FLAGS[name], True)
    if "flow" in passes:
        scene.render.use_motion_blur = False  # Blender makes no motion vectors under motion blur
    tree, layers = compositor(scene)
    files = tree.nodes.new("CompositorNodeOutputFile")
    files.directory, files.file_name = str(directory) + "/", ""
    _exr(files.format, "RGBA")  # one file per pass (not one multilayer file)
    for name in passes:
        item = files.file_output_items.new("RGBA" if RAW_MODES[name] == "RGBA" else "FLOAT", name)
        item.override_node_format = True
        _exr(item.format, RAW_MODES[name])
        tree.links.new(layers.outputs[SOCKETS[name]], files.inputs[name])


def _exr(image: bpy.types.ImageFormatSettings, mode: str) -> None:
    image.media_type, image.file_format, image.color_depth = "IMAGE", "OPEN_EXR", "32"
    image.color_mode, image.exr_codec = mode, "ZIP"


def _read(path: Path) -> np.ndarray:
    if not path.is_file():
        raise RuntimeError(f"Blender did not write the pass {path.name}")
    with OpenEXR.File(str(path)) as image:
        channels = image.channels()
        data = channels.get("V") or channels.get("RGBA") or next(iter(channels.values()))
        return np.array(data.pixels)


def _write(path: Path, channels: dict[str, np.ndarray]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}
    with OpenEXR.File(header, {name: np.ascontiguousarray(pixels) for name, pixels in channels.items()}) as image:
        image.write(str(path))
    return path


def convert(passes: list[str], raw: Path, frame: int, out: Path, clip_distance: float) -> dict[str, Path]:
    """One frame's raw passes in the documented format; returns pass name -> file."""
    written = {}
    sky = None
    depth = _read(raw / f"depth{frame:04d}.exr") if "depth" in passes or "flow" in passes else None
    if depth is not None:
        sky = (depth >= NO_SURFACE) | (depth >= 0.999 * clip_distance)
    for name in passes:
        target = out / name / f"{frame:06d}.exr"
        if name == "depth":
            written[name] = _write(target, {"Z": np.where(sky, np.inf, depth).astype(np.float32)})
        elif name == "segmentation":
            ids = _read(raw / f"segmentation{frame:04d}.exr")
            written[name] = _write(target, {"id": np.rint(ids).astype(np.uint32)})
        else:
            vectors = _read(raw / f"flow{frame:04d}.exr")
            forward = np.stack([-vectors[..., 2], vectors[..., 3]], axis=-1).astype(np.float32)
            forward[sky] = np.nan
            written[name] = _write(target, {"X": forward[..., 0], "Y": forward[..., 1]})
    return written


def require_depth_for_flow(passes: list[str]) -> list[str]:
    """The raw passes to render: flow needs depth too, to tell surfaces from the sky."""
    if "flow" in passes and "depth" not in passes:
        return [*passes, "depth"]
    return list(passes)
