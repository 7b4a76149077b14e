"""Small shared pieces of the pages: the sample-data banner, empty states, the article list."""

from __future__ import annotations

from typing import Any

import streamlit as st

from tracker.ui.format import LABEL_TEXT, day, link_target, plain

SAMPLE_BANNER = (
    "**Sample data — not market prices.** This dashboard shows the bundled offline sample: "
    "synthetic prices and sample articles written for the demo. Run `tracker refresh` with internet "
    "access to track real data."
)


def demo_banner(show: bool) -> None:
    if show:
        st.warning(SAMPLE_BANNER, icon=":material/science:")


def missing_prices(gaps: list[str]) -> None:
    """Name each symbol without prices and why, and say that the figures needing it are incomplete."""
    if gaps:
        them, have = ("it", "it has") if len(gaps) == 1 else ("them", "they have")
        st.warning(f"**Figures incomplete** — {'; '.join(plain(g) for g in gaps)}. Every figure that needs {them} "
                   f"(returns, progress, the checks that read {them}) stays blank or unknown until {have} closes stored; "
                   "see Data health.", icon=":material/error:")


def empty(message: str) -> None:
    st.info(message, icon=":material/info:")


def article_list(items: list[dict[str, Any]], show_summary: bool = True) -> None:
    """Articles as text: titles are stored raw and escaped here (`plain`), links are http(s) only,
    summaries are shown as plain text, no HTML."""
    for a in items:
        target = link_target(a["link"])
        text = plain(a["title"]) if a["title"] else "(untitled)"
        title = f"[{text}]({target})" if target else text
        tickers = ", ".join(f"{t} {v:+.2f}" for t, v in sorted(a["tickers"].items()))
        feeds = a.get("feeds", 1)
        meta = " · ".join(
            x
            for x in (
                day(a["published_at"]) + (" (date estimated)" if a["published_estimated"] else ""),
                a["publisher"] and plain(a["publisher"]),
                f"in {feeds} feeds" if feeds > 1 else None,
                f"{LABEL_TEXT.get(a['label'], a['label'])} {a['sentiment']:+.2f}",
                tickers and f"tickers: {tickers}",
                "sample" if a["is_sample"] else None,
            )
            if x
        )
        with st.container(border=True):
            st.markdown(f"**{title}**")
            st.caption(meta)
            if show_summary and a["summary_text"]:
                st.text(a["summary_text"][:400])
