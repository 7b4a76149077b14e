"""Altair charts of the dashboard, built from the figures of `tracker.portfolio`."""

from __future__ import annotations

import altair as alt
import pandas as pd

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
