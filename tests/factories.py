"""Small builders for test data (events and updates), so tests read as scenarios."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parcel_watch.model import Location, ShipmentUpdate, Source, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, RawPayload

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def event(
    minutes: float,
    status: Status = Status.IN_TRANSIT,
    code: str | None = "AR",
    *,
    substatus: str | None = None,
    city: str = "MEMPHIS",
    country: str = "US",
    text: str = "Arrived at facility",
    source: Source = Source.POLL,
) -> TrackingEvent:
    return TrackingEvent(
        occurred_at=T0 + timedelta(minutes=minutes),
        status=status,
        substatus=substatus,
        carrier_code=code,
        description=text,
        location=Location(city=city, country=country),
        source=source,
    )


def update(
    number: str, *events: TrackingEvent, carrier: str = "fedex", eta: datetime | None = None
) -> ShipmentUpdate:
    return ShipmentUpdate(carrier=carrier, tracking_number=number, events=events, estimated_delivery=eta)


def item(*updates: ShipmentUpdate, body: bytes | None = None, carrier: str = "fedex") -> IngestItem:
    payload = RawPayload(carrier, body) if body is not None else None
    return IngestItem(list(updates), payload)


JOURNEY = (
    event(0, Status.INFO_RECEIVED, "OC", text="Shipment information sent to FedEx"),
    event(60, Status.IN_TRANSIT, "PU", substatus="in_transit.picked_up", text="Picked up"),
    event(600, Status.IN_TRANSIT, "DP", substatus="in_transit.departed", text="Left FedEx origin facility"),
    event(1400, Status.OUT_FOR_DELIVERY, "OD", city="AUSTIN", text="On FedEx vehicle for delivery"),
    event(1500, Status.DELIVERED, "DL", city="AUSTIN", text="Delivered"),
)
