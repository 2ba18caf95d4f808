"""17TRACK v2.2 parser parser: its own mappings, times and errors. Every fixture's checked expected
result and the fuzzing are in test_parser_contract.py, for all adapters alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carriers.errors import AuthError, MalformedPayload, NotFound
from carriers.seventeentrack import parse
from parcel_watch.model import Source, TzSource
from parcel_watch.status import Status

FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "17track"


def test_unknown_sub_status_is_unknown_with_raw_code() -> None:
    result = parse((FIXTURES / "gettrackinfo_in_transit_yanwen_with_rejected.json").read_bytes())
    (event,) = [e for e in result.shipments[0].events if e.carrier_code == "InTransit_QuantumTunnelling"]
    assert event.status is Status.UNKNOWN and event.substatus is None


def test_rejected_number_is_an_error_and_others_still_parse() -> None:
    result = parse((FIXTURES / "gettrackinfo_in_transit_yanwen_with_rejected.json").read_bytes())
    assert [s.tracking_number for s in result.shipments] == ["YT2616912345678901"]
    assert isinstance(result.errors[0], NotFound) and result.errors[0].tracking_number == "21213123123230"


def test_time_raw_without_zone_uses_the_carrier_home_zone() -> None:
    result = parse((FIXTURES / "gettrackinfo_delivered_correios.json").read_bytes())
    delivered = result.shipments[0].events[-1]
    assert delivered.tz_source is TzSource.ASSUMED_CARRIER_HOME_ZONE
    assert delivered.occurred_at.isoformat() == "2026-06-30T17:23:00+00:00"  # = gettracklist delievery_time


def test_tracking_updated_webhook_is_a_webhook_source() -> None:
    item = json.loads((FIXTURES / "gettrackinfo_delivered_correios.json").read_bytes())["data"]["accepted"][0]
    result = parse(json.dumps({"event": "TRACKING_UPDATED", "data": item}))
    (shipment,) = result.shipments
    assert shipment.status is Status.DELIVERED and len(shipment.events) == 3
    assert {e.source for e in shipment.events} == {Source.WEBHOOK}


def test_invalid_event_date_skips_that_event_only() -> None:
    doc = json.loads((FIXTURES / "gettrackinfo_delivered_correios.json").read_bytes())
    events = doc["data"]["accepted"][0]["track_info"]["tracking"]["providers"][0]["events"]
    events[1]["time_iso"] = "2026-20-10T09:00:00-03:00"
    result = parse(json.dumps(doc))
    assert len(result.shipments[0].events) == 2
    (error,) = result.errors
    assert isinstance(error, MalformedPayload) and "time" in error.message
    assert error.tracking_number == "AA123456789BR"


def test_utc_only_time_is_carrier_utc_field() -> None:
    doc = json.loads((FIXTURES / "gettrackinfo_exception_returning.json").read_bytes())
    event = doc["data"]["accepted"][0]["track_info"]["tracking"]["providers"][0]["events"][0]
    event["time_iso"], event["time_raw"] = None, None
    (parsed,) = parse(json.dumps(doc)).shipments[0].events
    assert parsed.tz_source is TzSource.CARRIER_UTC_FIELD and parsed.utc_offset_minutes is None
    assert parsed.occurred_at.isoformat() == "2026-06-27T14:15:00+00:00"


def test_request_level_error_envelope() -> None:
    body = {"code": 401, "data": {"errors": [{"code": -18010002, "message": "Security key is invalid."}]}}
    (error,) = parse(json.dumps(body)).errors
    assert isinstance(error, AuthError) and error.code == "-18010002" and error.tracking_number is None


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'{"code": 0}', b'{"event": "NEW_THING"}'])
def test_not_the_api_shape_is_malformed(raw: bytes) -> None:
    (error,) = parse(raw).errors
    assert isinstance(error, MalformedPayload)
