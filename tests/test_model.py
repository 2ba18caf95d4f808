"""The domain model refuses what would break the store's invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from parcel_watch.model import Money, Shipment, TrackingEvent
from parcel_watch.status import Status


def test_event_time_is_converted_to_utc_and_keeps_wall_clock_separately() -> None:
    local = timezone(timedelta(hours=8))
    ev = TrackingEvent(
        occurred_at=datetime(2026, 5, 9, 10, 11, tzinfo=local),
        local_time=datetime(2026, 5, 9, 10, 11),
        utc_offset_minutes=480,
        status=Status.IN_TRANSIT,
    )
    assert ev.occurred_at == datetime(2026, 5, 9, 2, 11, tzinfo=UTC)
    assert ev.occurred_at.tzinfo is UTC
    assert ev.local_time == datetime(2026, 5, 9, 10, 11)


@pytest.mark.parametrize(
    "fields",
    [
        {"occurred_at": datetime(2026, 5, 9, 10, 11)},  # naive: the zone must be resolved first
        {
            "occurred_at": datetime(2026, 5, 9, tzinfo=UTC),
            "status": "IN_TRANSIT",
            "substatus": "delivered.signed",
        },
        {
            "occurred_at": datetime(2026, 5, 9, tzinfo=UTC),
            "substatus": "in_transit.teleported",
            "status": "IN_TRANSIT",
        },
        {"occurred_at": datetime(2026, 5, 9, tzinfo=UTC), "status": "LOST_IN_SPACE"},
        {"occurred_at": datetime(2026, 5, 9, tzinfo=UTC), "location": {"country": "Germany"}},
    ],
)
def test_invalid_events_are_rejected(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        TrackingEvent.model_validate(fields)


def test_unknown_is_the_default_status_never_in_transit() -> None:
    assert TrackingEvent(occurred_at=datetime(2026, 5, 9, tzinfo=UTC)).status is Status.UNKNOWN


def test_shipment_normalizes_codes_and_money() -> None:
    s = Shipment(
        tracking_number="RB123456785GB",
        carrier="s10",
        origin_country="gb",
        declared_value=Money(amount=Decimal("57.95"), currency="eur"),
    )
    assert (s.origin_country, s.declared_value and s.declared_value.currency) == ("GB", "EUR")
    with pytest.raises(ValidationError):
        Money(amount=Decimal(-1), currency="EUR")
    with pytest.raises(ValidationError):
        Money(amount=Decimal(1), currency="EURO")
