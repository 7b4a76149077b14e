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


def sentiment_text(label: str, score: float, why: str | None) -> str:
    """"Bullish +0.62: beats, raises guidance": the label, the score and the cues that weighed most
    (articles stored before the cues were kept show the label and score only)."""
    head = f"{LABEL_TEXT.get(label, label)} {score:+.2f}"
    return f"{head}: {plain(why)}" if why else head


def ticker_text(ticker: str, score: float, basis: str | None) -> str:
    """"NET +0.41 (2 sentences naming NET)": a ticker's own score and what it was read from."""
    return f"{ticker} {score:+.2f}" + (f" ({plain(basis)})" if basis else "")


def article_list(items: list[dict[str, Any]], show_summary: bool = True) -> None:
    """Articles as text: titles are stored raw and escaped here (`plain`), links are http(s) only,
    summaries are shown as plain text, no HTML. Each shows its score and why, and each linked
    ticker's own score with what it was read from."""
    for a in items:
        target = link_target(a["link"])
        text = plain(a["title"]) if a["title"] else "(untitled)"
        title = f"[{text}]({target})" if target else text
        basis = a.get("basis", {})
        tickers = ", ".join(ticker_text(t, v, basis.get(t)) for t, v in sorted(a["tickers"].items()))
        feeds = a.get("feeds", 1)
        meta = " · ".join(
            x
            for x in (
                day(a["published_at"]) + (" (date estimated)" if a["published_estimated"] else ""),
                a["publisher"] and plain(a["publisher"]),
                f"in {feeds} feeds" if feeds > 1 else None,
                sentiment_text(a["label"], a["sentiment"], a.get("why")),
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
