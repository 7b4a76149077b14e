"""Overview: which theses still hold, and how are they paying?"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from tracker.attention.catalysts import catalyst_views, next_catalyst
from tracker.attention.reasons import attention_reasons
from tracker.attention.review import review_state
from tracker.conditions.status import assumption_counts
from tracker.formatting import count, headline_of, points
from tracker.ui import queries as q
from tracker.ui import tables
from tracker.ui.components import demo_banner, empty, missing_prices
from tracker.ui.format import OUTCOME_TEXT, day, pct, plain, transition


def _pct_number(x: float | None, clamp: bool = False) -> float | None:
    if x is None:
        return None
    return max(0.0, min(x, 1.0)) * 100 if clamp else x * 100


st.title("Theses")
result = q.loaded()
items = result.theses
demo_banner(q.is_demo(items))

if not items and not result.invalid:
    empty(f"No thesis files in `{q.settings().theses_dir}` yet — add one (see docs/thesis-format.md), then run `tracker refresh`.")

statuses = q.statuses([t.id for t in items])
refresh = q.latest_refresh()

summaries = q.summaries(items)
MAX_CARDS = 8
THESIS_PAGE = str(Path(__file__).with_name("thesis.py"))


def verdict_of(thesis) -> dict[str, int]:
    """Assumptions per status; `intact` counts only assumptions a check or a review observed, `unchecked` the others."""
    stored = {a.id: statuses[(thesis.id, a.id)]["status"] for a in thesis.assumptions if (thesis.id, a.id) in statuses}
    return assumption_counts(thesis, stored, dt.date.today())


def headline(thesis, key: str, clamp: bool = False) -> float | None:
    """A stored headline figure of a thesis, in percent for a table column."""
    return _pct_number(summaries.get(thesis.id, {}).get(key), clamp=clamp)


verdicts = {t.id: verdict_of(t) for t in items}
open_theses = [t for t in items if t.closed is None]
closed_theses = sorted((t for t in items if t.closed is not None), key=lambda t: t.closed.date, reverse=True)
today = dt.date.today()
last_closes = q.last_dates(open_theses)
price_gaps = q.price_gaps(open_theses, today)
reasons: dict[str, list[str]] = {}
for t in open_theses:
    upcoming = [v for v in catalyst_views(t, None, today) if v.upcoming]
    status_of = {a.id: statuses.get((t.id, a.id), {}).get("status", "unknown") for a in t.assumptions}
    past = summaries.get(t.id, {}).get("past_horizon") or []
    reasons[t.id] = attention_reasons(t, status_of, review_state(t, today), upcoming, past, last_closes, today)
# the theses that need attention first: falsified, then at risk, then unknown
ranked = sorted(open_theses, key=lambda t: (-verdicts[t.id]["falsified"], -verdicts[t.id]["at_risk"], -verdicts[t.id]["unknown"], t.title))
needing = [t for t in ranked if reasons[t.id]]
on_track = [t for t in ranked if not reasons[t.id]]


def next_event(thesis) -> str:
    soonest = next_catalyst(thesis, today)
    return f"{soonest.date} · {soonest.event}" if soonest else "—"


def review_due(thesis) -> str:
    state = review_state(thesis, today)
    if state.due is None:
        return "no cadence"
    return f"{state.due} (overdue)" if state.overdue else str(state.due)


if items:
    st.markdown(f"**{len(needing)}** need{'s' if len(needing) == 1 else ''} attention · **{len(on_track)}** on track · **{len(closed_theses)}** closed")

if len(ranked) > 1:
    table = pd.DataFrame(
        [
            {
                "Thesis": t.title,
                "Needs attention": len(reasons[t.id]),
                "Return": headline(t, "portfolio_return"),
                "Benchmark": headline(t, "benchmark_return"),
                "Excess": headline(t, "excess"),  # a difference of returns: percentage points
                "Progress": headline(t, "weighted_progress", clamp=True),
                "Days to horizon": summaries.get(t.id, {}).get("min_days_left"),
                "Intact": verdicts[t.id]["intact"],
                "At risk": verdicts[t.id]["at_risk"],
                "Falsified": verdicts[t.id]["falsified"],
                "Unknown": verdicts[t.id]["unknown"],
                "Unchecked": verdicts[t.id]["unchecked"],
                "Next catalyst": next_event(t),
                "Review due": review_due(t),
            }
            for t in ranked
        ]
    )
    st.dataframe(
        tables.shown(table, {"Return": tables.signed_percent(1), "Benchmark": tables.signed_percent(1), "Excess": tables.signed_points(1)},
                     keep=("Progress",)),
        hide_index=True,
        width="stretch",
        column_config={
            "Needs attention": st.column_config.TextColumn(help="how many reasons the thesis needs you today"),
            "Benchmark": st.column_config.TextColumn(help="the benchmark's return over the same days"),
            "Excess": st.column_config.TextColumn("Excess (pp)", help="return minus the benchmark's return, in percentage points"),
            "Progress": st.column_config.ProgressColumn("Progress to targets", format="%.0f%%", min_value=0, max_value=100,
                                                        help="weighted over the positions that have a target, each capped at 100%"),
        },
    )
    if len(ranked) > MAX_CARDS:
        st.caption(f"Cards below for the {MAX_CARDS} theses that need attention most; all {len(ranked)} open theses are in the table.")


def card(thesis) -> None:
    figures = summaries.get(thesis.id, {})
    counts = verdicts[thesis.id]
    with st.container(border=True):
        st.subheader(thesis.title)
        st.caption(" · ".join(part for part in (thesis.category or "thesis", thesis.sector, f"opened {thesis.opened}",
                                                 f"benchmark {thesis.benchmark}" if thesis.benchmark else "no benchmark",
                                                 count(len(thesis.positions), "position")) if part))
        for reason in reasons[thesis.id]:
            st.markdown(f":orange[:material/priority_high:] {plain(reason)}")
        gaps = price_gaps.get(thesis.id, [])
        missing_prices(gaps)
        holding = f"{counts['intact']} of {len(thesis.assumptions)}" + (" (prices missing)" if gaps else "")
        # three to a row: five in one row cut their labels and values short on a 1000 px window
        top, bottom = st.columns(3), st.columns(3)
        excess = figures.get("excess")
        top[0].metric("Portfolio return", pct(figures.get("portfolio_return")),
                      delta=None if excess is None else f"{points(excess)} vs {thesis.benchmark}",
                      help="the delta: return minus the benchmark's return, in percentage points")
        top[1].metric(f"{thesis.benchmark} return" if thesis.benchmark else "Benchmark return", pct(figures.get("benchmark_return")))
        top[2].metric("Progress to targets", pct(figures.get("weighted_progress"), signed=False, digits=0),
                      help="share of the way from entry to target, weighted over the positions that have a target; "
                           "a position past its target counts as 100%")
        bottom[0].metric("Nearest horizon", "—" if figures.get("min_days_left") is None else count(figures["min_days_left"], "day"),
                         help="days until the first position's horizon")
        bottom[1].metric("Assumptions holding", holding,
                       help="intact: every check was evaluated and none fired, or a review says so; an assumption with no check "
                            "and no review is unchecked and never counts as holding")
        unchecked_badge = f" :gray-badge[{counts['unchecked']} unchecked]" if counts["unchecked"] else ""
        st.markdown(
            f":green-badge[{counts['intact']} intact] :orange-badge[{counts['at_risk']} at risk] "
            f":red-badge[{counts['falsified']} falsified] :gray-badge[{counts['unknown']} unknown]{unchecked_badge}"
        )
        if counts["unchecked"]:
            st.caption(f"{count(counts['unchecked'], 'assumption')} with no check and no review: nothing observes "
                       f"{'it' if counts['unchecked'] == 1 else 'them'} yet, so {'it is' if counts['unchecked'] == 1 else 'they are'} not counted as holding.")
        st.caption(f"Next catalyst: {plain(next_event(thesis))} · review due: {review_due(thesis)}")
        freshness = f"figures as of the close of {day(figures['last_date'])}" if figures.get("last_date") else "no prices yet — run `tracker refresh`"
        finished = refresh.get("finished_at") if refresh else None
        st.caption(f"Data: {freshness} · last refresh {refresh['outcome'] if refresh else 'never'} {day(dt.datetime.fromisoformat(finished)) if finished else ''}")
        st.page_link(THESIS_PAGE, label="Open thesis", icon=":material/arrow_forward:", query_params={"id": thesis.id})


if needing:
    st.header("Needs attention")
    for thesis in needing[:MAX_CARDS]:
        card(thesis)
if on_track:
    st.header("On track")
    for thesis in on_track[: max(0, MAX_CARDS - len(needing[:MAX_CARDS]))] or on_track[:1]:
        card(thesis)

if closed_theses:
    st.header("Closed")
    closed_table = pd.DataFrame(
        [
            {
                "Thesis": t.title,
                "Outcome": OUTCOME_TEXT[t.closed.outcome],
                "Opened": t.opened,
                "Closed": t.closed.date,
                "Return": headline(t, "portfolio_return"),
                "Benchmark": headline(t, "benchmark_return"),
                "Excess (pp)": headline(t, "excess"),
                "Falsified assumptions": verdicts[t.id]["falsified"],
            }
            for t in closed_theses
        ]
    )
    st.dataframe(
        tables.shown(closed_table, {"Return": tables.signed_percent(1), "Benchmark": tables.signed_percent(1),
                                    "Excess (pp)": tables.signed_points(1)}),
        hide_index=True,
        width="stretch",
        column_config={"Excess (pp)": st.column_config.TextColumn(help="return minus the benchmark's return, in percentage points")},
    )
    for t in closed_theses:
        st.page_link(THESIS_PAGE, label=f"{t.title} — {OUTCOME_TEXT[t.closed.outcome]} on {t.closed.date}",
                     icon=":material/flag:", query_params={"id": t.id})

alerts = q.alerts([t.id for t in items], limit=10)
st.subheader("Latest alerts")
if alerts.empty:
    empty("No status changes yet — they appear here after `tracker refresh` evaluates the checks.")
else:
    by_id = {t.id: t for t in items}
    titles = {(t.id, a.id): headline_of(a.statement, limit=70) for t in items for a in t.assumptions}
    shown = pd.DataFrame({
        "When": [day(w) for w in alerts["when"]],
        "Thesis": [by_id[i].title if i in by_id else i for i in alerts["thesis"]],
        "Change": [transition(f if isinstance(f, str) else None, to) if kind == "status_change" else text
                   for f, to, kind, text in zip(alerts["from"], alerts["to"], alerts["kind"], alerts["text"], strict=True)],
        "Assumption": [titles.get((t, a), a) for t, a in zip(alerts["thesis"], alerts["assumption"], strict=True)],
    })
    st.dataframe(tables.shown(shown), hide_index=True, width="stretch",
                 column_config={"Assumption": st.column_config.TextColumn(help="hover a thesis page's assumption for its id")})

if result.invalid:
    st.subheader("Invalid thesis files")
    st.error(f"{count(len(result.invalid), 'thesis file')} could not be loaded; the others are shown above.", icon=":material/warning:")
    for bad in result.invalid:
        with st.expander(bad.path, expanded=True):
            st.code("\n".join(str(i) for i in bad.issues), language=None)
            st.caption("Fix the field at the line and column shown, then check with `tracker validate`. The format is described in docs/thesis-format.md.")
