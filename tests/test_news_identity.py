"""Article identity, table-driven on hand-built feeds: which entries are one article, which are
two, across refreshes on different days (a fake clock, no sleeps) and across feeds; believable
dates; undeclared encodings; and what the news checks count."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from tracker.conditions.evaluate import Context, evaluate
from tracker.conditions.parser import parse
from tracker.conditions.stage import load_news
from tracker.news.parse import parse_feed
from tracker.news.stage import refresh_news
from tracker.news.store import articles_for
from tracker.settings import load_settings
from tracker.storage.db import transaction
from tracker.storage.tables import Article, ArticleFeed
from tracker.ui import components
from tracker.validation import parse_thesis_text

SETTINGS = dataclasses.replace(load_settings({}), default_feeds=())
DAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)  # the first refresh; later ones are DAY + n days
REAL_DATE = "Mon, 02 Nov 2026 07:30:00 GMT"


def item(title: str | None = None, *, guid: str | None = None, link: str | None = None, date: str | None = None,
         description: str | None = None) -> str:
    parts = [
        f"<title>{title}</title>" if title is not None else "",
        f"<guid isPermaLink=\"false\">{guid}</guid>" if guid else "",
        f"<link>{link}</link>" if link else "",
        f"<pubDate>{date}</pubDate>" if date else "",
        f"<description>{description}</description>" if description else "",
    ]
    return "<item>" + "".join(parts) + "</item>"


def rss(name: str, *items: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{name}</title>{"".join(items)}</channel></rss>'


@dataclasses.dataclass
class Case:
    id: str
    refreshes: list[tuple[int, dict[str, str]]]  # (day offset, feed name → XML), in order
    articles: int  # stored after the last refresh
    phrase: str  # counted by news(phrase, 30d) after the last refresh
    counted: int
    sources: list[int] | None = None  # feeds per article, sorted
    new_per_refresh: list[int] | None = None


OUTAGE = "Cloudflare suffers a global outage"
UNDATED = item("DeepSeek outage takes inference endpoints offline", description="Users of the API saw errors for hours.")
CASES = [
    Case(
        "untitled items with guids are two articles",
        [(0, {"a": rss("A", item(guid="post-1", date=REAL_DATE, description=OUTAGE),
                       item(guid="post-2", date=REAL_DATE, description="Datadog raises its guidance"))})],
        articles=2, phrase="global outage", counted=1, new_per_refresh=[2],
    ),
    Case(
        "untitled items without guid or link are told apart by their text",
        [(0, {"a": rss("A", item(date=REAL_DATE, description=OUTAGE), item(date=REAL_DATE, description="Datadog raises its guidance"),
                       item(description="A third, undated"))})],
        articles=3, phrase="global outage", counted=1,
    ),
    Case(
        "titled item without guid or link, refreshed on two days, is one article",
        [(d, {"a": rss("A", item("DeepSeek outage hits providers", date=REAL_DATE, description="Several hosts were down."))}) for d in (0, 1)],
        articles=1, phrase="DeepSeek outage", counted=1, new_per_refresh=[1, 0],
    ),
    Case(
        "undated item without guid or link, refreshed on three days, is one article",
        [(d, {"a": rss("A", UNDATED)}) for d in (0, 1, 2)],
        articles=1, phrase="DeepSeek outage", counted=1, new_per_refresh=[1, 0, 0],
    ),
    Case(
        "undated item with a guid, refreshed on three days, is one article",
        [(d, {"a": rss("A", item("DeepSeek outage again", guid="u-1"))}) for d in (0, 1, 2)],
        articles=1, phrase="DeepSeek outage", counted=1, new_per_refresh=[1, 0, 0],
    ),
    Case(
        "syndicated in three feeds (same title, same day, other guids and links) is one article with three sources",
        [(0, {
            "a": rss("A", item("Datadog Beats Estimates!", guid="a-1", link="https://a.example/1", date="Mon, 02 Nov 2026 06:00:00 GMT")),
            "b": rss("B", item("datadog beats estimates", guid="b-9", link="https://b.example/9", date="Mon, 02 Nov 2026 08:15:00 GMT")),
            "c": rss("C", item("Datadog beats estimates.", guid="c-3", date="Mon, 02 Nov 2026 01:00:00 +0000")),
        })],
        articles=1, phrase="Datadog beats estimates", counted=1, sources=[3], new_per_refresh=[1],
    ),
    Case(
        "the same guid in two feeds is one article with two sources, dated or not",
        [(0, {"a": rss("A", item("Snowflake cuts its guidance", guid="urn:story:42")),
              "b": rss("B", item("Snowflake cuts guidance (update)", guid="urn:story:42"))})],
        articles=1, phrase="guidance", counted=1, sources=[2],
    ),
    Case(
        "a syndicated copy read on a later refresh joins the article as a source",
        [(0, {"a": rss("A", item("Datadog beats estimates", guid="a-1", date=REAL_DATE))}),
         (1, {"a": rss("A", item("Datadog beats estimates", guid="a-1", date=REAL_DATE)),
              "b": rss("B", item("Datadog beats estimates", guid="b-1", date=REAL_DATE))})],
        articles=1, phrase="beats estimates", counted=1, sources=[2], new_per_refresh=[1, 0],
    ),
    Case(
        "the same title on two different days is two articles",
        [(1, {"a": rss("A", item("Datadog beats estimates", guid="a-1", date="Sun, 01 Nov 2026 10:00:00 GMT")),
              "b": rss("B", item("Datadog beats estimates", guid="b-1", date=REAL_DATE))})],
        articles=2, phrase="beats estimates", counted=2,
    ),
    Case(
        "two entries of one feed with the same title and day but their own guids are two articles",
        [(0, {"edgar": rss("EDGAR", item("8-K - Current report", guid="acc-1", date=REAL_DATE),
                           item("8-K - Current report", guid="acc-2", date="Mon, 02 Nov 2026 08:00:00 GMT"))})],
        articles=2, phrase="current report", counted=2,
    ),
    Case(
        "undated copies in two feeds are not merged by their title (no real day to compare)",
        [(0, {"a": rss("A", item("Datadog beats estimates", guid="a-1")), "b": rss("B", item("Datadog beats estimates", guid="b-1"))})],
        articles=2, phrase="beats estimates", counted=2,
    ),
    Case(
        "an entry listed twice in one feed is one article",
        [(0, {"a": rss("A", item("Datadog beats estimates", guid="a-1", date=REAL_DATE), item("Datadog beats estimates", guid="a-1", date=REAL_DATE))})],
        articles=1, phrase="beats estimates", counted=1,
    ),
]


def thesis_of(paths: list[Path]):
    feeds = ", ".join(f'"{p}"' for p in paths)
    text = f"""
title: Identity
opened: 2026-06-11
positions:
  - {{ticker: NET, name: Cloudflare, weight: 100%, horizon: 1y}}
feeds: [{feeds}]
"""
    return parse_thesis_text(text, "t.yaml", "t")


def refresh(engine, tmp_path: Path, feeds: dict[str, str], day: int):
    paths = []
    for name, xml in sorted(feeds.items()):
        path = tmp_path / f"{name}.xml"
        path.write_text(xml, encoding="utf-8")
        paths.append(path)
    moment = DAY + dt.timedelta(days=day)
    return refresh_news(engine, [thesis_of(paths)], {"t": tmp_path / "t.yaml"}, SETTINGS, clock=lambda: moment)


def count(engine, phrase: str, now: dt.datetime, function: str = "news"):
    news = load_news(engine, now - dt.timedelta(days=60), now)
    return evaluate(parse(f'{function}("{phrase}", 30d) >= 1', ["NET"]), Context(thesis_of([]), pd.DataFrame(), news, now))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_identity(engine, tmp_path, case):
    news = []
    for day, feeds in case.refreshes:
        report = refresh(engine, tmp_path, feeds, day)
        assert report.ok, report.failures
        news.append(report.counts.get("articles_new", 0))
    if case.new_per_refresh is not None:
        assert news == case.new_per_refresh
    with transaction(engine) as s:
        rows = s.scalars(select(Article).order_by(Article.id)).all()
        assert len(rows) == case.articles, [r.title or r.summary_text for r in rows]
        feeds = {r.id: len(s.scalars(select(ArticleFeed.feed_id).where(ArticleFeed.article_id == r.id)).all()) for r in rows}
    if case.sources is not None:
        assert sorted(feeds.values()) == case.sources
    assert all(n >= 1 for n in feeds.values())  # every article names the feeds that carried it
    last = DAY + dt.timedelta(days=case.refreshes[-1][0], hours=1)
    result = count(engine, case.phrase, last)
    assert result.values[f'news("{case.phrase}", 30d)'] == case.counted
    assert len(result.article_ids) == case.counted


def test_the_issue_example_keeps_the_untitled_outage(engine, tmp_path):
    feed = rss("Blog", item(guid="post-1", date=REAL_DATE, description="Datadog raises its guidance"),
               item(guid="post-2", date=REAL_DATE, description=OUTAGE))
    report = refresh(engine, tmp_path, {"blog": feed}, 0)
    assert any(line.endswith("2 entries, 2 new") for line in report.lines)
    with transaction(engine) as s:
        assert OUTAGE in s.scalars(select(Article.summary_text)).all()
        assert set(s.scalars(select(Article.title))) == {""}  # no "(untitled)" placeholder is stored


def test_undated_item_keeps_its_first_estimate_and_counts_once(engine, tmp_path):
    negative = item("DeepSeek outage takes inference endpoints offline", description="Outage, errors and failures for hours; customers furious.")
    for day in (0, 1, 2):
        refresh(engine, tmp_path, {"a": rss("A", negative)}, day)
    with transaction(engine) as s:
        art = s.scalars(select(Article)).one()
    assert art.published_estimated is True and art.published_at == DAY  # the first refresh's time, not a later one
    assert art.fetched_at == DAY and art.title_key == ""
    assert art.sentiment <= -0.15
    result = count(engine, "DeepSeek outage", DAY + dt.timedelta(days=2, hours=1), "negative_news")
    assert result.values['negative_news("DeepSeek outage", 30d)'] == 1 and result.article_ids == [art.id]


def test_syndicated_story_is_listed_once_with_its_feeds(engine, tmp_path):
    case = next(c for c in CASES if c.id.startswith("syndicated in three feeds"))
    refresh(engine, tmp_path, case.refreshes[0][1], 0)
    with transaction(engine) as s:
        listed = articles_for(s, tickers=None, thesis_id=None)
    assert [(a["title"], a["feeds"]) for a in listed] == [("Datadog Beats Estimates!", 3)]  # the first feed's copy


# --- dates -------------------------------------------------------------------------------------

FETCHED = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "date, published, estimated",
    [
        ("Fri, 31 Dec 9999 23:59:59 GMT", FETCHED, True),
        ("Wed, 04 Nov 2026 12:00:01 GMT", FETCHED, True),  # more than a day after the fetch
        ("Mon, 02 Nov 2026 23:30:00 GMT", dt.datetime(2026, 11, 2, 23, 30, tzinfo=dt.UTC), False),  # hours ahead: time zones
        ("Tue, 03 Nov 2026 12:00:00 GMT", dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.UTC), False),  # exactly a day: kept
        ("Thu, 01 Jan 1970 00:00:00 GMT", FETCHED, True),
        ("Sat, 31 Dec 1994 23:59:59 GMT", FETCHED, True),  # before 1995: no feed is that old
        ("Sun, 01 Jan 1995 00:00:00 GMT", dt.datetime(1995, 1, 1, tzinfo=dt.UTC), False),
        ("not a date", FETCHED, True),
        (None, FETCHED, True),
    ],
)
def test_unbelievable_dates_become_the_fetch_time_marked_estimated(date, published, estimated):
    parsed = parse_feed(rss("A", item("Datadog beats estimates", guid="g", date=date)).encode(), {"content-type": "application/rss+xml"}, FETCHED)
    entry = parsed.entries[0]
    assert (entry.published_at, entry.published_estimated) == (published, estimated)
    assert (entry.title_key is None) == estimated  # an estimated date is never part of a key


def test_far_future_item_stays_at_its_first_estimate_and_the_page_says_estimated(engine, tmp_path):
    feed = rss("A", item("Datadog beats estimates", guid="g-future", date="Fri, 31 Dec 9999 23:59:59 GMT"))
    refresh(engine, tmp_path, {"a": feed}, 0)
    refresh(engine, tmp_path, {"a": feed}, 5)
    with transaction(engine) as s:
        art = s.scalars(select(Article)).one()
        listed = articles_for(s, tickers=None, thesis_id=None)
    assert (art.published_at, art.published_estimated) == (DAY, True)
    shown = render(listed)
    assert any("(date estimated)" in body for kind, body in shown if kind == "caption")


class _Page:
    """What `article_list` asks Streamlit to show, recorded (the calls, their text, no keyword like
    unsafe_allow_html)."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def _record(self, kind: str):
        def call(body: str, **options: object) -> None:
            assert not options, options
            self.shown.append((kind, body))
        return call

    def __getattr__(self, name: str):
        if name == "container":
            return lambda **_: contextlib.nullcontext()
        return self._record(name)


def render(items: list[dict]) -> list[tuple[str, str]]:
    page = _Page()
    original = components.st
    components.st = page  # type: ignore[assignment]
    try:
        components.article_list(items)
    finally:
        components.st = original
    return page.shown


# --- encodings ---------------------------------------------------------------------------------

TEXTS = {
    "koi8-r": ("Как пережить падение рынка", "Рынок акций упал на пять процентов за неделю. Инвесторы продают облачные компании и покупают "
               "облигации. Аналитики считают, что распродажа продолжится до конца месяца, пока не выйдут отчёты."),
    "windows-1251": ("Облачные провайдеры снижают цены", "Компании снижают цены на вычисления для нейронных сетей. Спрос на "
                     "графические процессоры остаётся высоким, но маржа сокращается. Инвесторы ждут новых отчётов в декабре."),
    "shift_jis": ("クラウド障害で株価が下落", "大手クラウド事業者で大規模な障害が発生し、多くのサービスが停止しました。"
                  "投資家は売りに転じ、株価は五パーセント下落しました。会社は原因を調査中だと発表しています。"),
    "gb2312": ("云服务中断导致股价下跌", "一家大型云服务提供商发生大规模故障，许多网站和应用无法访问。"
               "投资者纷纷抛售股票，股价下跌了百分之五。公司表示正在调查原因，并承诺赔偿客户。"),
    "gbk": ("雲端服務中斷，股價下跌", "一家大型雲端服務提供商發生大規模故障，許多網站和應用無法訪問。"
            "投資者紛紛拋售股票，股價下跌了百分之五。公司表示正在調查原因，並承諾賠償客戶的損失。"),
    "big5": ("雲端服務中斷導致股價下跌", "一家大型雲端服務供應商發生大規模故障，許多網站與應用程式無法使用。"
             "投資人紛紛賣出股票，股價下跌百分之五。公司表示正在調查原因，並承諾賠償客戶的損失。"),
    "latin-1": ("Élan: la société annonce des résultats décevants", "Les ventes du troisième trimestre ont baissé de façon "
                "inattendue. Le président-directeur général a déclaré que la demande en Europe était très faible. Les "
                "actionnaires s'inquiètent déjà de la prochaine réunion à Genève, où l'on discutera des dépenses."),
}


def undeclared(encoding: str, title: str, summary: str) -> bytes:
    """A feed in `encoding` that says nothing about it: no XML encoding, no HTTP charset, no BOM."""
    xml = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
           f"<item><title>{title}</title><guid>g-1</guid><pubDate>{REAL_DATE}</pubDate><description>{summary}</description></item>"
           f"<item><title>{summary.split('。')[0].split('.')[0]}</title><guid>g-2</guid><description>{summary}</description></item>"
           "</channel></rss>")
    return xml.encode(encoding)


@pytest.mark.parametrize("encoding", list(TEXTS))
@pytest.mark.parametrize("content_type", ["application/rss+xml", "text/xml", "application/xml"])
def test_undeclared_encodings_are_detected(encoding, content_type):
    title, summary = TEXTS[encoding]
    body = undeclared(encoding, title, summary)
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # really not UTF-8, so feedparser alone would read it as windows-1252
    parsed = parse_feed(body, {"content-type": content_type}, FETCHED)
    assert parsed.error is None and parsed.warning is None
    assert parsed.encoding is not None
    assert [e.title for e in parsed.entries][0] == title
    assert parsed.entries[0].summary_text == summary
    assert parsed.title == title


def test_declared_encodings_are_believed_and_utf8_is_left_alone():
    title, summary = TEXTS["windows-1251"]
    declared = undeclared("windows-1251", title, summary).replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="windows-1251"?>')
    parsed = parse_feed(declared, {"content-type": "application/rss+xml"}, FETCHED)
    assert parsed.entries[0].title == title and parsed.encoding is None
    by_header = parse_feed(undeclared("koi8-r", *TEXTS["koi8-r"]), {"content-type": "application/rss+xml; charset=koi8-r"}, FETCHED)
    assert by_header.entries[0].title == TEXTS["koi8-r"][0] and by_header.encoding is None
    utf8 = parse_feed(undeclared("utf-8", *TEXTS["shift_jis"]), {"content-type": "application/rss+xml"}, FETCHED)
    assert utf8.entries[0].title == TEXTS["shift_jis"][0] and utf8.encoding is None


def test_undeclared_feed_over_a_local_file_is_stored_readable(engine, tmp_path):
    title, summary = TEXTS["koi8-r"]
    path = tmp_path / "ru.xml"
    path.write_bytes(undeclared("koi8-r", title, summary))
    report = refresh_news(engine, [thesis_of([path])], {}, SETTINGS, clock=lambda: DAY)
    assert any("undeclared encoding read as" in line for line in report.lines)
    with transaction(engine) as s:
        assert title in s.scalars(select(Article.title)).all()


# --- raw text and news() ----------------------------------------------------------------------


def test_markdown_special_title_is_stored_raw_and_matched_by_news(engine, tmp_path):
    title = "Cloud_provider outage (partial) hits [EU] *regions* #2"
    feed = rss("A", item(title.replace("&", "&amp;"), guid="g", date=REAL_DATE, description="Some regions down."))
    refresh(engine, tmp_path, {"a": feed}, 0)
    with transaction(engine) as s:
        assert s.scalars(select(Article.title)).all() == [title]
    now = DAY + dt.timedelta(hours=1)
    for phrase, expected in [("outage (partial)", 1), ("OUTAGE (PARTIAL)", 1), ("cloud_provider", 1), ("[EU]", 1), ("*regions*", 1),
                             ("#2", 1), ("outage (partial", 1), ("provider outage", 0), ("partial", 1), ("outage (full)", 0)]:
        got = count(engine, phrase, now).values[f'news("{phrase}", 30d)']
        assert got == expected, phrase


def test_escaping_happens_where_the_title_is_rendered():
    listed = [{"id": 1, "title": "[Click me](javascript:alert(1)) Cloudflare **wins** <b>x</b>", "link": "https://example.com/a_(b)",
               "publisher": "[Evil](http://x)", "summary_text": "*not bold*", "published_at": DAY, "published_estimated": False,
               "sentiment": 0.0, "label": "neutral", "is_sample": False, "tickers": {}, "assumptions": [], "feeds": 2},
              {"id": 2, "title": "", "link": None, "publisher": None, "summary_text": "", "published_at": DAY, "published_estimated": True,
               "sentiment": 0.0, "label": "neutral", "is_sample": False, "tickers": {}, "assumptions": [], "feeds": 1}]
    shown = render(listed)
    titles = [body for kind, body in shown if kind == "markdown"]
    assert titles[0] == ("**[\\[Click me\\]\\(javascript\\:alert\\(1\\)\\) Cloudflare \\*\\*wins\\*\\* \\<b\\>x\\</b\\>]"
                         "(https://example.com/a_%28b%29)**")
    assert titles[1] == "**(untitled)**"
    captions = [body for kind, body in shown if kind == "caption"]
    assert "\\[Evil\\]\\(http\\:" in captions[0] and "in 2 feeds" in captions[0]
    assert [body for kind, body in shown if kind == "text"] == ["*not bold*"]  # st.text: never markdown
