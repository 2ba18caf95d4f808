"""Mapping between domain models and table rows (pure)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Row

from parcel_watch.model import (
    CarrierSource,
    EstimateRevision,
    Location,
    Money,
    Shipment,
    Source,
    TrackingEvent,
    TzSource,
)
from parcel_watch.status import Status

# Descriptive fields a user (or an import) may set; state columns are the ingest's.
SHIPMENT_FIELDS = (
    "carrier_source",
    "service",
    "origin_country",
    "destination_country",
    "ship_date",
    "promised_delivery",
    "weight_kg",
    "order_ref",
    "label",
    "return_of",
    "refund_regime",
    "refund_received_at",
)


def shipment_values(shipment: Shipment) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(shipment, name) for name in SHIPMENT_FIELDS}
    values["carrier_source"] = shipment.carrier_source.value
    money = shipment.declared_value
    values["declared_value"] = str(money.amount) if money else None
    values["currency"] = money.currency if money else None
    if shipment.estimated_delivery is not None:
        values["estimated_delivery"] = shipment.estimated_delivery
    return values


def shipment_from_row(row: Row[Any], revisions: list[EstimateRevision] | None = None) -> Shipment:
    m = row._mapping
    money = (
        Money(amount=Decimal(m["declared_value"]), currency=m["currency"]) if m["declared_value"] else None
    )
    return Shipment(
        id=m["id"],
        tracking_number=m["tracking_number"],
        carrier=m["carrier"],
        carrier_source=CarrierSource(m["carrier_source"]),
        service=m["service"],
        origin_country=m["origin_country"],
        destination_country=m["destination_country"],
        ship_date=m["ship_date"],
        promised_delivery=m["promised_delivery"],
        estimated_delivery=m["estimated_delivery"],
        estimate_revisions=revisions or [],
        declared_value=money,
        weight_kg=m["weight_kg"],
        order_ref=m["order_ref"],
        label=m["label"],
        status=Status(m["status"]),
        substatus=m["substatus"],
        last_event_at=m["last_event_at"],
        created_at=m["created_at"],
        next_poll_at=m.get("next_poll_at"),
        poll_failures=m.get("poll_failures") or 0,
        poll_error=m.get("poll_error"),
        return_of=m.get("return_of"),
        refund_regime=m.get("refund_regime"),
        refund_received_at=m.get("refund_received_at"),
    )


def event_from_row(row: Row[Any]) -> TrackingEvent:
    m = row._mapping
    return TrackingEvent(
        occurred_at=m["occurred_at"],
        local_time=m["local_time"],
        utc_offset_minutes=m["utc_offset_minutes"],
        tz_source=TzSource(m["tz_source"]),
        status=Status(m["status"]),
        substatus=m["substatus"],
        carrier_code=m["carrier_code"],
        description=m["description"],
        location=Location(
            city=m["city"], region=m["region"], postal_code=m["postal_code"], country=m["country"]
        ),
        source=Source(m["source"]),
    )
