"""The whole path on a real control plane: kubectl apply → operator → Indexed Jobs → scheduler →
GPU nodes → the real worker → MP4s in MinIO → status.outputs, and ``kubectl get vr``."""

from __future__ import annotations

import io
import json

import av

from simfarm.cluster.manifests import ASSEMBLE, RENDER
from simfarm.storage import parse_location
from support.kube_state import completion_index, container_state, exit_code

from e2e_config import GPU_NODES, REQUEST_NAMESPACE, TINY_RENDER

RENDER_TIMEOUT = 300


def test_video_request_renders_sharded_variants_into_minio(submit, cluster_state, control_plane, minio_server):
    name = "tiny-red-car"
    request = submit(name, variants=2, framesPerShard=TINY_RENDER["frames"] // 2)
    done = cluster_state.wait_for_phase(name, ("Succeeded", "Failed"), RENDER_TIMEOUT)
    report = cluster_state.report(name)
    status = done["status"]
    assert status["phase"] == "Succeeded", report
    assert status["progress"] == "4/4" and status["shards"]["succeeded"] == 4, report

    uid = request["metadata"]["uid"]
    render_pods, assemble_pods = cluster_state.pods(uid, RENDER), cluster_state.pods(uid, ASSEMBLE)
    assert sorted(completion_index(p) for p in render_pods) == [0, 1, 2, 3], report
    assert sorted(completion_index(p) for p in assemble_pods) == [0, 1], report
    for pod in render_pods + assemble_pods:
        assert pod["spec"]["nodeName"] in GPU_NODES, report
        assert exit_code(pod) == 0, report
    for pod in render_pods:  # each worker's summary came back as its termination message
        summary = json.loads(container_state(pod)["terminated"]["message"])
        assert (summary["command"], summary["frames"], summary["engine"]) == ("shard", 4, "WORKBENCH"), report
        assert pod["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"

    assert [output["variant"] for output in status["outputs"]] == [0, 1], report
    observer = minio_server.client()
    for output in status["outputs"]:
        location = parse_location(output["uri"])
        video = observer.get_object(location.bucket, location.key).read()
        with av.open(io.BytesIO(video)) as container:
            stream = container.streams.video[0]
            frames = sum(1 for _ in container.decode(stream))
            assert (stream.width, stream.height, frames) == (TINY_RENDER["width"], TINY_RENDER["height"],
                                                             TINY_RENDER["frames"]), output
        assert output["caption"] and output["url"].startswith(minio_server.endpoint_url), output

    table = control_plane.kubectl("get", "vr", name, "-n", REQUEST_NAMESPACE).stdout.splitlines()
    assert table[0].split() == ["NAME", "PHASE", "PROGRESS", "VARIANTS", "AGE"], table
    assert table[1].split()[:4] == [name, "Succeeded", "4/4", "2"], table
