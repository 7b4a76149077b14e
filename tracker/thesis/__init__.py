"""Thesis files: the typed model, the safe loader with located errors, and the JSON Schema."""

from tracker.thesis.loader import (
    InvalidFile,
    LoadResult,
    ThesisFileError,
    ValidationIssue,
    load_theses,
    load_thesis_file,
    parse_thesis_text,
)
from tracker.thesis.model import Assumption, Check, Closing, Observation, Position, Rebalance, Review, Source, Thesis
from tracker.thesis.units import Duration, UnitError, parse_date, parse_duration, parse_number, parse_percent

__all__ = [
    "Assumption", "Check", "Closing", "Duration", "InvalidFile", "LoadResult", "Observation", "Position",
    "Rebalance", "Review", "Source", "Thesis", "ThesisFileError", "UnitError", "ValidationIssue",
    "load_theses", "load_thesis_file", "parse_date", "parse_duration", "parse_number", "parse_percent",
    "parse_thesis_text",
]
