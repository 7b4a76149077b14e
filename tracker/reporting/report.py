"""What a pipeline stage hands back: counts and the sources that failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FailureKind = Literal["ticker", "feed", "thesis", "webhook", "stage"]

# How each stage count reads in a sentence, one and many ("1 close stored", "1,872 closes
# stored"); a count not listed here reads as its name with spaces.
COUNT_TEXT = {
    "prices_stored": ("close stored", "closes stored"),
    "requests": ("request to the price source", "requests to the price source"),
    "tickers_ok": ("ticker fetched", "tickers fetched"),
    "tickers_failed": ("ticker failed", "tickers failed"),
    "feeds_ok": ("feed read", "feeds read"),
    "feeds_not_modified": ("feed unchanged since the last read", "feeds unchanged since the last read"),
    "articles_new": ("new article", "new articles"),
    "checks_evaluated": ("check evaluated", "checks evaluated"),
    "statuses_changed": ("status changed", "statuses changed"),
    "reminders_raised": ("reminder raised", "reminders raised"),
    "alerts_sent": ("alert sent", "alerts sent"),
    "theses_invalid": ("invalid thesis file", "invalid thesis files"),
}


def counts_text(counts: dict[str, int]) -> str:
    """Counts as words for people, in a stable order: `1,872 closes stored, 1 new article`."""
    order = list(COUNT_TEXT)
    keys = sorted(counts, key=lambda k: (order.index(k) if k in order else len(order), k))
    parts = []
    for k in keys:
        one, many = COUNT_TEXT.get(k, (k.replace("_", " "),) * 2)
        parts.append(f"{counts[k]:,} {one if counts[k] == 1 else many}")
    return ", ".join(parts)


def failure_text(stage: str, kind: str, source: str, error: str) -> str:
    """One failure of a refresh for people: `prices: ticker MAA: not found at Yahoo`."""
    return f"{stage}: {kind} {source}: {error}"


@dataclass(frozen=True)
class Failure:
    """A source that failed in a stage; stored in `job_failures` and shown on the dashboard."""

    kind: FailureKind
    source: str
    error: str

    def __str__(self) -> str:
        return f"{self.kind} {self.source}: {self.error}"


@dataclass
class StageReport:
    """Counts (e.g. `prices_stored`, `articles_new`, `statuses_changed`) and failures of one stage."""

    stage: str
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # human report lines (per ticker, per feed)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def fail(self, kind: FailureKind, source: str, error: str) -> None:
        self.failures.append(Failure(kind, source, error))

    @property
    def ok(self) -> bool:
        return not self.failures


def budget_spent(seconds: float, setting: str) -> str:
    """The failure recorded for a source a stage did not start because its time budget was spent.

    A stage with a time budget starts no new source (ticker batch, feed) once the budget is
    spent; the sources left are recorded with this text, their stored state untouched, and are
    tried again by the next run.
    """
    return f"skipped: time budget spent ({setting}={seconds:g}s); retried next run"
