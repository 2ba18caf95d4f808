"""The event store's tables. Alembic migrations in ``migrations/`` are the source of truth
for existing databases; these declarations must match the head revision (a test checks)."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from parcel_watch.store.types import UTCDateTime, WallClock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ShipmentRow(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("carrier", "tracking_number", name="uq_shipments_carrier_number"),
        # The parcels table pages through shipments not archived (revision 0007).
        Index("ix_shipments_archived_last_event", "archived_at", "last_event_at", "id"),
        Index("ix_shipments_archived_carrier", "archived_at", "carrier", "tracking_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    carrier: Mapped[str] = mapped_column(String(40))
    tracking_number: Mapped[str] = mapped_column(String(64), index=True)
    carrier_source: Mapped[str] = mapped_column(String(16), default="detected")
    service: Mapped[str | None] = mapped_column(String(120))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    ship_date: Mapped[date | None] = mapped_column(Date)
    promised_delivery: Mapped[date | None] = mapped_column(Date)
    estimated_delivery: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declared_value: Mapped[str | None] = mapped_column(String(32))  # Decimal as text: exact on every backend
    currency: Mapped[str | None] = mapped_column(String(3))
    weight_kg: Mapped[float | None] = mapped_column(Float)
    order_ref: Mapped[str | None] = mapped_column(String(120))
    label: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(24), default="PENDING", index=True)
    substatus: Mapped[str | None] = mapped_column(String(48))
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Polling schedule (revision 0003): NULL next_poll_at = due now; never polled again
    # once the policy says so (terminal + grace, or expired) — then it is far in the future.
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    poll_failures: Mapped[int] = mapped_column(Integer, server_default="0")
    poll_error: Mapped[str | None] = mapped_column(Text)
    # Anomaly rules (revision 0004): when to evaluate again without a new event (a
    # deadline crossing); NULL = now. A return's link to its original shipment (no
    # foreign key: SQLite cannot add one to an existing table without copying it).
    rules_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    return_of: Mapped[int | None] = mapped_column(Integer, index=True)
    refund_regime: Mapped[str | None] = mapped_column(String(16))
    refund_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Dashboard (revision 0006): an archived shipment is hidden from the parcels list and
    # no longer polled; its events, anomalies and claims stay.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Workers (revision 0010): who holds the shipment's poll; the lease ends at next_poll_at.
    lease_owner: Mapped[str | None] = mapped_column(String(120))


class RawPayloadRow(Base):
    """A carrier response or webhook body exactly as received (zlib), for evidence."""

    __tablename__ = "raw_payloads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    carrier: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EventRow(Base):
    __tablename__ = "events"
    # The dedupe key is unique per shipment, not globally: with shipment_id leading,
    # the index grows at its end during ingest instead of at random places.
    __table_args__ = (UniqueConstraint("shipment_id", "dedupe_key", name="uq_events_shipment_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    dedupe_key: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_time: Mapped[datetime | None] = mapped_column(WallClock)  # carrier's wall-clock time
    utc_offset_minutes: Mapped[int | None]
    tz_source: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    substatus: Mapped[str | None] = mapped_column(String(48))
    carrier_code: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    source: Mapped[str] = mapped_column(String(16))
    payload_id: Mapped[int | None] = mapped_column(ForeignKey("raw_payloads.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EstimateRevisionRow(Base):
    """Each distinct estimated delivery a carrier announced, when we first saw it (revision 0002)."""

    __tablename__ = "estimate_revisions"
    __table_args__ = (
        UniqueConstraint("shipment_id", "estimated_delivery", name="uq_estimate_revisions_shipment_eta"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    estimated_delivery: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AnomalyRow(Base):
    """One anomaly episode of a shipment: opened, updated, resolved (revision 0004).

    ``details`` and ``evidence`` (event ids) are JSON text: the same on every backend."""

    __tablename__ = "anomalies"
    __table_args__ = (
        Index(
            "uq_anomalies_open_kind",
            "shipment_id",
            "kind",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(12))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    details: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)


class AnomalyChangeRow(Base):
    """Each state change of an anomaly, when it happened (the anomaly's history)."""

    __tablename__ = "anomaly_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    anomaly_id: Mapped[int] = mapped_column(ForeignKey("anomalies.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    change: Mapped[str] = mapped_column(String(12))
    details: Mapped[str] = mapped_column(Text)


class RuleWatermarkRow(Base):
    """The newest event and estimate revision the last rule evaluation saw (one row)."""

    __tablename__ = "rule_watermarks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(BigInteger)
    revision_id: Mapped[int] = mapped_column(BigInteger)
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClaimFactsRow(Base):
    """What the user told about a shipment for its claims, as JSON (``claims.facts``; revision 0005)."""

    __tablename__ = "claim_facts"

    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True)
    facts: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClaimRow(Base):
    """One drafted claim and where it stands (``claims.lifecycle``; revision 0005).

    ``draft`` is the JSON snapshot the letters are rendered from, so a claim reads the same
    after its policy data changes; the columns beside it are what lists and reminders query."""

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("shipment_id", "anomaly", "policy_id", name="uq_claims_shipment_anomaly_policy"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    anomaly: Mapped[str] = mapped_column(String(32))
    policy_id: Mapped[str] = mapped_column(String(80))
    respondent: Mapped[str] = mapped_column(String(16))
    incident: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    auto_file: Mapped[bool] = mapped_column(Boolean)
    amount: Mapped[str | None] = mapped_column(String(32))  # Decimal as text
    currency: Mapped[str | None] = mapped_column(String(3))
    earliest: Mapped[date | None] = mapped_column(Date)
    latest: Mapped[date | None] = mapped_column(Date, index=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    draft: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClaimStatusChangeRow(Base):
    """Every status a claim took, who set it and when (revision 0005); append-only."""

    __tablename__ = "claim_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    changed_by: Mapped[str] = mapped_column(String(120))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class NotifyLogRow(Base):
    """One message about one fact for one target (revision 0008): the unique (fact, target)
    key is what keeps a fact seen twice (poll and webhook, a restart) to one message.

    ``target`` is the SHA-256 of the apprise URL: URLs hold secrets and are not stored here,
    only their redacted form. No foreign key to the shipment: the log outlives a removal."""

    __tablename__ = "notify_log"
    __table_args__ = (
        UniqueConstraint("fact_key", "target", name="uq_notify_log_fact_target"),
        Index("ix_notify_log_state_send_after", "state", "send_after"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fact_key: Mapped[str] = mapped_column(String(160))
    target: Mapped[str] = mapped_column(String(64))
    target_label: Mapped[str] = mapped_column(String(240))
    kind: Mapped[str] = mapped_column(String(24))
    shipment_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    notify_type: Mapped[str] = mapped_column(String(12))
    mode: Mapped[str] = mapped_column(String(8))  # now, quiet (held), digest
    fact_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12))  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotifyWatcherRow(Base):
    """An apprise URL told about every fact of one shipment (revision 0008). The URL is kept
    because the user asked for it here; ``target`` is its SHA-256, as in the log."""

    __tablename__ = "notify_watchers"
    __table_args__ = (UniqueConstraint("shipment_id", "target", name="uq_notify_watchers_shipment_target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotifyStateRow(Base):
    """The newest event and anomaly change the notifier has looked at (one row)."""

    __tablename__ = "notify_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(BigInteger)
    anomaly_change_id: Mapped[int] = mapped_column(BigInteger)
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiTokenRow(Base):
    """A token of the JSON API (revision 0009): ``token_id`` is the token's public part, to
    find it by; ``secret_hash`` the SHA-256 of the whole token. The token itself is not kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_id: Mapped[str] = mapped_column(String(24), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(String(8))  # read, write
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SourceSlotRow(Base):
    """Per source, the earliest time (epoch seconds) its next request may go (revision 0010):
    every worker reserves its requests here, so the source's rate holds across all of them."""

    __tablename__ = "source_slots"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_slot: Mapped[float] = mapped_column(Float)


shipments = cast(Table, ShipmentRow.__table__)
events = cast(Table, EventRow.__table__)
raw_payloads = cast(Table, RawPayloadRow.__table__)
estimate_revisions = cast(Table, EstimateRevisionRow.__table__)
anomalies = cast(Table, AnomalyRow.__table__)
anomaly_changes = cast(Table, AnomalyChangeRow.__table__)
rule_watermarks = cast(Table, RuleWatermarkRow.__table__)
claim_facts = cast(Table, ClaimFactsRow.__table__)
claims = cast(Table, ClaimRow.__table__)
claim_status_changes = cast(Table, ClaimStatusChangeRow.__table__)
notify_log = cast(Table, NotifyLogRow.__table__)
notify_watchers = cast(Table, NotifyWatcherRow.__table__)
notify_state = cast(Table, NotifyStateRow.__table__)
api_tokens = cast(Table, ApiTokenRow.__table__)
source_slots = cast(Table, SourceSlotRow.__table__)
