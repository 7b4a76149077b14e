"""Small shared pieces of the pages: the sample-data banner, empty states, the article list."""

from __future__ import annotations

from typing import Any

import streamlit as st

from tracker.ui.format import LABEL_TEXT, day, link_target

SAMPLE_BANNER = (
    "**Sample data — not market prices.** This dashboard shows the bundled offline sample: "
    "synthetic prices and sample articles written for the demo. Run `tracker refresh` with internet "
    "access to track real data."
)


def demo_banner(show: bool) -> None:
    if show:
        st.warning(SAMPLE_BANNER, icon=":material/science:")


def empty(message: str) -> None:
    st.info(message, icon=":material/info:")


def article_list(items: list[dict[str, Any]], show_summary: bool = True) -> None:
    """Articles as text: titles were escaped at ingestion, links are http(s) only, no HTML."""
    for a in items:
        target = link_target(a["link"])
        title = f"[{a['title']}]({target})" if target else a["title"]
        tickers = ", ".join(f"{t} {v:+.2f}" for t, v in sorted(a["tickers"].items()))
        meta = " · ".join(
            x
            for x in (
                day(a["published_at"]) + (" (date estimated)" if a["published_estimated"] else ""),
                a["publisher"] and a["publisher"].replace("[", "(").replace("]", ")"),
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
