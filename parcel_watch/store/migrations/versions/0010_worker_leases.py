"""Workers: a lease owner on shipments, and each source's next request slot, shared.

A lease is ``next_poll_at`` pushed to the lease's expiry plus ``lease_owner``: a worker
that dies leaves shipments that fall due again when the lease ends, with no sweeper, and
the due query stays one range scan on ``next_poll_at``'s index.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, as in 0004: a batch copy would drop the shipments' dependants.
    op.add_column("shipments", sa.Column("lease_owner", sa.String(120), nullable=True))
    op.create_table(
        "source_slots",
        sa.Column("source", sa.String(40), nullable=False),
        # Epoch seconds (float): the earliest time the next request to this source may go.
        sa.Column("next_slot", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_source_slots"),
    )


def downgrade() -> None:
    op.drop_table("source_slots")
    op.drop_column("shipments", "lease_owner")
