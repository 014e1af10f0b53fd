"""`simfarm plan`: JSON out, byte-identical for the same inputs, one-line errors with exit code 2."""

import json
import subprocess
import sys

import pytest

from simfarm.cli import main


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "simfarm", *args], capture_output=True, text=True, timeout=300)


def test_plan_prints_variants_and_is_byte_identical(capsys):
    assert main(["plan", "two red cubes on a marble floor", "--variants", "3", "--seed", "7"]) == 0
    first = capsys.readouterr().out
    assert main(["plan", "two red cubes on a marble floor", "--variants", "3", "--seed", "7"]) == 0
    assert capsys.readouterr().out == first
    document = json.loads(first)
    assert [v["index"] for v in document["variants"]] == [0, 1, 2]
    assert all(v["caption"] for v in document["variants"])


@pytest.mark.parametrize("prompt,message", [
    ("", "prompt is empty"), ("   \t ", "prompt is empty"), ("a" * 4001, "limit is 4000"),
    ("a red\x07 car", "control character U+0007"), ("a car\x1b[31m", "control character U+001B"),
])
def test_bad_prompts_fail_with_one_line_and_exit_2(capsys, prompt, message):
    assert main(["plan", prompt]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("flags,message", [(["--variants", "0"], "--variants"), (["--seed", "-1"], "--seed")])
def test_bad_flags(capsys, flags, message):
    assert main(["plan", "a cube", *flags]) == 2
    assert message in capsys.readouterr().err


def test_batch_reports_bad_lines_by_number_and_plans_the_rest(tmp_path):
    batch = tmp_path / "prompts.txt"
    batch.write_bytes(b"a red cube\n\n\xff\xfe broken\n" + b"x\x07y\n" + b"a" * 4001 + b"\na blue ball\n")
    result = run_cli("plan", "--batch", str(batch))
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert [json.loads(line)["variants"][0]["objects"][0]["name"] for line in lines] == ["cube", "ball"]
    errors = result.stderr.splitlines()
    assert [e.split(":")[3] for e in errors] == ["2", "3", "4", "5"]
    assert "not valid UTF-8" in errors[1] and "Traceback" not in result.stderr


def test_batch_output_matches_single_prompt_runs(tmp_path, capsys):
    batch = tmp_path / "prompts.txt"
    batch.write_text("a red cube\na dog runs left\n")
    assert main(["plan", "--batch", str(batch), "--seed", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert main(["plan", "a dog runs left", "--seed", "3"]) == 0
    assert capsys.readouterr().out.strip() == lines[1]


def test_missing_batch_file(capsys):
    assert main(["plan", "--batch", "/nonexistent/prompts.txt"]) == 2
    assert "cannot read" in capsys.readouterr().err
