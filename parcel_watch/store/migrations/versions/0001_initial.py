"""Initial store: shipments, raw payloads, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from parcel_watch.store.types import UTCDateTime, WallClock

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(40), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False),
        sa.Column("carrier_source", sa.String(16), nullable=False),
        sa.Column("service", sa.String(120), nullable=True),
        sa.Column("origin_country", sa.String(2), nullable=True),
        sa.Column("destination_country", sa.String(2), nullable=True),
        sa.Column("ship_date", sa.Date(), nullable=True),
        sa.Column("promised_delivery", sa.Date(), nullable=True),
        sa.Column("estimated_delivery", UTCDateTime(), nullable=True),
        sa.Column("declared_value", sa.String(32), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("order_ref", sa.String(120), nullable=True),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("substatus", sa.String(48), nullable=True),
        sa.Column("last_event_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shipments"),
        sa.UniqueConstraint("carrier", "tracking_number", name="uq_shipments_carrier_number"),
    )
    op.create_index("ix_shipments_tracking_number", "shipments", ["tracking_number"])
    op.create_table(
        "raw_payloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("carrier", sa.String(40), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("content_type", sa.String(80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_raw_payloads"),
        sa.UniqueConstraint("sha256", name="uq_raw_payloads_sha256"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("local_time", WallClock(), nullable=True),
        sa.Column("utc_offset_minutes", sa.Integer(), nullable=True),
        sa.Column("tz_source", sa.String(32), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("substatus", sa.String(48), nullable=True),
        sa.Column("carrier_code", sa.String(64), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("city", sa.String(120), nullable=True),
        sa.Column("region", sa.String(120), nullable=True),
        sa.Column("postal_code", sa.String(20), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("payload_id", sa.Integer(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name="fk_events_shipment_id_shipments", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["payload_id"], ["raw_payloads.id"], name="fk_events_payload_id_raw_payloads", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint("shipment_id", "dedupe_key", name="uq_events_shipment_key"),
    )


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("raw_payloads")
    op.drop_index("ix_shipments_tracking_number", table_name="shipments")
    op.drop_table("shipments")
