"""Data health: what the refreshes did, what failed, what is stale — and "Refresh now"."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from tracker.pipeline.refresh import format_result, run_refresh
from tracker.portfolio.maths import STALE_TRADING_DAYS, staleness
from tracker.redact import redact_text
from tracker.reporting.report import counts_text
from tracker.thesis.model import required_tickers
from tracker.ui import queries as q
from tracker.ui import tables
from tracker.ui.components import demo_banner, empty
from tracker.ui.format import day, words


class StreamlitProgress:
    """Shows refresh progress in the page (the `Progress` protocol of the pipeline)."""

    def __init__(self, box) -> None:
        self.box = box
        self.bar = box.progress(0.0)
        self.total, self.done, self.stage = 0, 0, ""

    def start(self, stage: str, total: int) -> None:
        self.stage, self.total, self.done = stage, total, 0
        self.box.write(f"{stage}: {total} items")

    def advance(self, label: str = "", n: int = 1) -> None:
        self.done += n
        self.bar.progress(min(1.0, self.done / self.total) if self.total else 1.0, text=f"{self.stage}: {label}"[:80])

    def message(self, text: str) -> None:
        self.box.write(text)

    def finish(self) -> None:
        self.bar.progress(1.0, text=f"{self.stage}: done")


st.title("Data health")
items = q.loaded().theses
demo_banner(q.is_demo(items))


def refresh_blocked() -> tuple[bool, str] | None:
    """Why "Refresh now" may not start a refresh now — (running, message): one is running (it holds
    the lock), or the last one started less than the cooldown (TRACKER_REFRESH_COOLDOWN) ago."""
    running, last_started = q.refresh_state()
    if running is not None:
        return True, f"Refresh running since {running:%H:%M} UTC"
    if last_started is not None:
        left = q.settings().refresh_cooldown - (dt.datetime.now(dt.UTC) - last_started).total_seconds()
        if left > 0:
            return False, f"A refresh started at {last_started:%H:%M:%S} UTC; Refresh now is available again in {int(left) + 1} s"
    return None


blocked = refresh_blocked()
pressed = st.button(blocked[1] if blocked and blocked[0] else "Refresh now", key="refresh_now", type="primary", disabled=blocked is not None,
                    help="Fetch prices and feeds and evaluate the checks, as `tracker refresh` does")
if blocked and not blocked[0]:
    st.caption(blocked[1])
if pressed and (blocked := refresh_blocked()) is not None:  # another viewer or the scheduler was first
    st.info(blocked[1])
    pressed = False
if pressed:
    with st.status("Refreshing…", expanded=True) as box:
        try:
            result = run_refresh(q.settings(), trigger="dashboard", progress=StreamlitProgress(box), engine=q.engine())
        except Exception as exc:  # shown to the user; the refresh records its own history
            box.update(label=f"Refresh could not run: {redact_text(str(exc))}", state="error")
        else:
            for line in format_result(result, quiet=True):
                box.write(line)
            box.update(label=f"Refresh finished: {result.outcome}", state="complete" if result.exit_code == 0 else "error")
    q.clear()

runs, stages, failures = q.runs(20)
st.subheader("Recent refreshes")
if runs.empty:
    empty("No refresh has run yet — press Refresh now or run `tracker refresh`.")
else:
    shown = pd.DataFrame({
        "Refresh": runs["run"].map(lambda r: f"#{r}"), "Started by": runs["trigger"].map(words),
        "Started": runs["started"].map(lambda t: "—" if tables.missing(t) else day(t)),
        "Finished": runs["finished"].map(lambda t: "still running" if tables.missing(t) else day(t)),
        "Outcome": runs["outcome"].map(words), "What it did": runs["counts"].map(lambda c: counts_text(c or {}) or "—"), "Error": runs["error"]})
    st.dataframe(tables.shown(shown), hide_index=True, width="stretch")
    latest = int(runs["run"].iloc[0])
    st.markdown(f"**Stages of refresh #{latest}**")
    mine_stages = stages[stages["run"] == latest]
    st.dataframe(tables.shown(pd.DataFrame({"Stage": mine_stages["stage"], "Outcome": mine_stages["outcome"].map(words),
                                            "What it did": mine_stages["counts"].map(lambda c: counts_text(c or {}) or "—"), "Error": mine_stages["error"]})),
                 hide_index=True, width="stretch")
    mine = failures[failures["run"] == latest]
    st.markdown(f"**Failures in refresh #{latest}**")
    if mine.empty:
        st.success("Every source answered.", icon=":material/check_circle:")
    else:
        st.dataframe(tables.shown(pd.DataFrame({"Stage": mine["stage"], "What failed": mine["kind"].map(words), "Source": mine["source"],
                                                "Error": mine["error"]})), hide_index=True, width="stretch")

st.subheader("Tickers")
dates = q.last_dates(items)
inst = q.instruments(items)
today = dt.date.today()
rows = []
for t in required_tickers(items):
    last = dates.get(t)
    behind, is_stale = staleness(last, today)
    rows.append({"Ticker": t, "Last close": last if last is not None else "no close yet", "Trading days behind": behind,
                 "Stale": "stale" if is_stale else "fresh", "Failures in a row": inst.get(t, {}).get("failures", 0),
                 "Last error": inst.get(t, {}).get("last_error") or "none"})
if rows:
    frame = pd.DataFrame(rows)
    stale = int((frame["Stale"] == "stale").sum())
    (st.warning if stale else st.success)(f"{stale} of {len(frame)} tickers are stale (no close in the last {STALE_TRADING_DAYS} trading days).")
    st.dataframe(tables.shown(frame), hide_index=True, width="stretch")
else:
    empty("No tickers yet.")

st.subheader("Feeds")
feeds = q.feeds()
if feeds.empty:
    empty("No feed has been read yet.")
else:
    failing = feeds[feeds["failures in a row"] > 0]
    if not failing.empty:
        st.warning(f"{len(failing)} feed(s) failing; they are retried at every refresh.")
    st.dataframe(tables.shown(feeds.assign(**{"last error": feeds["last error"].map(lambda e: e or "none"),
                                              "last success": feeds["last success"].map(lambda t: "never" if tables.missing(t) else day(t))})
                              .rename(columns=str.capitalize)),
                 hide_index=True, width="stretch")
st.caption(f"Database: {q.engine().url.render_as_string(hide_password=True)} · checked {day(dt.datetime.now(dt.UTC))}")
