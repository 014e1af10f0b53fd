"""`simfarm catalog …` end to end: output formats and user errors (exit code 2, one line)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simfarm.cli import main

DATA = Path(__file__).parent / "data"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def home(catalog) -> str:
    return str(catalog.home)


def test_search_json(capsys, home):
    code, out, _ = _run(capsys, "catalog", "search", "hdri", "starry night", "--top", "3", "--json", "--home", home)
    assert code == 0
    document = json.loads(out)
    assert document["query"] == "starry night"
    assert len(document["results"]) == 3
    assert {"id", "name", "score", "uri"} <= set(document["results"][0])
    assert "night" in document["results"][0]["tags"] + document["results"][0]["categories"]


def test_search_batch_prints_one_json_line_per_query(capsys, home, tmp_path):
    queries = ["red sports car", "", "snowy winter", "marble"]
    batch = tmp_path / "queries.txt"
    batch.write_text("\n".join(queries) + "\n")
    code, out, _ = _run(capsys, "catalog", "search", "object", "--batch", str(batch), "--top", "2", "--home", home)
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["query"] for line in lines] == [q for q in queries if q]
    assert all(len(line["results"]) == 2 for line in lines)
    assert lines[0]["results"][0]["id"].startswith("car-")


def test_list_and_stats(capsys, home):
    code, out, _ = _run(capsys, "catalog", "list", "material", "--json", "--home", home)
    assert code == 0
    entries = [json.loads(line) for line in out.splitlines()]
    code, out, _ = _run(capsys, "catalog", "stats", "--json", "--home", home)
    assert code == 0
    stats = json.loads(out)
    assert sum(stats["material"].values()) == len(entries)
    assert stats["material"]["polyhaven"] == len(json.loads((DATA / "polyhaven_textures.json").read_text()))


@pytest.mark.parametrize("argv,message", [
    (["catalog", "search", "texture", "wood"], "unknown catalog kind 'texture'; expected one of: object, hdri, material"),
    (["catalog", "search", "hdri", "   "], "empty search query"),
    (["catalog", "search", "hdri", "night", "--top", "0"], "--top must be at least 1, got 0"),
    (["catalog", "search", "hdri"], "give either a QUERY or --batch FILE"),
    (["catalog", "import", "hdri", "/nonexistent/hdris.json"], "import file not found: /nonexistent/hdris.json"),
    (["catalog", "import", "hdri", str(DATA / "cap3d_sample.json"), "--format", "cap3d"],
     "cap3d captions describe objects; cannot import them as hdri"),
])
def test_user_errors_exit_2_with_one_line(capsys, home, argv, message):
    code, out, err = _run(capsys, *argv, "--home", home)
    assert code == 2
    assert err == f"simfarm: error: {message}\n"


def test_malformed_import_reports_bad_records_and_imports_the_rest(capsys, tmp_path):
    records = tmp_path / "materials.jsonl"
    records.write_text("\n".join([
        json.dumps({"id": "slate", "name": "Slate", "tags": ["stone", "grey"], "uri": "https://e.org/slate.png"}),
        '{"id": "broken", "name": ',
        json.dumps({"id": "nameless", "uri": "https://e.org/x.png"}),
        json.dumps({"id": "cork", "name": "Cork board", "maps": {"diffuse": "https://e.org/cork.png"}}),
    ]))
    home = str(tmp_path / "home")
    code, out, err = _run(capsys, "catalog", "import", "material", str(records), "--home", home)
    assert code == 2
    assert "2 added" in out
    assert f"rejected {records} line 2: Expecting value" in err
    assert f"rejected {records} line 3: name: Field required" in err
    assert err.splitlines()[-1] == f"simfarm: error: {records}: 2 record(s) rejected (listed above), the rest imported"
    _, out, _ = _run(capsys, "catalog", "list", "material", "--home", home)
    assert "jsonl:slate" in out and "jsonl:cork" in out


def test_invalid_json_names_line_and_column(capsys, tmp_path):
    path = tmp_path / "hdris.json"
    path.write_text('{"a": {"name": "A", "url": "x"},\n "b": }')
    code, _, err = _run(capsys, "catalog", "import", "hdri", str(path), "--home", str(tmp_path / "home"))
    assert code == 2
    assert err.startswith(f"simfarm: error: {path}: not valid JSON at line 2 column 7")


def test_unwritable_home_is_a_clear_error(capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, _, err = _run(capsys, "catalog", "stats", "--home", str(blocker / "home"))
    assert code == 2
    assert err == (f"simfarm: error: catalog home {blocker / 'home'} is not usable (Not a directory); "
                   "pass --home or set SIMFARM_HOME to a writable directory\n")


def test_unwritable_home_from_the_environment_via_subprocess(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {**os.environ, "SIMFARM_HOME": str(blocker / "home"), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "simfarm", "catalog", "search", "hdri", "night"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith(f"simfarm: error: catalog home {blocker / 'home'} is not usable")
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
