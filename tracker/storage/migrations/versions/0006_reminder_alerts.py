"""alerts for reminders: a catalyst within a week, a review falling overdue

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=32), nullable=False, server_default="status_change"))
        batch.add_column(sa.Column("dedupe_key", sa.String(length=300), nullable=True))
        batch.alter_column("change_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("assumption_id", existing_type=sa.String(length=80), nullable=True)
        batch.alter_column("to_status", existing_type=sa.String(length=16), nullable=True)
        batch.create_unique_constraint("uq_alerts_dedupe_key", ["dedupe_key"])


def downgrade() -> None:
    op.execute("DELETE FROM alerts WHERE kind <> 'status_change'")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("uq_alerts_dedupe_key", type_="unique")
        batch.alter_column("to_status", existing_type=sa.String(length=16), nullable=False)
        batch.alter_column("assumption_id", existing_type=sa.String(length=80), nullable=False)
        batch.alter_column("change_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("dedupe_key")
        batch.drop_column("kind")
