"""EasyPost parser: every fixture against its expected ParseResult, plus robustness."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carriers.base import ParseResult
from carriers.easypost import SLUG, parse
from carriers.errors import AuthError, CarrierError, InvalidNumber, MalformedPayload, NotFound
from parcel_watch.model import Source, TzSource
from parcel_watch.status import Status

FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "easypost"
CASES = sorted(p for p in FIXTURES.iterdir() if not p.name.endswith(".expected.json"))
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
    assert SLUG == "easypost" and len(CASES) == 7


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
@given(st.sampled_from(CASES), st.data(), JSON_VALUES)
def test_random_value_replacement_never_raises(fixture: Path, data: st.DataObject, value: Any) -> None:
    doc = json.loads(fixture.read_bytes())
    path = data.draw(st.sampled_from(list(paths(doc))))
    assert_sound(parse(json.dumps(replaced(doc, path, value))))


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
