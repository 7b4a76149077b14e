"""article identity, feed sources and raw text

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

Brings stored articles to the identity rules of `tracker/news/parse.py` (docs/news.md):

- a table `article_feeds`: one row per (feed, entry uid) that carried an article, so a story
  syndicated in several feeds is one article with several sources;
- titles un-escaped: they were stored markdown-escaped (`\\[`, `\\(`, `\\_` …); they are now the
  sanitised plain text the feed gave, and the dashboard escapes when it renders;
- re-keyed: an article whose uid was a hash of its title and date (no guid, no link) gets the uid
  of its title, summary and publisher, so the copies stored again on each day an undated item was
  read become one article; untitled and estimated-date articles lose their title key ("");
- merged: articles that now share a uid become the one first seen (its id, its first-seen time,
  its first estimated date), with the ticker and assumption links of all of them, every feed as a
  source, and check results and alerts pointing at it;
- dates nobody can believe (more than a day after the fetch, or before 1995) become the fetch
  time, marked estimated.

What it did is left as a row of the job history (`job_runs`, trigger `migration`, counts
`articles_merged` and others) and logged; nothing is recorded on a database without articles.

The rules are copied here, not imported, so this revision keeps doing what it did when the
ingestion code changes again. Downgrade drops `article_feeds` and escapes titles again (merged
articles stay merged).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import unicodedata
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# markdown escaping as ingestion did it up to revision 0003, and its exact inverse
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+!|<>~$])")
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~$])")
_OLD_UNTITLED = "(untitled)"
EARLIEST = dt.datetime(1995, 1, 1)
SLACK = dt.timedelta(days=1)

articles = sa.table(
    "articles",
    sa.column("id", sa.Integer),
    sa.column("uid", sa.String),
    sa.column("title_key", sa.String),
    sa.column("feed_id", sa.Integer),
    sa.column("title", sa.Text),
    sa.column("link", sa.String),
    sa.column("publisher", sa.String),
    sa.column("summary_text", sa.Text),
    sa.column("published_at", sa.DateTime),
    sa.column("published_estimated", sa.Boolean),
    sa.column("fetched_at", sa.DateTime),
)
tickers = sa.table(
    "article_tickers",
    sa.column("article_id", sa.Integer),
    sa.column("ticker", sa.String),
    sa.column("matched", sa.JSON),
    sa.column("sentiment", sa.Float),
    sa.column("published_at", sa.DateTime),
)
assumptions = sa.table(
    "article_assumptions",
    sa.column("article_id", sa.Integer),
    sa.column("thesis_id", sa.String),
    sa.column("assumption_id", sa.String),
    sa.column("matched", sa.JSON),
    sa.column("published_at", sa.DateTime),
)
sources = sa.table(
    "article_feeds",
    sa.column("feed_id", sa.Integer),
    sa.column("entry_uid", sa.String),
    sa.column("article_id", sa.Integer),
    sa.column("first_seen_at", sa.DateTime),
)
check_results = sa.table(
    "check_results",
    sa.column("thesis_id", sa.String),
    sa.column("assumption_id", sa.String),
    sa.column("check_index", sa.Integer),
    sa.column("article_ids", sa.JSON),
)
alerts = sa.table("alerts", sa.column("id", sa.Integer), sa.column("evidence", sa.JSON))
job_runs = sa.table(
    "job_runs",
    sa.column("trigger", sa.String),
    sa.column("started_at", sa.DateTime),
    sa.column("finished_at", sa.DateTime),
    sa.column("outcome", sa.String),
    sa.column("scope", sa.JSON),
    sa.column("counts", sa.JSON),
)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _normalise(text: str) -> str:
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def unescape(title: str) -> str:
    return _ESCAPED.sub(r"\1", title)


def _chunks(values: list[Any], size: int = 500) -> list[list[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def upgrade() -> None:
    op.create_table(
        "article_feeds",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("entry_uid", sa.String(length=64), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_article_feeds_article_id_articles"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"], name=op.f("fk_article_feeds_feed_id_feeds"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("feed_id", "entry_uid", name=op.f("pk_article_feeds")),
    )
    op.create_index(op.f("ix_article_feeds_article_id"), "article_feeds", ["article_id"], unique=False)
    op.create_index("ix_article_feeds_entry_uid", "article_feeds", ["entry_uid"], unique=False)
    counts = _rekey(op.get_bind())
    if counts:
        log.info("articles re-keyed: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))


def _rekey(conn: sa.Connection) -> dict[str, int]:
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = conn.execute(
        sa.select(articles.c.id, articles.c.uid, articles.c.title_key, articles.c.feed_id, articles.c.title, articles.c.link,
                  articles.c.publisher, articles.c.published_at, articles.c.published_estimated, articles.c.fetched_at)
        .order_by(articles.c.id)
    ).all()
    if not rows:
        return {}
    new: dict[int, dict[str, Any]] = {}
    rekeyed: list[int] = []
    for r in rows:
        day = r.published_at.date().isoformat()
        title = unescape(r.title)
        if title == _OLD_UNTITLED and r.title_key == _digest("", day):
            title = ""  # the placeholder of an item without a title (its title key was made of "")
        published, estimated = r.published_at, bool(r.published_estimated)
        if not EARLIEST <= published <= r.fetched_at + SLACK:
            published, estimated = r.fetched_at, True
        if r.uid == _digest("title", _normalise(title), day):
            rekeyed.append(r.id)  # no guid, no link: its uid was made of its title and (maybe estimated) date
        normalised = _normalise(title)
        new[r.id] = {
            "uid": r.uid, "title": title, "published_at": published, "published_estimated": estimated,
            "title_key": _digest(normalised, published.date().isoformat()) if normalised and not estimated else "",
            "feed_id": r.feed_id, "fetched_at": r.fetched_at, "publisher": r.publisher or "",
        }
    for chunk in _chunks(rekeyed):  # the summaries of the re-keyed articles only (they can be long)
        for id_, summary in conn.execute(sa.select(articles.c.id, articles.c.summary_text).where(articles.c.id.in_(chunk))):
            row = new[id_]
            row["uid"] = _digest("text", _normalise(row["title"]), _normalise(summary or ""), _normalise(row["publisher"]))
    by_uid: dict[str, list[int]] = defaultdict(list)
    for id_, row in new.items():
        by_uid[row["uid"]].append(id_)

    # merge: the first seen of each uid stays (its id, first-seen time, first estimate)
    survivor: dict[int, int] = {}
    for ids in by_uid.values():
        keep = min(ids, key=lambda i: (new[i]["fetched_at"], i))
        for i in ids:
            survivor[i] = keep
    merged = [i for i, keep in survivor.items() if i != keep]

    if merged:
        _move_links(conn, merged, survivor)
        for chunk in _chunks(merged):
            conn.execute(sa.delete(articles).where(articles.c.id.in_(chunk)))
        _repoint_evidence(conn, survivor)

    # updated rows: uid, text, key and date
    before = {r.id: r for r in rows}
    updates = []
    moved_dates = []
    for id_, row in new.items():
        if survivor[id_] != id_:
            continue
        old = before[id_]
        if (row["uid"], row["title"], row["title_key"], row["published_at"], row["published_estimated"]) != (
            old.uid, old.title, old.title_key, old.published_at, bool(old.published_estimated)
        ):
            updates.append({"b_id": id_, "b_uid": row["uid"], "b_title": row["title"], "b_key": row["title_key"],
                            "b_published": row["published_at"], "b_estimated": row["published_estimated"]})
        if row["published_at"] != old.published_at:
            moved_dates.append({"b_id": id_, "b_published": row["published_at"]})
    if updates:
        conn.execute(
            articles.update().where(articles.c.id == sa.bindparam("b_id")).values(
                uid=sa.bindparam("b_uid"), title=sa.bindparam("b_title"), title_key=sa.bindparam("b_key"),
                published_at=sa.bindparam("b_published"), published_estimated=sa.bindparam("b_estimated"),
            ),
            updates,
        )
    if moved_dates:
        for table in (tickers, assumptions):
            conn.execute(table.update().where(table.c.article_id == sa.bindparam("b_id")).values(published_at=sa.bindparam("b_published")), moved_dates)

    # every stored article's feed is one of its sources, with the uid its entry had there
    first: dict[tuple[int, str], dict[str, Any]] = {}
    for id_, row in sorted(new.items(), key=lambda kv: (kv[1]["fetched_at"], kv[0])):
        if row["feed_id"] is not None:
            first.setdefault((row["feed_id"], row["uid"]), {"feed_id": row["feed_id"], "entry_uid": row["uid"],
                                                            "article_id": survivor[id_], "first_seen_at": row["fetched_at"]})
    if first:
        conn.execute(sa.insert(sources), list(first.values()))

    counts = {
        "articles_before": len(rows),
        "articles_after": len(rows) - len(merged),
        "articles_merged": len(merged),
        "articles_rekeyed": len(rekeyed),
        "titles_unescaped": sum(1 for r in rows if new[r.id]["title"] != r.title),
        "dates_estimated": sum(1 for r in rows if not EARLIEST <= r.published_at <= r.fetched_at + SLACK),
        "feed_sources": len(first),
    }
    conn.execute(sa.insert(job_runs).values(
        trigger="migration", started_at=started, finished_at=dt.datetime.now(dt.UTC).replace(tzinfo=None), outcome="success",
        scope={"migration": "0004", "what": "article identity: re-keyed, merged duplicates, un-escaped titles"}, counts=counts,
    ))
    return counts


def _move_links(conn: sa.Connection, merged: list[int], survivor: dict[int, int]) -> None:
    """Ticker and assumption links of merged articles go to the article that stays (once each)."""
    keep_ids = sorted({survivor[i] for i in merged})
    for table, key in ((tickers, ("ticker",)), (assumptions, ("thesis_id", "assumption_id"))):
        have: set[tuple[Any, ...]] = set()
        for chunk in _chunks(keep_ids):
            have |= {tuple(r) for r in conn.execute(sa.select(table.c.article_id, *(table.c[k] for k in key)).where(table.c.article_id.in_(chunk)))}
        dates = {}
        for chunk in _chunks(keep_ids):
            dates.update(dict(conn.execute(sa.select(articles.c.id, articles.c.published_at).where(articles.c.id.in_(chunk))).all()))
        moving = []
        for chunk in _chunks(sorted(merged)):
            for r in conn.execute(sa.select(table).where(table.c.article_id.in_(chunk)).order_by(table.c.article_id)).mappings():
                target = survivor[r["article_id"]]
                ident = (target, *(r[k] for k in key))
                if ident in have:
                    continue
                have.add(ident)
                moving.append({**r, "article_id": target, "published_at": dates[target]})
        for chunk in _chunks(sorted(merged)):
            conn.execute(sa.delete(table).where(table.c.article_id.in_(chunk)))
        if moving:
            conn.execute(sa.insert(table), moving)


def _repoint_evidence(conn: sa.Connection, survivor: dict[int, int]) -> None:
    """Article ids recorded by check results and alerts name the article that stays."""
    def remap(ids: Any) -> Any:
        if not isinstance(ids, list):
            return ids
        return sorted({survivor.get(i, i) if isinstance(i, int) else i for i in ids}, key=lambda v: (not isinstance(v, int), v))

    results = conn.execute(sa.select(check_results)).mappings().all()
    changed = [{"b_t": r["thesis_id"], "b_a": r["assumption_id"], "b_i": r["check_index"], "b_ids": remap(r["article_ids"])}
               for r in results if remap(r["article_ids"]) != r["article_ids"]]
    if changed:
        conn.execute(
            check_results.update()
            .where(check_results.c.thesis_id == sa.bindparam("b_t"), check_results.c.assumption_id == sa.bindparam("b_a"),
                   check_results.c.check_index == sa.bindparam("b_i"))
            .values(article_ids=sa.bindparam("b_ids")),
            changed,
        )
    for alert_id, evidence in conn.execute(sa.select(alerts.c.id, alerts.c.evidence)).all():
        if isinstance(evidence, dict) and isinstance(evidence.get("article_ids"), list):
            ids = remap(evidence["article_ids"])
            if ids != evidence["article_ids"]:
                conn.execute(alerts.update().where(alerts.c.id == alert_id).values(evidence={**evidence, "article_ids": ids}))


def downgrade() -> None:
    op.drop_index("ix_article_feeds_entry_uid", table_name="article_feeds")
    op.drop_index(op.f("ix_article_feeds_article_id"), table_name="article_feeds")
    op.drop_table("article_feeds")
    conn = op.get_bind()
    rows = conn.execute(sa.select(articles.c.id, articles.c.title)).all()
    escaped = [{"b_id": r.id, "b_title": _SPECIAL.sub(r"\\\1", r.title or _OLD_UNTITLED)} for r in rows]
    if escaped:
        conn.execute(articles.update().where(articles.c.id == sa.bindparam("b_id")).values(title=sa.bindparam("b_title")), escaped)
