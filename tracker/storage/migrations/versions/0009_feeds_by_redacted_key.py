"""feeds by redacted key: rows stored under a URL that carries a token are re-keyed as the refresh now looks them up

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25

Feeds are stored and shown by `tracker.redact.redacted_key(url)` (the URL with its secrets hidden,
plus a short hash of the full URL). Rows written before that keep their fetch state (validators,
last success, failures in a row) and their articles' feed links only if they move to that key; a
row already under the key (a refresh ran first) takes the old row's links and the old row goes.
Feed failures recorded under the full or the redacted URL move to the key too, so the days a feed
failed are still known to the news checks.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker.redact import redact_url, redacted_key

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, url FROM feeds")).all()
    by_url = {url: id_ for id_, url in rows}
    for id_, url in rows:
        key = redacted_key(url)
        if key == url:
            continue
        params = {"old": id_, "key": key, "url": url, "shown": redact_url(url)}
        kept = by_url.get(key)
        if kept is None:
            conn.execute(sa.text("UPDATE feeds SET url = :key WHERE id = :old"), params)
            by_url[key] = id_
        else:
            params["new"] = kept
            conn.execute(sa.text("UPDATE articles SET feed_id = :new WHERE feed_id = :old"), params)
            conn.execute(sa.text(
                "INSERT INTO article_feeds (feed_id, entry_uid, article_id, first_seen_at) "
                "SELECT :new, entry_uid, article_id, first_seen_at FROM article_feeds "
                "WHERE feed_id = :old AND entry_uid NOT IN (SELECT entry_uid FROM article_feeds WHERE feed_id = :new)"), params)
            conn.execute(sa.text("DELETE FROM article_feeds WHERE feed_id = :old"), params)
            conn.execute(sa.text("DELETE FROM feeds WHERE id = :old"), params)
        conn.execute(sa.text("UPDATE job_failures SET source = :key WHERE kind = 'feed' AND source IN (:url, :shown)"), params)


def downgrade() -> None:
    """Nothing to undo: the full URLs are not kept, and the previous code reads keyed rows as new feeds."""
