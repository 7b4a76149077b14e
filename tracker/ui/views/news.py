"""News linked to the theses, with filters and sentiment over time per ticker."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from tracker.ui import charts
from tracker.ui import queries as q
from tracker.ui.components import article_list, demo_banner, empty
from tracker.ui.format import LABEL_TEXT

st.title("News")
items = q.loaded().theses
demo_banner(q.is_demo(items))
if not items:
    empty("No valid thesis files yet, so no tickers to follow.")
    st.stop()

by_id = {t.id: t for t in items}
c1, c2, c3 = st.columns(3)
thesis_id = c1.selectbox("Thesis", list(by_id), format_func=lambda i: by_id[i].title)
thesis = by_id[thesis_id]
tickers = c2.multiselect("Tickers", thesis.tickers, default=thesis.tickers)
assumption = c3.selectbox("Assumption", ["(any)"] + [a.id for a in thesis.assumptions])
c4, c5 = st.columns(2)
labels = c4.multiselect("Sentiment", list(LABEL_TEXT), default=list(LABEL_TEXT), format_func=lambda k: LABEL_TEXT[k])
today = dt.date.today()
picked = c5.date_input("Published between", value=(today - dt.timedelta(days=90), today))
start, end = (picked[0], picked[-1]) if isinstance(picked, (tuple, list)) and picked else (today - dt.timedelta(days=90), today)

since = dt.datetime.combine(start, dt.time(), dt.UTC)
until = dt.datetime.combine(end, dt.time(23, 59, 59), dt.UTC)
articles = q.articles(
    tickers=tickers if assumption == "(any)" else None,
    thesis_id=thesis_id if assumption != "(any)" else None,
    assumption_id=None if assumption == "(any)" else assumption,
    since=since,
    until=until,
    labels=labels,
    limit=200,
)
if (not tickers and assumption == "(any)") or not labels:
    articles = []

chart = charts.sentiment_over_time(articles, tickers or thesis.tickers)
if chart is not None:
    st.subheader("Sentiment over time")
    st.altair_chart(chart, width="stretch")

st.subheader(f"{len(articles)} articles")
if not articles:
    empty("No articles match — widen the filters, or run `tracker refresh` to read the feeds.")
article_list(articles)
