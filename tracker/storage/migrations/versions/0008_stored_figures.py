"""stored figures: every figure of a thesis as the refresh computed it, with the thesis and day they are for

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thesis_summaries") as batch:
        batch.add_column(sa.Column("thesis_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("as_of", sa.Date(), nullable=True))
        batch.add_column(sa.Column("figures", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("thesis_summaries") as batch:
        batch.drop_column("figures")
        batch.drop_column("as_of")
        batch.drop_column("thesis_hash")
