"""DHL Unified parser parser: its own mappings, times and errors. Every fixture's checked expected
result and the fuzzing are in test_parser_contract.py, for all adapters alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from carriers import dhl
from carriers.base import ParseResult
from carriers.errors import MalformedPayload
from parcel_watch.model import Source, TzSource
from parcel_watch.status import Status
from tests.carriers.parsers import load_json, sound

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers" / "dhl"


def _check(raw: bytes | str) -> ParseResult:
    return sound(dhl.parse(raw))


def _load(name: str) -> dict[str, Any]:
    return load_json("dhl", name)


def _with_event(**fields: Any) -> dict[str, Any]:
    doc = _load("express_multipiece_openapi_example.json")
    doc["shipments"][0]["events"][0].update(fields)
    return doc


def test_unknown_status_code_is_unknown_and_keeps_the_code() -> None:
    result = _check(json.dumps(_with_event(statusCode="teleported")))
    (event,) = result.shipments[0].events
    assert (event.status, event.substatus, event.carrier_code) == (Status.UNKNOWN, None, "teleported")


@pytest.mark.parametrize(
    ("code", "description", "status", "substatus"),
    [
        ("transit", "Die Sendung wurde in das Zustellfahrzeug geladen.", Status.OUT_FOR_DELIVERY, None),
        (
            "transit",
            "Customs clearance status updated. Shipment released.",
            Status.IN_TRANSIT,
            "in_transit.customs_released",
        ),
        (
            "transit",
            "The shipment is pending completion of customs inspection.",
            Status.IN_TRANSIT,
            "in_transit.customs_processing",
        ),
        ("transit", "Die Sendung wurde zurückgestellt.", Status.IN_TRANSIT, "in_transit.delayed"),
        (
            "transit",
            "Die Sendung liegt in der Packstation zur Abholung bereit.",
            Status.AVAILABLE_FOR_PICKUP,
            None,
        ),
        (
            "transit",
            "Die Sendung wurde in der Filiale eingeliefert.",
            Status.IN_TRANSIT,
            "in_transit.picked_up",
        ),
        ("transit", "Arrived at Sort Facility LEIPZIG - GERMANY", Status.IN_TRANSIT, None),
        (
            "delivered",
            "Die Sendung wurde an den Nachbarn zugestellt.",
            Status.DELIVERED,
            "delivered.neighbour",
        ),
        ("delivered", "Delivered to Packstation 123", Status.DELIVERED, "delivered.mailbox_or_locker"),
        ("delivered", "Delivered - Signed by: DOE", Status.DELIVERED, "delivered.signed"),
        ("delivered", "Delivered", Status.DELIVERED, None),
        ("failure", "Rücksendung an den Absender eingeleitet.", Status.RETURNING, "returning.to_sender"),
        ("failure", "Die Sendung wurde beschädigt.", Status.EXCEPTION, "exception.damaged"),
        (
            "failure",
            "Recipient not at home.",
            Status.DELIVERY_ATTEMPTED,
            "delivery_attempted.recipient_unavailable",
        ),
        ("failure", "The recipient refused the shipment.", Status.EXCEPTION, "exception.refused"),
        ("failure", "Something else went wrong.", Status.EXCEPTION, "exception.other"),
        ("unknown", "?", Status.UNKNOWN, None),
    ],
)
def test_keyword_rules(code: str, description: str, status: Status, substatus: str | None) -> None:
    assert dhl.map_status(code, description) == (status, substatus)


def test_control_sequences_and_markup_are_kept_verbatim() -> None:
    text = "\x1b[2J\x1b]8;;http://evil\x07[bold red]Delivered[/] \u202e"
    result = _check(json.dumps(_with_event(description=text)))
    assert result.shipments[0].events[0].description == text


def test_invalid_date_skips_that_event_and_names_the_field() -> None:
    doc = _load("express_multipiece_openapi_example.json")
    events = doc["shipments"][0]["events"]
    events.insert(0, {**events[0], "timestamp": "2017-20-10T09:00:00", "statusCode": "transit"})
    result = _check(json.dumps(doc))
    assert [e.carrier_code for e in result.shipments[0].events] == ["pre-transit"]
    (error,) = result.errors
    assert isinstance(error, MalformedPayload)
    assert "shipments[0].events[0].timestamp" in error.message and error.tracking_number == "7777777770"


def test_bare_times_are_local_wall_clock() -> None:
    (event,) = _check((FIXTURES / "parcel_de_pre_transit_real.json").read_bytes()).shipments[0].events
    # parcel-de prints German local time without offset: CEST in June.
    assert event.local_time == datetime(2022, 6, 27, 19, 30) and event.utc_offset_minutes == 120
    assert event.occurred_at == datetime(2022, 6, 27, 17, 30, tzinfo=UTC)
    assert event.tz_source is TzSource.INFERRED_FROM_LOCATION and event.source is Source.POLL
    (express,) = (
        _check((FIXTURES / "express_multipiece_openapi_example.json").read_bytes()).shipments[0].events
    )
    assert express.occurred_at == datetime(2018, 3, 2, 6, 53, 47, tzinfo=UTC)  # Amsterdam, CET


def test_events_are_oldest_first_and_offsets_win() -> None:
    doc = _load("express_multipiece_openapi_example.json")
    first = doc["shipments"][0]["events"][0]
    newer = {**first, "timestamp": "2018-03-03T10:00:00+09:00", "statusCode": "transit", "description": "x"}
    doc["shipments"][0]["events"] = [newer, first]
    events = _check(json.dumps(doc)).shipments[0].events
    assert [e.carrier_code for e in events] == ["pre-transit", "transit"]
    assert events[1].utc_offset_minutes == 540 and events[1].tz_source is TzSource.CARRIER_OFFSET


def test_problem_json_kinds() -> None:
    body = {"title": "Too many requests", "status": 429, "detail": "slow down"}
    (error,) = _check(json.dumps(body)).errors
    assert error.kind == "rate_limited" and error.code == "429"
    assert _check(json.dumps({**body, "status": 503})).errors[0].kind == "unavailable"
    assert isinstance(_check(b'{"hello": 1}').errors[0], MalformedPayload)
    assert isinstance(_check(b"\xff\xfe{").errors[0], MalformedPayload)
