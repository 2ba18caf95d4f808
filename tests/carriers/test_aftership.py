"""AfterShip v4 parser parser: its own mappings, times and errors. Every fixture's checked expected
result and the fuzzing are in test_parser_contract.py, for all adapters alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from carriers.aftership import parse
from carriers.errors import AuthError, MalformedPayload, NotFound
from parcel_watch.model import Source, TzSource
from parcel_watch.status import Status

FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "aftership"


def tracking() -> dict[str, Any]:
    doc = json.loads((FIXTURES / "v4_get_tracking_in_transit_postnl.json").read_bytes())
    result: dict[str, Any] = doc["data"]["tracking"]
    return result


def test_webhook_body_is_a_webhook_source() -> None:
    body = {"event": "tracking_update", "event_id": "e1", "is_tracking_first_tag": False, "msg": tracking()}
    (shipment,) = parse(json.dumps(body)).shipments
    assert shipment.carrier == "postnl-3s" and shipment.status is Status.IN_TRANSIT
    assert len(shipment.events) == 6 and {e.source for e in shipment.events} == {Source.WEBHOOK}


def test_unknown_subtag_is_unknown_with_raw_code() -> None:
    doc = tracking()
    doc["checkpoints"][-1]["subtag"] = "InTransit_099"
    event = parse(json.dumps({"meta": {"code": 200}, "data": {"tracking": doc}})).shipments[0].events[-1]
    assert event.status is Status.UNKNOWN and event.carrier_code == "InTransit_099"


def test_wildcard_subtags_follow_their_tag() -> None:
    doc = tracking()
    doc["checkpoints"][-1]["subtag"] = "OutForDelivery_004"
    event = parse(json.dumps({"meta": {"code": 200}, "data": {"tracking": doc}})).shipments[0].events[-1]
    assert event.status is Status.OUT_FOR_DELIVERY and event.substatus is None


def test_checkpoint_without_offset_is_localized_by_country() -> None:
    doc = tracking()
    doc["checkpoints"][-1]["checkpoint_time"] = "2021-03-25T10:59:00"
    event = parse(json.dumps({"meta": {"code": 200}, "data": {"tracking": doc}})).shipments[0].events[-1]
    assert event.tz_source is TzSource.INFERRED_FROM_LOCATION and event.utc_offset_minutes == 60
    assert event.occurred_at.isoformat() == "2021-03-25T09:59:00+00:00"


def test_invalid_checkpoint_time_skips_that_event_only() -> None:
    doc = tracking()
    doc["checkpoints"][2]["checkpoint_time"] = "2021-20-10T09:00:00+01:00"
    result = parse(json.dumps({"meta": {"code": 200}, "data": {"tracking": doc}}))
    assert len(result.shipments[0].events) == 5
    (error,) = result.errors
    assert isinstance(error, MalformedPayload) and "checkpoint_time" in error.message
    assert error.tracking_number == "3SKAAG5995399"


def test_4004_is_not_found_for_that_number() -> None:
    body = {
        "meta": {"code": 4004, "message": "Tracking does not exist.", "type": "BadRequest"},
        "data": {"tracking": {"slug": "postnl-3s", "tracking_number": "3SKAAG0000000"}},
    }
    (error,) = parse(json.dumps(body)).errors
    assert isinstance(error, NotFound) and error.tracking_number == "3SKAAG0000000" and error.code == "4004"


def test_invalid_api_key_is_an_auth_error() -> None:
    body = {"meta": {"code": 401, "message": "Invalid API Key.", "type": "Unauthorized"}, "data": {}}
    (error,) = parse(json.dumps(body)).errors
    assert isinstance(error, AuthError)


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'{"meta": {}}', b'{"meta": {"code": 200}, "data": {}}'])
def test_not_the_api_shape_is_malformed(raw: bytes) -> None:
    (error,) = parse(raw).errors
    assert isinstance(error, MalformedPayload)
