"""FedEx Track parser: every fixture against its checked expected value, plus robustness properties."""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carriers import fedex
from carriers.base import ParseResult
from carriers.errors import CarrierError, MalformedPayload
from parcel_watch.model import Source, TzSource
from parcel_watch.status import Status

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers" / "fedex"
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
    result = fedex.parse(raw)
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
    assert fedex.parse(fixture.read_bytes()).to_dict() == expected


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
def test_text_and_bytes_parse_alike(fixture: Path) -> None:
    assert fedex.parse(fixture.read_text()).to_dict() == fedex.parse(fixture.read_bytes()).to_dict()


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
