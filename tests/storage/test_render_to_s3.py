"""`simfarm render … --out s3://…`: the local pipeline writes its request straight into MinIO."""

import json
import os
import subprocess
import sys
from pathlib import Path

import av

from simfarm.storage import RequestLayout, S3Config, Storage

VENV_BIN = Path(sys.executable).parent


def test_render_to_minio_end_to_end(minio_server, tmp_path):
    env = {**os.environ, **minio_server.env(), "HF_HUB_OFFLINE": "1", "SIMFARM_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [str(VENV_BIN / "simfarm"), "render", "a red cube rolls to the left", "--out", "s3://renders/team-a",
         "--width", "64", "--height", "36", "--fps", "8", "--seconds", "0.5", "--workers", "2"],
        capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    video_uri = done.stdout.strip().splitlines()[-1]
    assert video_uri.startswith("s3://renders/team-a/local/a-red-cube-rolls-to-the-left/")

    layout = RequestLayout(video_uri.rsplit("/variants/", 1)[0])
    store = Storage(S3Config.from_environ(minio_server.env()))
    listed = store.list_prefix(layout.base)
    for expected in (layout.plan, layout.video(0), layout.caption(0), layout.thumbnail(0)):
        assert expected in listed
    assert any("/segments/0/" in uri for uri in listed)  # two workers: the clip was split and joined
    plan = json.loads(store.get_bytes(layout.plan))
    assert store.get_bytes(layout.caption(0)).decode() == plan["variants"][0]["caption"]
    local_video = store.get_file(layout.video(0), tmp_path / "video.mp4")
    with av.open(str(local_video)) as container:
        frames = [frame for frame in container.decode(video=0)]
    assert len(frames) == 4 and (frames[0].width, frames[0].height) == (64, 36)
