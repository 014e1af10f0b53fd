"""The images the chart runs are the images `make images` builds and the publishing workflow pushes:
one registry, one version (the chart's appVersion, the package's version), in every place that names
them. And the Dockerfiles keep what the chart's pods rely on."""

from __future__ import annotations

import re
import subprocess
import tomllib

import yaml

from simfarm.cluster.config import DEFAULT_RENDER_IMAGE
from support.minio import REPO_ROOT

CHART = REPO_ROOT / "charts" / "simfarm"
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "images.yml"


def chart() -> dict:
    return yaml.safe_load((CHART / "Chart.yaml").read_text())


def values() -> dict:
    return yaml.safe_load((CHART / "values.yaml").read_text())


def registry() -> str:
    return values()["image"]["repository"].rsplit("/", 1)[0]


def test_the_chart_names_both_images_in_one_registry_at_its_app_version():
    app_version, chosen = chart()["appVersion"], values()
    assert chosen["image"]["repository"] == f"{registry()}/operator"
    assert chosen["image"]["tag"] == "", "an empty tag means the chart's appVersion"
    assert chosen["render"]["image"] == f"{registry()}/render:{app_version}"
    assert DEFAULT_RENDER_IMAGE == chosen["render"]["image"], "the operator's default when the chart sets none"
    version = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert version == app_version, "the package and the chart are released together"


def test_make_images_builds_what_the_chart_runs():
    names = subprocess.run(["bash", str(REPO_ROOT / ".ci" / "images.sh"), "names"], capture_output=True,
                           text=True, check=True, env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}).stdout.split()
    assert names == [f"{registry()}/operator:{chart()['appVersion']}", values()["render"]["image"]]
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(rf"^IMAGE_REGISTRY \?= {re.escape(registry())}$", makefile, re.M)


def test_the_publishing_workflow_pushes_to_the_chart_registry_with_make():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    job = workflow["jobs"]["images"]
    assert job["env"]["IMAGE_REGISTRY"] == registry()
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as true
    commands = " ".join(step.get("run", "") for step in job["steps"])
    assert "make images" in commands and "make push-images" in commands
    assert "appVersion" in commands  # a tag that is not the chart's version is refused


def test_the_images_run_as_uid_1000_and_take_a_base_image_argument():
    for dockerfile in (REPO_ROOT / "operator" / "Dockerfile", REPO_ROOT / "render-image" / "Dockerfile"):
        text = dockerfile.read_text()
        assert re.search(r"^ARG BASE_IMAGE=docker\.io/library/python:3\.11-slim-bookworm$", text, re.M), dockerfile
        assert re.search(r"^USER 1000:1000$", text, re.M), dockerfile
        assert "--mount=type=secret,id=ca" in text, dockerfile
        # the CA is read from the secret mount only, never copied into a layer
        assert not re.search(r"^(COPY|ADD) .*\b(ca|cert)", text, re.M | re.I), dockerfile
    assert "bpy" not in (REPO_ROOT / "operator" / "Dockerfile").read_text().replace("No Blender", "")
