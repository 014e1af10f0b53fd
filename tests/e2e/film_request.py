"""A film on a control plane, for either node type (``real_node/test_e2e_real_film.py``,
``stand_in/test_e2e_film.py``): ``kubectl apply`` examples/film-story.yaml → the operator splits the story
into shots → one Indexed Job over the shots → the worker → assembly → one MP4 in MinIO cut at the planned
frames, its WebVTT script and film.json listed in ``status.outputs``, each shot's ground truth true, and
``simfarm verify`` passing on the request's S3 prefix.
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import subprocess
import sys

import av
import numpy as np

from simfarm.cluster.manifests import ASSEMBLE, RENDER
from simfarm.storage import parse_location
from support.film_video import webvtt_cues
from support.kube_state import completion_index, exit_code

from e2e_config import TINY_RENDER

RENDER_TIMEOUT = 420
STORY = "A red ball rolls to the left. The ball stops beside a blue cube. It rolls slowly to the right."


def check_story_film(name: str, submit, cluster_state, minio_server, nodes: tuple[str, ...] | None = None) -> None:
    """The whole film path; ``nodes``: where its pods must have run (None: anywhere)."""
    request = submit(name, example="film-story.yaml", story=STORY, variants=1)
    done = cluster_state.wait_for_phase(name, ("Succeeded", "Failed"), RENDER_TIMEOUT)
    report = cluster_state.report(name)
    status = done["status"]
    assert status["phase"] == "Succeeded", report
    assert status["plan"]["shotFrames"] == [TINY_RENDER["frames"]] * 3 and status["progress"] == "3/3", report

    uid = request["metadata"]["uid"]
    render_pods, assemble_pods = cluster_state.pods(uid, RENDER), cluster_state.pods(uid, ASSEMBLE)
    assert sorted(completion_index(p) for p in render_pods) == [0, 1, 2], report  # one pod per shot
    assert [completion_index(p) for p in assemble_pods] == [0], report
    for pod in render_pods + assemble_pods:
        assert exit_code(pod) == 0 and (nodes is None or pod["spec"]["nodeName"] in nodes), report

    (output,) = status["outputs"]
    film = output["film"]
    assert film["shots"] == 3, output
    observer = minio_server.client()

    def fetch(uri: str) -> bytes:
        location = parse_location(uri)
        return observer.get_object(location.bucket, location.key).read()

    with av.open(io.BytesIO(fetch(output["uri"]))) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    shots = json.loads(fetch(film["film"]))["shots"]
    assert len(frames) == 3 * TINY_RENDER["frames"] == shots[-1]["last_frame"]
    assert (frames[0].shape[1], frames[0].shape[0]) == (TINY_RENDER["width"], TINY_RENDER["height"])
    # cut where planned: each shot's frames are its own render's (the segment its pod wrote), in story order
    base = posixpath.dirname(status["plan"]["uri"])
    for shot in shots:
        segment = f"{base}/segments/0/{shot['first_frame']:06d}-{shot['last_frame']:06d}.mp4"
        with av.open(io.BytesIO(fetch(segment))) as container:
            rendered = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
        assert len(rendered) == shot["frames"], shot
        cut = frames[shot["first_frame"] - 1:shot["last_frame"]]
        assert all(np.array_equal(a, b) for a, b in zip(cut, rendered)), shot
    cues = webvtt_cues(fetch(film["script"]).decode(), TINY_RENDER["fps"])
    assert cues == [(s["shot"] + 1, s["first_frame"], s["last_frame"], s["caption"]) for s in shots]
    assert output["caption"].splitlines() == [s["caption"] for s in shots]
    for shot in shots:
        truth = json.loads(fetch(posixpath.join(film["groundTruth"], str(shot["shot"]), "annotations.json")))
        assert truth["shot"] == shot["shot"] and all(claim["holds"] for claim in truth["claims"]), shot

    reach = {**minio_server.env(), "AWS_ENDPOINT_URL": f"http://{minio_server.reachable_address}"}
    verified = subprocess.run([sys.executable, "-m", "simfarm", "verify", base], capture_output=True, text=True,
                              timeout=300, env={**os.environ, **reach, "HF_HUB_OFFLINE": "1"})
    assert verified.returncode == 0, verified.stdout[-3000:] + verified.stderr[-2000:]
    assert "0/2" in verified.stdout and "annotations" in verified.stdout
