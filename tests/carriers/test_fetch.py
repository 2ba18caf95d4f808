"""The seven clients' ``fetch`` against a real local aiohttp server answering with the real
fixture payloads: the request each client sends, batching, tokens, and what comes back."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from carriers import aftership, dhl, easypost, fedex, seventeentrack, ups, usps
from carriers.base import Fetched, ParseResult
from carriers.credentials import Credentials
from carriers.errors import CarrierUnavailable, NotFound, RateLimited
from carriers.http import CarrierHttp

FIXTURES = Path(__file__).parent.parent / "fixtures" / "carriers"
ServerFactory = Callable[..., Awaitable[TestServer]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def expected(parse: Callable[[bytes], ParseResult], name: str) -> dict[str, Any]:
    return parse(fixture(name)).to_dict()


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Carrier:
    """A local stand-in for one carrier API: records every request it gets."""

    server: TestServer
    seen: list[Seen] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    def on(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(path)]


async def carrier(aiohttp_server: ServerFactory, routes: dict[str, Handler]) -> Carrier:
    app = web.Application()
    recorded: list[Seen] = []

    def wrap(handler: Handler) -> Handler:
        async def record(request: web.Request) -> web.StreamResponse:
            body = await request.read()
            recorded.append(
                Seen(request.method, request.path, dict(request.query), dict(request.headers), body)
            )
            return await handler(request)

        return record

    for path, handler in routes.items():
        app.router.add_route("*", path, wrap(handler))
    c = Carrier(await aiohttp_server(app))
    c.seen = recorded
    return c


def serve_file(name: str, status: int = 200) -> Handler:
    async def handler(_: web.Request) -> web.Response:
        return web.Response(body=fixture(name), status=status, content_type="application/json")

    return handler


def token_endpoint(prefix: str = "tok") -> Handler:
    issued = 0

    async def handler(_: web.Request) -> web.Response:
        nonlocal issued
        issued += 1
        return web.json_response({"access_token": f"{prefix}-{issued}", "expires_in": 3600})

    return handler


OAUTH = Credentials(slug="x", client_id="client-1", client_secret="shh-client-secret")  # type: ignore[arg-type]
KEY = Credentials(slug="x", api_key="key-123")  # type: ignore[arg-type]


def numbers(n: int) -> list[str]:
    return [f"N{i:04d}" for i in range(n)]


def dicts(results: list[Fetched]) -> list[dict[str, Any]]:
    return [f.result.to_dict() for f in results]


# -- FedEx: OAuth form grant, 30 numbers per POST ------------------------------------------


async def test_fedex_sends_65_numbers_as_30_30_5_with_one_token(aiohttp_server: ServerFactory) -> None:
    api = await carrier(
        aiohttp_server,
        {
            "/oauth/token": token_endpoint(),
            "/track/v1/trackingnumbers": serve_file("fedex/delivered_mixed_offsets.json"),
        },
    )
    async with CarrierHttp("fedex") as http:
        client = fedex.FedexClient(http, OAUTH, base_url=api.base_url)
        got = await client.fetch(numbers(65))

    (token,) = api.on("/oauth/token")
    assert token.method == "POST"
    form = dict(pair.split("=") for pair in token.body.decode().split("&"))
    assert form == {
        "grant_type": "client_credentials",
        "client_id": "client-1",
        "client_secret": "shh-client-secret",
    }
    tracks = api.on("/track/v1/trackingnumbers")
    assert [t.method for t in tracks] == ["POST"] * 3
    assert {t.headers["Authorization"] for t in tracks} == {"Bearer tok-1"}
    bodies = [json.loads(t.body) for t in tracks]
    assert [len(b["trackingInfo"]) for b in bodies] == [30, 30, 5]
    assert all(b["includeDetailedScans"] is True for b in bodies)
    sent = [i["trackingNumberInfo"]["trackingNumber"] for b in bodies for i in b["trackingInfo"]]
    assert sent == numbers(65)
    assert client.oauth.fetched == 1
    assert dicts(got) == [expected(fedex.parse, "fedex/delivered_mixed_offsets.json")] * 3
    assert got[0].raw == fixture("fedex/delivered_mixed_offsets.json")
    assert got[0].content_type.startswith("application/json")


async def test_a_401_mid_way_fetches_a_new_token_once(aiohttp_server: ServerFactory) -> None:
    async def track(request: web.Request) -> web.Response:
        if request.headers["Authorization"] == "Bearer tok-1" and len(api.on("/track")) == 2:
            return web.json_response({"errors": [{"code": "NOT.AUTHORIZED.ERROR"}]}, status=401)
        return web.Response(
            body=fixture("fedex/delivered_mixed_offsets.json"), content_type="application/json"
        )

    api = await carrier(
        aiohttp_server, {"/oauth/token": token_endpoint(), "/track/v1/trackingnumbers": track}
    )
    async with CarrierHttp("fedex") as http:
        client = fedex.FedexClient(http, OAUTH, base_url=api.base_url)
        got = await client.fetch(numbers(65))

    assert len(api.on("/oauth/token")) == 2
    assert [t.headers["Authorization"] for t in api.on("/track")] == [
        "Bearer tok-1",
        "Bearer tok-1",  # refused
        "Bearer tok-2",  # the same batch again
        "Bearer tok-2",
    ]
    assert len(got) == 3
    assert all(not f.result.errors for f in got)


async def test_503_on_the_second_batch_keeps_the_first_and_stops(aiohttp_server: ServerFactory) -> None:
    async def track(_: web.Request) -> web.Response:
        if len(api.on("/track")) == 2:
            return web.Response(status=503, text="maintenance")
        return web.Response(
            body=fixture("fedex/delivered_mixed_offsets.json"), content_type="application/json"
        )

    api = await carrier(
        aiohttp_server, {"/oauth/token": token_endpoint(), "/track/v1/trackingnumbers": track}
    )
    async with CarrierHttp("fedex") as http:
        got = await fedex.FedexClient(http, OAUTH, base_url=api.base_url).fetch(numbers(65))

    assert len(api.on("/track")) == 2  # batch 3 is not attempted
    first, failed = got
    assert first.result.to_dict() == expected(fedex.parse, "fedex/delivered_mixed_offsets.json")
    assert (failed.raw, failed.content_type, failed.result.shipments) == (b"", "", [])
    errors = failed.result.errors
    assert all(isinstance(e, CarrierUnavailable) and e.code == "503" for e in errors)
    assert [e.tracking_number for e in errors] == numbers(65)[30:]  # batch 2 and the unattempted batch 3


async def test_503_on_the_first_batch_is_raised(aiohttp_server: ServerFactory) -> None:
    async def down(_: web.Request) -> web.Response:
        return web.Response(status=503)

    api = await carrier(aiohttp_server, {"/track/shipments": down})
    async with CarrierHttp("dhl") as http:
        with pytest.raises(CarrierUnavailable, match="HTTP 503"):
            await dhl.DhlClient(http, KEY, base_url=api.base_url).fetch(["A", "B"])
    assert len(api.seen) == 1


# -- DHL: API key header, one number per GET -------------------------------------------------


async def test_dhl_sends_the_key_header_and_a_404_is_not_found(aiohttp_server: ServerFactory) -> None:
    async def track(request: web.Request) -> web.Response:
        if request.query["trackingNumber"] == "8264715546":
            return web.Response(
                body=fixture("dhl/not_found_404.json"), status=404, content_type="application/problem+json"
            )
        return web.Response(
            body=fixture("dhl/express_multipiece_openapi_example.json"), content_type="application/json"
        )

    api = await carrier(aiohttp_server, {"/track/shipments": track})
    creds = Credentials(slug="dhl", api_key="key-123", base_url=api.base_url)  # type: ignore[arg-type]
    async with CarrierHttp("dhl") as http:
        found, missing = await dhl.DhlClient(http, creds).fetch(["7777777770", "8264715546"])

    assert [(s.method, s.path, s.query) for s in api.seen] == [
        ("GET", "/track/shipments", {"trackingNumber": "7777777770"}),
        ("GET", "/track/shipments", {"trackingNumber": "8264715546"}),
    ]
    assert {s.headers["DHL-API-Key"] for s in api.seen} == {"key-123"}
    assert found.result.to_dict() == expected(dhl.parse, "dhl/express_multipiece_openapi_example.json")
    assert missing.content_type == "application/problem+json"
    assert missing.result.to_dict() == expected(dhl.parse, "dhl/not_found_404.json")
    (error,) = missing.result.errors
    assert isinstance(error, NotFound)


async def test_429_after_a_good_batch_is_raised_with_retry_after(aiohttp_server: ServerFactory) -> None:
    async def track(_: web.Request) -> web.Response:
        if len(api.seen) == 2:
            return web.Response(status=429, headers={"Retry-After": "30"})
        return web.Response(body=fixture("dhl/express_multipiece_openapi_example.json"))

    api = await carrier(aiohttp_server, {"/track/shipments": track})
    async with CarrierHttp("dhl") as http:
        with pytest.raises(RateLimited) as caught:
            await dhl.DhlClient(http, KEY, base_url=api.base_url).fetch(["A", "B", "C"])
    assert caught.value.retry_after == 30.0
    assert len(api.seen) == 2


# -- UPS: OAuth basic grant, transId/transactionSrc ------------------------------------------


async def test_ups_token_by_basic_auth_and_per_request_trans_id(aiohttp_server: ServerFactory) -> None:
    api = await carrier(
        aiohttp_server,
        {
            "/security/v1/oauth/token": token_endpoint(),
            "/api/track/v1/details/{n}": serve_file("ups/delivered.json"),
        },
    )
    async with CarrierHttp("ups") as http:
        got = await ups.UpsClient(http, OAUTH, base_url=api.base_url).fetch(["1Z1442YY7229014688", "1Z2"])

    (token,) = api.on("/security")
    assert token.headers["Authorization"] == "Basic " + base64.b64encode(
        b"client-1:shh-client-secret"
    ).decode("ascii")
    assert b"shh-client-secret" not in token.body
    tracks = api.on("/api/track")
    assert [(t.method, t.path) for t in tracks] == [
        ("GET", "/api/track/v1/details/1Z1442YY7229014688"),
        ("GET", "/api/track/v1/details/1Z2"),
    ]
    assert all(t.headers["Authorization"] == "Bearer tok-1" for t in tracks)
    assert all(t.headers["transactionSrc"] == "parcel-watch" for t in tracks)
    trans_ids = [uuid.UUID(t.headers["transId"]) for t in tracks]
    assert len(set(trans_ids)) == 2 and all(u.version == 4 for u in trans_ids)
    assert dicts(got) == [expected(ups.parse, "ups/delivered.json")] * 2


# -- USPS: OAuth form grant, expand=DETAIL ---------------------------------------------------


async def test_usps_gets_each_number_with_detail(aiohttp_server: ServerFactory) -> None:
    name = "usps/v3_delivered_parcel_locker.json"
    api = await carrier(
        aiohttp_server,
        {"/oauth2/v3/token": token_endpoint(), "/tracking/v3/tracking/{n}": serve_file(name)},
    )
    async with CarrierHttp("usps") as http:
        got = await usps.UspsClient(http, OAUTH, base_url=api.base_url).fetch(["9400A", "9400B", "9400C"])

    assert len(api.on("/oauth2")) == 1
    assert b"client_secret=shh-client-secret" in api.on("/oauth2")[0].body
    tracks = api.on("/tracking")
    assert [(t.method, t.path, t.query) for t in tracks] == [
        ("GET", f"/tracking/v3/tracking/{n}", {"expand": "DETAIL"}) for n in ("9400A", "9400B", "9400C")
    ]
    assert dicts(got) == [expected(usps.parse, name)] * 3


# -- 17TRACK: 17token header, JSON arrays of at most 40 ---------------------------------------


async def test_17track_sends_85_numbers_as_40_40_5(aiohttp_server: ServerFactory) -> None:
    info, reg = "17track/gettrackinfo_delivered_correios.json", "17track/register_accepted_and_rejected.json"
    api = await carrier(
        aiohttp_server,
        {"/track/v2.2/gettrackinfo": serve_file(info), "/track/v2.2/register": serve_file(reg)},
    )
    async with CarrierHttp("17track") as http:
        client = seventeentrack.SeventeenTrackClient(http, KEY, base_url=api.base_url)
        got = await client.fetch(numbers(85))
        registered = await client.register(numbers(41))

    calls = api.on("/track/v2.2/gettrackinfo")
    assert {(c.method, c.headers["17token"]) for c in calls} == {("POST", "key-123")}
    bodies = [json.loads(c.body) for c in calls]
    assert [len(b) for b in bodies] == [40, 40, 5]
    assert [item for b in bodies for item in b] == [{"number": n} for n in numbers(85)]
    assert dicts(got) == [expected(seventeentrack.parse, info)] * 3
    assert [len(json.loads(c.body)) for c in api.on("/track/v2.2/register")] == [40, 1]
    assert dicts(registered) == [expected(seventeentrack.parse, reg)] * 2


# -- AfterShip: aftership-api-key, slug:number or plain number ------------------------------


async def test_aftership_by_slug_and_by_plain_number(aiohttp_server: ServerFactory) -> None:
    one, page = "aftership/v4_get_tracking_in_transit_postnl.json", "aftership/v4_list_trackings_page.json"
    api = await carrier(
        aiohttp_server,
        {"/v4/trackings/{slug}/{number}": serve_file(one), "/v4/trackings": serve_file(page)},
    )
    async with CarrierHttp("aftership") as http:
        client = aftership.AftershipClient(http, KEY, base_url=api.base_url)
        by_slug, plain = await client.fetch(["postnl-3s:3SKAAG5995399", "LY044217709CN"])

    assert [(s.method, s.path, s.query) for s in api.seen] == [
        ("GET", "/v4/trackings/postnl-3s/3SKAAG5995399", {}),
        ("GET", "/v4/trackings", {"tracking_numbers": "LY044217709CN"}),
    ]
    assert {s.headers["aftership-api-key"] for s in api.seen} == {"key-123"}
    assert by_slug.result.to_dict() == expected(aftership.parse, one)
    assert plain.result.to_dict() == expected(aftership.parse, page)


# -- EasyPost: HTTP Basic with the key as user name ------------------------------------------


async def test_easypost_posts_one_tracker_per_number(aiohttp_server: ServerFactory) -> None:
    name = "easypost/tracker_pre_transit_usps.json"
    api = await carrier(aiohttp_server, {"/v2/trackers": serve_file(name)})
    async with CarrierHttp("easypost") as http:
        got = await easypost.EasypostClient(http, KEY, base_url=api.base_url).fetch(["EZ1000000001", "EZ2"])

    assert [(s.method, s.path) for s in api.seen] == [("POST", "/v2/trackers")] * 2
    assert [json.loads(s.body) for s in api.seen] == [
        {"tracker": {"tracking_code": "EZ1000000001"}},
        {"tracker": {"tracking_code": "EZ2"}},
    ]
    basic = "Basic " + base64.b64encode(b"key-123:").decode("ascii")
    assert {s.headers["Authorization"] for s in api.seen} == {basic}
    assert dicts(got) == [expected(easypost.parse, name)] * 2
