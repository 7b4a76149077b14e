"""Altair charts of the dashboard, built from the figures of `tracker.portfolio`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import altair as alt
import pandas as pd

from tracker.attention.track_record import ClosedThesis
from tracker.portfolio.figures import ThesisPerformance

EVENT_COLOURS = {"buy": "#2da44e", "sell": "#cf222e", "rebalance": "#8250df", "close": "#57606a"}


def portfolio_vs_benchmark(perf: ThesisPerformance, benchmark: str | None) -> alt.LayerChart | alt.Chart:
    """The portfolio and its benchmark indexed to 100, with a marker on each day the holdings changed."""
    frame = pd.DataFrame({"date": perf.value.index, "value": perf.value.values, "series": "Portfolio"})
    if benchmark and not perf.benchmark_value.empty:
        frame = pd.concat([frame, pd.DataFrame({"date": perf.benchmark_value.index, "value": perf.benchmark_value.values, "series": benchmark})])
    lines = (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("value:Q", title="Indexed to 100 at opening", scale=alt.Scale(zero=False)),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("date:T"), alt.Tooltip("series:N"), alt.Tooltip("value:Q", format=".1f")],
        )
        .properties(height=300)
    )
    if not perf.events:
        return lines
    marks = pd.DataFrame([{"date": pd.Timestamp(e.date), "event": e.kind, "what": e.text} for e in perf.events])
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[4, 3], strokeWidth=1.5)
        .encode(
            x="date:T",
            stroke=alt.Stroke("event:N", title=None, scale=alt.Scale(domain=list(EVENT_COLOURS), range=list(EVENT_COLOURS.values())),
                              legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("date:T", title="date"), alt.Tooltip("what:N", title="event")],
        )
    )
    return alt.layer(lines, rules).resolve_scale(color="independent")


def target_paths(perf: ThesisPerformance) -> alt.Chart | None:
    """Each position's price against the straight line from entry to target by its horizon."""
    closes = perf.closes
    rows = []
    for p in perf.positions:
        if p.entry_date is None or p.ticker not in closes.columns:
            continue
        series = closes[p.ticker].dropna()
        series = series[series.index >= pd.Timestamp(p.entry_date)]
        rows += [{"ticker": p.ticker, "date": d, "price": v, "line": "price"} for d, v in series.items()]
        if p.target is not None and p.entry_price is not None:
            rows += [
                {"ticker": p.ticker, "date": pd.Timestamp(p.entry_date), "price": p.entry_price, "line": "path to target"},
                {"ticker": p.ticker, "date": pd.Timestamp(p.horizon_date), "price": p.target, "line": "path to target"},
            ]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    return (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("price:Q", title=None, scale=alt.Scale(zero=False)),
            color=alt.Color("line:N", title=None, scale=alt.Scale(domain=["price", "path to target"], range=["#1f6feb", "#9aa4b2"]), legend=alt.Legend(orient="top")),
            strokeDash=alt.StrokeDash("line:N", scale=alt.Scale(domain=["price", "path to target"], range=[[1, 0], [5, 4]]), legend=None),
            tooltip=["ticker:N", "line:N", alt.Tooltip("date:T"), alt.Tooltip("price:Q", format=",.2f")],
        )
        .properties(width=260, height=160)
        .facet(facet=alt.Facet("ticker:N", title=None), columns=3)
        .resolve_scale(y="independent", x="independent")
    )


def contributions(perf: ThesisPerformance) -> alt.Chart | None:
    frame = pd.DataFrame([{"ticker": p.ticker, "contribution": p.contribution * 100} for p in perf.positions if p.contribution is not None])
    if frame.empty:
        return None
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("contribution:Q", title="Contribution (pp)"),
            y=alt.Y("ticker:N", sort="-x", title=None),
            color=alt.condition(alt.datum.contribution >= 0, alt.value("#2da44e"), alt.value("#cf222e")),
            tooltip=["ticker:N", alt.Tooltip("contribution:Q", format="+.2f")],
        )
        .properties(height=30 * len(frame) + 20)
    )


def sentiment_over_time(items: list[dict], tickers: list[str]) -> alt.Chart | None:
    rows = [
        {"ticker": t, "week": pd.Timestamp(a["published_at"]).tz_convert(None).to_period("W").start_time, "sentiment": s}
        for a in items
        for t, s in a["tickers"].items()
        if t in tickers
    ]
    if not rows:
        return None
    frame = pd.DataFrame(rows).groupby(["ticker", "week"], as_index=False).agg(sentiment=("sentiment", "mean"), articles=("sentiment", "size"))
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title="Week"),
            y=alt.Y("sentiment:Q", title="Mean sentiment", scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color("ticker:N", legend=alt.Legend(orient="top")),
            tooltip=["ticker:N", alt.Tooltip("week:T"), alt.Tooltip("sentiment:Q", format="+.2f"), "articles:Q"],
        )
        .properties(height=260)
    )


def return_vs_excess(records: Sequence[ClosedThesis]) -> alt.LayerChart | None:
    """One point per closed thesis: its return across, its excess over the benchmark up, by outcome."""
    rows = [{"thesis": r.title, "return": r.ret * 100, "excess": r.excess * 100, "outcome": r.outcome.replace("_", " ")}
            for r in records if r.ret is not None and r.excess is not None]
    if not rows:
        return None
    frame = pd.DataFrame(rows)

    def span(column: str) -> list[float]:  # both signs in view, with room around the points
        low, high = min(float(frame[column].min()), 0.0), max(float(frame[column].max()), 0.0)
        pad = max(5.0, (high - low) * 0.15)
        return [low - pad, high + pad]

    base = alt.Chart(frame).encode(
        x=alt.X("return:Q", title="Return (%)", scale=alt.Scale(domain=span("return"))),
        y=alt.Y("excess:Q", title="Excess over the benchmark (points)", scale=alt.Scale(domain=span("excess"))),
    )
    points = base.mark_circle(size=140).encode(
        color=alt.Color("outcome:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=["thesis:N", "outcome:N", alt.Tooltip("return:Q", format="+.1f"), alt.Tooltip("excess:Q", format="+.1f")],
    )
    labels = base.mark_text(align="left", dx=9, fontSize=12).encode(text="thesis:N")
    zero_y = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#9aa4b2").encode(y="y:Q")
    zero_x = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#9aa4b2").encode(x="x:Q")
    return alt.layer(zero_y, zero_x, points, labels).properties(height=320)


STATUS_COLOURS = {"intact": "#2da44e", "at_risk": "#d4a72c", "falsified": "#cf222e", "unknown": "#8c959f"}


def status_timeline(history: pd.DataFrame, start: dt.date, end: dt.datetime) -> alt.Chart:
    """Each assumption's status as bars from one change to the next (the last runs to `end`), on an
    axis from the thesis's opening (`start`) so the whole life of the thesis is in view."""
    rows = []
    for assumption, changes in history.sort_values("changed_at").groupby("assumption", sort=False):
        times = list(pd.to_datetime(changes["changed_at"], utc=True))
        for i, (when, status, why) in enumerate(zip(times, changes["to"], changes["reasons"], strict=True)):
            until = times[i + 1] if i + 1 < len(times) else pd.Timestamp(end)
            rows.append({"assumption": assumption, "from": when, "until": max(until, when), "status": status.replace("_", " "),
                         "why": "; ".join(why or [])[:300]})
    frame = pd.DataFrame(rows)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("from:T", title=None, scale=alt.Scale(domain=[pd.Timestamp(start, tz="UTC").isoformat(), pd.Timestamp(end).isoformat()])),
            x2="until:T",
            y=alt.Y("assumption:N", title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False), scale=alt.Scale(paddingInner=0.35)),
            color=alt.Color("status:N", title=None, legend=alt.Legend(orient="top"),
                            scale=alt.Scale(domain=[k.replace("_", " ") for k in STATUS_COLOURS], range=list(STATUS_COLOURS.values()))),
            tooltip=["assumption:N", "status:N", alt.Tooltip("from:T", format="%Y-%m-%d %H:%M"), alt.Tooltip("until:T", format="%Y-%m-%d"),
                     alt.Tooltip("why:N", title="reasons")],
        )
        .properties(height=alt.Step(30))
    )
