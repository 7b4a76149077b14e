"""thesis version journal

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "thesis_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thesis_id", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("renamed_from", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thesis_versions")),
        sa.UniqueConstraint("thesis_id", "seq", name=op.f("uq_thesis_versions_thesis_id_seq")),
    )
    op.create_index("ix_thesis_versions_content_hash", "thesis_versions", ["content_hash"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_thesis_versions_content_hash", table_name="thesis_versions")
    op.drop_table("thesis_versions")
