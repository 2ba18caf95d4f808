"""Notifications: the log of messages per (fact, target), per-shipment watchers, and how far
the notifier has looked.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from parcel_watch.store.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notify_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fact_key", sa.String(160), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("target_label", sa.String(240), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("notify_type", sa.String(12), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("fact_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("send_after", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notify_log"),
        sa.UniqueConstraint("fact_key", "target", name="uq_notify_log_fact_target"),
    )
    op.create_index("ix_notify_log_state_send_after", "notify_log", ["state", "send_after"])
    op.create_table(
        "notify_watchers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name="fk_notify_watchers_shipment_id_shipments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notify_watchers"),
        sa.UniqueConstraint("shipment_id", "target", name="uq_notify_watchers_shipment_target"),
    )
    op.create_index("ix_notify_watchers_shipment_id", "notify_watchers", ["shipment_id"])
    op.create_table(
        "notify_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("anomaly_change_id", sa.BigInteger(), nullable=False),
        sa.Column("scanned_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notify_state"),
    )
    # Notifications start now: what an existing store already holds is history, not news.
    op.execute(
        "INSERT INTO notify_state (id, event_id, anomaly_change_id) SELECT 1, "
        "(SELECT COALESCE(MAX(id), 0) FROM events), (SELECT COALESCE(MAX(id), 0) FROM anomaly_changes)"
    )


def downgrade() -> None:
    op.drop_table("notify_state")
    op.drop_table("notify_watchers")
    op.drop_table("notify_log")
