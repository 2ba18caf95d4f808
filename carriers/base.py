"""What every adapter's pure ``parse`` returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from carriers.errors import CarrierError, MalformedPayload
from parcel_watch.model import ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status


@dataclass
class ParsedShipment:
    tracking_number: str
    carrier: str  # the physical carrier's slug (detection's courier codes where one exists)
    status: Status = Status.UNKNOWN  # the carrier's own summary status, normalized
    substatus: str | None = None
    estimated_delivery: datetime | None = None
    events: list[TrackingEvent] = field(default_factory=list)
    # Set when parsed for a poller that remembers documents (see ``parse(raw, known)``):
    # a hash of this shipment's part of the body; ``unchanged``: it equals the known one,
    # so nothing else was parsed.
    fingerprint: int | None = None
    unchanged: bool = False

    def to_update(self) -> ShipmentUpdate:
        return ShipmentUpdate(
            carrier=self.carrier,
            tracking_number=self.tracking_number,
            events=tuple(self.events),
            estimated_delivery=self.estimated_delivery,
        )


@dataclass
class ParseResult:
    shipments: list[ParsedShipment] = field(default_factory=list)
    errors: list[CarrierError] = field(default_factory=list)

    def updates(self) -> list[ShipmentUpdate]:
        """The shipments as store updates; one the store could not hold (an absurd number)
        becomes a MalformedPayload error here instead of failing the whole payload."""
        out = []
        for s in self.shipments:
            if s.unchanged:
                continue
            try:
                out.append(s.to_update())
            except ValidationError as exc:
                problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                self.errors.append(
                    MalformedPayload(f"unusable shipment: {problem}", tracking_number=s.tracking_number[:64])
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The ``parcel-watch parse --json`` contract."""
        return {
            "shipments": [
                {
                    "tracking_number": s.tracking_number,
                    "carrier": s.carrier,
                    "status": s.status.value,
                    "substatus": s.substatus,
                    "estimated_delivery": s.estimated_delivery.isoformat() if s.estimated_delivery else None,
                    "events": [_event_dict(e) for e in s.events],
                }
                for s in self.shipments
            ],
            "errors": [e.to_dict() for e in self.errors],
        }


def _event_dict(e: TrackingEvent) -> dict[str, Any]:
    # occurred_at with the carrier's own offset when known, else UTC.
    from datetime import timedelta, timezone

    when = e.occurred_at
    if e.utc_offset_minutes is not None:
        when = when.astimezone(timezone(timedelta(minutes=e.utc_offset_minutes)))
    return {
        "occurred_at": when.isoformat(),
        "status": e.status.value,
        "substatus": e.substatus,
        "carrier_code": e.carrier_code,
        "description": e.description,
        "tz_source": e.tz_source.value,
        "location": {
            "city": e.location.city,
            "region": e.location.region,
            "postal_code": e.location.postal_code,
            "country": e.location.country,
        },
    }


@dataclass(frozen=True)
class Fetched:
    """One answer from a carrier: the exact bytes (kept as evidence) and what they mean."""

    raw: bytes
    content_type: str
    result: ParseResult
