"""EasyPost parser parser: its own mappings, times and errors. Every fixture's checked expected
result and the fuzzing are in test_parser_contract.py, for all adapters alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from carriers.easypost import parse
from carriers.errors import AuthError, InvalidNumber, MalformedPayload, NotFound
from parcel_watch.model import Source, TzSource
from parcel_watch.status import Status

FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "easypost"


def webhook() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(
        (FIXTURES / "webhook_tracker_updated_in_transit_fedex.json").read_bytes()
    )
    return result


def test_event_body_is_a_webhook_and_a_bare_tracker_is_a_poll() -> None:
    body = webhook()
    (shipment,) = parse(json.dumps(body)).shipments
    assert {e.source for e in shipment.events} == {Source.WEBHOOK}
    (polled,) = parse(json.dumps(body["result"])).shipments
    assert {e.source for e in polled.events} == {Source.POLL}
    assert all(e.tz_source is TzSource.CARRIER_UTC_FIELD and e.utc_offset_minutes == 0 for e in polled.events)


def test_unknown_status_is_unknown_with_raw_code() -> None:
    body = webhook()
    detail = body["result"]["tracking_details"][-1]
    detail["status"], detail["status_detail"], detail["carrier_code"] = "teleported", "beamed", ""
    event = parse(json.dumps(body)).shipments[0].events[-1]
    assert event.status is Status.UNKNOWN and event.carrier_code == "beamed"


def test_unknown_tracker_without_details_is_pending() -> None:
    tracker = webhook()["result"]
    tracker["status"], tracker["status_detail"], tracker["tracking_details"] = "unknown", "unknown", []
    (shipment,) = parse(json.dumps(tracker)).shipments
    assert shipment.status is Status.PENDING


def test_failure_details_refine_the_status() -> None:
    body = webhook()
    detail = body["result"]["tracking_details"][-1]
    detail["status"], detail["status_detail"] = "failure", "delivery_exception"
    event = parse(json.dumps(body)).shipments[0].events[-1]
    assert event.status is Status.DELIVERY_ATTEMPTED and event.substatus == "delivery_attempted.other"


def test_invalid_datetime_skips_that_event_only() -> None:
    body = webhook()
    body["result"]["tracking_details"][3]["datetime"] = "2024-20-10T09:00:00Z"
    result = parse(json.dumps(body))
    assert len(result.shipments[0].events) == 6
    (error,) = result.errors
    assert isinstance(error, MalformedPayload) and "datetime" in error.message
    assert error.tracking_number == "1"


def test_error_envelopes_are_typed() -> None:
    (created,) = parse((FIXTURES / "error_test_mode_invalid_code.json").read_bytes()).errors
    assert isinstance(created, InvalidNumber) and created.code == "TRACKER.CREATE.ERROR"
    (missing,) = parse((FIXTURES / "error_payload_not_found_404.json").read_bytes()).errors
    assert isinstance(missing, NotFound)
    body = {
        "error": {"code": "APIKEY.INACTIVE", "message": "This api key is no longer active.", "errors": []}
    }
    (auth,) = parse(json.dumps(body)).errors
    assert isinstance(auth, AuthError)


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'{"object": "Batch"}', b'{"error": "nope"}'])
def test_not_the_api_shape_is_malformed(raw: bytes) -> None:
    (error,) = parse(raw).errors
    assert isinstance(error, MalformedPayload)
