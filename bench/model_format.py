"""Library models as the worker loads them today (OBJ, MTL and textures from the ``.sh3f`` zip) against the
same models converted once to GLB, in the same run.

    .venv/bin/python -P bench/model_format.py [--repeats 3] [--categories Vehicles Characters Exterior "Living room"]

The libraries are the installed default ones (the Debian package is fetched first when there are none,
as ``simfarm catalog install-library`` does, without importing them into a catalog). The sample: in each,
one model per category named (vehicles, people and animals, plants and garden things, furniture), taken
in turn at the largest, the smallest and the median size of that category's models, so that the sample
spans small and large files in every library (17 models by default, about a minute on 2 busy cores).

Per model, each repetition starts from an empty factory scene and times, the two formats alternating:

* extract: the worker's ``library_models.fetch_model`` into an empty asset cache (once per node; later
  shards find the folder extracted);
* OBJ: the worker's ``objects.import_model`` on the extracted OBJ (``wm.obj_import``, the worker's options,
  the library rotation), then the textures decoded (``image.size`` loads each image, as a render must);
* GLB: the same call on the GLB that ``export_scene.gltf`` (GLB, embedded textures) wrote once from a raw
  OBJ import, outside the timed part; that export's time (OBJ import plus export) is what converting the
  model at catalog import would cost, once.

Printed per model: medians in seconds, the OBJ/GLB time ratio of the import step every shard repeats
(import and textures; above 1 the GLB loads faster), the sizes on disk (the extracted folder: OBJ, MTL,
textures; the GLB), and what differs between the two imports (triangles, materials, images with pixels,
materials whose base colour, alpha or texture changed, bounding box beyond 0.1 % of its size). Then the
cost of a fresh process's first glTF import (its add-on's Python modules load then; a shard is a fresh
process) against the OBJ importer's, measured in a subprocess. Numbers, never pass/fail.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import bpy
import numpy as np
from mathutils import Matrix

from simfarm.errors import InputError
from simfarm.retrieval.library import install_package, location_for
from simfarm.retrieval.library_uris import ModelRef
from simfarm.retrieval.sweethome3d import CATALOG_FILE, parse_properties
from simfarm_render import library_models, objects
from simfarm_render.assets import AssetCache

CATEGORIES = ("Vehicles", "Characters", "Exterior", "Living room")
QUANTILES = (1.0, 0.0, 0.5)  # largest, smallest, median: the pick sequence cycles through them
BBOX_TOLERANCE = 1e-3  # of the largest extent
FIRST_IMPORT = """
import sys, time
import bpy
for path in sys.argv[1:] * 2:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    started = time.perf_counter()
    if path.endswith(".glb"):
        bpy.ops.import_scene.gltf(filepath=path)
    else:
        bpy.ops.wm.obj_import(filepath=path)
    print(path, time.perf_counter() - started)
"""


@dataclass(frozen=True)
class Model:
    library: Path
    category: str
    name: str
    member: str
    rotation: tuple[float, ...]
    bytes_in_zip: int  # the model folder's files, uncompressed

    @property
    def uri(self) -> str:
        return ModelRef(location_for(self.library), self.member, self.rotation).uri()

    @property
    def label(self) -> str:
        return f"{self.library.stem}/{self.name}"


def library_models_of(library: Path) -> list[Model]:
    with zipfile.ZipFile(library) as archive:
        properties = parse_properties(archive.read(CATALOG_FILE).decode("latin-1"))
        folder_bytes = collections.Counter()
        for info in archive.infolist():
            folder_bytes[PurePosixPath(info.filename).parent] += info.file_size
    found = []
    for key, member in properties.items():
        if not key.startswith("model#"):
            continue
        number = key.partition("#")[2]
        member = member.lstrip("/")
        rotation = tuple(float(value) for value in properties.get(f"modelRotation#{number}", "1 0 0 0 1 0 0 0 1").split())
        found.append(Model(library, properties.get(f"category#{number}", ""), properties.get(f"name#{number}", member),
                           member, rotation, folder_bytes[PurePosixPath(member).parent]))
    return found


def sample(libraries: list[Path], categories: tuple[str, ...]) -> list[Model]:
    picked = []
    for library in libraries:
        by_category = collections.defaultdict(list)
        for model in library_models_of(library):
            by_category[model.category].append(model)
        for category in categories:
            if not by_category[category]:
                continue
            ranked = sorted(by_category[category], key=lambda model: (model.bytes_in_zip, model.member))
            quantile = QUANTILES[len(picked) % len(QUANTILES)]
            picked.append(ranked[round(quantile * (len(ranked) - 1))])
    return picked


@contextlib.contextmanager
def quiet():
    """Blender's importers and exporters print a line per object; the table is what this bench prints."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def fresh_scene() -> bpy.types.Object:
    """An empty factory scene holding one root empty, as a shard's scene holds each object's."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    root = bpy.data.objects.new("model", None)
    bpy.context.scene.collection.objects.link(root)
    return root


def decode_textures() -> int:
    """Load every image's pixels (a render must); the number of images that have pixels."""
    return sum(1 for image in bpy.data.images if image.size[0] > 0)


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def time_import(path: Path, uri: str) -> tuple[float, float]:
    """Seconds of the worker's import of ``path`` into a fresh scene, and of decoding its textures."""
    root = fresh_scene()
    return timed(lambda: objects.import_model(path, uri, root)), timed(decode_textures)


def time_extract(uri: str) -> float:
    with tempfile.TemporaryDirectory(prefix="simfarm-bench-cache-") as cache:
        return timed(lambda: library_models.fetch_model(uri, AssetCache(Path(cache))))


def convert(obj: Path, glb: Path) -> float:
    """Seconds to write ``glb`` from ``obj``: a raw OBJ import and a GLB export with embedded textures."""
    fresh_scene()

    def run() -> None:
        bpy.ops.wm.obj_import(filepath=str(obj))
        bpy.ops.export_scene.gltf(filepath=str(glb), export_format="GLB", export_image_format="AUTO")

    return timed(run)


@dataclass(frozen=True)
class Summary:
    """What a comparison of the two imports looks at."""
    triangles: int
    vertices: int
    materials: dict[str, tuple]  # unnumbered name: (base colour, alpha, textured)
    images: int
    extent: np.ndarray

    @classmethod
    def of_scene(cls, uri: str, path: Path) -> "Summary":
        root = fresh_scene()
        objects.import_model(path, uri, root)
        meshes = [obj for obj in root.children_recursive if obj.type == "MESH"]
        for obj in meshes:
            obj.data.calc_loop_triangles()
        materials = {library_models._unnumbered(slot.material.name): _shading(slot.material)
                     for obj in meshes for slot in obj.material_slots if slot.material is not None}
        bpy.context.view_layer.update()
        points = objects._mesh_points(root, Matrix.Identity(4))
        return cls(sum(len(obj.data.loop_triangles) for obj in meshes), sum(len(obj.data.vertices) for obj in meshes),
                   materials, decode_textures(), points.max(axis=0) - points.min(axis=0))

    def differences(self, other: "Summary") -> list[str]:
        found = []
        if self.triangles != other.triangles:
            found.append(f"triangles {self.triangles}->{other.triangles}")
        if set(self.materials) != set(other.materials):
            found.append(f"materials {len(self.materials)}->{len(other.materials)}")
        changed = [name for name in set(self.materials) & set(other.materials)
                   if not _same_shading(self.materials[name], other.materials[name])]
        if changed:
            found.append(f"{len(changed)} shaded otherwise: " + ", ".join(
                f"{name} {_described(self.materials[name])}->{_described(other.materials[name])}"
                for name in sorted(changed)[:2]))
        if self.images != other.images:
            found.append(f"images {self.images}->{other.images}")
        if np.abs(self.extent - other.extent).max() > BBOX_TOLERANCE * self.extent.max():
            found.append(f"box {np.round(self.extent, 3).tolist()}->{np.round(other.extent, 3).tolist()}")
        return found


def _shading(material: bpy.types.Material) -> tuple:
    nodes = material.node_tree.nodes if material.node_tree else ()
    bsdf = next((node for node in nodes if node.type == "BSDF_PRINCIPLED"), None)
    if bsdf is None:
        return (tuple(material.diffuse_color[:3]), 1.0, False)
    base, alpha = bsdf.inputs["Base Color"], bsdf.inputs["Alpha"]
    return (tuple(base.default_value[:3]), alpha.default_value if not alpha.is_linked else -1.0, base.is_linked)


def _described(shading: tuple) -> str:
    colour, alpha, textured = shading
    return f"({'texture' if textured else '#' + ''.join(f'{round(255 * c):02x}' for c in colour)}, alpha " \
           f"{'texture' if alpha < 0 else round(alpha, 2)})"


def _same_shading(one: tuple, other: tuple) -> bool:
    colour_one, alpha_one, textured_one = one
    colour_other, alpha_other, textured_other = other
    if textured_one != textured_other or abs(alpha_one - alpha_other) > 1e-3:
        return False
    return textured_one or np.allclose(colour_one, colour_other, atol=2e-3)


def folder_bytes(obj: Path) -> int:
    return sum(path.stat().st_size for path in obj.parent.iterdir())


def first_imports(paths: list[Path]) -> dict[Path, list[float]]:
    """Per file, the seconds of its import as a fresh process's first import and as a later one."""
    output = subprocess.run([sys.executable, "-c", FIRST_IMPORT, *map(str, paths)], check=True, capture_output=True,
                            text=True).stdout
    seconds = collections.defaultdict(list)
    for line in output.splitlines():
        path, _, value = line.rpartition(" ")
        if path and Path(path) in paths:
            seconds[Path(path)].append(float(value))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per format and model (default 3)")
    parser.add_argument("--categories", nargs="+", default=list(CATEGORIES),
                        help=f"library categories to sample, one model each per library (default {CATEGORIES})")
    args = parser.parse_args()
    try:
        libraries = install_package()
    except InputError as error:
        sys.exit(f"model_format: {error}")
    models = sample(libraries, tuple(args.categories))
    if not models:
        sys.exit(f"no model of the categories {args.categories} in {', '.join(map(str, libraries))}")
    print(f"{len(models)} models from {len(libraries)} libraries, {args.repeats} repeats; cpus "
          f"{len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"{'model':<38} {'category':<11} {'extract':>7} {'obj':>6} {'+tex':>5} {'glb':>6} {'+tex':>5} "
          f"{'obj/glb':>7} {'convert':>7} {'obj MB':>6} {'glb MB':>6}  differences (obj->glb)")
    totals = collections.defaultdict(float)
    with tempfile.TemporaryDirectory(prefix="simfarm-bench-format-") as scratch:
        cache = AssetCache(Path(scratch) / "cache")
        first_pair = None
        for number, model in enumerate(models):
            obj = library_models.fetch_model(model.uri, cache)
            glb = Path(scratch) / f"{number}.glb"
            runs = collections.defaultdict(list)
            with quiet():
                conversion = convert(obj, glb)
                for _ in range(args.repeats):
                    runs["extract"].append(time_extract(model.uri))
                    for name, path in (("obj", obj), ("glb", glb)):
                        load, textures = time_import(path, model.uri)
                        runs[name].append(load)
                        runs[f"{name}+tex"].append(load + textures)
                differences = Summary.of_scene(model.uri, obj).differences(Summary.of_scene(model.uri, glb))
            first_pair = first_pair or (obj, glb)
            median = {name: statistics.median(values) for name, values in runs.items()}
            sizes = folder_bytes(obj), glb.stat().st_size
            for name, value in (*median.items(), ("convert", conversion), ("obj bytes", sizes[0]),
                                ("glb bytes", sizes[1])):
                totals[name] += value
            print(f"{model.label[:38]:<38} {model.category[:11]:<11} {median['extract']:>7.3f} {median['obj']:>6.3f} "
                  f"{median['obj+tex'] - median['obj']:>5.2f} {median['glb']:>6.3f} "
                  f"{median['glb+tex'] - median['glb']:>5.2f} {median['obj+tex'] / median['glb+tex']:>6.2f}x "
                  f"{conversion:>7.2f} {sizes[0] / 1e6:>6.2f} {sizes[1] / 1e6:>6.2f}  "
                  f"{'; '.join(differences) or 'same'}", flush=True)
        print(f"{'all ' + str(len(models)) + ' (sums)':<50} {totals['extract']:>7.3f} {totals['obj']:>6.3f} "
              f"{totals['obj+tex'] - totals['obj']:>5.2f} {totals['glb']:>6.3f} {totals['glb+tex'] - totals['glb']:>5.2f} "
              f"{totals['obj+tex'] / totals['glb+tex']:>6.2f}x {totals['convert']:>7.2f} "
              f"{totals['obj bytes'] / 1e6:>6.2f} {totals['glb bytes'] / 1e6:>6.2f}")
        first = first_imports(list(first_pair))
        obj_first, glb_first = first[first_pair[0]], first[first_pair[1]]
        print(f"a fresh process's first import of {models[0].label}: GLB {glb_first[0]:.3f} s (then {glb_first[1]:.3f}"
              f" s), OBJ {obj_first[0]:.3f} s (then {obj_first[1]:.3f} s); load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
