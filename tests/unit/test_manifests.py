"""Job manifests: names, labels, the render and assemble Jobs' distinguishing fields, the operator's defaults."""

from __future__ import annotations

import pytest

from simfarm.cluster.config import OperatorConfig
from simfarm.cluster.manifests import RequestRef, assemble_job, child_name, render_job
from simfarm.cluster.spec import Toleration, VideoRequestSpec
from simfarm.errors import InputError

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
    env = job["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "SIMFARM_CPUS", "valueFrom": {"resourceFieldRef": {
        "containerName": "worker", "resource": "limits.cpu", "divisor": "1"}}} in env  # Blender's render threads
    amd = render_job(REQUEST, spec(resources={"gpu": 2, "gpuResource": "amd.com/gpu"}), "p", 1, CONFIG)
    assert amd["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["amd.com/gpu"] == "2"


def test_assemble_job_maps_indexes_to_the_listed_variants_without_gpu():
    job = assemble_job(REQUEST, spec(), "plan-uri", [0, 2, 5], CONFIG)
    assert job["metadata"]["name"] == "clip-assemble" and job["spec"]["completions"] == 3
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][:2] == ["sh", "-c"]
    assert {"name": "SIMFARM_VARIANTS", "value": "0 2 5"} in container["env"]
    assert "nvidia.com/gpu" not in container["resources"]["limits"]


DEFAULTS = OperatorConfig.from_environ({
    "SIMFARM_DEFAULT_GPU_RESOURCE": "nvidia.com/mig-1g.10gb",
    "SIMFARM_DEFAULT_NODE_SELECTOR": '{"pool": "gpu"}',
    "SIMFARM_DEFAULT_TOLERATIONS": '[{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]',
    "SIMFARM_RUNTIME_CLASS": "nvidia",
    "SIMFARM_DEFAULT_QUEUE": "farm",
    "SIMFARM_DEFAULT_ENGINE": "EEVEE",
})


def test_operator_defaults_are_read_from_the_environment():
    assert (DEFAULTS.gpu_resource, DEFAULTS.node_selector, DEFAULTS.runtime_class, DEFAULTS.default_queue) == (
        "nvidia.com/mig-1g.10gb", {"pool": "gpu"}, "nvidia", "farm")
    assert DEFAULTS.tolerations == (Toleration(key="gpu", operator="Exists", effect="NoSchedule"),)
    assert DEFAULTS.default_engine == "EEVEE"
    unset = OperatorConfig.from_environ({})
    assert (unset.gpu_resource, unset.node_selector, unset.tolerations, unset.runtime_class,
            unset.default_queue, unset.default_engine) == ("nvidia.com/gpu", {}, (), None, None, "CYCLES")


def test_the_default_engine_applies_when_the_spec_names_none():
    assert spec().render.settings(DEFAULTS.default_engine).engine == "EEVEE"
    assert spec().render.settings().engine == "CYCLES"
    named = spec(render={"seconds": 1, "engine": "WORKBENCH"})
    assert named.render.settings(DEFAULTS.default_engine).engine == "WORKBENCH"


def test_operator_defaults_fill_what_the_spec_leaves_empty_on_both_jobs():
    for job in (render_job(REQUEST, spec(), "p", 1, DEFAULTS), assemble_job(REQUEST, spec(), "p", [0], DEFAULTS)):
        pod = job["spec"]["template"]["spec"]
        assert job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "farm"
        assert pod["nodeSelector"] == {"pool": "gpu"} and pod["runtimeClassName"] == "nvidia"
        assert pod["tolerations"] == [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]
    limits = render_job(REQUEST, spec(), "p", 1, DEFAULTS)["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert limits["limits"]["nvidia.com/mig-1g.10gb"] == "1"


def test_the_spec_wins_over_the_operator_defaults():
    job = render_job(REQUEST, spec(queueName="mine", nodeSelector={"pool": "a100"}, tolerations=[{"key": "x"}],
                                   resources={"gpuResource": "amd.com/gpu"}), "p", 1, DEFAULTS)
    pod = job["spec"]["template"]["spec"]
    assert job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "mine"
    assert (pod["nodeSelector"], pod["tolerations"]) == ({"pool": "a100"}, [{"key": "x"}])
    assert set(pod["containers"][0]["resources"]["limits"]) == {"cpu", "memory", "amd.com/gpu"}


@pytest.mark.parametrize("name,value,problem", [
    ("SIMFARM_DEFAULT_GPU_RESOURCE", "gpu", "not an extended resource name"),
    ("SIMFARM_DEFAULT_NODE_SELECTOR", "pool=gpu", "is not JSON"),
    ("SIMFARM_DEFAULT_NODE_SELECTOR", '["pool"]', "must be a JSON object"),
    ("SIMFARM_DEFAULT_NODE_SELECTOR", '{"gpus": 4}', "label values must be strings: gpus"),
    ("SIMFARM_DEFAULT_TOLERATIONS", '{"key": "gpu"}', "must be a JSON list"),
    ("SIMFARM_DEFAULT_TOLERATIONS", '[{"key": "gpu", "effect": "Never"}]', "[0][effect]"),
    ("SIMFARM_RUNTIME_CLASS", "Nvidia_Runtime", "not a RuntimeClass name"),
    ("SIMFARM_DEFAULT_QUEUE", "team.queue", "not a LocalQueue name"),
    ("SIMFARM_DEFAULT_ENGINE", "cycles", "not a render engine"),
])
def test_a_bad_operator_default_is_an_error_naming_it(name, value, problem):
    with pytest.raises(InputError, match=f"bad operator setting: {name}") as error:
        OperatorConfig.from_environ({name: value})
    assert problem in str(error.value)
