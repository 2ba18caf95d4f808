"""Polling schedule on shipments: when to poll next, and the last polling failure.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from parcel_watch.store.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.add_column(sa.Column("next_poll_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("polled_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("poll_failures", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("poll_error", sa.Text(), nullable=True))
    op.create_index("ix_shipments_next_poll_at", "shipments", ["next_poll_at"])


def downgrade() -> None:
    op.drop_index("ix_shipments_next_poll_at", table_name="shipments")
    with op.batch_alter_table("shipments") as batch:
        for column in ("poll_error", "poll_failures", "polled_at", "next_poll_at"):
            batch.drop_column(column)
