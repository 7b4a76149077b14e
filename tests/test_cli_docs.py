"""docs/cli.md documents every command and every option that `tracker <command> --help` shows.

Each command has a `## \\`tracker <command> ...\\`` section; every option the command's help shows
(long and short forms) appears in that section, its long form in the heading, and the heading
names no option the command does not have.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from tracker.cli import app

DOC = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
GROUP = typer.main.get_command(app)
COMMANDS = sorted(GROUP.commands)
runner = CliRunner()


def sections() -> dict[str, str]:
    """Command name → its section of docs/cli.md, from the `## \\`tracker NAME ...\\`` heading to the next heading."""
    return {m.group(1): m.group(0) for m in re.finditer(r"^## `tracker ([a-z-]+)[^`\n]*`\n.*?(?=^## |\Z)", DOC, re.M | re.S)}


def help_text(*argv: str) -> str:
    result = runner.invoke(app, [*argv, "--help"], terminal_width=200, env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.output


def options(name: str) -> list:
    """The options a command's help shows (typer's parameters; arguments are not options)."""
    return [p for p in GROUP.commands[name].params if p.param_type_name == "option" and not p.hidden]


def test_every_command_has_a_section_and_every_section_a_command():
    assert sorted(sections()) == COMMANDS


def test_top_level_help_shows_every_command():
    shown = help_text()
    assert [name for name in COMMANDS if not re.search(rf"\b{name}\b", shown)] == []


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_shown_in_help_is_documented(name):
    shown, section = help_text(name), sections()[name]
    heading = section.splitlines()[0]
    for option in options(name):
        for flag in option.opts + option.secondary_opts:
            assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", shown), f"`tracker {name} --help` does not show {flag}"
            assert re.search(rf"`{re.escape(flag)}[` ]", section), f"docs/cli.md, `tracker {name}`: {flag} is not documented"
        long = next(f for f in option.opts if f.startswith("--"))
        assert re.search(rf"\[{re.escape(long)}[\] ]", heading), f"docs/cli.md: the heading of `tracker {name}` lacks [{long} ...]"


@pytest.mark.parametrize("name", COMMANDS)
def test_documented_options_exist(name):
    section = sections()[name]
    real = {flag for option in options(name) for flag in option.opts + option.secondary_opts}
    documented = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", section.splitlines()[0]))
    documented |= set(re.findall(r"`(--?[a-z][a-z-]*)[` ]", section))
    assert documented <= real, f"docs/cli.md documents options `tracker {name}` does not have: {sorted(documented - real)}"
