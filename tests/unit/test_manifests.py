"""Job manifests: names, labels, the render and assemble Jobs' distinguishing fields."""

from __future__ import annotations

from simfarm.cluster.config import OperatorConfig
from simfarm.cluster.manifests import RequestRef, assemble_job, child_name, render_job
from simfarm.cluster.spec import VideoRequestSpec

REQUEST = RequestRef("team", "clip", "0b9e6a4e-1111-2222-3333-444455556666")
CONFIG = OperatorConfig(render_image="img:1", s3_secret="default-s3")


def spec(**fields) -> VideoRequestSpec:
    return VideoRequestSpec.model_validate({"prompt": "a cube", "render": {"frames": 10}, **fields})


def test_child_names_are_deterministic_and_fit():
    assert child_name("clip", "render") == "clip-render"
    long = "x" * 200
    name = child_name(long, "render")
    assert name == child_name(long, "render") and len(name) == 52 and name.endswith("-render")
    assert child_name(long, "render") != child_name("y" * 200, "render")
    assert child_name(long + "a", "assemble")[:-len("-assemble")] != child_name(long + "b", "assemble")[:-9]


def test_render_job_is_indexed_with_one_completion_per_shard():
    job = render_job(REQUEST, spec(parallelism=8, retries=3), "s3://b/p/plan.json", 5, CONFIG)
    assert job["metadata"]["name"] == "clip-render" and job["metadata"]["namespace"] == "team"
    assert (job["spec"]["completions"], job["spec"]["parallelism"]) == (5, 5)  # never more pods than shards
    assert job["spec"]["backoffLimitPerIndex"] == 3 and job["spec"]["maxFailedIndexes"] == 5
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["command"] == ["simfarm-render", "shard", "--plan", "s3://b/p/plan.json"]
    assert container["resources"]["limits"] == {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "1"}
    assert pod["volumes"][-1] == {"name": "s3", "secret": {"secretName": "default-s3"}}
    assert "kueue.x-k8s.io/queue-name" not in job["metadata"]["labels"]
    assert "ttlSecondsAfterFinished" not in job["spec"] and "nodeSelector" not in pod


def test_queue_gpu_count_and_resource_name():
    job = render_job(REQUEST, spec(queueName="q", resources={"gpu": 0}), "p", 1, CONFIG)
    assert job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "q"
    assert "kueue.x-k8s.io/queue-name" not in job["spec"]["template"]["metadata"]["labels"]
    assert job["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "2", "memory": "8Gi"}
    amd = render_job(REQUEST, spec(resources={"gpu": 2, "gpuResource": "amd.com/gpu"}), "p", 1, CONFIG)
    assert amd["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["amd.com/gpu"] == "2"


def test_assemble_job_maps_indexes_to_the_listed_variants_without_gpu():
    job = assemble_job(REQUEST, spec(), "plan-uri", [0, 2, 5], CONFIG)
    assert job["metadata"]["name"] == "clip-assemble" and job["spec"]["completions"] == 3
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][:2] == ["sh", "-c"]
    assert {"name": "SIMFARM_VARIANTS", "value": "0 2 5"} in container["env"]
    assert "nvidia.com/gpu" not in container["resources"]["limits"]
