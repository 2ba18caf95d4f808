"""The sandbox carrier over real HTTP: each real client, pointed at it, reads the journeys.

The world's clock runs on an injected base clock (one base second = one sandbox hour), so a
test moves time by assignment; tokens expire on that base clock too.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from carriers import aftership, dhl, easypost, fedex, seventeentrack, ups, usps
from carriers.base import ParsedShipment, ParseResult
from carriers.credentials import Credentials
from carriers.errors import AuthError, CarrierUnavailable, MalformedPayload, NotFound, RateLimited
from carriers.fetching import CarrierClient
from carriers.http import CarrierHttp
from carriers.sandbox.journeys import Journey
from carriers.sandbox.render import CODES
from carriers.sandbox.server import (
    Faults,
    SandboxClock,
    make_app,
    make_replay_app,
    run,
)
from parcel_watch.status import Status
from parcel_watch.store.dedupe import event_key
from tests.carriers.sandbox_support import FUTURE, MID, START, UNKNOWN, FakeClock, Serve, make_world

HOUR = 1.0  # base-clock seconds per sandbox hour (speed 3600)
FIXTURES = Path(__file__).parent.parent / "fixtures" / "carriers"

CLIENTS: dict[str, type[CarrierClient]] = {
    "fedex": fedex.FedexClient,
    "ups": ups.UpsClient,
    "usps": usps.UspsClient,
    "dhl": dhl.DhlClient,
    "17track": seventeentrack.SeventeenTrackClient,
    "aftership": aftership.AftershipClient,
    "easypost": easypost.EasypostClient,
}
OAUTH = {"fedex", "ups", "usps"}
SLUGS = list(CLIENTS)
# mid-journey at START: shipped 1-3 days before; FUTURE has not had its first scan yet.


def credentials(slug: str, secret: str = "sandbox-secret") -> Credentials:
    if slug in OAUTH:
        return Credentials(slug=slug, client_id=secret and "sandbox-id", client_secret=SecretStr(secret))
    return Credentials(slug=slug, api_key=SecretStr(secret))


async def fetch(
    slug: str, url: str, numbers: list[str], *, secret: str = "sandbox-secret", timeout_s: float = 5.0
) -> ParseResult:
    """All answers for ``numbers`` merged into one ParseResult (AfterShip: one request each)."""
    async with CarrierHttp(slug, timeout_s=timeout_s) as http:
        client = CLIENTS[slug](http, credentials(slug, secret), base_url=url)
        return await fetch_with(client, numbers)


async def fetch_with(client: CarrierClient, numbers: list[str]) -> ParseResult:
    merged = ParseResult()
    for fetched in await client.fetch(numbers):
        merged.shipments += fetched.result.shipments
        merged.errors += fetched.result.errors
    return merged


def expected(slug: str, journey: Journey, now: datetime) -> list[tuple[datetime, Status]]:
    """Each visible scan's instant and the status this API's code table says its parser reads."""
    return [(s.occurred_at, CODES[slug][(s.status, s.substatus)].parsed[0]) for s in journey.visible(now)]


def seen(shipment: ParsedShipment, *, dedupe: bool = False) -> list[tuple[datetime, Status]]:
    events, keys = [], set()
    for event in shipment.events:
        key = event_key(shipment.carrier, shipment.tracking_number, event)
        if dedupe and key in keys:
            continue
        keys.add(key)
        events.append((event.occurred_at, event.status))
    return events


def by_number(result: ParseResult) -> dict[str, ParsedShipment]:
    return {s.tracking_number: s for s in result.shipments}


def not_found_numbers(slug: str, numbers: list[str]) -> list[str]:
    """AfterShip's plain-number list page answers an unknown number with an empty page; its
    not-found answer comes from the slug path."""
    return [f"sandbox:{n}" for n in numbers] if slug == "aftership" else numbers


@pytest.mark.parametrize("slug", SLUGS)
async def test_each_client_reads_the_visible_scans(slug: str, real: FakeClock, serve: Serve) -> None:
    world = make_world(real)
    url = await serve(world)
    result = await fetch(slug, url, list(MID))
    assert result.errors == []
    shipments = by_number(result)
    assert set(shipments) == set(MID)
    for number, shipment in shipments.items():
        want = expected(slug, world.journeys[number], START)
        assert 0 < len(want) < len(world.journeys[number].scans)  # really mid-journey
        assert seen(shipment) == want


@pytest.mark.parametrize("slug", SLUGS)
async def test_unknown_and_not_yet_scanned_numbers_are_not_found(
    slug: str, real: FakeClock, serve: Serve
) -> None:
    url = await serve(make_world(real))
    result = await fetch(slug, url, not_found_numbers(slug, [FUTURE, UNKNOWN]))
    assert result.shipments == []
    assert len(result.errors) == 2
    assert all(isinstance(e, NotFound) for e in result.errors)


async def test_aftership_list_page_of_an_unknown_number_is_empty(real: FakeClock, serve: Serve) -> None:
    url = await serve(make_world(real))
    result = await fetch("aftership", url, [UNKNOWN, FUTURE])
    assert (result.shipments, result.errors) == ([], [])


@pytest.mark.parametrize("slug", SLUGS)
async def test_the_journey_progresses_with_the_clock(slug: str, real: FakeClock, serve: Serve) -> None:
    world = make_world(real)
    url = await serve(world)
    number = "SBX00000001"
    before = seen(by_number(await fetch(slug, url, [number]))[number])
    real.t += 40 * HOUR
    assert world.now() == START + timedelta(hours=40)
    after = seen(by_number(await fetch(slug, url, [number]))[number])
    assert len(after) > len(before)
    assert after[: len(before)] == before
    assert after == expected(slug, world.journeys[number], world.now())
    real.t += 30 * 24 * HOUR  # and the not-yet-started one appears
    assert seen(by_number(await fetch(slug, url, [FUTURE]))[FUTURE])


@pytest.mark.parametrize("slug", sorted(OAUTH))
async def test_an_expired_token_is_refused_and_the_client_fetches_a_new_one(
    slug: str, real: FakeClock, serve: Serve
) -> None:
    world = make_world(real, token_ttl_s=600.0)
    url = await serve(world)
    async with CarrierHttp(slug) as http:
        client = CLIENTS[slug](http, credentials(slug), base_url=url)
        assert isinstance(client, fedex.FedexClient | ups.UpsClient | usps.UspsClient)
        await fetch_with(client, ["SBX00000001"])
        await fetch_with(client, ["SBX00000001"])
        assert world.tokens_issued[slug] == client.oauth.fetched == 1  # cached
        real.t += 601  # the server's clock, not the client's: it still trusts its token
        result = await fetch_with(client, ["SBX00000001"])
        assert [s.tracking_number for s in result.shipments] == ["SBX00000001"]
        assert world.tokens_issued[slug] == client.oauth.fetched == 2


async def test_a_short_lived_token_is_fetched_again_before_each_request(
    real: FakeClock, serve: Serve
) -> None:
    world = make_world(real, token_ttl_s=30.0)  # under the client's 60 s refresh margin
    url = await serve(world)
    async with CarrierHttp("usps") as http:
        client = usps.UspsClient(http, credentials("usps"), base_url=url)
        for _ in range(3):
            await fetch_with(client, ["SBX00000001"])
    assert world.tokens_issued["usps"] == 3


async def test_bearer_tokens_are_checked(real: FakeClock, serve: Serve) -> None:
    world = make_world(real)
    url = await serve(world)
    fedex_token, _ = world.issue_token("fedex")
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": f"Bearer {fedex_token}"}):
            async with session.get(f"{url}/api/track/v1/details/SBX00000001", headers=headers) as resp:
                assert resp.status == 401
                assert "errors" in (await resp.json())["response"]
        ups_token, _ = world.issue_token("ups")
        headers = {"Authorization": f"Bearer {ups_token}"}
        async with session.get(f"{url}/api/track/v1/details/SBX00000001", headers=headers) as resp:
            assert resp.status == 200


@pytest.mark.parametrize("slug", SLUGS)
async def test_empty_credentials_are_refused(slug: str, real: FakeClock, serve: Serve) -> None:
    url = await serve(make_world(real))
    with pytest.raises(AuthError):
        await fetch(slug, url, ["SBX00000001"], secret="")


@pytest.mark.parametrize("slug", SLUGS)
async def test_a_wrong_key_is_refused_when_the_world_has_one(
    slug: str, real: FakeClock, serve: Serve
) -> None:
    url = await serve(make_world(real, api_key="the-key"))
    with pytest.raises(AuthError):
        await fetch(slug, url, ["SBX00000001"], secret="not-the-key")
    assert (await fetch(slug, url, ["SBX00000001"], secret="the-key")).shipments


@pytest.mark.parametrize("slug", SLUGS)
async def test_rate_limit_gives_rate_limited_with_retry_after(
    slug: str, real: FakeClock, serve: Serve
) -> None:
    url = await serve(make_world(real), Faults(rate_limit=1.0, retry_after_s=7))
    with pytest.raises(RateLimited) as caught:
        await fetch(slug, url, ["SBX00000001"])
    assert caught.value.retry_after == 7


@pytest.mark.parametrize("slug", SLUGS)
async def test_server_error_gives_carrier_unavailable(slug: str, real: FakeClock, serve: Serve) -> None:
    url = await serve(make_world(real), Faults(server_error=1.0))
    with pytest.raises(CarrierUnavailable) as caught:
        await fetch(slug, url, ["SBX00000001"])
    assert caught.value.code == "503"


@pytest.mark.parametrize("slug", SLUGS)
async def test_a_hung_answer_gives_carrier_unavailable(slug: str, real: FakeClock, serve: Serve) -> None:
    url = await serve(make_world(real), Faults(timeout=1.0))  # hangs 60 s, cut short at cleanup
    with pytest.raises(CarrierUnavailable, match="no answer within"):
        await fetch(slug, url, ["SBX00000001"], timeout_s=0.3)


async def test_a_slow_answer_still_arrives(real: FakeClock, serve: Serve) -> None:
    url = await serve(make_world(real), Faults(slow_s=0.2))
    loop = asyncio.get_running_loop()
    began = loop.time()
    assert (await fetch("dhl", url, ["SBX00000001"])).shipments
    assert loop.time() - began >= 0.2


@pytest.mark.parametrize("slug", SLUGS)
async def test_a_malformed_body_gives_malformed_payload(slug: str, real: FakeClock, serve: Serve) -> None:
    url = await serve(make_world(real), Faults(malformed=1.0))
    result = await fetch(slug, url, ["SBX00000001"])
    assert result.shipments == []
    [error] = result.errors
    assert isinstance(error, MalformedPayload)


@pytest.mark.parametrize("slug", SLUGS)
async def test_a_truncated_body_gives_malformed_payload(slug: str, real: FakeClock, serve: Serve) -> None:
    url = await serve(make_world(real), Faults(truncate=1.0))
    with pytest.raises(MalformedPayload, match="cut short"):
        await fetch(slug, url, ["SBX00000001"])


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("fault", ["duplicate_events", "out_of_order", "both"])
async def test_repeated_and_shuffled_scans_still_give_the_journey(
    slug: str, fault: str, real: FakeClock, serve: Serve
) -> None:
    duplicate, shuffle = fault in ("duplicate_events", "both"), fault in ("out_of_order", "both")
    world = make_world(real)
    url = await serve(world, Faults(duplicate_events=float(duplicate), out_of_order=float(shuffle), seed=5))
    result = await fetch(slug, url, list(MID))
    assert result.errors == []
    for number, shipment in by_number(result).items():
        want = expected(slug, world.journeys[number], START)
        if duplicate and slug != "17track":  # only 17TRACK's parser dedupes itself
            assert len(shipment.events) == 2 * len(want)
        assert seen(shipment, dedupe=True) == want


def test_faults_are_deterministic_for_a_seed() -> None:
    first, second = Faults(rate_limit=0.5, seed=3), Faults(rate_limit=0.5, seed=3)
    draws = [first.draw() for _ in range(40)]
    assert draws == [second.draw() for _ in range(40)]
    assert {d.rate_limit for d in draws} == {True, False}
    assert not any(d.server_error or d.truncate for d in draws)
    with pytest.raises(ValueError, match="rate"):
        Faults(server_error=1.5)


async def test_faults_can_be_limited_to_path_prefixes(real: FakeClock, serve: Serve) -> None:
    url = await serve(make_world(real), Faults(server_error=1.0, only=("/track/shipments",)))
    with pytest.raises(CarrierUnavailable):
        await fetch("dhl", url, ["SBX00000001"])
    assert (await fetch("ups", url, ["SBX00000001"])).shipments


async def test_fedex_batches_over_30_are_split_by_the_client_and_refused_by_the_server(
    real: FakeClock, serve: Serve
) -> None:
    world = make_world(real)
    url = await serve(world)
    numbers = [*MID, *(f"SBX9{i:07d}" for i in range(30))]
    result = await fetch("fedex", url, numbers)
    assert set(by_number(result)) == set(MID)
    assert len(result.errors) == 30 and all(isinstance(e, NotFound) for e in result.errors)
    token, _ = world.issue_token("fedex")
    body = {"trackingInfo": [{"trackingNumberInfo": {"trackingNumber": n}} for n in numbers]}
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bearer {token}"}
        async with session.post(f"{url}/track/v1/trackingnumbers", json=body, headers=headers) as resp:
            assert resp.status == 400


async def test_replay_serves_fixture_bodies(aiohttp_server: Any) -> None:
    dhl_file = FIXTURES / "dhl" / "express_multipiece_openapi_example.json"
    ups_file = FIXTURES / "ups" / "delivered.json"
    app = make_replay_app({"/track/shipments": dhl_file, "/api/track/v1/details/{number}": ups_file})
    server = await aiohttp_server(app)
    url = str(server.make_url("")).rstrip("/")
    for slug, file, parse in (("dhl", dhl_file, dhl.parse), ("ups", ups_file, ups.parse)):
        async with CarrierHttp(slug) as http:
            client = CLIENTS[slug](http, credentials(slug), base_url=url)
            [fetched] = await client.fetch(["ANY"])
        assert fetched.raw == file.read_bytes()
        assert fetched.result == parse(file.read_bytes())
        assert fetched.result.shipments


async def test_make_app_serves_under_the_test_server_too(aiohttp_client: Any, real: FakeClock) -> None:
    client = await aiohttp_client(make_app(make_world(real)))
    resp = await client.get(
        "/track/shipments", params={"trackingNumber": UNKNOWN}, headers={"DHL-API-Key": "k"}
    )
    assert resp.status == 404


async def test_run_serves_until_cancelled(real: FakeClock) -> None:
    started = asyncio.Event()
    task = asyncio.create_task(run("127.0.0.1", 0, make_world(real), started=started))
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_the_clock_runs_speed_times_faster(real: FakeClock) -> None:
    clock = SandboxClock(START, speed=60.0, real=real)
    real.t += 10
    assert clock.now() == START + timedelta(minutes=10)
    with pytest.raises(ValueError, match="aware"):
        SandboxClock(datetime(2025, 1, 1), 1.0)
