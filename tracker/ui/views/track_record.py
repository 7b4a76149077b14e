"""Track record: how closed theses turned out, and how often targets and assumptions held."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from tracker.attention.track_record import closed_thesis, scorecard
from tracker.formatting import headline_of
from tracker.ui import charts, tables
from tracker.ui import queries as q
from tracker.ui.components import demo_banner, empty
from tracker.ui.format import OUTCOME_TEXT, pct

st.title("Track record")
items = q.loaded().theses
demo_banner(q.is_demo(items))
today = dt.date.today()
statuses = q.statuses([t.id for t in items])
by_thesis = {t.id: {a.id: statuses.get((t.id, a.id), {}).get("status", "unknown") for a in t.assumptions} for t in items}
perfs = {t.id: q.performance(t, today) for t in items}

card = scorecard(((t, perfs[t.id], by_thesis[t.id]) for t in items), today)
records = [r for t in items if (r := closed_thesis(t, perfs[t.id], by_thesis[t.id])) is not None]
titles = {(t.id, a.id): headline_of(a.statement, limit=60) for t in items for a in t.assumptions}
cols = st.columns(3)
cols[0].metric("Closed theses", f"{len(records)} of {len(items)}")
cols[1].metric("Targets hit in time", pct(card.hit_rate, signed=False, digits=0),
               help=f"targets reached before their horizon: {card.reached} of {card.positions_with_target} positions whose target could be judged "
               "(sold, past their horizon, or already there)")
cols[2].metric("Assumptions falsified", pct(card.break_rate, signed=False, digits=0),
               help=f"{card.broke} of {card.assumptions} assumptions across all theses")

st.subheader("Closed theses")
if not records:
    empty("No thesis is closed yet. Close one with `closed: {date, outcome, note}` in its file when it has played out, "
          "been falsified, expired or been abandoned.")
else:
    table = pd.DataFrame(
        [
            {"Thesis": r.title, "Outcome": OUTCOME_TEXT[r.outcome], "Opened": r.opened, "Closed": r.closed, "Held (days)": r.holding_days,
             "Return": None if r.ret is None else r.ret * 100, "Excess (pp)": None if r.excess is None else r.excess * 100,
             "Falsified assumptions": "; ".join(titles.get((r.thesis_id, a), a) for a in r.falsified) or "none"}
            for r in sorted(records, key=lambda r: r.closed, reverse=True)
        ]
    )
    st.dataframe(
        tables.shown(table, {"Return": tables.signed_percent(1), "Excess (pp)": tables.signed_points(1)}),
        hide_index=True,
        width="stretch",
        column_config={"Excess (pp)": st.column_config.TextColumn(help="return minus the benchmark's return, in percentage points")},
    )
    st.download_button("Download the track record as CSV", table.to_csv(index=False).encode(), file_name="track-record.csv", mime="text/csv")
    chart = charts.return_vs_excess(records)
    if chart is not None:
        st.subheader("Return against excess over the benchmark")
        st.altair_chart(chart, width="stretch")
