"""sentiment explained: why an article scored as it did, and what each ticker's score was read from

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

`articles.sentiment_why`: the cues that weighed most ("beats, raises guidance"); "" for articles
stored before (their scores came from the earlier scorer and are left as they were).
`article_tickers.sentiment_basis`: "whole article" (the title names the ticker) or e.g.
"2 sentences naming NET"; "" for links stored before.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("sentiment_why", sa.String(length=300), nullable=False, server_default=""))
    with op.batch_alter_table("article_tickers") as batch:
        batch.add_column(sa.Column("sentiment_basis", sa.String(length=80), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("article_tickers") as batch:
        batch.drop_column("sentiment_basis")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("sentiment_why")
