"""USPS v3 JSON and Web Tools TrackV2 XML parser: its own mappings, times and errors. Every
fixture's checked expected result and the fuzzing are in test_parser_contract.py."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carriers.errors import AuthError, MalformedPayload, NotFound
from carriers.usps import parse
from parcel_watch.model import Source, TzSource
from parcel_watch.status import Status
from tests.carriers.parsers import sound

FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "usps"
XML = FIXTURES / "webtools_trackv2_in_transit.xml"


@settings(deadline=None)
@given(st.data(), st.text(max_size=30))
def test_random_xml_text_replacement_never_raises(data: st.DataObject, text: str) -> None:
    root = ET.fromstring(XML.read_bytes())
    elements = list(root.iter())
    data.draw(st.sampled_from(elements)).text = text
    if data.draw(st.booleans()):  # and drop one child somewhere
        parent = data.draw(st.sampled_from([e for e in elements if len(e)]))
        parent.remove(data.draw(st.sampled_from(list(parent))))
    sound(parse(ET.tostring(root)))


def v3() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((FIXTURES / "v3_delivered_parcel_locker.json").read_bytes())
    return result


def test_v3_offset_comes_from_gmt_offset_not_the_seconds() -> None:
    # eventTimestamp has no seconds, GMTTimestamp has: 13:58:00 local vs 18:58:40Z is still -05:00
    (shipment,) = parse(json.dumps(v3())).shipments
    delivered = shipment.events[-1]
    assert delivered.utc_offset_minutes == -300 and delivered.tz_source is TzSource.CARRIER_UTC_FIELD
    assert delivered.occurred_at.isoformat() == "2024-11-22T18:58:40+00:00"
    assert [e.carrier_code for e in shipment.events][:2] == ["GX", "03"]  # oldest first
    assert {e.source for e in shipment.events} == {Source.POLL}


def test_unknown_event_code_is_unknown_with_raw_code() -> None:
    doc = v3()
    doc["trackingEvents"][0]["eventCode"] = "Q9"
    event = parse(json.dumps(doc)).shipments[0].events[-1]
    assert event.status is Status.UNKNOWN and event.substatus is None and event.carrier_code == "Q9"


def test_invalid_event_timestamp_skips_that_event_only() -> None:
    doc = v3()
    doc["trackingEvents"][3]["eventTimestamp"] = "2024-20-10T09:00:00"
    result = parse(json.dumps(doc))
    assert len(result.shipments[0].events) == 11
    (error,) = result.errors
    assert isinstance(error, MalformedPayload) and "eventTimestamp" in error.message
    assert error.tracking_number == "9400109104250532908587"


def test_webtools_times_are_localized_by_state() -> None:
    (shipment,) = parse(XML.read_bytes()).shipments
    assert [(e.utc_offset_minutes, e.tz_source) for e in shipment.events] == [
        (-360, TzSource.INFERRED_FROM_LOCATION),  # IL, January: CST
        (-300, TzSource.INFERRED_FROM_LOCATION),  # OH, January: EST
    ]


def test_webtools_per_number_error_keeps_other_numbers() -> None:
    raw = XML.read_text().replace(
        "</TrackResponse>",
        '<TrackInfo ID="EJ958088694US"><Error><Number>-2147219302</Number><Description>The Postal Service '
        "could not locate the tracking information for your request.</Description></Error></TrackInfo>"
        "</TrackResponse>",
    )
    result = parse(raw)
    assert [s.tracking_number for s in result.shipments] == ["XXXXXXXXXX1"]
    (error,) = result.errors
    assert isinstance(error, NotFound) and error.tracking_number == "EJ958088694US"


@pytest.mark.parametrize(
    "raw",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><TrackResponse>&lol;</TrackResponse>',
        b'<!DOCTYPE TrackResponse SYSTEM "http://example.com/x.dtd"><TrackResponse/>',
        b"<!doctype TrackResponse><TrackResponse/>",
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'.encode("utf-16"),
    ],
)
def test_xml_with_dtd_or_entities_is_refused(raw: bytes) -> None:
    (error,) = parse(raw).errors
    assert isinstance(error, MalformedPayload) and "DTD" in error.message


def test_webtools_request_error_is_typed() -> None:
    raw = b"<Error><Number>80040B1A</Number><Description>Authorization failure.</Description></Error>"
    (error,) = parse(raw).errors
    assert isinstance(error, AuthError) and error.code == "80040B1A"


@pytest.mark.parametrize("raw", [b"", b"{", b"[1]", b'{"status": "x"}', b"<Other/>", b"<TrackResponse/>"])
def test_not_the_api_shape_is_malformed(raw: bytes) -> None:
    (error,) = parse(raw).errors
    assert isinstance(error, MalformedPayload)


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("AL", "Alert: Damaged", (Status.EXCEPTION, "exception.damaged")),
        ("ZZ", "Alert: Held in Customs", (Status.EXCEPTION, "exception.customs_hold")),
        (None, "Alert: Missing Item", (Status.EXCEPTION, "exception.lost")),
        ("ZZ", "Alert", (Status.EXCEPTION, "exception.other")),
        ("ZZ", "Something new", (Status.UNKNOWN, None)),  # not guessed
    ],
)
def test_alert_scans_with_codes_we_do_not_know_are_read_from_their_text(
    code: str | None, text: str, expected: tuple[Status, str | None]
) -> None:
    from carriers.usps import _event_status

    assert _event_status(code, text) == expected
