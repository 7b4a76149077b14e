"""`tracker validate` per the contract: exit 0/1 and one located line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.seed import BROKEN_THESIS as BAD
from tracker.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()



def test_example_theses_are_valid():
    result = runner.invoke(app, ["validate", str(ROOT / "theses")])
    assert result.exit_code == 0, result.output
    assert "3 valid, 0 invalid" in result.output  # the worked example, a closed and an on-track example


def test_invalid_file_exits_1_with_a_located_line(tmp_path: Path):
    bad = tmp_path / "broken.yaml"
    bad.write_text(BAD, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(str(bad))]
    assert lines == [f"{bad}:8:13: positions[1].weight: weights sum to 112%, expected 100%"]


def test_folder_with_good_and_bad_files_reports_only_the_bad(tmp_path: Path):
    (tmp_path / "good.yaml").write_text((ROOT / "theses" / "ai-inference-cost-squeeze.yaml").read_text())
    (tmp_path / "bad.yml").write_text("title: [unclosed\n")
    (tmp_path / "notes.txt").write_text("not a thesis")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "bad.yml:2:1: YAML syntax error" in result.output
    assert "good.yaml" not in result.output.replace("1 valid", "")
    assert "1 valid, 1 invalid" in result.output


def test_missing_path_is_an_error(tmp_path: Path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


@pytest.mark.parametrize("argv", [["refresh", "--only", "everything"]])
def test_bad_options_are_clean_errors(argv):
    result = runner.invoke(app, argv)
    assert result.exit_code == 1
    assert "use prices, news or checks" in result.output
