"""One thesis: positions against targets, the portfolio against its benchmark, assumptions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from tracker.attention.calendar import catalysts_ics
from tracker.attention.catalysts import catalyst_views
from tracker.attention.review import review_state
from tracker.formatting import headline_of, points
from tracker.portfolio.maths import upside
from tracker.portfolio.targets import targeted
from tracker.ui import charts, tables
from tracker.ui import queries as q
from tracker.ui.components import article_list, demo_banner, empty, missing_prices
from tracker.ui.export import positions_csv
from tracker.ui.format import OUTCOME_TEXT, STATUS_BADGE, day, pct, plain, words

result = q.loaded()
items = result.theses
if not items:
    st.title("Thesis")
    empty("No valid thesis files yet — see the Overview for files that need fixing.")
    st.stop()

ids = [t.id for t in items]
wanted = st.query_params.get("id", ids[0])
choice = st.selectbox("Thesis", ids, index=ids.index(wanted) if wanted in ids else 0, format_func=lambda i: next(t.title for t in items if t.id == i))
st.query_params["id"] = choice
thesis = next(t for t in items if t.id == choice)
demo_banner(q.is_demo([thesis]))

st.title(thesis.title)
st.caption(" · ".join(part for part in (thesis.category or "thesis", thesis.sector, f"opened {thesis.opened}",
                                         f"benchmark {thesis.benchmark}" if thesis.benchmark else "no benchmark",
                                         f"currency {thesis.currency}") if part))
if thesis.closed is not None:
    outcome = OUTCOME_TEXT[thesis.closed.outcome]
    st.info(f"**Closed on {thesis.closed.date}: {outcome}.** Figures, statuses and evidence are as of that day."
            + (f"\n\n**Post-mortem:** {thesis.closed.note}" if thesis.closed.note else ""), icon=":material/flag:")
if thesis.summary:
    with st.expander("Summary", expanded=False):
        st.markdown(thesis.summary)

today = dt.date.today()
perf = q.performance(thesis, today)
port = perf.portfolio
missing_prices(q.price_gaps([thesis], today)[thesis.id])
if port.last_date is not None:
    st.caption(f"Figures as of the close of {day(port.last_date)}")
counted = [p for p in perf.positions if p.state != "pending"]
with_target = targeted(counted)
over = f"over the {len(with_target)} of {len(counted)} positions that have a target" if len(with_target) < len(counted) else "over every position"
# three to a row: at 1000 px wide five metrics in one row cut their labels and values short
top = st.columns(3)
top[0].metric("Portfolio return", pct(port.ret), help="time-weighted return since the thesis opened")
top[1].metric(f"{thesis.benchmark} return" if thesis.benchmark else "Benchmark return", pct(port.benchmark_return))
top[2].metric("Excess over benchmark", points(port.excess), help="the portfolio's return minus the benchmark's, in percentage points")
bottom = st.columns(3)
bottom[0].metric("Drawdown from peak", pct(-port.drawdown if port.drawdown is not None else None), help="fall from the highest value since opening")
bottom[1].metric("Target return", pct(port.target_return), help=f"the return if every target is hit, weighted {over}")
bottom[2].metric("Progress to targets", pct(port.weighted_progress, signed=False, digits=0),
                 help=f"share of the way from entry to target, weighted {over}; a position past its target counts as 100%")
if with_target and len(with_target) < len(counted):
    without = ", ".join(p.ticker for p in counted if p.target is None)
    st.caption(f"Target return and progress are {over} ({without} has none)." if len(counted) - len(with_target) == 1
               else f"Target return and progress are {over} ({without} have none).")

st.subheader("Positions")
if all(p.last_price is None for p in perf.positions if p.state != "pending"):
    empty("No prices yet — run `tracker refresh` (or `tracker demo` for the sample).")
# A closed thesis sold everything: all its positions read as sales, with their final figures.
held = [p for p in perf.positions if p.state == "open"]
sold = [p for p in perf.positions if p.state == "closed"]
pending = [p for p in perf.positions if p.state == "pending"]
table = pd.DataFrame(
    [
        {
            "Ticker": p.ticker, "Name": p.name, "Weight": p.weight * 100, "Entry": p.entry_price, "Last": p.last_price,
            "Return": None if p.ret is None else p.ret * 100, "Target": p.target,
            "Upside to target": None if (u := upside(p.last_price, p.target)) is None else u * 100,
            "Progress": None if p.progress is None else max(0.0, min(p.progress, 1.0)) * 100,
            "Days left": p.days_left, "Pace": p.pace,
            "Contribution": None if p.contribution is None else p.contribution * 100, "Trend": p.sparkline, "Currency": p.currency,
        }
        for p in held
    ],
    columns=["Ticker", "Name", "Weight", "Entry", "Last", "Return", "Target", "Upside to target", "Progress", "Days left", "Pace",
             "Contribution", "Trend", "Currency"],
)
if thesis.has_events:
    table.insert(table.columns.get_loc("Weight") + 1, "Weight now", [None if p.weight_now is None else p.weight_now * 100 for p in held])
    table.insert(table.columns.get_loc("Entry"), "Bought", [p.entry_date for p in held])
base_col = f"Return ({thesis.currency})"
if any(p.currency != thesis.currency for p in perf.positions):
    # foreign positions: their own-currency return, and the return in the thesis currency that counts
    table.insert(table.columns.get_loc("Return") + 1, base_col, [None if p.ret_base is None else p.ret_base * 100 for p in held])
sold_table = pd.DataFrame(
    [
        {"Ticker": p.ticker, "Name": p.name, "Bought": p.entry_date, "Entry": p.entry_price, "Sold": p.exit_date,
         "Exit": p.exit_price, "Final return": None if p.ret is None else p.ret * 100, "Target": p.target,
         "Progress at sale": None if p.progress is None else p.progress * 100,
         "Contribution": None if p.contribution is None else p.contribution * 100}
        for p in sold
    ]
)
PERCENT_COLUMNS = {"Weight": tables.percent(0), "Weight now": tables.percent(1), "Return": tables.signed_percent(1),
                   base_col: tables.signed_percent(1), "Upside to target": tables.signed_percent(0), "Final return": tables.signed_percent(1),
                   "Contribution": tables.signed_points(2), "Days left": tables.number(0)}


def progress_text(value: float | None) -> str:
    """Progress of a sold position, capped: `target hit` once it got there."""
    return "—" if tables.missing(value) else "target hit" if value >= 100 else f"{value:.0f}%"


def shown_positions(frame: pd.DataFrame, rows: list) -> pd.DataFrame:
    """The positions as displayed: each price with its position's currency, a dash where unknown."""
    out = tables.shown(frame.drop(columns=["Currency"], errors="ignore"), {**PERCENT_COLUMNS, "Progress at sale": progress_text},
                       keep=("Progress", "Trend"))
    for column in ("Entry", "Last", "Target", "Exit"):
        if column in out.columns:
            out[column] = tables.prices_by_row(frame[column], [p.currency for p in rows])
    return out


PRICE_HELP = "in the position's own currency"
if held or not sold:
    st.dataframe(
        shown_positions(table, held),
        hide_index=True,
        width="stretch",
        column_config={
            "Weight": st.column_config.TextColumn(help="weight when bought"),
            "Weight now": st.column_config.TextColumn(help="share of the portfolio's latest value"),
            "Entry": st.column_config.TextColumn(help=PRICE_HELP),
            "Last": st.column_config.TextColumn(help="the latest close, " + PRICE_HELP),
            "Return": st.column_config.TextColumn(help="in the ticker's own currency"),
            base_col: st.column_config.TextColumn(help="converted with the FX pair, as counted in the portfolio"),
            "Target": st.column_config.TextColumn(help="price target, " + PRICE_HELP),
            "Upside to target": st.column_config.TextColumn(help="how far the target is above the latest close (target ÷ last − 1)"),
            "Progress": st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100,
                                                        help="share of the way from entry to target, capped at 100% (Pace says `target hit`)"),
            "Pace": st.column_config.TextColumn(help="against the straight line from entry to target by the horizon"),
            "Contribution": st.column_config.TextColumn(help="to the portfolio's return, in percentage points"),
            "Trend": st.column_config.LineChartColumn("Trend", help="the last 60 closes"),
        },
    )
if sold:
    if held:
        st.markdown("**Sold**")
    elif thesis.closed is not None:
        st.caption(f"Every position was sold by the close on {thesis.closed.date}: the figures below are final.")
    st.dataframe(
        shown_positions(sold_table, sold),
        hide_index=True,
        width="stretch",
        column_config={
            "Exit": st.column_config.TextColumn(help="the exit price, or the last close on or before the sale"),
            "Progress at sale": st.column_config.TextColumn(help="share of the way from entry to target when sold, capped at `target hit`"),
            "Contribution": st.column_config.TextColumn(help="to the portfolio's return, in percentage points"),
        },
    )
if pending:
    st.markdown("**To be bought**")
    st.dataframe(
        shown_positions(pd.DataFrame([{"Ticker": p.ticker, "Name": p.name, "Buys on": p.opened, "Weight": p.weight * 100,
                                       "Target": p.target, "Horizon": p.horizon_date} for p in pending]), pending),
        hide_index=True,
        width="stretch",
        column_config={"Weight": st.column_config.TextColumn(help="its share of the portfolio's value on the day it is bought")},
    )
    st.caption("A position with a later opening enters at its first close on or after that day.")
st.download_button("Download positions as CSV", positions_csv(perf), file_name=f"{thesis.id}-positions.csv", mime="text/csv",
                   help="rounded, with units in the headers, entry, horizon and as-of dates")

reasons = [p for p in thesis.positions if p.rationale]
if reasons:
    with st.expander("Why each position", expanded=False):
        for p in reasons:
            st.markdown(f"**{plain(p.ticker)}**{' · ' + plain(p.name) if p.name else ''} — {plain(' '.join(p.rationale.split()))}")

PANELS_PER_ROW = 3
if not perf.value.empty:
    st.subheader("Portfolio against benchmark")
    st.altair_chart(charts.portfolio_vs_benchmark(perf, thesis.benchmark), width="stretch")
    panels = [(p.ticker, chart) for p in perf.positions if (chart := charts.position_chart(perf, p.ticker)) is not None]
    if panels:
        st.subheader("Each position against its target")
        st.caption("Price (solid) against the straight path from entry to target by the horizon (dashed); "
                   "the green line is the target, the purple marker the horizon.")
        # one chart per position in a grid of columns: each panel is as wide as its column, so none
        # spills into its neighbour or off the page
        for start in range(0, len(panels), PANELS_PER_ROW):
            row = st.columns(PANELS_PER_ROW)
            for column, (_, chart) in zip(row, panels[start:start + PANELS_PER_ROW], strict=False):
                with column:
                    st.altair_chart(chart, width="stretch")
    bars = charts.contributions(perf)
    if bars is not None:
        st.subheader("Contribution by position")
        st.altair_chart(bars, width="stretch")

st.subheader("Assumptions")
statuses = q.statuses([thesis.id])
check_rows = q.checks(thesis.id)
history = q.history(thesis.id)
if not thesis.assumptions:
    empty("This thesis lists no assumptions — add them with the conditions that would prove them wrong.")
for a in thesis.assumptions:
    state = statuses.get((thesis.id, a.id), {"status": "unknown", "since": None, "reasons": ["not evaluated yet — run `tracker refresh`"]})
    with st.expander(f"{headline_of(a.statement)} — {words(state['status'])}", expanded=state["status"] != "intact"):
        since = state["since"].date() if isinstance(state["since"], dt.datetime) else state["since"]
        st.markdown(f"{STATUS_BADGE[state['status']]} since {day(since)}", help=f"assumption id in the thesis file: {a.id}")
        st.markdown(f"**Must stay true:** {a.statement}")
        st.markdown(f"**Falsified if:** {a.falsified_if}")
        for reason in state["reasons"]:
            st.caption(plain(reason))
        mine = [c for c in check_rows if c["assumption"] == a.id]
        if mine:
            st.dataframe(tables.shown(pd.DataFrame([{"Check": c["when"], "Outcome": words(c["outcome"]), "What it saw": c["detail"]} for c in mine])),
                         hide_index=True, width="stretch")
        elif a.checks:
            empty("Checks not evaluated yet — run `tracker refresh`.")
        news = q.articles(thesis_id=thesis.id, assumption_id=a.id, limit=5)
        if news:
            st.markdown("**Linked news**")
            article_list(news, show_summary=False)

if not history.empty:
    st.subheader("Status timeline")
    end = dt.datetime.combine(thesis.closed.date, dt.time(23, 59), dt.UTC) if thesis.closed else dt.datetime.now(dt.UTC)
    titles = {a.id: headline_of(a.statement, limit=48) for a in thesis.assumptions}
    st.altair_chart(charts.status_timeline(history, thesis.opened, end, titles), width="stretch")
    st.caption("Each assumption's status over time, from the day it began (found by evaluating its checks on earlier days); hover for the reasons.")

st.subheader("Catalysts and reviews")
views = catalyst_views(thesis, perf.closes, today)
statement_of = {a.id: headline_of(a.statement, limit=60) for a in thesis.assumptions}
review = review_state(thesis, today)
if review.due is not None:
    text = f"Reviewed every {review.every.words()}: last review {review.last}, next due {review.due}."
    (st.warning if review.overdue else st.caption)(text + (" The review is overdue: review each assumption and record it under `reviews:`." if review.overdue else ""))
else:
    st.caption(f"Last review {review.last}. Add `review_every: 90d` to be reminded when a review is due.")
if not views:
    empty("No catalysts: add dated events the thesis waits for under `catalysts:`.")
else:
    upcoming = [v for v in views if v.upcoming]
    past = [v for v in views if not v.upcoming]
    if upcoming:
        st.markdown("**Upcoming**")
        st.dataframe(tables.shown(pd.DataFrame([{"Date": v.date, "In (days)": (v.date - today).days, "Event": v.event, "Ticker": v.ticker,
                                                 "Assumption": statement_of.get(v.assumption or "")} for v in upcoming])),
                     hide_index=True, width="stretch")
        ics = catalysts_ics([thesis], today, dt.datetime.now(dt.UTC))
        st.download_button("Add upcoming catalysts to your calendar (.ics)", ics, file_name=f"{thesis.id}-catalysts.ics", mime="text/calendar")
    if past:
        st.markdown("**Past**")
        st.dataframe(tables.shown(pd.DataFrame([{"Date": v.date, "Event": v.event, "Ticker": v.ticker, "Assumption": statement_of.get(v.assumption or ""),
                                                 "Reaction": None if v.reaction is None else v.reaction * 100} for v in past]),
                                  {"Reaction": tables.signed_percent(1)}),
                     hide_index=True, width="stretch",
                     column_config={"Reaction": st.column_config.TextColumn(help="the ticker's return from the last close before the event to the first close after it")})

st.subheader("History")
versions = q.history_versions(thesis.id)
if not versions:
    empty("No version of this thesis file recorded yet: each refresh, and each time the dashboard loads a changed file, records one.")
ORIGIN = {"refresh": "seen by the refresh", "dashboard": "seen by the dashboard", "git": "committed to git"}
for version in reversed(versions):
    with st.container(border=True):
        flag = " :orange-badge[changes the past]" if version.rewrites_past else ""
        renamed = f" · renamed from {plain(version.renamed_from)}" if version.renamed_from else ""
        st.markdown(f"**{day(version.seen_at)}** · {ORIGIN.get(version.origin, version.origin)}{renamed}{flag}")
        st.markdown("\n".join(f"- {plain(c.text)}" for c in version.changes))
if any(v.rewrites_past for v in versions):
    st.caption("An edit that changes the past rewrites figures already shown: add a dated entry instead "
               "(a `rebalances:` entry for a weight, `opened:` for a new position, `closed:` for a sale).")

if thesis.risks:
    st.subheader("Risks")
    for r in thesis.risks:
        st.markdown(f"- {r}")
if thesis.sources:
    st.subheader("Sources")
    for s in thesis.sources:
        st.markdown(f"- [{s.title}]({s.url})" if s.url else f"- {s.title}")
