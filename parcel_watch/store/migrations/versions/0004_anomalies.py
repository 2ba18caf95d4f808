"""Anomalies found by the rules, their history, and what incremental evaluation needs.

* ``anomalies``: one row per anomaly episode; at most one open per (shipment, kind).
* ``anomaly_changes``: every state change (opened, updated, resolved) with its time.
* ``rule_watermarks``: the newest event and estimate revision the last evaluation saw.
* ``shipments.rules_due_at``: when the rules must look at a shipment again without a new
  event (a deadline crossing); NULL = now (never evaluated, or its facts were edited).
* ``shipments.return_of`` / ``refund_regime`` / ``refund_received_at``: a return shipment's
  link to the original shipment and the refund it should bring (rule ``refund_overdue``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from parcel_watch.store.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch table copy): on SQLite a copy would drop the shipments
    # table, and with foreign keys on that deletes every event by cascade.
    op.add_column("shipments", sa.Column("rules_due_at", UTCDateTime(), nullable=True))
    op.add_column("shipments", sa.Column("return_of", sa.Integer(), nullable=True))
    op.add_column("shipments", sa.Column("refund_regime", sa.String(16), nullable=True))
    op.add_column("shipments", sa.Column("refund_received_at", UTCDateTime(), nullable=True))
    op.create_index("ix_shipments_rules_due_at", "shipments", ["rules_due_at"])
    op.create_index("ix_shipments_return_of", "shipments", ["return_of"])
    op.create_table(
        "anomalies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name="fk_anomalies_shipment_id_shipments", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_anomalies"),
    )
    op.create_index("ix_anomalies_shipment_id", "anomalies", ["shipment_id"])
    op.create_index(
        "uq_anomalies_open_kind",
        "anomalies",
        ["shipment_id", "kind"],
        unique=True,
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )
    op.create_table(
        "anomaly_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("anomaly_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("change", sa.String(12), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["anomaly_id"],
            ["anomalies.id"],
            name="fk_anomaly_changes_anomaly_id_anomalies",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_anomaly_changes"),
    )
    op.create_index("ix_anomaly_changes_anomaly_id", "anomaly_changes", ["anomaly_id"])
    op.create_table(
        "rule_watermarks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("revision_id", sa.BigInteger(), nullable=False),
        sa.Column("evaluated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rule_watermarks"),
    )


def downgrade() -> None:
    op.drop_table("rule_watermarks")
    op.drop_index("ix_anomaly_changes_anomaly_id", table_name="anomaly_changes")
    op.drop_table("anomaly_changes")
    op.drop_index("uq_anomalies_open_kind", table_name="anomalies")
    op.drop_index("ix_anomalies_shipment_id", table_name="anomalies")
    op.drop_table("anomalies")
    op.drop_index("ix_shipments_return_of", table_name="shipments")
    op.drop_index("ix_shipments_rules_due_at", table_name="shipments")
    # Plain DROP COLUMN (SQLite 3.35+), for the reason given in upgrade().
    for column in ("refund_received_at", "refund_regime", "return_of", "rules_due_at"):
        op.drop_column("shipments", column)
