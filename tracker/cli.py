"""The `tracker` command line (contract in docs/cli.md).

Exit codes come from `tracker.reporting.ExitCode`: 0 success; 1 invalid input or a fatal error;
3 a refresh finished but some sources failed (they are reported, everything else is stored).
A `TrackerError` raised by any command is printed once, by `TrackerGroup`, as `error: <message>`
on standard error, and exits with code 1.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from tracker.errors import TrackerError
from tracker.formatting import count
from tracker.journal.history import history_json, history_lines
from tracker.journal.store import thesis_history
from tracker.launch import build_demo_database, demo_env, demo_settings, run_streamlit, yahoo_reachable
from tracker.pipeline.refresh import format_result, run_refresh
from tracker.pipeline.scheduler import run_scheduler
from tracker.reporting import STAGES, ExitCode
from tracker.reporting.progress import terminal_progress
from tracker.settings import load_settings
from tracker.status_report import build_status_report, database_lines, format_status_report, sqlite_file
from tracker.storage.db import open_database
from tracker.validation import load_theses

STAGE_CHOICES = f"{', '.join(STAGES[:-1])} or {STAGES[-1]}"


class TrackerGroup(TyperGroup):
    """Runs a command and turns any `TrackerError` into `error: <message>` and exit code 1."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrackerError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(ExitCode.FATAL) from None


app = typer.Typer(
    cls=TrackerGroup,
    help="Thesis Tracker: hold investment theses to account.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _logging(quiet: bool = False, verbose: bool = False) -> None:
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "httpcore", "yfinance", "peewee", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING if not verbose else logging.INFO)


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="files or folders; default: the theses folder")] = None,
) -> None:
    """Check thesis files; print one `file:line:col: path: message` line per problem."""
    settings = load_settings()
    targets = paths or [settings.theses_dir]
    missing = [p for p in targets if not p.exists()]
    for p in missing:
        typer.echo(f"{p}:1:1: no such file or folder", err=False)
    result = load_theses([p for p in targets if p.exists()])
    for issue in result.issues:
        typer.echo(str(issue))
    n_bad = len(result.invalid) + len(missing)
    n_problems = len(result.issues) + len(missing)
    typer.echo(f"{len(result.theses)} valid, {n_bad} invalid" + (f" ({count(n_problems, 'problem')})" if n_problems else ""), err=True)
    raise typer.Exit(ExitCode.FATAL if n_bad else ExitCode.OK)


@app.command()
def refresh(
    thesis: Annotated[str | None, typer.Option("--thesis", help="only this thesis id")] = None,
    only: Annotated[str | None, typer.Option("--only", help=STAGE_CHOICES)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress, only the summary and failures")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="a line per item and debug logs")] = False,
) -> None:
    """Run the pipeline once: prices → news → checks."""
    if only is not None and only not in STAGES:
        raise TrackerError(f"--only {only!r}: use {STAGE_CHOICES}")
    _logging(quiet, verbose)
    settings = load_settings()
    result = run_refresh(settings, thesis_id=thesis, only=only, trigger="cli", progress=terminal_progress(quiet, verbose))
    for line in format_result(result, quiet=quiet):
        typer.echo(line)
    raise typer.Exit(result.exit_code)


@app.command()
def schedule(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="debug logs")] = False,
) -> None:
    """Run the daily refresh on its schedule, in the foreground (Ctrl-C or SIGTERM stops it)."""
    _logging(False, verbose)
    run_scheduler(load_settings())


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object (contract in docs/cli.md)")] = False,
    demo_db: Annotated[bool, typer.Option("--demo", help="read the demo database that `tracker demo` fills")] = False,
) -> None:
    """Theses, positions, assumption statuses, last refresh and stale data; the text names the database read."""
    _logging(quiet=True)
    settings = demo_settings(load_settings()) if demo_db else load_settings()
    demo_file = sqlite_file(settings.db_url) if demo_db else None
    if demo_file is not None and not demo_file.exists():
        raise TrackerError(f"no demo database at {demo_file}: run `tracker demo --no-serve` (or `make demo`) first")
    summary = build_status_report(settings, today=dt.date.today())
    if as_json:
        typer.echo(json.dumps(summary, indent=2, default=str))
    else:
        for line in [*database_lines(settings, summary, demo=demo_db), *format_status_report(summary)]:
            typer.echo(line)


@app.command()
def history(
    thesis_id: Annotated[str, typer.Argument(metavar="ID", help="the thesis id")],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object (contract in docs/cli.md)")] = False,
) -> None:
    """Every version of a thesis file seen so far, oldest first, with what each one changed."""
    _logging(quiet=True)
    settings = load_settings()
    versions = thesis_history(open_database(settings.db_url), thesis_id, load_theses(settings.theses_dir).paths)
    if as_json:
        typer.echo(json.dumps(history_json(thesis_id, versions), indent=2, ensure_ascii=False))
        return
    if not versions:
        typer.echo(f"no versions of {thesis_id} recorded yet: the refresh and the dashboard record them", err=True)
    for line in history_lines(versions):
        typer.echo(line)


@app.command()
def demo(
    port: Annotated[int | None, typer.Option(help="port for the dashboard")] = None,
    no_browser: Annotated[bool, typer.Option("--no-serve", help="only build the demo database")] = False,
) -> None:
    """Fill a separate demo database from the bundled offline sample and open the dashboard on it."""
    _logging()
    settings = demo_settings(load_settings())
    code = build_demo_database(settings)
    if code == ExitCode.FATAL:
        raise typer.Exit(code)
    typer.echo(f"demo database ready: {settings.db_url} (sample data, not market prices); `tracker status --demo` reads it", err=True)
    if no_browser:
        raise typer.Exit(ExitCode.OK)
    raise typer.Exit(run_streamlit(demo_env(settings), port=port))


@app.command()
def dashboard(
    port: Annotated[int | None, typer.Option(help="port for the dashboard")] = None,
    auto: Annotated[bool, typer.Option("--auto", help="fall back to the sample data when Yahoo is unreachable")] = False,
) -> None:
    """Open the dashboard on the configured database (with --auto: the demo when offline)."""
    _logging()
    settings = load_settings()
    if auto and settings.price_source == "yahoo" and not yahoo_reachable():
        typer.echo("Yahoo Finance is unreachable: showing the bundled SAMPLE data (not market prices).", err=True)
        demo_cfg = demo_settings(settings)
        build_demo_database(demo_cfg)
        raise typer.Exit(run_streamlit(demo_env(demo_cfg), port=port))
    raise typer.Exit(run_streamlit(None, port=port))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
