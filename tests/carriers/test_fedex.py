"""FedEx Track parser parser: its own mappings, times and errors. Every fixture's checked expected
result and the fuzzing are in test_parser_contract.py, for all adapters alike."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from carriers import fedex
from carriers.base import ParseResult
from carriers.errors import CarrierError, MalformedPayload
from parcel_watch.model import Source, TzSource
from parcel_watch.status import Status
from tests.carriers.parsers import load_json, sound

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers" / "fedex"


def _check(raw: bytes | str) -> ParseResult:
    return sound(fedex.parse(raw))


def _load(name: str) -> dict[str, Any]:
    return load_json("fedex", name)


def test_unknown_event_type_is_unknown_and_keeps_the_code() -> None:
    doc = _load("delivered_mixed_offsets.json")
    scan = doc["output"]["completeTrackResults"][0]["trackResults"][0]["scanEvents"][3]
    scan["eventType"], scan["derivedStatusCode"] = "ZQ", "ZQ"
    result = _check(json.dumps(doc))
    event = next(e for e in result.shipments[0].events if e.carrier_code == "ZQ")
    assert (event.status, event.substatus) == (Status.UNKNOWN, None)
    assert result.shipments[0].status is Status.DELIVERED  # an unreadable scan changes nothing


def test_unlisted_event_type_falls_back_to_derived_code() -> None:
    result = _check((FIXTURES / "delivered_mixed_offsets.json").read_bytes())
    early = next(e for e in result.shipments[0].events if e.carrier_code == "AE")
    assert (early.status, early.substatus) == (Status.IN_TRANSIT, None)


def test_returning_scan_with_derived_delivered_is_returning() -> None:
    doc = _load("delivered_mixed_offsets.json")
    scans = doc["output"]["completeTrackResults"][0]["trackResults"][0]["scanEvents"]
    scans[0].update(eventType="RS", eventDescription="Returning package to shipper")
    result = _check(json.dumps(doc))
    assert result.shipments[0].events[-1].status is Status.RETURNING
    assert result.shipments[0].status is Status.RETURNING


def test_control_sequences_and_markup_are_kept_verbatim() -> None:
    text = "\x1b[2J\x1b]8;;http://evil\x07[bold red]Delivered[/] \u202e"
    doc = _load("delivered_mixed_offsets.json")
    doc["output"]["completeTrackResults"][0]["trackResults"][0]["scanEvents"][0]["eventDescription"] = text
    result = _check(json.dumps(doc))
    assert result.shipments[0].events[-1].description == text


def test_invalid_date_skips_that_event_and_names_the_field() -> None:
    doc = _load("delivered_mixed_offsets.json")
    doc["output"]["completeTrackResults"][0]["trackResults"][0]["scanEvents"][1]["date"] = (
        "2024-20-10T09:00:00"
    )
    result = _check(json.dumps(doc))
    assert len(result.shipments[0].events) == 16
    (error,) = result.errors
    assert isinstance(error, MalformedPayload)
    assert "scanEvents[1].date" in error.message and error.tracking_number == "738488882438"


def test_times_keep_the_printed_wall_clock_and_offset() -> None:
    result = _check((FIXTURES / "delivered_mixed_offsets.json").read_bytes())
    events = result.shipments[0].events
    first, last = events[0], events[-1]
    # "2024-08-15T00:00:00" has no offset: Mankato, MN is on Central time (CDT, -05:00).
    assert first.local_time == datetime(2024, 8, 15) and first.utc_offset_minutes == -300
    assert first.tz_source is TzSource.INFERRED_FROM_LOCATION
    assert last.occurred_at == datetime(2024, 8, 20, 16, 41, 57, tzinfo=UTC)
    assert last.local_time == datetime(2024, 8, 20, 12, 41, 57) and last.utc_offset_minutes == -240
    assert all(e.source is Source.POLL for e in events)


def test_reused_number_keeps_the_most_recently_shipped_result() -> None:
    doc = _load("duplicate_number_delay_and_delivered.json")
    results = doc["output"]["completeTrackResults"][0]["trackResults"]
    assert fedex.parse(json.dumps(doc)).shipments[0].status is Status.DELIVERED
    doc_reversed = copy.deepcopy(doc)
    doc_reversed["output"]["completeTrackResults"][0]["trackResults"] = results[::-1]
    (shipment,) = fedex.parse(json.dumps(doc_reversed)).shipments
    assert shipment.status is Status.DELIVERED and shipment.events[-1].carrier_code == "DL"


def test_request_error_kinds() -> None:
    body = {"errors": [{"code": "SOMETHING.NEW", "message": "x"}]}
    (error,) = _check(json.dumps(body)).errors
    assert type(error) is CarrierError and error.code == "SOMETHING.NEW"
    assert isinstance(_check(b"[]").errors[0], MalformedPayload)
    assert isinstance(_check(b"").errors[0], MalformedPayload)
