"""The domain model refuses what would break the store's invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from parcel_watch.model import Location, Money, Shipment, Source, TrackingEvent, TzSource
from parcel_watch.status import SUBSTATUSES, Status


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


# -- TrackingEvent.trusted: the parsers' fast path must build exactly what validation does --

_ZONES = st.sampled_from([None, UTC, timezone(timedelta(hours=8)), timezone(timedelta(minutes=-330))])
_EVENT_FIELDS = st.fixed_dictionaries(
    {
        "occurred_at": st.datetimes(
            min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=_ZONES
        ),
        "local_time": st.none() | st.datetimes(timezones=_ZONES),
        "utc_offset_minutes": st.none() | st.integers(-1100, 1100),
        "tz_source": st.sampled_from(TzSource),
        "status": st.sampled_from(Status),
        "substatus": st.none() | st.sampled_from(sorted(SUBSTATUSES)) | st.just("no.such"),
        "carrier_code": st.none() | st.text(max_size=4),
        "description": st.text(max_size=8),
        "location": st.builds(
            Location, city=st.none() | st.text(max_size=5), country=st.sampled_from([None, "US", "CN"])
        ),
        "source": st.sampled_from(Source),
    }
)


@given(_EVENT_FIELDS)
def test_trusted_event_equals_the_validated_one_or_fails_alike(fields: dict[str, Any]) -> None:
    try:
        validated = TrackingEvent(**fields)
    except ValidationError:
        with pytest.raises(ValueError):  # the same refusal, as a plain ValueError
            TrackingEvent.trusted(**fields)
        return
    trusted = TrackingEvent.trusted(**fields)
    assert trusted == validated
    assert trusted.model_dump() == validated.model_dump()
    assert trusted.occurred_at.tzinfo is UTC
    assert trusted.model_copy(update={"description": "x"}).description == "x"
