"""La Poste Suivi v2: the parser's own mappings, times and errors, and the client over real HTTP.
Every fixture's checked expected result and the fuzzing are in test_parser_contract.py."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from carriers import laposte
from carriers.base import ParseResult
from carriers.credentials import Credentials
from carriers.errors import AuthError, CarrierError, CarrierUnavailable, InvalidNumber, NotFound, RateLimited
from carriers.http import CarrierHttp
from parcel_watch.model import TzSource
from parcel_watch.status import Status
from tests.carriers.parsers import FIXTURES, sound

ServerFactory = Callable[..., Awaitable[TestServer]]
NOT_YET = "Votre suivi n'est pas encore disponible."


def _check(doc: Any) -> ParseResult:
    return sound(laposte.parse(json.dumps(doc)))


def _item() -> dict[str, Any]:
    item: dict[str, Any] = json.loads((FIXTURES / "laposte" / "suivi_v2.json").read_text())[0]
    return item


def _with_events(*events: dict[str, Any]) -> dict[str, Any]:
    item = _item()
    item["shipment"]["event"] = list(events)
    return item


def _missing(number: str, code: int = 104) -> dict[str, Any]:
    return {"lang": "fr_FR", "scope": "open", "returnCode": code, "returnMessage": NOT_YET, "idShip": number}


@pytest.mark.parametrize(("code", "outcome"), list(laposte.EVENT_CODES.items()))
def test_every_listed_code_reads_as_its_table_entry(code: str, outcome: tuple[Status, str | None]) -> None:
    event = {"code": code, "label": "Votre colis …", "date": "2023-03-09T09:38:00+01:00"}
    (shipment,) = _check(_with_events(event)).shipments
    assert (shipment.events[0].status, shipment.events[0].substatus, shipment.events[0].carrier_code) == (
        *outcome,
        code,
    )


def test_an_unknown_code_is_unknown_and_the_shipment_keeps_its_last_readable_status() -> None:
    older = {"code": "PC1", "label": "Pris en charge", "date": "2023-02-17T14:43:00+01:00"}
    newer = {"code": "XX9", "label": "Étape inconnue", "date": "2023-02-18T14:43:00+01:00"}
    item = _with_events(newer, older)
    item["shipment"]["isFinal"] = False
    (shipment,) = _check(item).shipments
    assert [(e.carrier_code, e.status) for e in shipment.events] == [
        ("PC1", Status.IN_TRANSIT),
        ("XX9", Status.UNKNOWN),
    ]
    assert (shipment.status, shipment.substatus) == (Status.IN_TRANSIT, "in_transit.picked_up")
    item["shipment"]["event"] = [newer]
    assert _check(item).shipments[0].status is Status.UNKNOWN
    item["shipment"]["isFinal"] = True
    assert _check(item).shipments[0].status is Status.DELIVERED


def test_a_delivered_parcel_stays_delivered_after_a_late_hub_scan() -> None:
    delivered = {"code": "DI1", "label": "Votre colis est livré.", "date": "2023-03-09T09:38:00+01:00"}
    late = {"code": "ET1", "label": "En cours d'acheminement.", "date": "2023-03-09T10:00:00+01:00"}
    assert _check(_with_events(late, delivered)).shipments[0].status is Status.DELIVERED


def test_french_labels_are_verbatim_and_a_bare_time_is_paris_time() -> None:
    label = "  Votre colis est prêt à partir de son territoire d’expédition.  "
    item = _with_events({"code": "ET2", "label": label, "date": "2023-07-01T12:00:00"})
    (event,) = _check(item).shipments[0].events
    assert event.description == label
    assert (event.tz_source, event.utc_offset_minutes) == (TzSource.ASSUMED_CARRIER_HOME_ZONE, 120)
    assert event.occurred_at == datetime(2023, 7, 1, 10, tzinfo=UTC)


def test_the_estimate_is_estim_date_else_the_end_of_the_window() -> None:
    item = _item()
    assert _check(item).shipments[0].estimated_delivery == datetime(2023, 3, 9, 8, 38, tzinfo=UTC)
    del item["shipment"]["estimDate"]
    item["shipment"]["estimHourMax"] = "2023-03-10T18:00:00+01:00"
    assert _check(item).shipments[0].estimated_delivery == datetime(2023, 3, 10, 17, tzinfo=UTC)
    item["shipment"]["estimHourMax"] = "demain"
    result = _check(item)
    assert result.shipments[0].estimated_delivery is None and "estimHourMax" in result.errors[0].message


def test_a_batch_answer_gives_each_unknown_number_its_own_not_found() -> None:
    result = _check([_item(), _missing("6A00000000001"), _missing("XX", 400)])
    assert [s.tracking_number for s in result.shipments] == ["EW112720413FR"]
    assert [(type(e), e.tracking_number, e.code) for e in result.errors] == [
        (NotFound, "6A00000000001", "104"),
        (InvalidNumber, "XX", "400"),
    ]
    assert result.errors[0].message == NOT_YET


@pytest.mark.parametrize(
    ("code", "kind"),
    [(404, NotFound), (401, AuthError), (429, RateLimited), (504, CarrierUnavailable), (109, CarrierError)],
)
def test_return_codes_are_typed(code: int, kind: type[CarrierError]) -> None:
    (error,) = _check({"returnCode": code, "returnMessage": "m", "lang": "fr_FR"}).errors
    assert type(error) is kind and error.tracking_number is None


def test_the_gateway_refusal_is_an_auth_error() -> None:
    (error,) = _check({"code": "UNAUTHORIZED", "message": "This action requires an authorization"}).errors
    assert isinstance(error, AuthError) and error.code == "UNAUTHORIZED"


# -- fetch --


async def test_numbers_go_ten_per_request_comma_separated_with_the_okapi_key(
    aiohttp_server: ServerFactory,
) -> None:
    seen: list[tuple[str, dict[str, str], dict[str, str]]] = []

    async def idships(request: web.Request) -> web.Response:
        seen.append((request.match_info["ids"], dict(request.query), dict(request.headers)))
        ids = request.match_info["ids"].split(",")
        items = [_item() if n == "EW112720413FR" else _missing(n) for n in ids]
        if len(ids) == 1 and items[0]["returnCode"] == 104:
            return web.json_response(items[0], status=404)
        return web.json_response(items, status=207 if any(i["returnCode"] != 200 for i in items) else 200)

    app = web.Application()
    app.router.add_get("/suivi/v2/idships/{ids}", idships)
    server = await aiohttp_server(app)
    numbers = ["EW112720413FR", *(f"6A{i:011d}" for i in range(10))]
    creds = Credentials(slug="laposte", api_key=SecretStr("okapi-key"))
    async with CarrierHttp("laposte") as http:
        first, last = await laposte.LaPosteClient(http, creds, base_url=str(server.make_url(""))).fetch(
            numbers
        )

    assert [ids.split(",") for ids, _, _ in seen] == [numbers[:10], numbers[10:]]
    assert all(query == {"lang": "fr_FR"} and h["X-Okapi-Key"] == "okapi-key" for _, query, h in seen)
    assert [s.tracking_number for s in first.result.shipments] == ["EW112720413FR"]
    assert [e.tracking_number for e in first.result.errors] == numbers[1:10]  # one per unknown number
    assert all(isinstance(e, NotFound) for e in first.result.errors + last.result.errors)
    assert [e.tracking_number for e in last.result.errors] == numbers[10:]  # the lone one: HTTP 404


async def test_a_refused_key_is_an_auth_error(aiohttp_server: ServerFactory) -> None:
    async def refuse(_: web.Request) -> web.Response:
        return web.json_response(
            {"code": "UNAUTHORIZED", "message": "This action requires an authorization"}, status=401
        )

    app = web.Application()
    app.router.add_get("/suivi/v2/idships/{ids}", refuse)
    server = await aiohttp_server(app)
    async with CarrierHttp("laposte") as http:
        client = laposte.LaPosteClient(
            http, Credentials(slug="laposte", api_key=SecretStr("k")), base_url=str(server.make_url(""))
        )
        with pytest.raises(AuthError):
            await client.fetch(["EW112720413FR"])
        with pytest.raises(AuthError, match="no API key"):
            await laposte.LaPosteClient(
                http, Credentials(slug="laposte"), base_url=str(server.make_url(""))
            ).fetch(["A"])
