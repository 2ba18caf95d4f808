"""UPS Track / Track Alert parser parser: its own mappings, times and errors. Every fixture's checked expected
result and the fuzzing are in test_parser_contract.py, for all adapters alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from carriers import ups
from carriers.base import ParseResult
from carriers.errors import CarrierError, MalformedPayload
from parcel_watch.model import Source, TzSource
from parcel_watch.status import Status
from tests.carriers.parsers import load_json, sound

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers" / "ups"


def _check(raw: bytes | str) -> ParseResult:
    return sound(ups.parse(raw))


def _load(name: str) -> dict[str, Any]:
    return load_json("ups", name)


def _delivered_with(**status: Any) -> dict[str, Any]:
    doc = _load("delivered.json")
    doc["trackResponse"]["shipment"][0]["package"][0]["activity"][0]["status"].update(status)
    return doc


def test_unknown_status_type_is_unknown_and_keeps_the_code() -> None:
    result = _check(json.dumps(_delivered_with(type="Q", code="ZZ")))
    event = next(e for e in result.shipments[0].events if e.carrier_code == "Q/ZZ")
    assert (event.status, event.substatus) == (Status.UNKNOWN, None)
    assert result.shipments[0].status is Status.INFO_RECEIVED  # the readable label scan stands


@pytest.mark.parametrize(
    ("type_", "code", "description", "status", "substatus"),
    [
        ("M", "MP", "", Status.INFO_RECEIVED, None),
        ("MV", "MV", "", Status.CANCELLED, "cancelled.by_shipper"),
        ("P", "PU", "", Status.IN_TRANSIT, "in_transit.picked_up"),
        ("I", "OR", "Origin Scan", Status.IN_TRANSIT, "in_transit.picked_up"),
        ("I", "OT", "Out For Delivery Today", Status.OUT_FOR_DELIVERY, None),
        ("I", "DP", "Departed from Facility", Status.IN_TRANSIT, "in_transit.departed"),
        ("I", "AR", "Arrived at Facility", Status.IN_TRANSIT, "in_transit.arrived"),
        ("I", "ZZ", "Processing at UPS Facility", Status.IN_TRANSIT, None),
        (
            "X",
            "SR",
            "Your package was released by the customs agency.",
            Status.IN_TRANSIT,
            "in_transit.customs_released",
        ),
        ("X", "CH", "Your package is being held in customs.", Status.EXCEPTION, "exception.customs_hold"),
        (
            "X",
            "ZZ",
            "A severe weather condition has delayed delivery.",
            Status.IN_TRANSIT,
            "in_transit.delayed",
        ),
        (
            "X",
            "ZZ",
            "The receiver was not available for delivery.",
            Status.DELIVERY_ATTEMPTED,
            "delivery_attempted.recipient_unavailable",
        ),
        (
            "X",
            "ZZ",
            "The business was closed.",
            Status.DELIVERY_ATTEMPTED,
            "delivery_attempted.business_closed",
        ),
        ("X", "ZZ", "The address is incorrect.", Status.EXCEPTION, "exception.address_problem"),
        ("X", "ZZ", "Package damaged.", Status.EXCEPTION, "exception.damaged"),
        ("X", "ZZ", "The receiver refused the delivery.", Status.EXCEPTION, "exception.refused"),
        ("X", "RS", "Returned to shipper", Status.RETURNING, "returning.to_sender"),
        ("X", "RP", "", Status.AVAILABLE_FOR_PICKUP, None),
        ("X", "ZZ", "Something happened.", Status.EXCEPTION, "exception.other"),
        ("D", "FS", "DELIVERED", Status.DELIVERED, None),
        ("D", "KB", "Package returned to shipper", Status.RETURNED, "returned.to_sender"),
        ("Q", "ZZ", "", Status.UNKNOWN, None),
        ("U", "ZZ", "", None, None),
    ],
)
def test_mapping_table(
    type_: str, code: str, description: str, status: Status | None, substatus: str | None
) -> None:
    expected = None if status is None else (status, substatus)
    assert ups.map_status(type_, code, description) == expected


def test_control_sequences_and_markup_are_kept_verbatim() -> None:
    text = "\x1b[2J\x1b]8;;http://evil\x07[bold red]DELIVERED[/] \u202e"
    result = _check(json.dumps(_delivered_with(description=text)))
    assert result.shipments[0].events[-1].description == text


def test_invalid_date_skips_that_event_and_names_the_field() -> None:
    doc = _load("delivered.json")
    doc["trackResponse"]["shipment"][0]["package"][0]["activity"][1]["date"] = "20221326"
    result = _check(json.dumps(doc))
    assert [e.carrier_code for e in result.shipments[0].events] == ["D/F4"]
    (error,) = result.errors
    assert isinstance(error, MalformedPayload) and error.tracking_number == "1Z1442YY7229014688"
    assert "package[0].activity[1].date" in error.message


def test_local_scan_times_use_the_scan_zone() -> None:
    events = _check((FIXTURES / "delivered.json").read_bytes()).shipments[0].events
    # PARAMUS, NJ in January: EST (-05:00).
    assert events[-1].local_time == datetime(2022, 1, 26, 16, 30) and events[-1].utc_offset_minutes == -300
    assert events[-1].occurred_at == datetime(2022, 1, 26, 21, 30, tzinfo=UTC)
    # The label scan says only "US": no zone can be inferred, and that is recorded.
    assert events[0].tz_source is TzSource.UNKNOWN and events[0].utc_offset_minutes is None


def test_webhook_uses_gmt_fields_and_is_marked_webhook() -> None:
    (shipment,) = _check((FIXTURES / "trackalert_webhook_out_for_delivery.json").read_bytes()).shipments
    (event,) = shipment.events
    assert event.source is Source.WEBHOOK and event.tz_source is TzSource.CARRIER_UTC_FIELD
    assert event.occurred_at == datetime(2024, 4, 23, 13, 15, 19, tzinfo=UTC)
    assert event.local_time == datetime(2024, 4, 23, 9, 15, 19) and event.utc_offset_minutes == -240
    # scheduledDeliveryDate 2024-04-23, "end of day" in Charlotte, NC (EDT).
    assert shipment.estimated_delivery == datetime(2024, 4, 24, 3, 59, 59, tzinfo=UTC)


def test_webhook_delivery_date_update_moves_the_estimate_only() -> None:
    doc = _load("trackalert_webhook_out_for_delivery.json")
    doc["activityStatus"] = {"type": "U", "code": "RE", "description": "Delivery date updated"}
    doc["scheduledDeliveryDate"] = "20240425"
    (shipment,) = _check(json.dumps(doc)).shipments
    assert shipment.events == [] and shipment.estimated_delivery == datetime(
        2024, 4, 26, 3, 59, 59, tzinfo=UTC
    )


def test_track_api_estimate_prefers_rescheduled_date() -> None:
    doc = _load("delivered.json")
    package = doc["trackResponse"]["shipment"][0]["package"][0]
    package["deliveryDate"] = [{"type": "SDD", "date": "20220125"}, {"type": "RDD", "date": "20220127"}]
    package["deliveryTime"] = {"type": "EOD", "startTime": "", "endTime": "190000"}
    (shipment,) = _check(json.dumps(doc)).shipments
    assert shipment.estimated_delivery == datetime(2022, 1, 28, 0, 0, tzinfo=UTC)  # 19:00 EST in Paramus


def test_error_envelope_kinds() -> None:
    body = {"response": {"errors": [{"code": "190001", "message": "Hard error"}]}}
    (error,) = _check(json.dumps(body)).errors
    assert type(error) is CarrierError and error.code == "190001"
    assert isinstance(_check(b"[1, 2]").errors[0], MalformedPayload)
    assert isinstance(_check("{").errors[0], MalformedPayload)
