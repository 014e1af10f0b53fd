"""Assets fetched over HTTP: model files, floor textures and an HDRI, with retries."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import av
import numpy as np
import pytest

from simfarm.plan.models import Background, Stage, StageMaterial

from render_helpers import decode, render, request, run_worker, scene_object, variant, write_plan

CUBE_CORNERS = [(x, y, z) for x in (0, 1) for y in (0, 1) for z in (0, 1)]
CUBE_FACES = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]


def write_obj(path: Path) -> None:
    lines = [f"v {x} {y} {z * 2}" for x, y, z in CUBE_CORNERS]  # a 1×1×2 block
    lines += ["f " + " ".join(str(i + 1) for i in face) for face in CUBE_FACES]
    path.write_text("\n".join(lines) + "\n")


def write_ply(path: Path) -> None:
    header = ["ply", "format ascii 1.0", f"element vertex {len(CUBE_CORNERS)}", "property float x", "property float y",
              "property float z", f"element face {len(CUBE_FACES)}", "property list uchar int vertex_indices",
              "end_header"]
    body = [f"{x * 3} {y} {z}" for x, y, z in CUBE_CORNERS] + [f"4 {' '.join(map(str, f))}" for f in CUBE_FACES]
    path.write_text("\n".join(header + body) + "\n")


def striped(rgb: tuple[int, int, int]) -> np.ndarray:
    pixels = np.zeros((16, 16, 3), np.uint8)
    pixels[...] = rgb
    pixels[::4] = 255  # stripes, so it is a texture
    return pixels


def write_png(path: Path, pixels: np.ndarray) -> None:
    with av.open(str(path), "w", format="image2") as image:
        stream = image.add_stream("png", rate=1)
        stream.width, stream.height, stream.pix_fmt = 16, 16, "rgb24"
        image.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        image.mux(stream.encode(None))


def write_hdr(path: Path, width: int = 8, height: int = 4) -> None:
    """A flat Radiance RGBE image: sky blue above, brown below."""
    rows = [bytes([60, 90, 160, 128] if row < height // 2 else [90, 60, 30, 128]) * width for row in range(height)]
    header = f"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y {height} +X {width}\n".encode()
    path.write_bytes(header + b"".join(rows))


class FlakyAssetServer:
    """Serves a directory on 127.0.0.1; the first request for each file fails with 503."""

    def __init__(self, root: Path):
        self.requests: Counter[str] = Counter()
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(root), **kwargs)

            def do_GET(self):  # noqa: N802 (http.server's naming)
                server.requests[self.path] += 1
                if server.requests[self.path] == 1 and (root / self.path.lstrip("/")).is_file():
                    self.send_error(503, "warming up")
                    return
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def asset_server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    write_obj(root / "block.obj")
    write_ply(root / "slab.ply")
    write_png(root / "floor_diffuse.png", striped((30, 140, 40)))
    write_png(root / "floor_roughness.png", striped((128, 128, 128)))
    write_hdr(root / "sky.hdr")
    server = FlakyAssetServer(root)
    yield server
    server.close()


def test_model_texture_and_hdri_assets_render_after_transient_failures(asset_server, tmp_path):
    url = asset_server.url
    objects = [scene_object("block", 3, "large", uri=f"{url}/block.obj"),
               scene_object("slab", 5, "large", uri=f"{url}/slab.ply")]
    scene = variant(objects, world="procedural://world/studio")
    scene.background = Background(uri=f"{url}/sky.hdr")
    scene.stage = Stage(material=StageMaterial(maps={"diffuse": f"{url}/floor_diffuse.png",
                                                     "roughness": f"{url}/floor_roughness.png"}))

    result = render(request([scene], frames=2), tmp_path / "out")

    assert result.summary["frames"] == 2
    assert len(decode(tmp_path / "out/variants/0/video.mp4")) == 2
    served = {"/block.obj", "/slab.ply", "/sky.hdr", "/floor_diffuse.png", "/floor_roughness.png"}
    assert {path: asset_server.requests[path] for path in served} == {path: 2 for path in served}
    cached = list((tmp_path / "asset-cache/sha256").iterdir())
    assert len(cached) == len(served) and not any(p.name.startswith(".partial") for p in cached)

    render(request([scene], frames=1), tmp_path / "again")  # a second shard on the node reuses the cache

    assert {path: asset_server.requests[path] for path in served} == {path: 2 for path in served}


def test_a_floor_texture_tiles_across_the_floor(asset_server, tmp_path):
    """Both halves of a white|black texture show on the floor: it is mapped by its UVs, not read at one point.

    Cycles: Workbench shows an image on the mesh's UVs without the material's tiling. (Halves of one
    brightness and two hues would blur into one in the video's subsampled chroma.)
    """
    halves = np.full((16, 16, 3), 230, np.uint8)
    halves[:, 8:] = 10
    write_png(tmp_path / "served/halves.png", halves)
    scene = variant([scene_object("cube", 4, "small")], pitch=35.0)
    scene.stage = Stage(material=StageMaterial(maps={"diffuse": f"{asset_server.url}/halves.png"}))

    render(request([scene], frames=1, width=160, height=90, engine="CYCLES", samples=4), tmp_path / "out")

    floor = decode(tmp_path / "out/variants/0/video.mp4")[0][60:].mean(axis=2)  # the frame's lower third
    light, dark = (floor > 150).mean(), (floor < 60).mean()
    assert light > 0.2 and dark > 0.2, f"{light:.0%} of the floor is light and {dark:.0%} dark"


def test_unreachable_asset_is_permanent(asset_server, tmp_path):
    plan = request([variant([scene_object("block", 4, uri=f"{asset_server.url}/missing.glb")])])

    result = run_worker("shard", "--plan", str(write_plan(plan, tmp_path)), "--index", "0")

    assert result.returncode == 3, result.stderr
    assert "missing.glb: HTTP 404" in result.stderr.strip().splitlines()[-1]


def test_asset_with_wrong_checksum_is_permanent(asset_server, tmp_path):
    uri = f"{asset_server.url}/block.obj#sha256={'0' * 64}"
    plan = request([variant([scene_object("block", 4, uri=uri)])])

    result = run_worker("shard", "--plan", str(write_plan(plan, tmp_path)), "--index", "0")

    assert result.returncode == 3, result.stderr
    assert "expected 000000" in result.stderr.strip().splitlines()[-1]
