"""The condition language of checks (`when:`): parsing, validation and evaluation (pure), the
checks stage of the refresh, and the store of statuses, check results, status history and alerts."""

from __future__ import annotations

from tracker.conditions.checks import condition_rule, parse_check, validate_when
from tracker.conditions.parser import ConditionError, parse

__all__ = ["ConditionError", "condition_rule", "parse", "parse_check", "validate_when"]
