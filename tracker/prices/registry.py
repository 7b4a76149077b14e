"""The price sources by name: `TRACKER_PRICE_SOURCE` turned into a source object.

Kept apart from the interface in `source.py`, which every provider imports, so that naming the
providers here creates no import loop.
"""

from __future__ import annotations

from pathlib import Path

from tracker.errors import SettingsError
from tracker.prices.csv_source import CsvSource
from tracker.prices.demo import DemoSource
from tracker.prices.source import PriceSource
from tracker.prices.yahoo import YahooSource
from tracker.settings import Settings


def make_source(settings: Settings) -> PriceSource:
    """The source named by `TRACKER_PRICE_SOURCE`: yahoo, demo or csv:PATH."""
    spec = settings.price_source
    if spec == "yahoo":
        return YahooSource(cache_dir=settings.cache_dir / "yfinance", deadline=settings.yahoo_deadline)
    if spec == "demo":
        return DemoSource()
    if spec.startswith("csv:"):
        path = Path(spec[4:])
        if not path.exists():
            raise SettingsError(f"TRACKER_PRICE_SOURCE={spec}: file {path} does not exist")
        return CsvSource(path)
    raise SettingsError(f"TRACKER_PRICE_SOURCE={spec!r}: use yahoo, demo or csv:PATH")
