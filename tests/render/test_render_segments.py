"""Shards of one variant, joined by stream copy, equal a single-shard render."""

from __future__ import annotations

import av

from simfarm.plan.models import Movement
from simfarm.plan.sharding import plan_shards
from simfarm.storage import RequestLayout

from render_helpers import decode, difference, render, request, run_worker, scene_object, variant


def _packets(video) -> list[bytes]:
    with av.open(str(video)) as container:
        return [bytes(packet) for packet in container.demux(video=0) if packet.size]


def test_segments_assemble_to_the_single_shard_video(tmp_path):
    scene = variant([scene_object("car", 4, color="red", movement=Movement(direction="left", speed=2.0)),
                     scene_object("tree", 2)], camera="orbit_right")
    sharded = request([scene], frames=26, frames_per_shard=10)
    single = request([scene], frames=26)
    layout = RequestLayout(str(tmp_path / "sharded"))

    shards = plan_shards(sharded)
    for shard in shards:
        summary = render(sharded, tmp_path / "sharded", shard.index).summary
        assert summary["output"] == layout.segment(0, shard.first_frame, shard.last_frame)
    assembled = run_worker("assemble", "--plan", str(tmp_path / "sharded/plan.json"), "--variant", "0")
    render(single, tmp_path / "single")

    assert [(s.first_frame, s.last_frame) for s in shards] == [(1, 10), (11, 20), (21, 26)]
    assert assembled.returncode == 0, assembled.stderr
    assert assembled.summary["frames"] == 26 and assembled.summary["segments"] == 3
    joined = decode(tmp_path / "sharded/variants/0/video.mp4")
    whole = decode(tmp_path / "single/variants/0/video.mp4")
    assert len(joined) == len(whole) == 26
    assert max(difference(a, b) for a, b in zip(joined, whole)) < 3.0  # same pictures, up to encoder noise
    segment_packets = [p for s in shards for p in _packets(layout.segment(0, s.first_frame, s.last_frame))]
    assert _packets(tmp_path / "sharded/variants/0/video.mp4") == segment_packets  # stream copy: bytes untouched
    assert (tmp_path / "sharded/variants/0/caption.txt").read_text() == "variant 0"
    assert (tmp_path / "sharded/variants/0/thumbnail.png").is_file()
