"""Canada Post tracking XML parser: its code table, time zones, errors and XML safety. Every
fixture's checked expected result and the byte fuzzing are in test_parser_contract.py."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carriers import canadapost
from carriers.canadapost import EVENT_CODES, map_status, parse
from carriers.errors import AuthError, CarrierError, MalformedPayload, NotFound
from parcel_watch.model import TzSource
from parcel_watch.status import Status
from tests.carriers.parsers import sound

FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "canadapost"
DETAIL = FIXTURES / "tracking_detail_delivered.xml"
NS = "http://www.canadapost.ca/ws/track"


def occurrence(
    code: str, date: str, time: str, zone: str = "", province: str = "", signatory: str = ""
) -> str:
    return (
        f"<occurrence><event-identifier>{code}</event-identifier><event-date>{date}</event-date>"
        f"<event-time>{time}</event-time><event-time-zone>{zone}</event-time-zone>"
        f"<event-description>scan {code}</event-description><signatory-name>{signatory}</signatory-name>"
        f"<event-site>SITE</event-site><event-province>{province}</event-province></occurrence>"
    )


def detail(*occurrences: str, extra: str = "") -> str:
    """A real-shaped answer: the namespaced root, occurrences newest first."""
    events = "".join(occurrences)
    body = f"<pin>123</pin>{extra}<significant-events>{events}</significant-events>"
    return f'<tracking-detail xmlns="{NS}">{body}</tracking-detail>'


@settings(deadline=None)
@given(st.data(), st.text(max_size=30))
def test_random_xml_text_replacement_never_raises(data: st.DataObject, text: str) -> None:
    root = ET.fromstring(DETAIL.read_bytes())
    elements = list(root.iter())
    data.draw(st.sampled_from(elements)).text = text
    if data.draw(st.booleans()):  # and drop one child somewhere
        parent = data.draw(st.sampled_from([e for e in elements if len(e)]))
        parent.remove(data.draw(st.sampled_from(list(parent))))
    sound(parse(ET.tostring(root)))


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        ("1496", (Status.DELIVERED, None)),
        ("0174", (Status.OUT_FOR_DELIVERY, None)),  # leading zeros as the API prints them
        ("174", (Status.OUT_FOR_DELIVERY, None)),
        ("0100", (Status.IN_TRANSIT, "in_transit.picked_up")),  # §10.3: 100-107 picked up
        ("1405", (Status.IN_TRANSIT, "in_transit.picked_up")),
        ("0173", (Status.IN_TRANSIT, "in_transit.delayed")),
        ("0167", (Status.DELIVERY_ATTEMPTED, "delivery_attempted.other")),
        ("1410", (Status.AVAILABLE_FOR_PICKUP, None)),
        ("0117", (Status.EXCEPTION, "exception.other")),
        ("20", (Status.UNKNOWN, None)),  # signature image recorded: informational, not guessed
        ("9999", (Status.UNKNOWN, None)),
        (None, (Status.UNKNOWN, None)),
    ],
)
def test_event_codes(code: str | None, outcome: tuple[Status, str | None]) -> None:
    assert map_status(code) == outcome


def test_a_delivery_with_a_signatory_is_signed() -> None:
    assert map_status("1496", "R GREGOIRE") == (Status.DELIVERED, "delivered.signed")
    assert map_status("0174", "R GREGOIRE") == (Status.OUT_FOR_DELIVERY, None)


def test_the_code_table_refuses_a_code_listed_twice() -> None:
    assert "1408" in EVENT_CODES and "0174" not in EVENT_CODES  # keys carry no leading zeros
    with pytest.raises(ValueError, match="mapped twice"):
        canadapost._table({(Status.DELIVERED, None): ("1",), (Status.UNKNOWN, None): ("1",)})


def test_times_come_from_the_province_then_the_abbreviation_then_the_home_zone() -> None:
    raw = detail(
        occurrence("0174", "2024-07-02", "08:00:00", zone="EST", province="BC"),  # province wins: PDT
        occurrence("0100", "2024-07-01", "08:00:00", zone="CDT"),  # no province: the abbreviation
        occurrence("0101", "2024-06-30", "08:00:00", zone="ISRAEL"),  # neither: Toronto, assumed
    )
    (shipment,) = parse(raw).shipments
    assert [(e.utc_offset_minutes, e.tz_source) for e in shipment.events] == [
        (-240, TzSource.ASSUMED_CARRIER_HOME_ZONE),
        (-300, TzSource.CARRIER_OFFSET),
        (-420, TzSource.INFERRED_FROM_LOCATION),
    ]
    assert shipment.events[-1].occurred_at == datetime(2024, 7, 2, 15, tzinfo=UTC)
    assert [e.location.country for e in shipment.events] == [None, None, "CA"]


def test_newfoundland_half_hour_and_saskatchewan_without_dst() -> None:
    raw = detail(
        occurrence("0174", "2024-07-01", "09:00:00", province="SK"),
        occurrence("0100", "2024-07-01", "08:00:00", province="NL"),
    )
    (shipment,) = parse(raw).shipments
    assert [e.utc_offset_minutes for e in shipment.events] == [-150, -360]


def test_status_is_the_newest_event_and_a_delivery_is_not_undone_by_a_late_scan() -> None:
    (shipment,) = parse(DETAIL.read_bytes()).shipments
    assert [e.carrier_code for e in shipment.events][-2:] == ["0174", "20"]  # oldest first
    assert (shipment.status, shipment.carrier, shipment.tracking_number) == (
        Status.DELIVERED,
        "canada_post",
        "7023210039414604",
    )


def test_a_changed_expected_date_wins_at_the_destination_province() -> None:
    extra = (
        "<destination-postal-id>V6B1A1</destination-postal-id><expected-delivery-date>2024-07-01"
        "</expected-delivery-date><changed-expected-date>2024-07-03</changed-expected-date>"
    )
    (shipment,) = parse(detail(extra=extra)).shipments
    assert shipment.estimated_delivery == datetime(2024, 7, 4, 6, 59, 59, tzinfo=UTC)  # BC, end of day
    assert (shipment.status, shipment.events) == (Status.UNKNOWN, [])


def test_not_found_and_auth_messages_are_typed_and_take_the_number_asked_for() -> None:
    (error,) = parse((FIXTURES / "no_pin_history_004.xml").read_bytes(), "7023210039414604").errors
    assert isinstance(error, NotFound) and error.tracking_number == "7023210039414604"
    (error,) = parse((FIXTURES / "auth_error.xml").read_bytes()).errors
    assert isinstance(error, AuthError) and error.code == "E002"
    raw = (
        '<messages xmlns="http://www.canadapost.ca/ws/messages"><message><code>X1</code></message></messages>'
    )
    (error,) = parse(raw).errors
    assert type(error) is CarrierError and error.message == "Canada Post error"


def test_a_bad_date_skips_that_event_only() -> None:
    raw = detail(occurrence("0174", "2024-02-30", "08:00:00"), occurrence("0100", "2024-02-01", "08:00"))
    result = parse(raw)
    assert [e.carrier_code for e in result.shipments[0].events] == ["0100"]  # seconds are optional
    (error,) = result.errors
    assert isinstance(error, MalformedPayload) and error.tracking_number == "123"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('<!DOCTYPE x [<!ENTITY a "aaaa">]><tracking-detail><pin>&a;</pin></tracking-detail>', "DTD"),
        ("<tracking-detail><pin>1</pin>", "not valid XML"),
        ("<html><body>maintenance</body></html>", "not a Canada Post tracking answer"),
        ("<tracking-detail><significant-events/></tracking-detail>", "without pin"),
        ("<messages/>", "without a message"),
    ],
)
def test_refused_and_unexpected_bodies_are_malformed(raw: str, message: str) -> None:
    (error,) = parse(raw).errors
    assert isinstance(error, MalformedPayload) and message in error.message


def test_an_absurdly_long_event_code_is_an_unknown_event_and_the_others_are_kept() -> None:
    # Found by benchmarks/fuzz.py: int() refused the 5,000-digit code (ValueError), and the whole
    # answer became "unexpected payload shape".
    raw = detail(occurrence("9" * 5000, "2024-02-02", "08:00:00"), occurrence("0100", "2024-02-01", "08:00"))
    result = parse(raw)
    assert result.errors == []
    events = result.shipments[0].events
    assert [(e.status, e.carrier_code) for e in events] == [
        (Status.IN_TRANSIT, "0100"),
        (Status.UNKNOWN, "9" * 5000),
    ]
