"""Progress reporting for stages: a bar in a terminal, plain lines in logs, nothing in tests.

Stages only talk to the `Progress` protocol, so the CLI, the scheduler and the dashboard can
each show progress their own way.
"""

from __future__ import annotations

import sys
from typing import Protocol, TextIO


class Progress(Protocol):
    def start(self, stage: str, total: int) -> None: ...
    def advance(self, label: str = "", n: int = 1) -> None: ...
    def message(self, text: str) -> None: ...
    def finish(self) -> None: ...


class NullProgress:
    """Discards everything (tests, library use)."""

    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, label: str = "", n: int = 1) -> None:
        pass

    def message(self, text: str) -> None:
        pass

    def finish(self) -> None:
        pass


class LineProgress:
    """One plain line per item: readable in cron mail and CI logs."""

    def __init__(self, stream: TextIO | None = None, verbose: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.verbose = verbose
        self.stage = ""
        self.total = 0
        self.done = 0

    def start(self, stage: str, total: int) -> None:
        self.stage, self.total, self.done = stage, total, 0
        print(f"[{stage}] starting ({total} items)", file=self.stream, flush=True)

    def advance(self, label: str = "", n: int = 1) -> None:
        self.done += n
        if self.verbose:
            print(f"[{self.stage}] {self.done}/{self.total} {label}".rstrip(), file=self.stream, flush=True)

    def message(self, text: str) -> None:
        print(f"[{self.stage}] {text}", file=self.stream, flush=True)

    def finish(self) -> None:
        print(f"[{self.stage}] done ({self.done}/{self.total})", file=self.stream, flush=True)


class RichProgress:
    """A progress bar per stage for interactive terminals."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as _Bar

        self.console = Console(stderr=True)
        self._bar = _Bar(
            TextColumn("[bold]{task.fields[stage]:<7}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self._task: int | None = None

    def start(self, stage: str, total: int) -> None:
        self._bar.start()
        self._task = self._bar.add_task("", total=total or None, stage=stage)

    def advance(self, label: str = "", n: int = 1) -> None:
        if self._task is not None:
            self._bar.update(self._task, advance=n, description=label[:60])

    def message(self, text: str) -> None:
        self._bar.console.print(text, markup=False, highlight=False)

    def finish(self) -> None:
        if self._task is not None:
            self._bar.update(self._task, description="")
        self._bar.stop()
        self._task = None


def terminal_progress(quiet: bool = False, verbose: bool = False) -> Progress:
    """The right progress display for where the output goes."""
    if quiet:
        return NullProgress()
    if sys.stderr.isatty():
        return RichProgress()
    return LineProgress(verbose=verbose)
