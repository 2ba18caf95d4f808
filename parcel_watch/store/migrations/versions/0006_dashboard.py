"""Dashboard: archiving a shipment, and indexes for the parcels table's sort orders.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from parcel_watch.store.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, as in 0004: a batch copy would drop the shipments' dependants.
    op.add_column("shipments", sa.Column("archived_at", UTCDateTime(), nullable=True))
    # The parcels screen pages through 100,000 shipments in these orders; without an
    # index every page would sort the whole table.
    op.create_index("ix_shipments_last_event_at", "shipments", ["last_event_at"])
    op.create_index("ix_shipments_status", "shipments", ["status"])


def downgrade() -> None:
    op.drop_index("ix_shipments_status", "shipments")
    op.drop_index("ix_shipments_last_event_at", "shipments")
    op.drop_column("shipments", "archived_at")
