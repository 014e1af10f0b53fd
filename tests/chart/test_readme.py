"""README.md: its reference tables are current, and every command in it is run by a test or by CI.

COMMAND_COVERAGE maps each README command (by prefix) to what runs it. A
README command with no entry fails the test; so does an entry naming a test
that does not exist or does not use the command's words.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import readme_reference
from simfarm import metrics
from support.minio import REPO_ROOT, in_ci

README_TEXT = readme_reference.README.read_text()
SHELL_BLOCK = re.compile(r"^```(?:sh|bash|console)\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class ByTest:
    """``path::function``; the function's source quotes each word of the command after the program name."""

    test: str


@dataclass(frozen=True)
class ByCI:
    """Run by .ci/run (``make test``) on every change."""


@dataclass(frozen=True)
class NeedsCluster:
    """Not run by any test: needs a real cluster. Says which one and who will cover it."""

    why: str


E2E = NeedsCluster("real control plane: the e2e layer (issue 8) will run it")
GPU = NeedsCluster("a GPU cluster that rendered a video; run by hand")
REGISTRY = NeedsCluster("a registry login: .github/workflows/images.yml runs it on version tags")
NODES = NeedsCluster("a cluster's nodes to load into; the real-node e2e imports the same images from the builder")

COMMAND_COVERAGE: dict[str, ByTest | ByCI | NeedsCluster] = {
    "make test": ByCI(),
    "make testbin": ByCI(),  # a prerequisite of `make test`
    "python -m pytest tests/chart": ByCI(),  # `make test` runs pytest over tests/
    "make images": ByCI(),  # `make test` runs `make images BASE_IMAGE=local`
    "make push-images": REGISTRY,
    "make image-archives": NODES,
    "ctr -n k8s.io images import": NODES,
    "kind load image-archive": NODES,
    # `make demo` is `simfarm render` with the demo prompt (checked below) plus the install step.
    "make demo": ByTest("tests/chart/test_readme.py::test_make_demo_is_the_readme_render_command"),
    "simfarm render": ByTest("tests/chart/test_readme.py::test_readme_render_command_makes_a_video"),
    "simfarm render --story": ByTest(
        "tests/render/test_render_film.py::test_story_renders_one_video_cut_at_the_planned_frames"),
    "simfarm render --shots": ByTest(
        "tests/render/test_render_film.py::test_shot_list_file_renders_its_lengths_and_moves"),
    "simfarm plan --batch": ByTest("tests/unit/test_plan_cli.py::test_batch_output_matches_single_prompt_runs"),
    "simfarm plan": ByTest("tests/unit/test_plan_cli.py::test_plan_prints_variants_and_is_byte_identical"),
    "simfarm eval rewriter": ByTest("tests/unit/test_rewriter_llm.py::test_eval_command_measures_an_endpoint"),
    "simfarm verify": ByTest("tests/unit/test_passes_and_verify.py::test_verify_checks_every_claim_of_a_plan"),
    "simfarm catalog search": ByTest("tests/retrieval/test_catalog_cli.py::test_search_json"),
    "simfarm catalog list": ByTest("tests/retrieval/test_catalog_cli.py::test_list_and_stats"),
    "simfarm catalog stats": ByTest("tests/retrieval/test_catalog_cli.py::test_list_and_stats"),
    "simfarm catalog import": ByTest(
        "tests/retrieval/test_catalog_cli.py::test_malformed_import_reports_bad_records_and_imports_the_rest"),
    "simfarm catalog import-url": ByTest(
        "tests/retrieval/test_source_import.py::test_a_killed_import_run_again_ends_with_exactly_the_sources_entries"),
    "kubectl get assetcatalogs": ByTest(
        "tests/e2e/stand_in/test_e2e_catalogs.py::test_a_cap3d_catalog_is_ready_and_a_request_renders_one_of_its_models"),
    "helm lint": ByTest("tests/chart/test_chart_render.py::test_helm_lint_passes"),
    "helm template": ByTest("tests/chart/test_values_schema.py::test_chart_works_as_a_dependency"),
    "helm install": E2E,
    "kubectl apply": E2E,
    "kubectl get vr -n": E2E,
    "kubectl get vr red-car-at-sunset": GPU,
    "kubectl -n simfarm port-forward": GPU,
    "mc alias set": GPU,
    "mc cp": GPU,
}


def readme_commands() -> list[str]:
    """Commands in the README's shell blocks: continuation lines joined, comments and prompts dropped."""
    commands = []
    for block in SHELL_BLOCK.findall(README_TEXT):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.removeprefix("$ ").strip()
            if line and not line.startswith("#"):
                commands.append(re.sub(r"\s+#.*$", "", line))
    return commands


def coverage_of(command: str) -> tuple[str, ByTest | ByCI | NeedsCluster] | None:
    matches = [prefix for prefix in COMMAND_COVERAGE if command == prefix or command.startswith(prefix + " ")]
    return (max(matches, key=len), COMMAND_COVERAGE[max(matches, key=len)]) if matches else None


def function_source(test: str) -> str:
    path, name = test.split("::")
    tree = ast.parse((REPO_ROOT / path).read_text())
    found = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name]
    assert found, f"{test} does not exist"
    return ast.get_source_segment((REPO_ROOT / path).read_text(), found[0])


PROMPT_RENDER = 'simfarm render "'  # the README's render of a prompt (films follow it)


def readme_command(prefix: str) -> str:
    (command,) = [c for c in readme_commands() if c.startswith(prefix)]
    return command


def test_the_two_local_commands_come_first() -> None:
    assert readme_commands()[:2] == ["make demo", "make test"]


def test_readme_shows_the_demo_frame() -> None:
    assert "](examples/demo-frame.png)" in README_TEXT


@pytest.mark.parametrize("command", readme_commands())
def test_every_readme_command_is_exercised(command: str) -> None:
    covered = coverage_of(command)
    assert covered, f"README command without an entry in COMMAND_COVERAGE: {command}"
    prefix, how = covered
    if isinstance(how, ByTest):
        source = function_source(how.test)
        for word in prefix.split()[1:]:
            assert re.search(rf"""["']{re.escape(word)}["']""", source), f"{how.test} never uses {word!r}"
    elif isinstance(how, ByCI):
        assert "make test" in (REPO_ROOT / ".ci" / "run").read_text()
        assert re.search(r"^test:.*\btestbin\b", (REPO_ROOT / "Makefile").read_text(), re.M)


def test_every_coverage_entry_is_used() -> None:
    used = {coverage_of(command)[0] for command in readme_commands() if coverage_of(command)}
    assert set(COMMAND_COVERAGE) - used == set()


@pytest.mark.parametrize("name", readme_reference.SECTIONS)
def test_reference_tables_are_current(name: str) -> None:
    assert readme_reference.current(README_TEXT, name) == readme_reference.SECTIONS[name](), (
        "run: python tests/chart/readme_reference.py")


def test_every_spec_field_and_metric_is_in_the_readme() -> None:
    from simfarm.cluster import crd

    for resource in crd.RESOURCES.values():
        definition = crd.custom_resource_definition(resource)
        spec = definition["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
        for path, _ in readme_reference.spec_fields(spec):
            assert f"`{path}`" in README_TEXT, path
    for name in metrics.METRIC_NAMES:
        assert f"`{name}`" in README_TEXT, name


def test_make_demo_is_the_readme_render_command() -> None:
    """`make demo` installs, then runs the README's `simfarm render` command (tested below at a tiny size)."""
    done = subprocess.run(["make", "--no-print-directory", "-n", "demo"], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    recipe = shlex.split(done.stdout.strip().splitlines()[-1])
    assert recipe[0] == "HF_HUB_OFFLINE=1" and Path(recipe[1]).name == "simfarm"
    assert recipe[2:] == shlex.split(readme_command(PROMPT_RENDER))[1:]


def test_readme_render_command_makes_a_video(tmp_path: Path) -> None:
    if importlib.util.find_spec("bpy") is None and not in_ci():
        pytest.skip("bpy is not installed (pip install -c constraints.txt '.[render]')")
    argv = shlex.split(readme_command(PROMPT_RENDER))
    assert argv[:2] == ["simfarm", "render"] and "--out" in argv
    argv[argv.index("--out") + 1] = str(tmp_path)
    tiny = ["--seconds", "0.25", "--width", "64", "--height", "36", "--workers", "1"]  # same pipeline, seconds of CPU
    done = subprocess.run([sys.executable, "-m", "simfarm", *argv[1:], *tiny], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=600,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "SIMFARM_HOME": str(tmp_path / "home")})
    assert done.returncode == 0, done.stderr[-3000:]
    (video,) = [Path(line) for line in done.stdout.split()]
    assert video.name == "video.mp4" and video.is_relative_to(tmp_path)
    import av

    with av.open(str(video)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 6  # 0.25 s × 24 fps
    assert (video.parent / "caption.txt").read_text().strip()
