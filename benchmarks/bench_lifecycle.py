"""Lifecycle maths: the event-driven portfolio of 50 positions over 10 years with 40 events
(purchases, sales, rebalances) against the same portfolio without events, in one run."""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time

import numpy as np
import pandas as pd
from common import figure, machine

from tracker.portfolio.calculator import thesis_performance
from tracker.validation import parse_thesis_text

N_POSITIONS = 50
YEARS = 10
OPENED = dt.date(2016, 11, 21)
TODAY = dt.date(2026, 11, 20)
REPEAT = 7


def closes() -> pd.DataFrame:
    days = pd.bdate_range(OPENED - dt.timedelta(days=30), TODAY)
    rng = np.random.default_rng(7)
    steps = rng.normal(0.0003, 0.02, size=(len(days), N_POSITIONS))
    return pd.DataFrame(100 * np.exp(np.cumsum(steps, axis=0)), index=days, columns=[f"T{i:02d}" for i in range(N_POSITIONS)])


def thesis_text(events: bool) -> str:
    lines = ["title: Bench", "id: bench", f"opened: {OPENED}", "positions:"]
    opening = N_POSITIONS - 10 if events else N_POSITIONS
    for i in range(N_POSITIONS):
        extra = ""
        if events and i >= opening:  # 10 purchases after the opening, spread over the years
            extra = f", opened: {OPENED + dt.timedelta(days=300 * (i - opening + 1))}"
        if events and i < 10:  # 10 sales
            extra = f", closed: {OPENED + dt.timedelta(days=150 + 330 * i)}"
        weight = 1.0 / opening if i < opening else 0.02
        lines.append(f"  - {{ticker: T{i:02d}, weight: {weight!r}, horizon: 5y{extra}}}")
    text = "\n".join(lines) + "\n"
    if events:  # 20 rebalances, each naming the positions open on its day
        text += "rebalances:\n"
        for k in range(20):
            day = OPENED + dt.timedelta(days=170 * (k + 1) + 3)
            held = [i for i in range(N_POSITIONS) if _open(i, day, opening)]
            w = 1.0 / len(held)
            text += f"  - {{date: {day}, weights: {{{', '.join(f'T{i:02d}: {w!r}' for i in held)}}}}}\n"
    return text


def _open(i: int, day: dt.date, opening: int) -> bool:
    bought = OPENED if i < opening else OPENED + dt.timedelta(days=300 * (i - opening + 1))
    sold = OPENED + dt.timedelta(days=150 + 330 * i) if i < 10 else None
    return bought <= day and (sold is None or sold > day)


def best_of(thesis, frame) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        thesis_performance(thesis, frame, TODAY)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> int:
    print(f"# {machine()}")
    frame = closes()
    plain = parse_thesis_text(thesis_text(False), "plain.yaml")
    with_events = parse_thesis_text(thesis_text(True), "events.yaml")
    n_events = len(with_events.rebalances) + sum(p.closed is not None for p in with_events.positions) + sum(
        p.opened is not None for p in with_events.positions
    )
    perf = thesis_performance(with_events, frame, TODAY)
    assert abs(sum(p.contribution or 0 for p in perf.positions) - perf.portfolio.ret) < 1e-9
    t_plain, m_plain = best_of(plain, frame)
    t_events, m_events = best_of(with_events, frame)
    figure(f"figures, {N_POSITIONS} positions x {YEARS} y, no events (best of {REPEAT})", f"{t_plain * 1000:.1f} ms")
    figure(f"figures, same with {n_events} events (best of {REPEAT})", f"{t_events * 1000:.1f} ms")
    ok = figure("events / no events (best; median)", f"{t_events / t_plain:.2f}x; {m_events / m_plain:.2f}x", "< 2x", t_events / t_plain < 2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
