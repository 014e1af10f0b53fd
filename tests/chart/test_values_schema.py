"""values.schema.json: every bad values file in bad-values/ is refused by `helm lint` and `helm template`.

Each file's first line says which part of helm's schema error it must produce
(``# expect: <text>``), so a file refused for another reason fails the test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from support.chart import CHART, RELEASE, helm
from support.crd_schema import schema_nodes

BAD_VALUES = sorted((Path(__file__).parent / "bad-values").glob("*.yaml"))
SCHEMA_ERROR = "values don't meet the specifications of the schema"


def expected_error(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name}: first line must be '# expect: <error text>'"
    return first.removeprefix("# expect: ")


def test_there_are_enough_bad_values_files() -> None:
    assert len(BAD_VALUES) >= 8


@pytest.mark.parametrize("path", BAD_VALUES, ids=[p.stem for p in BAD_VALUES])
def test_bad_values_are_refused(path: Path) -> None:
    expected = expected_error(path)
    for command in (["lint", CHART], ["template", RELEASE, CHART]):
        done = helm(*command, "--values", path)
        assert done.returncode != 0, f"helm {command[0]} accepted {path.name}"
        output = done.stdout + done.stderr
        assert SCHEMA_ERROR in output and expected in output, output


def test_schema_forbids_unknown_keys_in_every_object() -> None:
    """additionalProperties: false on every object that lists its properties."""
    schema = json.loads((CHART / "values.schema.json").read_text())
    open_objects = [where for where, node in schema_nodes(schema, separator="/")
                    if "properties" in node and node.get("type") == "object"
                    and node.get("additionalProperties") is not False]
    assert open_objects == []


def test_chart_works_as_a_dependency(tmp_path: Path) -> None:
    """A parent chart passes `global` to its subcharts: the schema must accept it."""
    parent = tmp_path / "parent"
    shutil.copytree(CHART, parent / "charts" / "simfarm")
    (parent / "Chart.yaml").write_text("apiVersion: v2\nname: parent\nversion: 0.1.0\n"
                                       "dependencies: [{name: simfarm, version: 0.1.0}]\n")
    done = helm("template", "parent", parent, "--set", "global.imageRegistry=registry.example")
    assert done.returncode == 0, done.stderr
