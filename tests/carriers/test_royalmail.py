"""Royal Mail Tracking API v2: the parser's own mappings, times and errors, and the client over
real HTTP. Every fixture's checked expected result and the fuzzing are in test_parser_contract.py."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from carriers import royalmail
from carriers.base import ParseResult
from carriers.credentials import Credentials
from carriers.errors import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    MalformedPayload,
    NotFound,
    RateLimited,
)
from carriers.http import CarrierHttp
from parcel_watch.model import TzSource
from parcel_watch.status import Status
from tests.carriers.parsers import FIXTURES, load_json, sound

ServerFactory = Callable[..., Awaitable[TestServer]]
FOUND = "royalmail/in_transit_redirected.json"


def _check(doc: Any) -> ParseResult:
    return sound(royalmail.parse(json.dumps(doc)))


def _with_events(*events: dict[str, Any], category: str = "IN TRANSIT") -> dict[str, Any]:
    doc = load_json("royalmail", "in_transit_redirected.json")
    doc["mailPieces"]["events"] = list(events)
    doc["mailPieces"]["summary"]["statusCategory"] = category
    return doc


def _event(code: str, when: str = "2016-10-20T10:04:00+01:00", name: str = "x") -> dict[str, Any]:
    return {"eventCode": code, "eventName": name, "eventDateTime": when, "locationName": " Stafford DO "}


@pytest.mark.parametrize(("code", "outcome"), list(royalmail.EVENT_CODES.items()))
def test_every_listed_code_reads_as_its_table_entry(code: str, outcome: tuple[Status, str | None]) -> None:
    (shipment,) = _check(_with_events(_event(code))).shipments
    (event,) = shipment.events
    assert (event.status, event.substatus, event.carrier_code) == (*outcome, code)


def test_an_unknown_code_is_unknown_and_the_category_speaks_for_the_shipment() -> None:
    (shipment,) = _check(_with_events(_event("EVZZZ"), category="DELIVERED")).shipments
    assert (shipment.events[0].status, shipment.events[0].carrier_code) == (Status.UNKNOWN, "EVZZZ")
    assert (shipment.status, shipment.substatus) == (Status.DELIVERED, None)


def test_the_newest_readable_event_wins_over_the_coarser_category() -> None:
    events = (_event("EVKSF", "2016-10-21T09:00:00+01:00"), _event("EVGPD", "2016-10-21T07:00:00+01:00"))
    (shipment,) = _check(_with_events(*events, category="IN TRANSIT")).shipments
    assert [e.carrier_code for e in shipment.events] == ["EVGPD", "EVKSF"]  # oldest first
    assert (shipment.status, shipment.substatus) == (Status.DELIVERED, "delivered.left_safe_place")


def test_without_events_or_category_the_status_is_unknown_never_in_transit() -> None:
    doc = _with_events(category="LOST IN SPACE")
    assert _check(doc).shipments[0].status is Status.UNKNOWN
    assert _check(_with_events(category="Pending")).shipments[0].status is Status.PENDING


def test_the_barcode_people_track_is_the_number_else_the_mail_piece_id() -> None:
    doc = load_json("royalmail", "in_transit_redirected.json")
    assert _check(doc).shipments[0].tracking_number == "FQ087430672GB"
    del doc["mailPieces"]["summary"]["oneDBarcode"]
    assert _check(doc).shipments[0].tracking_number == "090367574000000FE1E1B"


def test_offsets_are_kept_and_a_bare_time_is_uk_local_time() -> None:
    (event,) = _check(_with_events(_event("EVORI", "2016-10-20T10:04:00"))).shipments[0].events
    assert event.tz_source is TzSource.ASSUMED_CARRIER_HOME_ZONE
    assert (event.utc_offset_minutes, event.occurred_at) == (60, datetime(2016, 10, 20, 9, 4, tzinfo=UTC))
    assert event.location.city == "Stafford DO" and event.description == "x"


def test_estimate_is_the_end_of_the_window_else_the_end_of_the_day() -> None:
    doc = load_json("royalmail", "in_transit_redirected.json")
    assert _check(doc).shipments[0].estimated_delivery == datetime(2017, 2, 20, 10, tzinfo=UTC)
    del doc["mailPieces"]["estimatedDelivery"]["endOfEstimatedWindow"]
    assert _check(doc).shipments[0].estimated_delivery == datetime(2017, 2, 20, 23, 59, 59, tzinfo=UTC)
    doc["mailPieces"]["estimatedDelivery"]["date"] = "2017-20-20"
    result = _check(doc)
    assert result.shipments[0].estimated_delivery is None
    assert (
        isinstance(result.errors[0], MalformedPayload) and result.errors[0].tracking_number == "FQ087430672GB"
    )


def test_an_event_with_an_impossible_date_is_skipped_and_named() -> None:
    result = _check(_with_events(_event("EVORI", "2017-20-10T09:00:00"), _event("EVGPD")))
    assert [e.carrier_code for e in result.shipments[0].events] == ["EVGPD"]
    (error,) = result.errors
    assert "eventDateTime" in error.message and error.tracking_number == "FQ087430672GB"


@pytest.mark.parametrize(
    ("code", "http", "kind"),
    [
        ("E1142", "404", NotFound),
        ("E0010", "429", RateLimited),
        ("E0009", "500", CarrierUnavailable),
        ("E9999", "401", AuthError),  # unlisted code: the HTTP code decides
        ("E9999", "503", CarrierUnavailable),
        ("E0004", "400", CarrierError),
    ],
)
def test_error_envelopes_are_typed(code: str, http: str, kind: type[CarrierError]) -> None:
    body = {"httpCode": http, "httpMessage": "m", "errors": [{"errorCode": code, "errorDescription": "d"}]}
    (error,) = _check(body).errors
    assert type(error) is kind and (error.code, error.message, error.tracking_number) == (code, "d", None)


def test_an_envelope_without_errors_uses_more_information() -> None:
    (error,) = _check(
        {"httpCode": "401", "httpMessage": "Unauthorized", "moreInformation": "Client id"}
    ).errors
    assert isinstance(error, AuthError) and (error.code, error.message) == ("401", "Client id")


def test_summary_pages_give_one_error_per_unknown_number_next_to_the_others() -> None:
    piece = load_json("royalmail", "in_transit_redirected.json")["mailPieces"]
    missing = {
        "mailPieceId": "AB0123456789GB",
        "error": {"errorCode": "E1142", "errorDescription": "Barcode reference isn't recognised"},
    }
    result = _check({"mailPieces": [piece, missing]})
    assert [s.tracking_number for s in result.shipments] == ["FQ087430672GB"]
    (error,) = result.errors
    assert isinstance(error, NotFound) and error.tracking_number == "AB0123456789GB"


# -- fetch --


def _creds(secret: str = "rm-secret") -> Credentials:
    return Credentials(slug="royalmail", client_id="rm-id", client_secret=SecretStr(secret))


async def _server(
    aiohttp_server: ServerFactory, handler: Callable[..., Awaitable[web.Response]]
) -> TestServer:
    app = web.Application()
    app.router.add_get("/mailpieces/v2/{number}/events", handler)
    return await aiohttp_server(app)


async def test_each_number_is_one_get_with_the_ibm_headers_and_unknown_ones_are_not_found(
    aiohttp_server: ServerFactory,
) -> None:
    seen: list[tuple[str, dict[str, str]]] = []

    async def events(request: web.Request) -> web.Response:
        seen.append((request.raw_path, dict(request.headers)))
        if request.match_info["number"] == "FQ087430672GB":
            return web.Response(body=(FIXTURES / FOUND).read_bytes(), content_type="application/json")
        body = {"httpCode": "404", "errors": [{"errorCode": "E1142", "errorDescription": "not recognised"}]}
        return web.json_response(body, status=404)

    server = await _server(aiohttp_server, events)
    async with CarrierHttp("royalmail") as http:
        client = royalmail.RoyalMailClient(http, _creds(), base_url=str(server.make_url("")))
        found, missing = await client.fetch(["FQ087430672GB", "AB 1/2"])

    assert [path for path, _ in seen] == [
        "/mailpieces/v2/FQ087430672GB/events",
        "/mailpieces/v2/AB%201%2F2/events",
    ]
    for _, headers in seen:
        assert headers["X-IBM-Client-Id"] == "rm-id" and headers["X-IBM-Client-Secret"] == "rm-secret"
        assert headers["X-Accept-RMG-Terms"] == "yes"
    assert found.result.to_dict() == royalmail.parse((FIXTURES / FOUND).read_bytes()).to_dict()
    assert [type(e) for e in missing.result.errors] == [NotFound]


async def test_refused_and_missing_credentials_are_auth_errors(aiohttp_server: ServerFactory) -> None:
    async def refuse(_: web.Request) -> web.Response:
        return web.json_response(
            {"httpCode": "401", "moreInformation": "Client id not registered."}, status=401
        )

    server = await _server(aiohttp_server, refuse)
    async with CarrierHttp("royalmail") as http:
        with pytest.raises(AuthError):
            await royalmail.RoyalMailClient(http, _creds(), base_url=str(server.make_url(""))).fetch(["A"])
        unconfigured = Credentials(slug="royalmail", api_key=SecretStr("not-what-royal-mail-takes"))
        with pytest.raises(AuthError, match="no client id/secret"):
            await royalmail.RoyalMailClient(http, unconfigured, base_url=str(server.make_url(""))).fetch(
                ["A"]
            )


@pytest.mark.parametrize("http", ["²", "9" * 5000])
def test_an_http_code_that_is_no_number_is_ignored_not_a_failed_answer(http: str) -> None:
    # Found by benchmarks/fuzz.py: isdigit() accepts "²" and int() refuses it (and 4,300+ digits),
    # so the whole envelope became "unexpected payload shape (ValueError)".
    (error,) = _check({"httpCode": http, "httpMessage": "m", "moreInformation": "Client id"}).errors
    assert type(error) is CarrierError and error.message == "Client id"
