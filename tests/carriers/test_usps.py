"""USPS v3 JSON and Web Tools TrackV2 XML parser: every fixture against its expected ParseResult,
plus robustness."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carriers.base import ParseResult
from carriers.errors import AuthError, CarrierError, MalformedPayload, NotFound
from carriers.usps import SLUG, parse
from parcel_watch.model import Source, TzSource
from parcel_watch.status import Status

FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "usps"
CASES = sorted(p for p in FIXTURES.iterdir() if not p.name.endswith(".expected.json"))
JSON_CASES = [p for p in CASES if p.suffix == ".json"]
XML = FIXTURES / "webtools_trackv2_in_transit.xml"
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def expected(fixture: Path) -> Any:
    return json.loads(fixture.with_name(fixture.name.rsplit(".", 1)[0] + ".expected.json").read_text())


def assert_sound(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    assert all(isinstance(error, CarrierError) for error in result.errors)
    json.dumps(result.to_dict())


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for key, value in items:
        yield from paths(value, (*prefix, key))


def replaced(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def test_every_fixture_has_expected_data() -> None:
    assert SLUG == "usps" and len(CASES) == 4


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
def test_fixture_parses_to_expected(fixture: Path) -> None:
    assert parse(fixture.read_bytes()).to_dict() == expected(fixture)


@settings(deadline=None)
@given(st.sampled_from(CASES), st.data())
def test_random_deletions_never_raise(fixture: Path, data: st.DataObject) -> None:
    raw = bytearray(fixture.read_bytes())
    for _ in range(data.draw(st.integers(1, 10))):
        del raw[data.draw(st.integers(0, len(raw) - 1))]
    assert_sound(parse(bytes(raw)))


@settings(deadline=None)
@given(st.sampled_from(CASES), st.data())
def test_truncation_never_raises(fixture: Path, data: st.DataObject) -> None:
    raw = fixture.read_bytes().rstrip()
    result = parse(raw[: data.draw(st.integers(0, len(raw) - 1))])
    assert_sound(result)
    assert result.errors and isinstance(result.errors[0], MalformedPayload)


@settings(deadline=None)
@given(st.sampled_from(JSON_CASES), st.data(), JSON_VALUES)
def test_random_json_value_replacement_never_raises(fixture: Path, data: st.DataObject, value: Any) -> None:
    doc = json.loads(fixture.read_bytes())
    path = data.draw(st.sampled_from(list(paths(doc))))
    assert_sound(parse(json.dumps(replaced(doc, path, value))))


@settings(deadline=None)
@given(st.data(), st.text(max_size=30))
def test_random_xml_text_replacement_never_raises(data: st.DataObject, text: str) -> None:
    root = ET.fromstring(XML.read_bytes())
    elements = list(root.iter())
    data.draw(st.sampled_from(elements)).text = text
    if data.draw(st.booleans()):  # and drop one child somewhere
        parent = data.draw(st.sampled_from([e for e in elements if len(e)]))
        parent.remove(data.draw(st.sampled_from(list(parent))))
    assert_sound(parse(ET.tostring(root)))


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
