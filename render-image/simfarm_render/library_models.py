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
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import bpy
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
    """The imported materials called ``name`` (Blender suffixes repeats: ``name.001``)."""
    found = {}
    for obj in root.children_recursive:
        for slot in getattr(obj, "material_slots", ()):
            material = slot.material
            if material is not None and (material.name == name or material.name.rpartition(".")[0] == name):
                found[material.name] = material
    return list(found.values())


def recolour(material: bpy.types.Material, rgb: tuple[float, float, float]) -> None:
    """Give ``material`` the colour ``rgb``: a plain colour is replaced; a texture keeps its light and shade
    (its value) and takes the colour's hue and saturation."""
    if not material.use_nodes:
        material.diffuse_color = (*rgb, 1.0)
        return
    nodes, links = material.node_tree.nodes, material.node_tree.links
    bsdf = next((node for node in nodes if node.type == "BSDF_PRINCIPLED"), None)
    if bsdf is None:
        return
    base = bsdf.inputs["Base Color"]
    if not base.is_linked:
        base.default_value = (*rgb, 1.0)
        return
    texture = base.links[0].from_socket
    mix = nodes.new("ShaderNodeMix")
    mix.data_type, mix.blend_type = "RGBA", "COLOR"
    mix.inputs["Factor"].default_value = 1.0
    links.new(texture, mix.inputs["A"])
    mix.inputs["B"].default_value = (*rgb, 1.0)
    links.new(mix.outputs["Result"], base)
