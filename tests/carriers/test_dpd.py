"""DPD ParcelLifeCycleService parser: statuses, reached steps, places and zones, faults and the
login answer. Every fixture's checked expected result and the byte fuzzing are in
test_parser_contract.py."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carriers.dpd import PLC_NS, SOAP_ENV, STATUSES, Login, map_status, parse, read_login
from carriers.errors import AuthError, CarrierError, MalformedPayload, NotFound
from parcel_watch.model import TzSource
from parcel_watch.status import Status
from tests.carriers.parsers import sound

FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "dpd"
LIFECYCLE = FIXTURES / "parcel_lifecycle_soap.xml"


def info(status: str, date: str | None, place: str = "Mechelen (BE)", reached: bool = True) -> str:
    line = "<content>{}</content><bold>true</bold><paragraph>false</paragraph>"
    when = f"<location>{line.format(place)}</location><date>{line.format(date)}</date>" if date else ""
    return (
        f"<statusInfo><status>{status}</status><label>{line.format('In transit')}</label>"
        f"<description><content>{line.format(status + ' text')}</content></description>"
        f"<statusHasBeenReached>{str(reached).lower()}</statusHasBeenReached>{when}</statusInfo>"
    )


def answer(*infos: str) -> str:
    result = f"<trackingresult>{''.join(infos)}</trackingresult>"
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><getTrackingDataResponse xmlns="{PLC_NS}">'
        f"{result}</getTrackingDataResponse></soap:Body></soap:Envelope>"
    )


def fault(detail: str) -> str:
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode>'
        f"<faultstring>Fault occured</faultstring><detail>{detail}</detail></soap:Fault>"
        "</soap:Body></soap:Envelope>"
    )


@settings(deadline=None)
@given(st.data(), st.text(max_size=30))
def test_random_xml_text_replacement_never_raises(data: st.DataObject, text: str) -> None:
    root = ET.fromstring(LIFECYCLE.read_bytes())
    elements = list(root.iter())
    data.draw(st.sampled_from(elements)).text = text
    if data.draw(st.booleans()):  # and drop one child somewhere
        parent = data.draw(st.sampled_from([e for e in elements if len(e)]))
        parent.remove(data.draw(st.sampled_from(list(parent))))
    sound(parse(ET.tostring(root), "05222835034925"))


def test_every_status_maps_to_a_valid_pair_and_unknown_is_unknown() -> None:
    assert map_status("Courier") == (Status.OUT_FOR_DELIVERY, None)
    assert map_status("ReturningFromDelivery") == (Status.DELIVERY_ATTEMPTED, "delivery_attempted.other")
    assert map_status("SHIPMENT") == (Status.UNKNOWN, None)  # the shipmentInfo block, not a scan
    assert map_status(None) == (Status.UNKNOWN, None)
    assert all(sub is None or sub.startswith(status.value.lower()) for status, sub in STATUSES.values())


def test_the_fixture_is_attributed_to_the_number_asked_for() -> None:
    (shipment,) = parse(LIFECYCLE.read_bytes(), "05222835034925").shipments
    assert (shipment.tracking_number, shipment.carrier) == ("05222835034925", "dpd")
    assert len(shipment.events) == 15
    assert shipment.status is Status.DELIVERY_ATTEMPTED  # ReturningFromDelivery, the current step
    first = shipment.events[0]
    assert first.occurred_at == datetime(2021, 8, 17, 17, 11, 26, tzinfo=UTC)  # 7:11:26 PM, CEST
    assert (first.location.city, first.location.country, first.tz_source) == (
        "Puurs",
        "BE",
        TzSource.INFERRED_FROM_LOCATION,
    )


def test_steps_not_reached_are_skipped_and_none_reached_is_not_found() -> None:
    raw = answer(info("PickedUp", "1/5/2024 9:03:00 AM"), info("Delivered", None, reached=False))
    (shipment,) = parse(raw, "N1").shipments
    assert [e.carrier_code for e in shipment.events] == ["PickedUp"]
    assert shipment.events[0].utc_offset_minutes == 60  # January in Belgium
    (error,) = parse(answer(info("Delivered", None, reached=False)), "N2").errors
    assert isinstance(error, NotFound) and error.tracking_number == "N2"


def test_places_without_a_country_fall_back_to_the_home_zone() -> None:
    raw = answer(
        info("Depot", "7/1/2024 10:00:00 PM", place="Hub 4"),
        info("Courier", "7/2/2024 6:00:00 AM", place="Memphis (US)"),  # no single US zone either
        info("Delivered", "2.7.2024 14:30:00", place="Köln (de)"),  # German style, 24 h clock
    )
    events = parse(raw, "N1").shipments[0].events
    assert [(e.location.city, e.location.country) for e in events] == [
        ("Hub 4", None),
        ("Memphis", "US"),
        ("Köln", "DE"),
    ]
    assert [e.tz_source for e in events] == [
        TzSource.ASSUMED_CARRIER_HOME_ZONE,
        TzSource.ASSUMED_CARRIER_HOME_ZONE,
        TzSource.INFERRED_FROM_LOCATION,
    ]
    assert events[0].occurred_at == datetime(2024, 7, 1, 20, tzinfo=UTC)


def test_a_bad_date_skips_that_step_only() -> None:
    raw = answer(info("PickedUp", "13/45/2024 9:03:00 AM"), info("Depot", "1/6/2024 9:03:00 AM"))
    result = parse(raw, "N1")
    assert [e.carrier_code for e in result.shipments[0].events] == ["Depot"]
    (error,) = result.errors
    assert isinstance(error, MalformedPayload) and error.tracking_number == "N1"


@pytest.mark.parametrize(
    ("detail", "kind", "code"),
    [
        (
            "<authenticationFault><errorCode>ERR_DELICOM_TOKEN_EXPIRED</errorCode></authenticationFault>",
            AuthError,
            "ERR_DELICOM_TOKEN_EXPIRED",
        ),
        (  # an authentication fault DPD adds later is still about credentials
            "<authenticationFault><errorCode>NEW_CODE</errorCode></authenticationFault>",
            AuthError,
            "NEW_CODE",
        ),
        (
            "<faults><faultCode>PARCEL_LOCKED</faultCode><message>x</message></faults>",
            CarrierError,
            "PARCEL_LOCKED",
        ),
        ("", CarrierError, "soap:Server"),
    ],
)
def test_faults_are_typed(detail: str, kind: type[CarrierError], code: str) -> None:
    (error,) = parse(fault(detail), "N1").errors
    assert type(error) is kind and error.code == code and error.tracking_number == "N1"


def test_login_answers() -> None:
    ok = (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><getAuthResponse xmlns="x"><return>'
        "<authToken>T0K</authToken><authTokenExpires>2021-03-09T12:40:08.9333333</authTokenExpires>"
        "</return></getAuthResponse></soap:Body></soap:Envelope>"
    )
    assert read_login(ok.encode()) == Login("T0K", datetime(2021, 3, 9, 12, 40, 8, 933333, tzinfo=UTC))
    assert read_login(ok.replace("2021-03-09T12:40:08.9333333", "soon").encode()) == Login("T0K", None)
    refused = read_login((FIXTURES / "soap_fault.xml").read_bytes())
    assert isinstance(refused, AuthError) and refused.code == "DELICOM_ERR_AUTHENTICATION"
    assert isinstance(read_login(ok.replace("T0K", "").encode()), MalformedPayload)
    assert isinstance(read_login(b"<soap:Envelope"), MalformedPayload)


def test_without_the_number_the_shipment_cannot_be_stored() -> None:
    result = parse(LIFECYCLE.read_bytes())
    assert result.shipments[0].tracking_number == ""
    assert result.updates() == []
    (error,) = result.errors
    assert isinstance(error, MalformedPayload) and "tracking_number" in error.message
