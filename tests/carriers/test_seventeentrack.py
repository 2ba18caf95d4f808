"""17TRACK v2.2 parser: its own mappings, times and errors, and the merge of a postal item's two
legs. Every fixture's checked expected result and the fuzzing are in test_parser_contract.py, for
all adapters alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


# -- an S10 postal item: origin post and destination post, one timeline --

S10 = FIXTURES / "gettrackinfo_s10_china_post_usps_two_legs.json"


def s10_doc() -> Any:
    return json.loads(S10.read_bytes())


def legs(doc: Any) -> list[Any]:
    providers: list[Any] = doc["data"]["accepted"][0]["track_info"]["tracking"]["providers"]
    return providers


def test_both_legs_make_one_chronological_timeline_with_the_shared_scan_once() -> None:
    doc = s10_doc()
    raw = [event for leg in legs(doc) for event in leg["events"]]
    (shipment,) = parse(S10.read_bytes()).shipments
    events = shipment.events
    assert len(raw) == 9 and len(events) == 8  # the handover scan is reported by both posts
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert {e.location.country for e in events} == {"CN", "US"}
    (handover,) = [e for e in events if e.location.city == "JAMAICA" and e.carrier_code == "Arrival"]
    assert handover.description == "Arrival at inward office of exchange"  # as the first leg gave it
    assert (events[0].location.city, events[-1].location.city) == ("SHENZHEN", "BROOKLYN")
    assert shipment.status is Status.DELIVERED


def test_status_is_the_newest_scan_of_either_leg_not_a_stale_summary() -> None:
    doc = s10_doc()
    info = doc["data"]["accepted"][0]["track_info"]
    info["latest_status"] = {
        "status": "InTransit",
        "sub_status": "InTransit_Departure",
        "sub_status_descr": None,
    }
    info["tracking"]["providers"].reverse()  # destination leg first: same timeline, same status
    (shipment,) = parse(json.dumps(doc)).shipments
    assert shipment.status is Status.DELIVERED
    (original,) = parse(S10.read_bytes()).shipments
    key = [(e.occurred_at, e.status, e.location) for e in original.events]
    assert [(e.occurred_at, e.status, e.location) for e in shipment.events] == key


def test_an_unreadable_newest_scan_does_not_decide_the_status() -> None:
    doc = s10_doc()
    usps = legs(doc)[1]["events"]
    usps[0]["stage"] = None  # the delivery scan, now without a stage
    assert parse(json.dumps(doc)).shipments[0].status is Status.OUT_FOR_DELIVERY
    for leg in legs(doc):
        for event in leg["events"]:
            event["stage"] = None
    # No scan is readable: 17TRACK's own summary is all there is.
    assert parse(json.dumps(doc)).shipments[0].status is Status.DELIVERED


def test_the_same_scan_in_other_words_seconds_and_case_is_one_event() -> None:
    doc = s10_doc()
    shared = legs(doc)[1]["events"][-1]
    shared["time_iso"], shared["time_utc"] = "2026-05-06T14:25:40-04:00", "2026-05-06T18:25:40Z"
    shared["address"]["city"], shared["address"]["state"] = "Jamaica ", None
    assert len(parse(json.dumps(doc)).shipments[0].events) == 8


def test_different_scans_at_the_same_minute_stay_apart() -> None:
    doc = s10_doc()
    usps = legs(doc)[1]["events"]
    usps[-1]["address"]["postal_code"] = "11431"  # another facility
    assert len(parse(json.dumps(doc)).shipments[0].events) == 9
    doc = s10_doc()
    unreadable = next(e for e in legs(doc)[1]["events"] if e["stage"] is None)
    twin = {**unreadable, "description": "Inbound Into Customs"}
    legs(doc)[0]["events"].insert(0, twin)
    events = parse(json.dumps(doc)).shipments[0].events
    # Without a status to compare, only the text can tell: two different texts are two scans.
    assert len([e for e in events if e.status is Status.UNKNOWN]) == 2


@pytest.mark.parametrize("carrier", ["²", "9" * 5000])
def test_a_carrier_key_that_is_no_number_is_17tracks_own(carrier: str) -> None:
    # Found by benchmarks/fuzz.py: isdigit() accepts "²" and int() refuses it (and 4,300+ digits),
    # so the whole answer or push became "unexpected payload shape (ValueError)".
    item = json.loads((FIXTURES / "gettrackinfo_delivered_correios.json").read_bytes())["data"]["accepted"][0]
    for body in (
        {"code": 0, "data": {"accepted": [{**item, "carrier": carrier}], "rejected": []}},
        {"event": "TRACKING_STOPPED", "data": {"number": "AA123456789BR", "carrier": carrier}},
    ):
        result = parse(json.dumps(body))
        assert result.errors == []
        assert [s.carrier for s in result.shipments] == ["17track"]
