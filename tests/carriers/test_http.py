"""The shared HTTP layer against a real local aiohttp server: faults become typed errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from carriers.errors import AuthError, CarrierUnavailable, MalformedPayload, RateLimited
from carriers.http import CarrierHttp, ClientCredentials, retry_after_seconds

ServerFactory = Callable[..., Awaitable[TestServer]]


async def serve(
    aiohttp_server: ServerFactory, routes: dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]]
) -> TestServer:
    app = web.Application()
    for path, handler in routes.items():
        app.router.add_route("*", path, handler)
    return await aiohttp_server(app)


async def test_a_2xx_or_4xx_body_is_handed_to_the_parser(aiohttp_server: ServerFactory) -> None:
    async def ok(_: web.Request) -> web.Response:
        return web.json_response({"shipments": []})

    async def missing(_: web.Request) -> web.Response:
        return web.json_response({"title": "No result found", "status": 404}, status=404)

    server = await serve(aiohttp_server, {"/ok": ok, "/missing": missing})
    async with CarrierHttp("dhl") as http:
        assert (await http.request("GET", server.make_url("/ok"))).body == b'{"shipments": []}'
        assert (await http.request("GET", server.make_url("/missing"))).status == 404


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), (None, None), ("soon", None)],
)
async def test_429_is_rate_limited_with_its_retry_after(
    aiohttp_server: ServerFactory, header: str | None, expected: float | None
) -> None:
    async def limited(_: web.Request) -> web.Response:
        return web.Response(status=429, headers={"Retry-After": header} if header else {})

    server = await serve(aiohttp_server, {"/t": limited})
    async with CarrierHttp("17track") as http:
        with pytest.raises(RateLimited) as caught:
            await http.request("POST", server.make_url("/t"))
    assert caught.value.retry_after == expected


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(later, now=lambda: now.timestamp()) == pytest.approx(90)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_carrier_unavailable(aiohttp_server: ServerFactory, status: int) -> None:
    async def down(_: web.Request) -> web.Response:
        return web.Response(status=status, text="upstream down")

    server = await serve(aiohttp_server, {"/t": down})
    async with CarrierHttp("ups") as http:
        with pytest.raises(CarrierUnavailable, match=f"HTTP {status}"):
            await http.request("GET", server.make_url("/t"))


async def test_a_slow_answer_times_out_as_unavailable(aiohttp_server: ServerFactory) -> None:
    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.Response(text="late")

    server = await serve(aiohttp_server, {"/t": slow})
    async with CarrierHttp("fedex", timeout_s=0.2) as http:
        with pytest.raises(CarrierUnavailable, match="no answer within"):
            await http.request("GET", server.make_url("/t"))


async def test_a_truncated_body_is_malformed(aiohttp_server: ServerFactory) -> None:
    async def truncated(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Length": "1000"})
        await resp.prepare(request)
        await resp.write(b'{"output": {"completeTr')
        assert request.transport is not None
        request.transport.close()  # the connection drops mid-body
        return resp

    server = await serve(aiohttp_server, {"/t": truncated})
    async with CarrierHttp("fedex") as http:
        with pytest.raises((MalformedPayload, CarrierUnavailable)):
            await http.request("GET", server.make_url("/t"))


async def test_an_oversized_body_is_refused(aiohttp_server: ServerFactory) -> None:
    async def huge(_: web.Request) -> web.Response:
        return web.Response(body=b"x" * 5000)

    server = await serve(aiohttp_server, {"/t": huge})
    async with CarrierHttp("usps", max_body=1000) as http:
        with pytest.raises(MalformedPayload, match="refused"):
            await http.request("GET", server.make_url("/t"))


async def test_errors_never_show_the_query_string_where_keys_live(aiohttp_server: ServerFactory) -> None:
    async def refused(_: web.Request) -> web.Response:
        return web.Response(status=401)

    server = await serve(aiohttp_server, {"/track/shipments": refused})
    async with CarrierHttp("dhl") as http:
        with pytest.raises(AuthError) as caught:
            await http.request("GET", server.make_url("/track/shipments").with_query(apikey="s3cr3t-key"))
    assert "s3cr3t-key" not in str(caught.value) and "s3cr3t-key" not in repr(caught.value.to_dict())


async def test_oauth_token_is_cached_refreshed_before_expiry_and_after_a_401(
    aiohttp_server: ServerFactory,
) -> None:
    issued: list[str] = []
    revoked: set[str] = set()

    async def token(request: web.Request) -> web.Response:
        form = await request.post()
        assert form["grant_type"] == "client_credentials"
        assert request.headers["Authorization"].startswith("Basic ")
        issued.append(f"tok{len(issued)}")
        return web.json_response({"access_token": issued[-1], "token_type": "Bearer", "expires_in": 3600})

    async def track(request: web.Request) -> web.Response:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in issued or bearer in revoked:
            return web.Response(status=401)
        return web.json_response({"token": bearer})

    server = await serve(aiohttp_server, {"/oauth/token": token, "/track": track})
    now = [1000.0]
    creds = ClientCredentials(str(server.make_url("/oauth/token")), "id", "secret", clock=lambda: now[0])
    async with CarrierHttp("ups") as http:
        first = await asyncio.gather(
            *(creds.authorized(http, "GET", server.make_url("/track")) for _ in range(5))
        )
        assert {r.body for r in first} == {
            b'{"token": "tok0"}'
        } and creds.fetched == 1  # one token for 5 calls
        now[0] += 3600 - 30  # inside the refresh margin: a new token before the old one lapses
        await creds.authorized(http, "GET", server.make_url("/track"))
        assert creds.fetched == 2
        revoked.add("tok1")  # the carrier revokes it early: one 401, one refresh, success
        assert (await creds.authorized(http, "GET", server.make_url("/track"))).body == b'{"token": "tok2"}'
    assert "secret" not in repr(creds)


async def test_a_refused_token_request_is_an_auth_error(aiohttp_server: ServerFactory) -> None:
    async def token(_: web.Request) -> web.Response:
        return web.json_response({"error": "invalid_client"}, status=400)

    server = await serve(aiohttp_server, {"/oauth/token": token})
    creds = ClientCredentials(str(server.make_url("/oauth/token")), "id", "wrong", basic_auth=False)
    async with CarrierHttp("usps") as http:
        with pytest.raises(AuthError, match="token refused"):
            await creds.token(http)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("²", None), ("99999999999", 7 * 24 * 3600.0), ("9" * 5000, 7 * 24 * 3600.0), ("\udcff", None)],
)
def test_a_retry_after_that_is_no_number_is_ignored_and_a_huge_one_is_a_week(
    header: str, expected: float | None
) -> None:
    # Found by probing the header like the fuzzed parsers: float("²") raised ValueError (isdigit()
    # takes it), and 99999999999 s overflowed the scheduler's datetime.
    assert retry_after_seconds(header) == expected
