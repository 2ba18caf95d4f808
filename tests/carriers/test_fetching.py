"""The shared fetch helper: batching, base URLs, missing credentials — and that no secret
reaches an error, whatever fails (real HTTP to a local server)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import given
from hypothesis import strategies as st

from carriers import aftership, dhl, easypost, fedex, laposte, royalmail, seventeentrack, sfexpress, ups, usps
from carriers.base import ParseResult
from carriers.credentials import Credentials
from carriers.errors import AuthError, CarrierError, CarrierUnavailable, MalformedPayload, RateLimited
from carriers.fetching import CarrierClient, batches, fetch_in_batches
from carriers.http import CarrierHttp, Response

ServerFactory = Callable[..., Awaitable[TestServer]]
SECRET = "SECRET-sk_live_4242-do-not-leak"


@given(st.lists(st.text(min_size=1, max_size=5), max_size=120), st.integers(min_value=1, max_value=50))
def test_batches_keep_order_and_respect_the_limit(numbers: list[str], size: int) -> None:
    chunks = batches(numbers, size)
    assert [n for c in chunks for n in c] == numbers
    assert all(1 <= len(c) <= size for c in chunks)
    assert all(len(c) == size for c in chunks[:-1])


def test_max_batch_is_the_documented_limit() -> None:
    limits = {
        dhl.DhlClient: 1,
        ups.UpsClient: 1,
        fedex.FedexClient: 30,
        usps.UspsClient: 1,
        seventeentrack.SeventeenTrackClient: 40,
        aftership.AftershipClient: 1,
        easypost.EasypostClient: 1,
    }
    assert {cls: cls.max_batch for cls in limits} == limits


def test_base_url_argument_then_credentials_then_production() -> None:
    http = CarrierHttp("dhl")
    plain = Credentials(slug="dhl", api_key="k")  # type: ignore[arg-type]
    sandbox = Credentials(slug="dhl", api_key="k", base_url="http://127.0.0.1:9/")  # type: ignore[arg-type]
    assert dhl.DhlClient(http, plain).base_url == "https://api-eu.dhl.com"
    assert dhl.DhlClient(http, sandbox).base_url == "http://127.0.0.1:9"
    assert dhl.DhlClient(http, sandbox, base_url="http://h:1").base_url == "http://h:1"


def test_missing_credentials_are_an_auth_error_up_front() -> None:
    http = CarrierHttp("fedex")
    with pytest.raises(AuthError, match="no OAuth client"):
        fedex.FedexClient(http, Credentials(slug="fedex", client_id="id"))


async def test_missing_api_key_is_an_auth_error_before_any_request() -> None:
    async with CarrierHttp("dhl") as http:
        client = dhl.DhlClient(http, Credentials(slug="dhl"), base_url="http://127.0.0.1:9")
        with pytest.raises(AuthError, match="no API key"):
            await client.fetch(["X"])


async def test_a_malformed_later_batch_becomes_per_number_errors() -> None:
    calls: list[Sequence[str]] = []

    async def send(batch: Sequence[str]) -> Response:
        calls.append(batch)
        if len(calls) == 2:
            raise MalformedPayload("x: body cut short", carrier="t")
        return Response(200, {"content-type": "application/json"}, b"{}")

    got = await fetch_in_batches(["a", "b", "c"], 1, send, lambda raw: ParseResult())
    assert [f.content_type for f in got] == ["application/json", ""]
    errors = got[1].result.errors
    assert [(type(e), e.tracking_number, e.carrier) for e in errors] == [
        (MalformedPayload, "b", "t"),
        (MalformedPayload, "c", "t"),
    ]


async def test_an_empty_list_sends_nothing() -> None:
    async def send(batch: Sequence[str]) -> Response:
        raise AssertionError("no request expected")

    assert await fetch_in_batches([], 30, send, lambda raw: ParseResult()) == []


# -- secrets ---------------------------------------------------------------------------------


def assert_clean(error: BaseException) -> None:
    seen: BaseException | None = error
    while seen is not None:  # the error and its causes
        assert SECRET not in str(seen) and SECRET not in repr(seen) and SECRET not in repr(seen.args)
        if isinstance(seen, CarrierError):
            assert SECRET not in str(seen.to_dict())
        seen = seen.__cause__ or seen.__context__


async def serve(aiohttp_server: ServerFactory, status: int, **kw: str) -> TestServer:
    async def answer(request: web.Request) -> web.Response:
        if request.path.endswith("/token") and status not in (400, 401):
            return web.json_response({"access_token": "t", "expires_in": 60})
        return web.json_response({"error": "nope", **kw}, status=status, headers={"Retry-After": "5"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    return await aiohttp_server(app)


CLIENTS: list[tuple[type[CarrierClient], Credentials]] = [
    (dhl.DhlClient, Credentials(slug="dhl", api_key=SECRET)),  # type: ignore[arg-type]
    (seventeentrack.SeventeenTrackClient, Credentials(slug="17track", api_key=SECRET)),  # type: ignore[arg-type]
    (easypost.EasypostClient, Credentials(slug="easypost", api_key=SECRET)),  # type: ignore[arg-type]
    (aftership.AftershipClient, Credentials(slug="aftership", api_key=SECRET)),  # type: ignore[arg-type]
    (fedex.FedexClient, Credentials(slug="fedex", client_id="id", client_secret=SECRET)),  # type: ignore[arg-type]
    (ups.UpsClient, Credentials(slug="ups", client_id="id", client_secret=SECRET)),  # type: ignore[arg-type]
    (usps.UspsClient, Credentials(slug="usps", client_id="id", client_secret=SECRET)),  # type: ignore[arg-type]
    (royalmail.RoyalMailClient, Credentials(slug="royalmail", client_id="id", client_secret=SECRET)),  # type: ignore[arg-type]
    (laposte.LaPosteClient, Credentials(slug="laposte", api_key=SECRET)),  # type: ignore[arg-type]
    (sfexpress.SfExpressClient, Credentials(slug="sfexpress", client_id="id", client_secret=SECRET)),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("cls", "creds"), CLIENTS, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize(
    ("status", "raised"), [(401, AuthError), (429, RateLimited), (503, CarrierUnavailable)]
)
async def test_no_raised_error_carries_the_secret(
    aiohttp_server: ServerFactory,
    cls: type[CarrierClient],
    creds: Credentials,
    status: int,
    raised: type[CarrierError],
) -> None:
    server = await serve(aiohttp_server, status)
    async with CarrierHttp(creds.slug) as http:
        client = cls(http, creds, base_url=str(server.make_url("")))
        assert SECRET not in repr(client)
        with pytest.raises(raised) as caught:
            await client.fetch(["N1", "N2"])
    assert_clean(caught.value)


async def test_a_refused_token_echoing_the_secret_does_not_leak_it(aiohttp_server: ServerFactory) -> None:
    server = await serve(aiohttp_server, 400, error_description=f"bad secret {SECRET}")
    creds = Credentials(slug="usps", client_id="id", client_secret=SECRET)  # type: ignore[arg-type]
    async with CarrierHttp("usps") as http:
        client = usps.UspsClient(http, creds, base_url=str(server.make_url("")))
        with pytest.raises(AuthError) as caught:
            await client.fetch(["N1"])
    assert_clean(caught.value)
    assert SECRET not in repr(client.oauth)


async def test_partial_failure_errors_carry_no_secret(aiohttp_server: ServerFactory) -> None:
    answered = 0

    async def answer(_: web.Request) -> web.Response:
        nonlocal answered
        answered += 1
        if answered == 2:
            return web.Response(status=502)
        return web.json_response({"title": "No result found", "status": 404}, status=404)

    app = web.Application()
    app.router.add_route("*", "/track/shipments", answer)
    server = await aiohttp_server(app)
    creds = Credentials(slug="dhl", api_key=SECRET)  # type: ignore[arg-type]
    async with CarrierHttp("dhl") as http:
        got = await dhl.DhlClient(http, creds, base_url=str(server.make_url(""))).fetch(["A", "B", "C"])
    assert [len(f.result.errors) for f in got] == [1, 2]
    for f in got:
        for error in f.result.errors:
            assert_clean(error)
