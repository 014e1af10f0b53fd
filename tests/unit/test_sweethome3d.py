"""The Sweet Home 3D importer on small libraries written here: sizes, fronts, tops, bodies, licenses.

The real libraries (Debian's sweethome3d-furniture) are imported by the
retrieval and render suites; these cases pin the rules on records built to
hit each one.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from simfarm.errors import InputError
from simfarm.retrieval.appearance import Looks, can_paint, has_color, has_finish, rank, shown, without
from simfarm.retrieval.entries import CatalogEntry, CatalogKind
from simfarm.retrieval.library import export_entries
from simfarm.retrieval.library_uris import IDENTITY, parse_model_uri
from simfarm.retrieval.sweethome3d import body_material, parse_properties, read_library

CC0 = "This library is under the Creative Commons Zero license: https://creativecommons.org/publicdomain/zero/1.0/"


def _box(x0, y0, z0, x1, y1, z1, first: int) -> list[str]:
    """A box's 8 vertices and 6 quad faces (1-based indices from ``first``)."""
    vertices = [f"v {x} {y} {z}" for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]
    quads = ((0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3))
    return vertices + [f"f {' '.join(f'{first + i}/1/1' for i in quad)}" for quad in quads]


def _car_obj() -> str:
    """A big dark trim box, a smaller painted box and a tyre: the paint is the body."""
    lines = ["mtllib car.mtl", "usemtl dark-plastic"] + _box(0, 0, 0, 4, 1.6, 2, 1)
    lines += ["usemtl first-color"] + _box(0, 0, 0, 3, 1.5, 2, 9)
    lines += ["usemtl tire"] + _box(0, 0, 0, 1, 1, 1, 17)
    return "\n".join(lines) + "\n"


CAR_MTL = """newmtl dark-plastic
Kd 0.05 0.05 0.05
newmtl first-color
Kd 0.8 0.1 0.1
newmtl tire
Kd 0.02 0.02 0.02
"""


def _library(records: dict[int, dict[str, str]], license_text: str = CC0, prefix: str = "Blend Swap CC-0") -> bytes:
    lines = ["id=Test", "name=Test library"]
    for number, record in records.items():
        record = {"id": f"{prefix}#{record['folder']}", "category": "Vehicles", "creator": "Someone",
                  "model": f"/lib/{record['folder']}/car.obj", "width": "200", "depth": "450", "height": "150",
                  **record}
        lines += [f"{key}#{number}={value}" for key, value in record.items() if key != "folder"]
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("PluginFurnitureCatalog.properties", "\n".join(lines))
        archive.writestr("LICENSE.TXT", license_text)
        for record in records.values():
            archive.writestr(f"lib/{record['folder']}/car.obj", _car_obj())
            archive.writestr(f"lib/{record['folder']}/car.mtl", CAR_MTL)
    return data.getvalue()


def test_records_become_entries_with_real_size_body_colour_license_and_creator():
    parsed = read_library(_library({1: {"folder": "sedan", "name": "Sedan", "tags": "Car, Blend Swap"}}),
                          "library://sweethome3d/Test.sh3f", "sweethome3d-test")
    (entry,) = parsed.entries
    assert entry.size_m == (2.0, 4.5, 1.5) and entry.top_m is None
    assert (entry.license, entry.creator, entry.categories) == ("CC0-1.0", "Someone", ("Vehicles",))
    ref = parse_model_uri(entry.uri)
    assert ref.member == "lib/sedan/car.obj" and ref.body == "first-color" and ref.rotation == IDENTITY
    assert entry.tags == ("Car", "red") and entry.description == "red sedan"  # the library's own tag dropped


def test_paint_names_beat_larger_dark_trim_for_the_body():
    assert body_material(_car_obj().encode(), CAR_MTL) == ("first-color", "red")
    unnamed = CAR_MTL.replace("first-color", "panel")
    assert body_material(_car_obj().replace("first-color", "panel").encode(), unnamed)[0] == "panel"
    only_glass = "newmtl lamp-glass\nKd 1 1 1\nd 0.3\n"
    assert body_material(b"v 0 0 0\nv 1 0 0\nv 0 1 0\nusemtl lamp-glass\nf 1 2 3\n", only_glass) == ("", None)
    # a lamp whose every material is called "lamp…": its dominant material is painted
    lamp = "newmtl lamp-shade\nKd 0.9 0.9 0.2\n"
    assert body_material(b"v 0 0 0\nv 1 0 0\nv 0 1 0\nusemtl lamp-shade\nf 1 2 3\n", lamp) == ("lamp-shade", "yellow")


def test_side_on_models_are_turned_to_face_the_viewer():
    records = {1: {"folder": "forkLift", "name": "Fork lift", "width": "351.4", "depth": "130.1", "height": "215.7"},
               2: {"folder": "wheelbarrow", "name": "Wheelbarrow", "width": "166.3", "depth": "59.8"},
               3: {"folder": "other", "name": "Other", "width": "300", "depth": "100"}}
    forklift, wheelbarrow, other = read_library(_library(records), "file:///t.sh3f", "t").entries
    assert forklift.size_m == (1.301, 3.514, 2.157) and other.size_m == (3.0, 1.0, 1.5)
    # the forks point -x in the library's front view; a quarter turn anticlockwise brings them to -y
    assert parse_model_uri(forklift.uri).rotation == (0, 0, 1, 0, 1, 0, -1, 0, 0)
    assert parse_model_uri(wheelbarrow.uri).rotation == (0, 0, -1, 0, 1, 0, 1, 0, 0)
    assert parse_model_uri(other.uri).rotation == IDENTITY


def test_tops_are_seats_but_not_the_floor_of_a_container():
    records = {1: {"folder": "chair", "name": "Chair", "height": "90", "dropOnTopElevation": "45"},
               2: {"folder": "box", "name": "Box", "height": "30", "dropOnTopElevation": "0.8"},
               3: {"folder": "table", "name": "Table", "height": "75", "dropOnTopElevation": "75"},
               4: {"folder": "lamp", "name": "Lamp", "height": "40", "dropOnTopElevation": "-1"}}
    chair, box, table, lamp = read_library(_library(records), "file:///t.sh3f", "t").entries
    assert chair.top_m == 0.45 and box.top_m is None and table.top_m is None and lamp.top_m is None


def test_misleading_names_are_corrected_and_a_bad_library_is_refused():
    parsed = read_library(_library({1: {"folder": "hotDog", "name": "Hot dog"}}), "file:///t.sh3f", "t")
    assert parsed.entries[0].name == "Hot dog sausage"
    with pytest.raises(InputError, match="not a zip file"):
        read_library(b"not a zip", "file:///t.sh3f", "t")
    with pytest.raises(InputError, match="names no license"):
        read_library(_library({1: {"folder": "x", "name": "X"}}, license_text="All rights reserved"), "t", "t")


def test_libraries_read_side_by_side_keep_their_order_and_their_errors(tmp_path):
    """Libraries are parsed by a process per core (``library._parsed``): the entries come out in the order of
    the libraries given, and a bad library's error reaches the caller."""
    paths = []
    for number, folders in enumerate((["van", "bus", "truck"], ["cart"])):
        paths.append(tmp_path / f"lib{number}.sh3f")
        paths[-1].write_bytes(_library({i: {"folder": folder, "name": folder.title()} for i, folder in
                                        enumerate(folders, start=1)}))
    out = tmp_path / "entries.jsonl"
    assert export_entries(paths, out) == 4
    assert [json.loads(line)["name"] for line in out.read_text().splitlines()] == ["Van", "Bus", "Truck", "Cart"]
    (tmp_path / "bad.sh3f").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="bad.sh3f.*not a zip file"):
        export_entries([paths[0], tmp_path / "bad.sh3f"], out)


def test_properties_escapes_and_continuations():
    text = "name#1=Caf\\u00e9 \\\n   chair\n# a comment\n! another\ndepth#1 : 45\n"
    assert parse_properties(text) == {"name#1": "Café chair", "depth#1": "45"}


def _entry(uri: str, name: str = "Chair", tags: tuple[str, ...] = ()) -> CatalogEntry:
    return CatalogEntry(id="x", kind=CatalogKind.object, name=name, tags=tags, uri=uri)


PAINTABLE = _entry("library://sweethome3d/T.sh3f#model=a/a.obj&body=oak_wood", tags=("brown",))
BARE = _entry("https://models.example/chair.glb", tags=("red",))
SHAPE = _entry("procedural://object/chair?color=red")


def test_appearance_prefers_the_colour_as_it_comes_then_paint():
    red = Looks(color="red")
    assert has_color(BARE, red) and not can_paint(BARE, red) and shown(BARE, red) == (True, True)
    assert can_paint(PAINTABLE, red) and not has_color(PAINTABLE, red)
    assert rank(BARE, red) < rank(PAINTABLE, red) < rank(BARE, Looks(color="green"))
    assert not can_paint(SHAPE, Looks(color="mauve")) and shown(SHAPE, Looks(color="mauve")) == (False, True)
    assert has_finish(PAINTABLE, Looks(material="wooden")) and not has_finish(BARE, Looks(material="wooden"))
    assert has_finish(SHAPE, Looks(material="metal"))


def test_an_unshowable_word_leaves_the_description():
    assert without("big red vintage car", "red") == "big vintage car"
    assert without("grey stone wall", "gray") == "stone wall"  # a synonym of the colour
    assert without("shiny light blue car", "light blue") == "shiny car"
    assert without("oak table", "wooden") == "table"
