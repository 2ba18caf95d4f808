"""17TRACK registration: gettrackinfo answers only registered numbers, so the client's ``fetch``
registers the ones it is refused for and asks again. Against the sandbox carrier over real
HTTP; its world counts the register requests (the quota spent) on the server side."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from carriers.base import Fetched, ParseResult
from carriers.credentials import Credentials
from carriers.errors import CarrierUnavailable, InvalidNumber, NotFound, RateLimited
from carriers.http import CarrierHttp
from carriers.sandbox.journeys import Scenario
from carriers.sandbox.server import Faults, SandboxClock, SandboxWorld, make_app
from carriers.seventeentrack import SeventeenTrackClient

START = datetime(2025, 3, 10, 12, tzinfo=UTC)
KEY = "sandbox-key"
VALID = ["SBX00000001", "SBX00000002", "SBX00000003"]
UNKNOWN = "SBX00000404"  # a well-formed number no carrier knows
INVALID = ["1234", "NOT A NUMBER!"]
FIXTURES = Path(__file__).parent.parent / "fixtures" / "carriers" / "17track"
ServerFactory = Callable[..., Awaitable[TestServer]]


def world_with(numbers: list[str]) -> SandboxWorld:
    world = SandboxWorld(SandboxClock(START, speed=0.0), seed=3)
    for number in numbers:
        world.add(number, Scenario.ON_TIME, shipped_at=START - timedelta(days=2))
    return world


async def serve(aiohttp_server: ServerFactory, world: SandboxWorld, faults: Faults | None = None) -> str:
    server = await aiohttp_server(make_app(world, faults))
    return str(server.make_url("")).rstrip("/")


def merged(answers: list[Fetched]) -> ParseResult:
    out = ParseResult()
    for answer in answers:
        out.shipments += answer.result.shipments
        out.errors += answer.result.errors
    return out


async def post(url: str, path: str, numbers: list[str]) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session:
        body = [{"number": n} for n in numbers]
        async with session.post(f"{url}/track/v2.2/{path}", json=body, headers={"17token": KEY}) as resp:
            assert resp.status == 200
            doc: dict[str, Any] = await resp.json()
            return doc


def codes(doc: dict[str, Any]) -> dict[str, int]:
    return {item["number"]: item["error"]["code"] for item in doc["data"]["rejected"]}


async def test_the_sandbox_answers_gettrackinfo_only_for_registered_numbers(
    aiohttp_server: ServerFactory,
) -> None:
    url = await serve(aiohttp_server, world_with(VALID[:1]))
    before = await post(url, "gettrackinfo", [VALID[0], UNKNOWN])
    assert before["data"]["accepted"] == []
    assert codes(before) == {VALID[0]: -18019902, UNKNOWN: -18019902}
    registered = await post(url, "register", [VALID[0], UNKNOWN, *INVALID])
    assert [item["number"] for item in registered["data"]["accepted"]] == [VALID[0], UNKNOWN]
    assert codes(registered) == dict.fromkeys(INVALID, -18010012)
    after = await post(url, "gettrackinfo", [VALID[0], UNKNOWN])
    [item] = after["data"]["accepted"]
    assert item["number"] == VALID[0] and item["track_info"]["tracking"]["providers"][0]["events"]
    assert codes(after) == {UNKNOWN: -18019909}  # registered, but no carrier has news of it
    assert codes(await post(url, "register", [VALID[0]])) == {VALID[0]: -18019901}


async def test_first_poll_registers_and_returns_events_the_second_does_not_register(
    aiohttp_server: ServerFactory,
) -> None:
    world = world_with(VALID)
    url = await serve(aiohttp_server, world)
    async with CarrierHttp("17track") as http:
        client = SeventeenTrackClient(http, Credentials(slug="17track", api_key=SecretStr(KEY)), base_url=url)
        first = merged(await client.fetch(VALID))
        assert first.errors == []
        assert [s.tracking_number for s in first.shipments] == VALID
        assert all(s.events for s in first.shipments)
        assert world.register_requests == [VALID] and world.registered == set(VALID)
        assert client.registered == set(VALID)

        second = merged(await client.fetch(VALID))
        assert world.register_requests == [VALID]  # no second register call: no quota spent
        assert second.errors == [] and [s.tracking_number for s in second.shipments] == VALID
        assert [len(s.events) for s in second.shipments] == [len(s.events) for s in first.shipments]

        # A new client (a restarted poller) finds them registered without asking register.
        fresh = SeventeenTrackClient(http, Credentials(slug="17track", api_key=SecretStr(KEY)), base_url=url)
        assert merged(await fresh.fetch(VALID)).errors == []
    assert world.register_requests == [VALID]


async def test_valid_and_invalid_numbers_together(aiohttp_server: ServerFactory) -> None:
    world = world_with(VALID)
    url = await serve(aiohttp_server, world)
    asked = [VALID[0], INVALID[0], VALID[1], UNKNOWN, INVALID[1], VALID[2]]
    async with CarrierHttp("17track") as http:
        client = SeventeenTrackClient(http, Credentials(slug="17track", api_key=SecretStr(KEY)), base_url=url)
        for _ in range(2):
            result = merged(await client.fetch(asked))
            assert [s.tracking_number for s in result.shipments] == VALID
            assert all(s.events for s in result.shipments)
            by_number = {e.tracking_number: e for e in result.errors}
            assert set(by_number) == {*INVALID, UNKNOWN} and len(result.errors) == 3
            for number in INVALID:
                error = by_number[number]
                assert isinstance(error, InvalidNumber) and error.code == "-18010012"
            assert isinstance(by_number[UNKNOWN], NotFound) and by_number[UNKNOWN].code == "-18019909"
        # One register call on the first poll; the refusals are remembered, not re-asked.
        assert world.register_requests == [[VALID[0], INVALID[0], VALID[1], UNKNOWN, INVALID[1], VALID[2]]]
        assert set(client.refused) == set(INVALID)


async def test_registration_is_batched_by_the_documented_40(aiohttp_server: ServerFactory) -> None:
    numbers = [f"SBX1{i:07d}" for i in range(45)]
    world = world_with(numbers)
    url = await serve(aiohttp_server, world)
    async with CarrierHttp("17track") as http:
        client = SeventeenTrackClient(http, Credentials(slug="17track", api_key=SecretStr(KEY)), base_url=url)
        result = merged(await client.fetch(numbers))
    assert [len(batch) for batch in world.register_requests] == [40, 5]
    assert result.errors == [] and [s.tracking_number for s in result.shipments] == numbers


async def test_a_failing_register_keeps_the_answers_already_fetched(aiohttp_server: ServerFactory) -> None:
    world = world_with(VALID[:2])
    world.registered.add(VALID[0])
    url = await serve(aiohttp_server, world, Faults(server_error=1.0, only=("/track/v2.2/register",)))
    async with CarrierHttp("17track") as http:
        client = SeventeenTrackClient(http, Credentials(slug="17track", api_key=SecretStr(KEY)), base_url=url)
        result = merged(await client.fetch(VALID[:2]))
    assert [s.tracking_number for s in result.shipments] == [VALID[0]]
    [error] = result.errors
    assert isinstance(error, CarrierUnavailable) and error.tracking_number == VALID[1]
    assert client.registered == set()  # not registered: asked again on the next poll


async def test_a_rate_limited_register_backs_the_whole_source_off(aiohttp_server: ServerFactory) -> None:
    url = await serve(
        aiohttp_server, world_with(VALID), Faults(rate_limit=1.0, only=("/track/v2.2/register",))
    )
    async with CarrierHttp("17track") as http:
        client = SeventeenTrackClient(http, Credentials(slug="17track", api_key=SecretStr(KEY)), base_url=url)
        with pytest.raises(RateLimited):
            await client.fetch(VALID)


async def test_already_registered_counts_as_registered(aiohttp_server: ServerFactory) -> None:
    """Registered elsewhere between the two calls: register's -18019901 refusal is success."""
    info = (FIXTURES / "gettrackinfo_delivered_correios.json").read_bytes()
    already = (FIXTURES / "register_already_registered.json").read_bytes()
    number = json.loads(already)["data"]["rejected"][0]["number"]
    not_registered = {"number": number, "error": {"code": -18019902, "message": "not registered"}}
    calls: list[str] = []

    async def gettrackinfo(_: web.Request) -> web.Response:
        calls.append("gettrackinfo")
        if calls.count("gettrackinfo") == 1:
            return web.json_response({"code": 0, "data": {"accepted": [], "rejected": [not_registered]}})
        return web.Response(body=info, content_type="application/json")

    async def register(_: web.Request) -> web.Response:
        calls.append("register")
        return web.Response(body=already, content_type="application/json")

    app = web.Application()
    app.router.add_post("/track/v2.2/gettrackinfo", gettrackinfo)
    app.router.add_post("/track/v2.2/register", register)
    url = str((await aiohttp_server(app)).make_url("")).rstrip("/")
    async with CarrierHttp("17track") as http:
        client = SeventeenTrackClient(http, Credentials(slug="17track", api_key=SecretStr(KEY)), base_url=url)
        result = merged(await client.fetch([number]))
        assert calls == ["gettrackinfo", "register", "gettrackinfo"]
        assert result.errors == [] and [s.tracking_number for s in result.shipments] == [number]
        assert client.registered == {number}
        await client.fetch([number])
    assert calls.count("register") == 1
