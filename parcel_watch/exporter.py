"""Shipments and their events as JSON-ready dicts and CSV rows (pure; the caller writes).

JSON values: instants are ISO 8601 with their offset (UTC, ``+00:00``); a carrier's local
time carries the carrier's offset when it is known and is a naive wall-clock time
otherwise (it is not an instant then); decimals are strings; dates are ``YYYY-MM-DD``.

CSV (``csv_header``/``csv_rows``): one row per event with the shipment's columns repeated,
or one row for a shipment without events (event columns empty). The shipment columns use
the import format's names, so an export can be imported again.

Personal data (names after "signed by" etc., e-mail addresses, phone numbers) in event
descriptions and labels is replaced by ``[redacted]`` unless ``include_personal``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TextIO

from parcel_watch.model import Shipment, TrackingEvent
from parcel_watch.redact import redact, redact_optional
from parcel_watch.textsafe import for_export

SHIPMENT_COLUMNS = (
    "tracking_number",
    "carrier",
    "carrier_source",
    "status",
    "substatus",
    "label",
    "order_ref",
    "service",
    "origin_country",
    "destination_country",
    "ship_date",
    "promised_delivery",
    "estimated_delivery",
    "declared_value",
    "currency",
    "weight_kg",
    "last_event_at",
    "created_at",
)
EVENT_COLUMNS = (
    "occurred_at",
    "local_time",
    "utc_offset_minutes",
    "tz_source",
    "status",
    "substatus",
    "carrier_code",
    "description",
    "city",
    "region",
    "postal_code",
    "country",
    "source",
)


def iso(value: datetime | date | None) -> str | None:
    """ISO 8601; an aware datetime keeps its offset (stored instants are UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()
    return value.isoformat()


def local_time(event: TrackingEvent) -> datetime | None:
    """The carrier's wall-clock time of the event: aware when the offset is known."""
    offset = event.utc_offset_minutes
    if offset is None:
        return event.local_time
    zone = timezone(timedelta(minutes=offset))
    if event.local_time is not None:
        return event.local_time.replace(tzinfo=zone)
    return event.occurred_at.astimezone(zone)


def event_dict(event: TrackingEvent, *, include_personal: bool = True) -> dict[str, Any]:
    local = local_time(event)
    loc = event.location
    return {
        "occurred_at": iso(event.occurred_at),
        "local_time": local.isoformat() if local is not None else None,
        "utc_offset_minutes": event.utc_offset_minutes,
        "tz_source": event.tz_source.value,
        "status": event.status.value,
        "substatus": event.substatus,
        "carrier_code": event.carrier_code,
        "description": event.description if include_personal else redact(event.description),
        "location": {
            "city": loc.city,
            "region": loc.region,
            "postal_code": loc.postal_code,
            "country": loc.country,
        },
        "source": event.source.value,
    }


def shipment_dict(
    shipment: Shipment,
    events: Sequence[TrackingEvent] | None = None,
    *,
    include_personal: bool = True,
) -> dict[str, Any]:
    """One shipment; with an ``events`` list when ``events`` is given."""
    money = shipment.declared_value
    data: dict[str, Any] = {
        "tracking_number": shipment.tracking_number,
        "carrier": shipment.carrier,
        "carrier_source": shipment.carrier_source.value,
        "status": shipment.status.value,
        "substatus": shipment.substatus,
        "label": shipment.label if include_personal else redact_optional(shipment.label),
        "order_ref": shipment.order_ref,
        "service": shipment.service,
        "origin_country": shipment.origin_country,
        "destination_country": shipment.destination_country,
        "ship_date": iso(shipment.ship_date),
        "promised_delivery": iso(shipment.promised_delivery),
        "estimated_delivery": iso(shipment.estimated_delivery),
        "estimate_revisions": [
            {"estimated_delivery": iso(r.estimated_delivery), "recorded_at": iso(r.recorded_at)}
            for r in shipment.estimate_revisions
        ],
        "declared_value": str(money.amount) if money else None,
        "currency": money.currency if money else None,
        "weight_kg": shipment.weight_kg,
        "last_event_at": iso(shipment.last_event_at),
        "created_at": iso(shipment.created_at),
    }
    if events is not None:
        data["events"] = [event_dict(e, include_personal=include_personal) for e in events]
    return data


def csv_header() -> list[str]:
    return [*SHIPMENT_COLUMNS, *(f"event_{c}" for c in EVENT_COLUMNS)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return for_export(value) if isinstance(value, str) else str(value)  # no escapes in a CSV


def csv_rows(
    shipment: Shipment, events: Sequence[TrackingEvent], *, include_personal: bool = True
) -> list[list[str]]:
    """The CSV rows of one shipment, in ``csv_header()`` order."""
    data = shipment_dict(shipment, include_personal=include_personal)
    head = [_cell(data[c]) for c in SHIPMENT_COLUMNS]
    if not events:
        return [head + [""] * len(EVENT_COLUMNS)]
    rows = []
    for event in events:
        ev = event_dict(event, include_personal=include_personal)
        flat = {**ev, **ev.pop("location")}
        rows.append(head + [_cell(flat[c]) for c in EVENT_COLUMNS])
    return rows


class JsonArrayWriter:
    """Writes a JSON array one element at a time (an export never holds every shipment)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0

    def add(self, item: Any) -> None:
        self.out.write("[\n  " if self.count == 0 else ",\n  ")
        self.out.write(json.dumps(item, ensure_ascii=True))
        self.count += 1

    def close(self) -> None:
        self.out.write("[]\n" if self.count == 0 else "\n]\n")
