"""headline figures: positions past their horizon without their target

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thesis_summaries") as batch:
        batch.add_column(sa.Column("past_horizon", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("thesis_summaries") as batch:
        batch.drop_column("past_horizon")
