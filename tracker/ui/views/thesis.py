"""One thesis: positions against targets, the portfolio against its benchmark, assumptions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from tracker.attention.calendar import catalysts_ics
from tracker.attention.catalysts import catalyst_views
from tracker.attention.review import review_state
from tracker.ui import charts
from tracker.ui import queries as q
from tracker.ui.components import article_list, demo_banner, empty, missing_prices
from tracker.ui.export import positions_csv
from tracker.ui.format import OUTCOME_TEXT, STATUS_BADGE, day, pct, plain

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
st.caption(f"{thesis.category or 'thesis'} · {thesis.sector or ''} · opened {thesis.opened} · benchmark {thesis.benchmark or '—'} · currency {thesis.currency}")
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
cols = st.columns(5)
cols[0].metric("Portfolio return", pct(port.ret))
cols[1].metric(f"{thesis.benchmark or 'Benchmark'}", pct(port.benchmark_return))
cols[2].metric("Excess return", pct(port.excess))
cols[3].metric("Drawdown from peak", pct(-port.drawdown if port.drawdown is not None else None))
cols[4].metric("Target return", pct(port.target_return))

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
            "Ticker": p.ticker, "Name": p.name or "", "Weight": p.weight * 100, "Entry": p.entry_price, "Last": p.last_price,
            "Return": None if p.ret is None else p.ret * 100, "Target": p.target,
            "Progress": None if p.progress is None else max(0.0, min(p.progress, 1.0)) * 100,
            "To target": None if p.progress is None else p.progress * 100,
            "Days left": p.days_left, "Pace": p.pace or "—",
            "Contribution": None if p.contribution is None else p.contribution * 100, "Trend": p.sparkline, "Currency": p.currency,
        }
        for p in held
    ],
    columns=["Ticker", "Name", "Weight", "Entry", "Last", "Return", "Target", "Progress", "To target", "Days left", "Pace", "Contribution",
             "Trend", "Currency"],
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
        {"Ticker": p.ticker, "Name": p.name or "", "Bought": p.entry_date, "Entry": p.entry_price, "Sold": p.exit_date,
         "Exit": p.exit_price, "Final return": None if p.ret is None else p.ret * 100, "Target": p.target,
         "Progress at sale": None if p.progress is None else p.progress * 100,
         "Contribution": None if p.contribution is None else p.contribution * 100}
        for p in sold
    ]
)
if held or not sold:
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Weight": st.column_config.NumberColumn(format="%.0f%%", help="weight when bought"),
            "Weight now": st.column_config.NumberColumn(format="%.0f%%", help="share of the portfolio's latest value"),
            "Entry": st.column_config.NumberColumn(format="%.2f"),
            "Last": st.column_config.NumberColumn(format="%.2f"),
            "Return": st.column_config.NumberColumn(format="%+.1f%%", help="in the ticker's own currency"),
            base_col: st.column_config.NumberColumn(format="%+.1f%%", help="converted with the FX pair, as counted in the portfolio"),
            "Target": st.column_config.NumberColumn(format="%.2f"),
            "Progress": st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100, help="share of the way from entry to target (capped at 100%)"),
            "To target": st.column_config.NumberColumn(format="%.0f%%", help="progress from entry to target, uncapped (negative: moving away)"),
            "Contribution": st.column_config.NumberColumn(format="%+.2f pp"),
            "Trend": st.column_config.LineChartColumn("Last 60 closes"),
        },
    )
if sold:
    if held:
        st.markdown("**Sold**")
    elif thesis.closed is not None:
        st.caption(f"Every position was sold by the close on {thesis.closed.date}: the figures below are final.")
    st.dataframe(
        sold_table,
        hide_index=True,
        width="stretch",
        column_config={
            "Entry": st.column_config.NumberColumn(format="%.2f"),
            "Exit": st.column_config.NumberColumn(format="%.2f", help="the exit price, or the last close on or before the sale"),
            "Final return": st.column_config.NumberColumn(format="%+.1f%%"),
            "Target": st.column_config.NumberColumn(format="%.2f"),
            "Progress at sale": st.column_config.NumberColumn(format="%.0f%%"),
            "Contribution": st.column_config.NumberColumn(format="%+.2f pp"),
        },
    )
if pending:
    st.markdown("**To be bought**")
    st.dataframe(
        pd.DataFrame([{"Ticker": p.ticker, "Name": p.name or "", "Buys on": p.opened, "Weight": p.weight * 100, "Target": p.target,
                       "Horizon": p.horizon_date} for p in pending]),
        hide_index=True,
        width="stretch",
        column_config={"Weight": st.column_config.NumberColumn(format="%.0f%%", help="its share of the portfolio's value on the day it is bought"),
                       "Target": st.column_config.NumberColumn(format="%.2f")},
    )
    st.caption("A position with a later opening enters at its first close on or after that day.")
st.download_button("Download positions as CSV", positions_csv(perf), file_name=f"{thesis.id}-positions.csv", mime="text/csv",
                   help="rounded, with units in the headers, entry, horizon and as-of dates")

if not perf.value.empty:
    st.subheader("Portfolio against benchmark")
    st.altair_chart(charts.portfolio_vs_benchmark(perf, thesis.benchmark), width="stretch")
    left, right = st.columns([2, 1])
    with left:
        st.subheader("Each position against its path to target")
        paths = charts.target_paths(perf)
        if paths is not None:
            st.altair_chart(paths)
    with right:
        st.subheader("Contribution by position")
        bars = charts.contributions(perf)
        if bars is not None:
            st.altair_chart(bars, width="stretch")

st.subheader("Assumptions")
statuses = q.statuses([thesis.id])
check_rows = q.checks(thesis.id)
history = q.history(thesis.id)
if not thesis.assumptions:
    empty("This thesis lists no assumptions — add them with the conditions that would prove them wrong.")
for a in thesis.assumptions:
    state = statuses.get((thesis.id, a.id), {"status": "unknown", "since": None, "reasons": ["not evaluated yet — run `tracker refresh`"]})
    with st.expander(f"{a.id} — {state['status'].replace('_', ' ')}", expanded=state["status"] != "intact"):
        since = state["since"].date() if isinstance(state["since"], dt.datetime) else state["since"]
        st.markdown(f"{STATUS_BADGE[state['status']]} since {day(since)}")
        st.markdown(f"**Must stay true:** {a.statement}")
        st.markdown(f"**Falsified if:** {a.falsified_if}")
        for reason in state["reasons"]:
            st.caption(plain(reason))
        mine = [c for c in check_rows if c["assumption"] == a.id]
        if mine:
            st.dataframe(pd.DataFrame([{"Check": c["when"], "Outcome": c["outcome"].replace("_", " "), "What it saw": c["detail"]} for c in mine]), hide_index=True, width="stretch")
        elif a.checks:
            empty("Checks not evaluated yet — run `tracker refresh`.")
        news = q.articles(thesis_id=thesis.id, assumption_id=a.id, limit=5)
        if news:
            st.markdown("**Linked news**")
            article_list(news, show_summary=False)

if not history.empty:
    st.subheader("Status timeline")
    end = dt.datetime.combine(thesis.closed.date, dt.time(23, 59), dt.UTC) if thesis.closed else dt.datetime.now(dt.UTC)
    st.altair_chart(charts.status_timeline(history, thesis.opened, end), width="stretch")
    st.caption("Each assumption's status over time, from the day it began (found by evaluating its checks on earlier days); hover for the reasons.")

st.subheader("Catalysts and reviews")
views = catalyst_views(thesis, perf.closes, today)
review = review_state(thesis, today)
if review.due is not None:
    text = f"Reviewed every {review.every}: last review {review.last}, next due {review.due}."
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
        st.dataframe(pd.DataFrame([{"Date": v.date, "In (days)": (v.date - today).days, "Event": v.event, "Ticker": v.ticker or "",
                                    "Assumption": v.assumption or ""} for v in upcoming]), hide_index=True, width="stretch")
        ics = catalysts_ics([thesis], today, dt.datetime.now(dt.UTC))
        st.download_button("Add upcoming catalysts to your calendar (.ics)", ics, file_name=f"{thesis.id}-catalysts.ics", mime="text/calendar")
    if past:
        st.markdown("**Past**")
        st.dataframe(pd.DataFrame([{"Date": v.date, "Event": v.event, "Ticker": v.ticker or "", "Assumption": v.assumption or "",
                                    "Reaction": None if v.reaction is None else v.reaction * 100} for v in past]),
                     hide_index=True, width="stretch",
                     column_config={"Reaction": st.column_config.NumberColumn(format="%+.1f%%", help="the ticker's return from the last close before the event to the first close after it")})

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
