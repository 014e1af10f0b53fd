"""Models from furniture libraries and HDRIs shipped inside Blender (see ``simfarm.retrieval.library_uris``).

A library model is one OBJ (with its MTL and textures) inside a Sweet Home 3D
``.sh3f`` zip. The zip goes through the asset cache like any asset (fetched
once per node; a ``library://`` one is already on the node), and the model's
folder is extracted once into ``<cache>/extracted/<digest of the zip>/``, so
later shards import it straight from disk.

Once imported (y up, -z forward: the model's front faces -y), the library's
model rotation is applied, and the body material takes the plan's colour.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import bpy
import numpy as np
from mathutils import Matrix

from simfarm.retrieval.library_uris import (BLENDER_SCHEME, IDENTITY, LibraryUriError, is_library_model,
                                            parse_model_uri, resolve_library)
from simfarm.retrieval.procedural import linear_rgb, normalize_color

from .assets import AssetCache
from .errors import PermanentError

# Java3D (x right, y up, z towards the viewer) to Blender after an OBJ import with y up and -z forward.
_TO_BLENDER = Matrix(((1, 0, 0), (0, 0, -1), (0, 1, 0)))


def fetch_model(uri: str, cache: AssetCache) -> Path:
    """The local OBJ file of a library model, extracted on first use."""
    try:
        ref = parse_model_uri(uri)
        archive = cache.fetch(resolve_library(ref.library))
    except LibraryUriError as error:
        raise PermanentError(f"asset {uri}: {error}") from None
    stat = archive.stat()
    key = hashlib.sha256(f"{archive.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:24]
    folder = PurePosixPath(ref.member).parent
    target = cache.root / "extracted" / key / folder
    if not (target / PurePosixPath(ref.member).name).is_file():
        _extract_folder(archive, folder, target, uri)
    return target / PurePosixPath(ref.member).name


def _extract_folder(archive: Path, folder: PurePosixPath, target: Path, uri: str) -> None:
    """Extract every file of ``folder`` into ``target``, atomically (concurrent shards may race)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=target.parent))
    try:
        with zipfile.ZipFile(archive) as library:
            members = [name for name in library.namelist()
                       if PurePosixPath(name).parent == folder and not name.endswith("/")]
            if not members:
                raise PermanentError(f"asset {uri}: the library holds no folder {folder}")
            for name in members:
                (staging / PurePosixPath(name).name).write_bytes(library.read(name))
        try:
            os.rename(staging, target)
        except OSError:  # another shard got there first
            pass
    except zipfile.BadZipFile:
        raise PermanentError(f"asset {uri}: the library is not a zip file") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def background_file(uri: str) -> Path | None:
    """The file of a ``blender://`` HDRI, or None for any other URI."""
    parts = urlsplit(uri)
    if parts.scheme != BLENDER_SCHEME:
        return None
    relative = PurePosixPath(parts.netloc + parts.path)
    folder = bpy.utils.system_resource("DATAFILES", path=str(relative.parent))
    path = Path(folder or "") / relative.name
    if not path.is_file():
        raise PermanentError(f"background {uri}: this Blender ships no {path.name} in {folder}")
    return path


def prepare(root: bpy.types.Object, uri: str, colour: str | None) -> None:
    """Turn a freshly imported library model by its library rotation and paint its body ``colour``."""
    if not is_library_model(uri):
        return
    ref = parse_model_uri(uri)
    if ref.rotation != IDENTITY:
        rotation = (_TO_BLENDER @ Matrix([ref.rotation[0:3], ref.rotation[3:6], ref.rotation[6:9]])
                    @ _TO_BLENDER.inverted()).to_4x4()
        for child in root.children:
            child.matrix_world = rotation @ child.matrix_world
    named = normalize_color(colour or "")
    if ref.body and named:
        for material in _materials_named(root, ref.body):
            recolour(material, linear_rgb(named))


def _materials_named(root: bpy.types.Object, name: str) -> list[bpy.types.Material]:
    """The materials under ``root`` imported from the MTL material ``name``.

    Blender numbers a repeated name (the second chair's ``RED_OAK.001`` becomes ``RED_OAK.002``), so names are
    compared without their number suffix."""
    wanted = _unnumbered(name)
    found = {}
    for obj in root.children_recursive:
        for slot in getattr(obj, "material_slots", ()):
            material = slot.material
            if material is not None and _unnumbered(material.name) == wanted:
                found[material.name] = material
    return list(found.values())


def _unnumbered(name: str) -> str:
    return re.sub(r"\.\d{3,}$", "", name)


def recolour(material: bpy.types.Material, rgb: tuple[float, float, float]) -> None:
    """Give ``material`` the linear colour ``rgb``, in every engine.

    A plain colour is replaced. A texture is replaced by a copy painted
    ``rgb`` that keeps its light and shade: each texel is ``rgb`` times its
    luminance over the texture's mean luminance, so a wood grain or a fabric
    weave stays visible and the average colour is ``rgb`` (black and white
    too, which a hue blend cannot give). Workbench shows the image and the
    viewport colour, so both are set.
    """
    material.diffuse_color = (*rgb, 1.0)
    if material.node_tree is None:
        return
    bsdf = next((node for node in material.node_tree.nodes if node.type == "BSDF_PRINCIPLED"), None)
    if bsdf is None:
        return
    base = bsdf.inputs["Base Color"]
    if not base.is_linked:
        base.default_value = (*rgb, 1.0)
        return
    source = base.links[0].from_node
    if source.type == "TEX_IMAGE" and source.image is not None and source.image.size[0] > 0:
        source.image = painted(source.image, rgb)
    else:  # some other node graph: drop it and paint the plain colour
        material.node_tree.links.remove(base.links[0])
        base.default_value = (*rgb, 1.0)


def painted(image: bpy.types.Image, rgb: tuple[float, float, float]) -> bpy.types.Image:
    """A copy of ``image`` in the colour ``rgb`` (linear) with the image's light and shade."""
    width, height = image.size
    pixels = np.empty(width * height * 4, dtype=np.float32)
    image.pixels.foreach_get(pixels)
    pixels = pixels.reshape(-1, 4)
    encoded = not image.is_float and image.colorspace_settings.name == "sRGB"
    linear = _to_linear(pixels[:, :3]) if encoded else pixels[:, :3]
    luminance = linear @ _LUMINANCE
    shade = np.clip(luminance / max(float(luminance.mean()), 1e-4), 0.0, _MAX_SHADE)
    colour = np.clip(shade[:, None] * np.array(rgb, dtype=np.float32), 0.0, 1.0)
    pixels[:, :3] = _to_srgb(colour) if encoded else colour
    copy = bpy.data.images.new(f"{image.name}:painted", width, height, alpha=True, float_buffer=image.is_float)
    copy.colorspace_settings.name = image.colorspace_settings.name
    copy.pixels.foreach_set(pixels.ravel())
    return copy


_LUMINANCE = np.array((0.2126, 0.7152, 0.0722), dtype=np.float32)
_MAX_SHADE = 3.0  # highlights brighter than this many times the mean are clipped


def _to_linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _to_srgb(linear: np.ndarray) -> np.ndarray:
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * np.power(linear, 1 / 2.4) - 0.055)
