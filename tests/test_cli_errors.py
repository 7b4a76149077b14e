"""Every command reports a `TrackerError` the same way: `error: <message>` on standard error, exit 1."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import tracker.cli as cli
from tracker.errors import TrackerError
from tracker.reporting import ExitCode

runner = CliRunner()

COMMANDS = [["validate"], ["refresh"], ["schedule"], ["status"], ["status", "--json"], ["demo", "--no-serve"], ["dashboard"]]


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_bad_settings_are_one_error_line_and_exit_1(argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRACKER_PRICE_SOURCE", "carrier-pigeon")
    result = runner.invoke(cli.app, argv)
    assert result.exit_code == ExitCode.FATAL == 1
    assert result.stderr.splitlines() == ["error: TRACKER_PRICE_SOURCE='carrier-pigeon': use yahoo, demo or csv:PATH"]
    assert result.stdout == ""


def test_an_error_raised_inside_a_command_is_reported_without_a_traceback(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise TrackerError("database unreachable")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "build_status_report", fail)
    result = runner.invoke(cli.app, ["status", "--json"])
    assert result.exit_code == 1
    assert result.stderr == "error: database unreachable\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_only_accepts_the_stage_names():
    result = runner.invoke(cli.app, ["refresh", "--only", "everything"])
    assert result.exit_code == 1
    assert result.stderr == "error: --only 'everything': use prices, news or checks\n"


def test_other_exceptions_are_not_swallowed(tmp_path, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "build_status_report", crash)
    result = runner.invoke(cli.app, ["status"])
    assert isinstance(result.exception, RuntimeError)
