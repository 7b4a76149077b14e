"""The journal of a thesis as versions with their change lines, and its text and JSON forms (pure).

`tracker history ID` prints `history_lines`; `tracker history ID --json` prints `history_json`,
whose shape is a contract (docs/cli.md): `{"id", "versions": [{"seen_at", "changes", …}]}`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.journal.changes import Change

ORIGINS = ("refresh", "dashboard", "git")


@dataclass(frozen=True)
class VersionChanges:
    """One stored version of a thesis file: when it was first seen, by whom, and what it changed."""

    seen_at: dt.datetime
    origin: str  # refresh | dashboard | git
    changes: list[Change] = field(default_factory=list)
    thesis_id: str = ""  # the id it was recorded under (an earlier id for versions before a rename)
    path: str = ""
    renamed_from: str | None = None

    @property
    def rewrites_past(self) -> bool:
        return any(c.rewrites_past for c in self.changes)


def when(moment: dt.datetime) -> str:
    """`2026-11-20 14:03 UTC`."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def history_lines(versions: Sequence[VersionChanges]) -> list[str]:
    """One block per version, oldest first: `2026-11-20 14:03 UTC (refresh)` then its indented changes."""
    lines: list[str] = []
    for v in versions:
        origin = v.origin + (f", renamed from {v.renamed_from}" if v.renamed_from else "")
        lines.append(f"{when(v.seen_at)} ({origin})")
        lines.extend(f"  {c.text}" for c in v.changes)
    return lines


def history_json(thesis_id: str, versions: Sequence[VersionChanges]) -> dict[str, Any]:
    """The `tracker history --json` object.

    Each version: `seen_at` (ISO, UTC), `changes` (the lines), `rewrites_past` (a flag per line),
    `origin`, `renamed_from` (the earlier id on the first version after a rename, else null).
    """
    return {
        "id": thesis_id,
        "versions": [
            {
                "seen_at": v.seen_at.astimezone(dt.UTC).isoformat(),
                "changes": [c.text for c in v.changes],
                "rewrites_past": [c.rewrites_past for c in v.changes],
                "origin": v.origin,
                "renamed_from": v.renamed_from,
            }
            for v in versions
        ],
    }
