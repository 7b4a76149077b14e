"""How a refresh run reports, below every other package: stage names, exit codes, stage reports
and progress displays.

Domain stages (prices, news, checks) report through these types and the pipeline collects them;
living at the bottom floor, they let both import them without either importing the other.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal

Stage = Literal["prices", "news", "checks"]
STAGES: tuple[Stage, ...] = ("prices", "news", "checks")


class ExitCode(IntEnum):
    """Exit codes of the `tracker` command (contract in docs/cli.md)."""

    OK = 0
    FATAL = 1  # invalid input or a fatal error: nothing was refreshed
    PARTIAL = 3  # the refresh finished but some sources failed; everything else is stored


__all__ = ["STAGES", "ExitCode", "Stage"]
