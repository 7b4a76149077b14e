"""The tables a page offers for download, as a spreadsheet should read them.

Each column says its unit in its header ("Return (%)", "Contribution (pp)"), numbers are rounded
to what the figures can tell, and every row carries the dates that give it meaning: when the
position was bought, its horizon, and the close the figures are as of.
"""

from __future__ import annotations

import pandas as pd

from tracker.portfolio.figures import ThesisPerformance

STATE_TEXT = {"open": "held", "closed": "sold", "pending": "to be bought"}


def _pct(x: float | None) -> float | None:
    return None if x is None else round(x * 100, 2)


def _price(x: float | None) -> float | None:
    if x is None:
        return None
    return round(x, 2) if abs(x) >= 1 else round(x, 4)


def positions_frame(perf: ThesisPerformance) -> pd.DataFrame:
    """One row per position with units in the headers, rounded, with entry, horizon and as-of dates."""
    as_of = perf.portfolio.last_date or perf.as_of
    base = f"Return in {perf.currency} (%)"
    rows = [
        {
            "Ticker": p.ticker,
            "Name": p.name or "",
            "State": STATE_TEXT.get(p.state, p.state),
            "Currency": p.currency,
            "Weight (%)": _pct(p.weight),
            "Weight now (%)": _pct(p.weight_now),
            "Entry date": p.entry_date or p.opened,
            "Entry price": _price(p.entry_price),
            "Last close date": p.last_date,
            "Last price": _price(p.last_price),
            "Return (%)": _pct(p.ret),
            base: _pct(p.ret_base),
            "Target price": _price(p.target),
            "Progress to target (%)": _pct(p.progress),
            "Horizon date": p.horizon_date,
            "Days left": p.days_left,
            "Pace": p.pace or "",
            "Contribution (pp)": _pct(p.contribution),
            "Exit date": p.exit_date,
            "Exit price": _price(p.exit_price),
            "As of": as_of,
        }
        for p in perf.positions
    ]
    return pd.DataFrame(rows, columns=["Ticker", "Name", "State", "Currency", "Weight (%)", "Weight now (%)", "Entry date", "Entry price",
                                       "Last close date", "Last price", "Return (%)", base, "Target price", "Progress to target (%)",
                                       "Horizon date", "Days left", "Pace", "Contribution (pp)", "Exit date", "Exit price", "As of"])


def positions_csv(perf: ThesisPerformance) -> bytes:
    """The positions as CSV text (UTF-8), empty cells where a figure is not known."""
    return positions_frame(perf).to_csv(index=False).encode("utf-8")
