"""thesis summaries for the overview

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "thesis_summaries",
        sa.Column("thesis_id", sa.String(length=80), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("portfolio_return", sa.Float(), nullable=True),
        sa.Column("benchmark_return", sa.Float(), nullable=True),
        sa.Column("excess", sa.Float(), nullable=True),
        sa.Column("drawdown", sa.Float(), nullable=True),
        sa.Column("target_return", sa.Float(), nullable=True),
        sa.Column("weighted_progress", sa.Float(), nullable=True),
        sa.Column("min_days_left", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("thesis_id", name=op.f("pk_thesis_summaries")),
    )


def downgrade() -> None:
    op.drop_table("thesis_summaries")
