"""Each engine renders a decodable H.264 video of the right length and size."""

from __future__ import annotations

import json
import os

import av
import pytest

from simfarm.plan.models import Framing, AmbientOcclusion, Bloom, MotionBlur, Postprocessing, Reflections

from render_helpers import decode, render, request, scene_object, variant


@pytest.mark.parametrize(("engine", "frames", "samples"), [
    ("WORKBENCH", 3, 1),
    ("CYCLES", 2, 2),
    ("EEVEE", 1, 1),  # ~30 s on a CPU without a GPU: shader compilation on llvmpipe
])
def test_engine_renders_video(engine, frames, samples, tmp_path):
    plan = request([variant([scene_object("sphere", 4, color="red")])], engine=engine, frames=frames, samples=samples)

    result = render(plan, tmp_path)

    video = tmp_path / "variants/0/video.mp4"
    decoded = decode(video)
    assert len(decoded) == frames
    assert decoded[0].shape == (36, 64, 3)
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        first_packet = next(container.demux(stream))
        assert first_packet.is_keyframe
    assert (tmp_path / "variants/0/caption.txt").read_text() == "variant 0"
    assert (tmp_path / "variants/0/thumbnail.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = result.summary
    assert (summary["engine"], summary["frames"], summary["variant"], summary["shard"]) == (engine, frames, 0, 0)
    assert summary["output_bytes"] == video.stat().st_size
    assert summary["seconds_per_frame"] > 0 and summary["device"]
    assert json.loads((tmp_path / "termination-log").read_text()) == summary


def test_the_worker_renders_with_as_many_threads_as_its_cpu_limit(tmp_path):
    """The render pod passes its CPU limit (SIMFARM_CPUS, from the downward API); unset, Blender uses every core."""
    plan = request([variant([scene_object("cube", 2)])], engine="CYCLES", frames=1, samples=1)
    limited = render(plan, tmp_path / "limited", env={"SIMFARM_CPUS": "1"})
    assert limited.summary["threads"] == 1
    unlimited = render(plan, tmp_path / "unlimited")
    assert unlimited.summary["threads"] == os.cpu_count()


ALL_EFFECTS = Postprocessing(bloom=Bloom(level="high", intensity=0.6, threshold=0.3, radius=6),
                             ssao=AmbientOcclusion(level="medium", factor=0.4),
                             ssrr=Reflections(level="medium", max_roughness=0.2),
                             motionblur=MotionBlur(level="medium", shutter_speed=0.3))


@pytest.mark.parametrize("engine", ["WORKBENCH", "CYCLES"])
def test_every_postprocessing_effect_renders(engine, tmp_path):
    plan = request([variant([scene_object("sphere", 4)], postprocessing=ALL_EFFECTS)], frames=2, engine=engine,
                   samples=2)

    render(plan, tmp_path)

    assert len(decode(tmp_path / "variants/0/video.mp4")) == 2


def test_bloom_spreads_light(tmp_path):
    bloom = Postprocessing(bloom=ALL_EFFECTS.bloom)
    objects = [scene_object("sphere", 4, color="white")]
    close = Framing(name="medium", fov=35, coverage_factor=1.2)

    render(request([variant(objects, postprocessing=bloom, framing=close)], frames=1), tmp_path / "bloom")
    render(request([variant(objects, framing=close)], frames=1), tmp_path / "plain")

    bloomed = decode(tmp_path / "bloom/variants/0/video.mp4")[0]
    plain = decode(tmp_path / "plain/variants/0/video.mp4")[0]
    assert bloomed.mean() > plain.mean() + 1.0
