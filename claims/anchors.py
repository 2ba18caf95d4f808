"""The events a claim window counts from (claims-rules.md §6.2), taken from a shipment's facts.

An anchor is an aware instant (a scan, UTC) or a calendar date the user or carrier gave
(ship date, promised date, purchase date). Dates are already the claimant's calendar days;
instants are turned into the claimant's local date by the deadline code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from claims.model import Anchor, ClaimFacts
from parcel_watch.model import Shipment, TrackingEvent
from parcel_watch.status import Status

ANCHOR_NAMES: dict[Anchor, str] = {
    Anchor.SHIP_DATE: "the ship date (mailing, tender or acceptance by the carrier)",
    Anchor.SCHEDULED_DELIVERY: "the scheduled delivery date",
    Anchor.DELIVERY: "the delivery",
    Anchor.INVOICE: "the carrier's invoice date",
    Anchor.PURCHASE: "the purchase (contract or payment) date",
    Anchor.RETURN_RECEIVED: "the seller's receipt of the returned goods",
    Anchor.EXPECTED_DELIVERY: "the expected delivery date",
    Anchor.DISPUTE_OPENED: "the opening of the dispute",
}

# What to record so the anchor becomes known: shown in the error.
_HOW_TO_KNOW: dict[Anchor, str] = {
    Anchor.SHIP_DATE: "set the ship date, or wait for the carrier's first acceptance scan",
    Anchor.SCHEDULED_DELIVERY: "set the promised delivery date, or wait for the carrier's estimate",
    Anchor.DELIVERY: "there is no delivery scan yet",
    Anchor.INVOICE: "give the date of the carrier's invoice",
    Anchor.PURCHASE: "give the purchase date",
    Anchor.RETURN_RECEIVED: "give the date the seller received the return",
    Anchor.EXPECTED_DELIVERY: "set the promised delivery date",
    Anchor.DISPUTE_OPENED: "give the date the dispute was opened",
}

# Statuses that show the carrier has the goods: the first such scan is the acceptance.
_IN_CARRIER_HANDS = frozenset(Status) - {
    Status.UNKNOWN,
    Status.PENDING,
    Status.INFO_RECEIVED,
    Status.EXPIRED,
    Status.CANCELLED,
}


class UnknownAnchor(LookupError):
    """A window counts from an event this shipment's facts do not give."""

    def __init__(self, anchor: Anchor) -> None:
        self.anchor = anchor
        super().__init__(
            f"the deadline counts from {ANCHOR_NAMES[anchor]}, which is unknown: {_HOW_TO_KNOW[anchor]}"
        )


@dataclass(frozen=True)
class AnchorDates:
    """Each anchor's instant (aware datetime) or calendar date, where known."""

    ship_date: datetime | date | None = None
    scheduled_delivery: datetime | date | None = None
    delivered_at: datetime | date | None = None
    invoice_date: datetime | date | None = None
    purchased_on: datetime | date | None = None
    return_received: datetime | date | None = None
    expected_delivery: datetime | date | None = None
    dispute_opened: datetime | date | None = None

    def get(self, anchor: Anchor) -> datetime | date | None:
        return {
            Anchor.SHIP_DATE: self.ship_date,
            Anchor.SCHEDULED_DELIVERY: self.scheduled_delivery,
            Anchor.DELIVERY: self.delivered_at,
            Anchor.INVOICE: self.invoice_date,
            Anchor.PURCHASE: self.purchased_on,
            Anchor.RETURN_RECEIVED: self.return_received,
            Anchor.EXPECTED_DELIVERY: self.expected_delivery,
            Anchor.DISPUTE_OPENED: self.dispute_opened,
        }[anchor]


def anchor_instant(anchor: Anchor, dates: AnchorDates) -> datetime | date:
    """The anchor's instant or date; :class:`UnknownAnchor` says what is missing."""
    value = dates.get(anchor)
    if value is None:
        raise UnknownAnchor(anchor)
    if isinstance(value, datetime) and value.utcoffset() is None:
        raise ValueError(f"{ANCHOR_NAMES[anchor]} is a naive datetime; anchors are aware (UTC) instants")
    return value


def anchor_dates(
    shipment: Shipment,
    events: Sequence[TrackingEvent],
    facts: ClaimFacts,
    *,
    invoice_date: date | None = None,
    return_received: datetime | date | None = None,
    dispute_opened: date | None = None,
) -> AnchorDates:
    """The anchors a shipment's record and the user's facts give.

    Ship date: the recorded ship date, else the first scan with the goods in the carrier's
    hands. Scheduled and expected delivery: the promised date, else the carrier's *first*
    estimate (a later, slipped estimate must not move a claim window). Delivery: the last
    delivery scan, only while the shipment is delivered (a reopened parcel is not)."""
    ordered = sorted(events, key=lambda e: e.occurred_at)
    accepted = next((e.occurred_at for e in ordered if e.status in _IN_CARRIER_HANDS), None)
    delivered = [e.occurred_at for e in ordered if e.status is Status.DELIVERED]
    first_estimate = (
        min(shipment.estimate_revisions, key=lambda r: r.recorded_at).estimated_delivery
        if shipment.estimate_revisions
        else shipment.estimated_delivery
    )
    promised: datetime | date | None = shipment.promised_delivery or first_estimate
    return AnchorDates(
        ship_date=shipment.ship_date or accepted,
        scheduled_delivery=promised,
        delivered_at=delivered[-1] if delivered and shipment.status is Status.DELIVERED else None,
        invoice_date=invoice_date,
        purchased_on=facts.purchased_on,
        return_received=return_received,
        expected_delivery=promised,
        dispute_opened=dispute_opened,
    )
