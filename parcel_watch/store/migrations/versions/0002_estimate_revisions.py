"""Keep every estimated delivery a carrier announced: revisions are evidence of delay.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from parcel_watch.store.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "estimate_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("estimated_delivery", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name="fk_estimate_revisions_shipment_id_shipments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_estimate_revisions"),
        sa.UniqueConstraint("shipment_id", "estimated_delivery", name="uq_estimate_revisions_shipment_eta"),
    )
    # Shipments that already had an estimate keep it as their first known revision.
    op.execute(
        "INSERT INTO estimate_revisions (shipment_id, estimated_delivery, recorded_at) "
        "SELECT id, estimated_delivery, updated_at FROM shipments WHERE estimated_delivery IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("estimate_revisions")
