"""Claims: the facts a user gives per shipment, drafted claims, and each claim's status history.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from parcel_watch.store.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_facts",
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name="fk_claim_facts_shipment_id_shipments", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shipment_id", name="pk_claim_facts"),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("anomaly", sa.String(32), nullable=False),
        sa.Column("policy_id", sa.String(80), nullable=False),
        sa.Column("respondent", sa.String(16), nullable=False),
        sa.Column("incident", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("auto_file", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.String(32), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("earliest", sa.Date(), nullable=True),
        sa.Column("latest", sa.Date(), nullable=True),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("draft", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name="fk_claims_shipment_id_shipments", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
        sa.UniqueConstraint("shipment_id", "anomaly", "policy_id", name="uq_claims_shipment_anomaly_policy"),
    )
    op.create_index("ix_claims_shipment_id", "claims", ["shipment_id"])
    op.create_index("ix_claims_status", "claims", ["status"])
    op.create_index("ix_claims_latest", "claims", ["latest"])
    op.create_table(
        "claim_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("changed_by", sa.String(120), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name="fk_claim_status_changes_claim_id_claims", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_claim_status_changes"),
    )
    op.create_index("ix_claim_status_changes_claim_id", "claim_status_changes", ["claim_id"])


def downgrade() -> None:
    op.drop_table("claim_status_changes")
    op.drop_table("claims")
    op.drop_table("claim_facts")
