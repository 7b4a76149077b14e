"""Altair charts of the dashboard, built from the figures of `tracker.portfolio`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

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


PATH_COLOURS = {"price": "#1f6feb", "path to target": "#9aa4b2"}
TARGET_COLOUR = "#2da44e"
HORIZON_COLOUR = "#8250df"


def position_chart(perf: ThesisPerformance, ticker: str) -> alt.LayerChart | None:
    """One position's price against the straight line from entry to target by its horizon, with
    the target as a level and the horizon as a dated marker; None when it has no closes yet.

    One chart per position, laid out by the page in a grid of columns, so each panel takes the
    width of its column and every position stays in view whatever the window's width."""
    p = next((f for f in perf.positions if f.ticker == ticker), None)
    if p is None or p.entry_date is None or ticker not in perf.closes.columns:
        return None
    series = perf.closes[ticker].dropna()
    series = series[series.index >= pd.Timestamp(p.entry_date)]
    if p.exit_date is not None:
        series = series[series.index <= pd.Timestamp(p.exit_date)]
    if series.empty:
        return None
    rows = [{"date": d, "price": float(v), "line": "price"} for d, v in series.items()]
    has_target = p.target is not None and p.entry_price is not None
    if has_target:
        rows += [{"date": pd.Timestamp(p.entry_date), "price": p.entry_price, "line": "path to target"},
                 {"date": pd.Timestamp(p.horizon_date), "price": p.target, "line": "path to target"}]
    frame = pd.DataFrame(rows)
    title = alt.TitleParams(f"{ticker} · {p.name}" if p.name else ticker, anchor="start", fontSize=13, limit=0,
                            subtitle=f"target {p.target:,.2f} by {p.horizon_date}" if p.target is not None else f"no target · horizon {p.horizon_date}",
                            subtitleColor="#57606a")
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%b %y", tickCount=4, labelOverlap=True, labelFlush=True, grid=False))
    y = alt.Y("price:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(tickCount=4, labelOverlap=True, format=",.0f"))
    lines = (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=x,
            y=y,
            color=alt.Color("line:N", title=None, legend=None, scale=alt.Scale(domain=list(PATH_COLOURS), range=list(PATH_COLOURS.values()))),
            strokeDash=alt.StrokeDash("line:N", scale=alt.Scale(domain=list(PATH_COLOURS), range=[[1, 0], [5, 4]]), legend=None),
            tooltip=[alt.Tooltip("line:N", title="line"), alt.Tooltip("date:T"), alt.Tooltip("price:Q", format=",.2f")],
        )
    )
    layers: list[alt.Chart] = [lines]
    horizon = pd.DataFrame({"date": [pd.Timestamp(p.horizon_date)], "what": [f"horizon {p.horizon_date}"]})
    layers.append(alt.Chart(horizon).mark_rule(color=HORIZON_COLOUR, strokeDash=[2, 2]).encode(x="date:T", tooltip=[alt.Tooltip("what:N", title="marker")]))
    if p.target is not None:
        level = pd.DataFrame({"price": [p.target], "what": [f"target {p.target:,.2f}"]})
        layers.append(alt.Chart(level).mark_rule(color=TARGET_COLOUR, strokeDash=[6, 3]).encode(y="price:Q", tooltip=[alt.Tooltip("what:N", title="marker")]))
        layers.append(alt.Chart(level).mark_text(align="left", baseline="bottom", dx=3, dy=-2, color=TARGET_COLOUR, fontSize=11)
                      .encode(y="price:Q", x=alt.value(0), text=alt.value("target")))
    return alt.layer(*layers).properties(height=190, title=title)


def contributions(perf: ThesisPerformance) -> alt.LayerChart | None:
    """Each position's contribution to the portfolio's return, in percentage points: one bar per
    position, tall enough to read with two positions, the value written at the end of each bar."""
    frame = pd.DataFrame([{"ticker": p.ticker, "contribution": p.contribution * 100} for p in perf.positions if p.contribution is not None])
    if frame.empty:
        return None
    frame["label"] = frame["contribution"].map(lambda v: f"{v:+.2f} pp")
    low, high = min(float(frame["contribution"].min()), 0.0), max(float(frame["contribution"].max()), 0.0)
    pad = max(0.5, (high - low) * 0.25)  # room for the labels at the ends of the bars
    order = list(frame.sort_values("contribution", ascending=False)["ticker"])  # largest first, in every layer
    base = alt.Chart(frame).encode(
        y=alt.Y("ticker:N", sort=order, title=None, axis=alt.Axis(labelLimit=0, labelFontSize=12)),
        x=alt.X("contribution:Q", title="Contribution to the portfolio's return (pp)", scale=alt.Scale(domain=[low - pad, high + pad])),
    )
    bars = base.mark_bar(size=18).encode(
        color=alt.condition(alt.datum.contribution >= 0, alt.value("#2da44e"), alt.value("#cf222e")),
        tooltip=["ticker:N", alt.Tooltip("label:N", title="contribution")],
    )
    labels = base.mark_text(fontSize=11, dx=4, align="left").encode(text="label:N").transform_filter(alt.datum.contribution >= 0)
    negative = base.mark_text(fontSize=11, dx=-4, align="right").encode(text="label:N").transform_filter(alt.datum.contribution < 0)
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#9aa4b2").encode(x="x:Q")
    return alt.layer(bars, labels, negative, zero).properties(height=max(140, 34 * len(frame) + 50))


def sentiment_over_time(items: list[dict], tickers: list[str]) -> alt.LayerChart | None:
    """One row per ticker, one bubble per week with articles: its colour the week's mean sentiment
    (red bearish … green bullish), its size and number how many articles it averages. Readable with
    a handful of articles, where a line per ticker would be a few dots lost in an empty plot."""
    rows = [
        {"ticker": t, "week": pd.Timestamp(a["published_at"]).tz_convert(None).to_period("W").start_time, "sentiment": s}
        for a in items
        for t, s in a["tickers"].items()
        if t in tickers
    ]
    if not rows:
        return None
    frame = pd.DataFrame(rows).groupby(["ticker", "week"], as_index=False).agg(sentiment=("sentiment", "mean"), articles=("sentiment", "size"))
    first, last = frame["week"].min(), frame["week"].max()
    span = [(first - pd.Timedelta(days=5)).isoformat(), (last + pd.Timedelta(days=11)).isoformat()]
    base = alt.Chart(frame).encode(
        x=alt.X("week:T", title="Week starting", scale=alt.Scale(domain=span),
                axis=alt.Axis(format="%b %d", tickCount="week", labelOverlap=True, grid=False)),
        y=alt.Y("ticker:N", title=None, axis=alt.Axis(labelLimit=0, labelFontSize=12, grid=True)),
    )
    tooltip = ["ticker:N", alt.Tooltip("week:T", title="week of", format="%Y-%m-%d"), alt.Tooltip("sentiment:Q", title="mean sentiment", format="+.2f"),
               alt.Tooltip("articles:Q", title="articles")]
    bubbles = base.mark_circle(opacity=0.9, stroke="#57606a", strokeWidth=0.5).encode(
        size=alt.Size("articles:Q", legend=None, scale=alt.Scale(range=[120, 900], zero=False)),
        color=alt.Color("sentiment:Q", title="mean sentiment", scale=alt.Scale(domain=[-1, 1], scheme="redyellowgreen"),
                        legend=alt.Legend(orient="top", gradientLength=160, format="+.1f")),
        tooltip=tooltip,
    )
    counts = base.mark_text(fontSize=10, color="#1f2328").encode(text="articles:Q", tooltip=tooltip)
    rows_needed = frame["ticker"].nunique()
    return alt.layer(bubbles, counts).properties(
        height=max(170, 46 * rows_needed + 110),
        title=alt.TitleParams("Articles per ticker and week", anchor="start", fontSize=13,
                              subtitle="colour: the week's mean sentiment; size and number: how many articles"),
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
        y=alt.Y("excess:Q", title="Excess over the benchmark (pp)", scale=alt.Scale(domain=span("excess"))),
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


def status_timeline(history: pd.DataFrame, start: dt.date, end: dt.datetime, titles: Mapping[str, str] | None = None) -> alt.Chart:
    """Each assumption's status as bars from one change to the next (the last runs to `end`), on an
    axis from the thesis's opening (`start`) so the whole life of the thesis is in view; each row
    is named by the assumption's title (`titles`, id → title), its id in the tooltip."""
    titles = titles or {}
    rows = []
    for assumption, changes in history.sort_values("changed_at").groupby("assumption", sort=False):
        times = list(pd.to_datetime(changes["changed_at"], utc=True))
        for i, (when, status, why) in enumerate(zip(times, changes["to"], changes["reasons"], strict=True)):
            until = times[i + 1] if i + 1 < len(times) else pd.Timestamp(end)
            rows.append({"assumption": titles.get(str(assumption), str(assumption)), "id": assumption, "from": when, "until": max(until, when), "status": status.replace("_", " "),
                         "why": "; ".join(why or [])[:300]})
    frame = pd.DataFrame(rows)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("from:T", title=None, scale=alt.Scale(domain=[pd.Timestamp(start, tz="UTC").isoformat(), pd.Timestamp(end).isoformat()])),
            x2="until:T",
            y=alt.Y("assumption:N", title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False), scale=alt.Scale(paddingInner=0.35)),
            color=alt.Color("status:N", title=None, legend=alt.Legend(orient="top"),
                            scale=alt.Scale(domain=[k.replace("_", " ") for k in STATUS_COLOURS], range=list(STATUS_COLOURS.values()))),
            tooltip=["assumption:N", alt.Tooltip("id:N", title="id"), "status:N", alt.Tooltip("from:T", format="%Y-%m-%d %H:%M"), alt.Tooltip("until:T", format="%Y-%m-%d"),
                     alt.Tooltip("why:N", title="reasons")],
        )
        .properties(height=alt.Step(30))
    )
