"""UPS Track / Track Alert parser: every fixture against its checked expected value, plus robustness properties."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carriers import ups
from carriers.base import ParseResult
from carriers.errors import CarrierError, MalformedPayload
from parcel_watch.model import Source, TzSource
from parcel_watch.status import Status

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers" / "ups"
CASES = sorted(p for p in FIXTURES.glob("*.json") if not p.name.endswith(".expected.json"))
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
TRICKY = st.sampled_from(
    ["", "2017-20-10T09:00:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-12:00", "XYZ", "DL", "RS"]
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return doc


def _check(raw: bytes | str) -> ParseResult:
    result = ups.parse(raw)
    assert isinstance(result, ParseResult)
    assert all(isinstance(error, CarrierError) for error in result.errors)
    json.dumps(result.to_dict())
    return result


def _load(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return doc


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
def test_fixture_matches_checked_expectation(fixture: Path) -> None:
    expected = json.loads(fixture.with_name(fixture.stem + ".expected.json").read_text())
    assert ups.parse(fixture.read_bytes()).to_dict() == expected


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
def test_text_and_bytes_parse_alike(fixture: Path) -> None:
    assert ups.parse(fixture.read_text()).to_dict() == ups.parse(fixture.read_bytes()).to_dict()


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
@FUZZ
@given(data=st.data())
def test_byte_deletions_never_raise(fixture: Path, data: st.DataObject) -> None:
    raw = bytearray(fixture.read_bytes())
    for index in sorted(set(data.draw(st.lists(st.integers(0, len(raw) - 1), max_size=12))), reverse=True):
        del raw[index]
    _check(bytes(raw))


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
@FUZZ
@given(data=st.data())
def test_truncation_never_raises(fixture: Path, data: st.DataObject) -> None:
    raw = fixture.read_bytes()
    cut = raw[: data.draw(st.integers(0, len(raw) - 1))]
    result = _check(cut)
    if cut.rstrip() != raw.rstrip():  # only trailing white space lost: still the whole body
        assert any(isinstance(error, MalformedPayload) for error in result.errors)


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
@FUZZ
@given(data=st.data())
def test_json_value_replacement_never_raises(fixture: Path, data: st.DataObject) -> None:
    doc = json.loads(fixture.read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)))
        doc = _replace(doc, path, data.draw(JSON_VALUES | TRICKY))
    _check(json.dumps(doc))


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
