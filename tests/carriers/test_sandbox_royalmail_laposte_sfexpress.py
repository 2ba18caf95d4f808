"""The sandbox carrier speaking Royal Mail, La Poste and SF Express: each body, read back by the
real parser, gives the journey (as the carrier's code table says); each real client, pointed at
the sandbox over HTTP, reads it, with the APIs' auth, not-found and batch answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from carriers import laposte, royalmail, sfexpress
from carriers.base import ParsedShipment, ParseResult
from carriers.credentials import Credentials
from carriers.errors import AuthError, CarrierUnavailable, MalformedPayload, NotFound, RateLimited
from carriers.fetching import CarrierClient
from carriers.http import CarrierHttp
from carriers.sandbox import render_laposte, render_royalmail, render_sfexpress
from carriers.sandbox.journeys import Journey, Scenario, generate
from carriers.sandbox.render_codes import KEYS, Code, Key
from carriers.sandbox.server import Faults, make_replay_app
from parcel_watch.status import Status
from parcel_watch.store.dedupe import event_key
from tests.carriers.parsers import FIXTURES
from tests.carriers.sandbox_support import FUTURE, START, UNKNOWN, FakeClock, Serve, make_world

Parse = Callable[[bytes], ParseResult]
# slug -> (render one, not found, code table, parser)
RENDER: dict[
    str,
    tuple[Callable[[Journey, datetime], bytes], Callable[[str], tuple[int, bytes]], dict[Key, Code], Parse],
] = {
    "royalmail": (
        render_royalmail.render_royalmail,
        render_royalmail.render_royalmail_not_found,
        render_royalmail.CODES_ROYALMAIL,
        royalmail.parse,
    ),
    "laposte": (
        render_laposte.render_laposte,
        render_laposte.render_laposte_not_found,
        render_laposte.CODES_LAPOSTE,
        laposte.parse,
    ),
    "sfexpress": (
        render_sfexpress.render_sfexpress,
        render_sfexpress.render_sfexpress_not_found,
        render_sfexpress.CODES_SFEXPRESS,
        sfexpress.parse,
    ),
}
SLUGS = list(RENDER)
CLIENTS: dict[str, type[CarrierClient]] = {
    "royalmail": royalmail.RoyalMailClient,
    "laposte": laposte.LaPosteClient,
    "sfexpress": sfexpress.SfExpressClient,
}
# Not-found answers: HTTP status, and whether the body names the number.
NOT_FOUND = {"royalmail": (404, False), "laposte": (404, True), "sfexpress": (200, True)}
HOUR = 1.0  # base-clock seconds per sandbox hour (speed 3600)
MID = {
    "SBX00000001": (Scenario.ON_TIME, timedelta(days=1)),
    "SBX00000002": (Scenario.CUSTOMS_HOLD, timedelta(days=2)),
    "SBX00000003": (Scenario.RETURNED, timedelta(days=6)),
}

journeys = st.builds(
    lambda scenario, seed, hours: generate(f"SBX{seed:08d}", scenario, START + timedelta(hours=hours), seed),
    st.sampled_from(list(Scenario)),
    st.integers(0, 10**6),
    st.integers(0, 2 * 365 * 24),  # two years of start times: both DST transitions, every season
)


def clocks(journey: Journey) -> list[datetime]:
    times = [s.occurred_at for s in journey.scans]
    between = [a + (b - a) / 2 for a, b in pairwise(times)]
    return [times[0] - timedelta(minutes=1), *times, *between, times[-1] + timedelta(days=60)]


def test_the_tables_cover_every_scan_a_journey_can_make() -> None:
    assert all(set(codes) == set(KEYS) for _, _, codes, _ in RENDER.values())


@pytest.mark.parametrize("slug", SLUGS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journey=journeys)
def test_render_then_parse_gives_back_the_visible_journey(slug: str, journey: Journey) -> None:
    render, _, codes, parse = RENDER[slug]
    for now in clocks(journey):
        result = parse(render(journey, now))
        visible = journey.visible(now)
        if slug == "sfexpress" and not visible:  # a waybill without routes is SF's "not found"
            assert [type(e) for e in result.errors] == [NotFound] and result.shipments == []
            continue
        assert result.errors == []
        [shipment] = result.shipments
        assert shipment.tracking_number == journey.tracking_number
        assert [(e.occurred_at, e.status, e.substatus) for e in shipment.events] == [
            (s.occurred_at, *codes[(s.status, s.substatus)].parsed) for s in visible
        ]
        # SF's routes carry no estimate; the others print it with its offset: exact.
        eta = journey.estimate(now)
        assert shipment.estimated_delivery == (None if slug == "sfexpress" else eta)


@pytest.mark.parametrize("slug", SLUGS)
def test_not_found_bodies_parse_to_not_found(slug: str) -> None:
    _, not_found, _, parse = RENDER[slug]
    status, body = not_found("SBX404")
    result = parse(body)
    assert (status, result.shipments) == (NOT_FOUND[slug][0], [])
    [error] = result.errors
    assert isinstance(error, NotFound)
    assert error.tracking_number == ("SBX404" if NOT_FOUND[slug][1] else None)


def test_batch_answers_give_the_found_and_one_not_found_per_missing_number() -> None:
    first = generate("SBX1", Scenario.ON_TIME, START, 1)
    second = generate("SBX2", Scenario.RETURNED, START, 2)
    now = START + timedelta(days=3)
    status, body = render_laposte.render_laposte_many([first, second], now, ["SBX404"])
    sf_body = render_sfexpress.render_sfexpress_many([first, second], now, ["SBX404"])
    assert status == 207
    for result in (laposte.parse(body), sfexpress.parse(sf_body)):
        assert [s.tracking_number for s in result.shipments] == ["SBX1", "SBX2"]
        [error] = result.errors
        assert isinstance(error, NotFound) and error.tracking_number == "SBX404"


# -- over HTTP ----------------------------------------------------------------------------------


def credentials(slug: str, secret: str = "sandbox-secret") -> Credentials:
    if slug == "laposte":
        return Credentials(slug=slug, api_key=SecretStr(secret))
    return Credentials(slug=slug, client_id="sandbox-id", client_secret=SecretStr(secret))


async def fetch(slug: str, url: str, numbers: list[str], *, secret: str = "sandbox-secret") -> ParseResult:
    """All answers for ``numbers`` merged into one ParseResult."""
    merged = ParseResult()
    async with CarrierHttp(slug, timeout_s=5.0) as http:
        for fetched in await CLIENTS[slug](http, credentials(slug, secret), base_url=url).fetch(numbers):
            merged.shipments += fetched.result.shipments
            merged.errors += fetched.result.errors
    return merged


def expected(slug: str, journey: Journey, now: datetime) -> list[tuple[datetime, Status]]:
    codes = RENDER[slug][2]
    return [(s.occurred_at, codes[(s.status, s.substatus)].parsed[0]) for s in journey.visible(now)]


def seen(shipment: ParsedShipment, *, dedupe: bool = False) -> list[tuple[datetime, Status]]:
    events, keys = [], set()
    for event in shipment.events:
        key = event_key(shipment.carrier, shipment.tracking_number, event)
        if not (dedupe and key in keys):
            events.append((event.occurred_at, event.status))
        keys.add(key)
    return events


def by_number(result: ParseResult) -> dict[str, ParsedShipment]:
    return {s.tracking_number: s for s in result.shipments}


@pytest.mark.parametrize("slug", SLUGS)
async def test_each_client_reads_the_visible_scans(slug: str, real: FakeClock, serve: Serve) -> None:
    world = make_world(real, MID)
    url = await serve(world)
    result = await fetch(slug, url, list(MID))
    assert result.errors == []
    assert set(by_number(result)) == set(MID)
    for number, shipment in by_number(result).items():
        want = expected(slug, world.journeys[number], START)
        assert 0 < len(want) < len(world.journeys[number].scans)  # really mid-journey
        assert seen(shipment) == want


@pytest.mark.parametrize("slug", SLUGS)
async def test_unknown_numbers_are_not_found_each_without_failing_the_others(
    slug: str, real: FakeClock, serve: Serve
) -> None:
    url = await serve(make_world(real, MID))
    result = await fetch(slug, url, ["SBX00000001", FUTURE, UNKNOWN, "SBX00000002"])
    assert set(by_number(result)) == {"SBX00000001", "SBX00000002"}
    assert len(result.errors) == 2 and all(isinstance(e, NotFound) for e in result.errors)
    if slug != "royalmail":  # one number per request there: its 404 body does not repeat it
        assert {e.tracking_number for e in result.errors} == {FUTURE, UNKNOWN}


@pytest.mark.parametrize("slug", SLUGS)
async def test_the_journey_progresses_with_the_clock(slug: str, real: FakeClock, serve: Serve) -> None:
    world = make_world(real, MID)
    url = await serve(world)
    number = "SBX00000001"
    before = seen(by_number(await fetch(slug, url, [number]))[number])
    real.t += 40 * HOUR
    after = seen(by_number(await fetch(slug, url, [number]))[number])
    assert len(after) > len(before) and after[: len(before)] == before
    assert after == expected(slug, world.journeys[number], world.now())


@pytest.mark.parametrize("slug", SLUGS)
async def test_empty_credentials_are_refused(slug: str, real: FakeClock, serve: Serve) -> None:
    url = await serve(make_world(real, MID))
    with pytest.raises(AuthError):
        await fetch(slug, url, ["SBX00000001"], secret="")


@pytest.mark.parametrize("slug", SLUGS)
async def test_a_wrong_key_is_refused_when_the_world_has_one(
    slug: str, real: FakeClock, serve: Serve
) -> None:
    url = await serve(make_world(real, MID, api_key="the-key"))
    with pytest.raises(AuthError):
        await fetch(slug, url, ["SBX00000001"], secret="not-the-key")
    assert (await fetch(slug, url, ["SBX00000001"], secret="the-key")).shipments


async def test_royal_mail_refuses_a_request_without_the_terms_header(real: FakeClock, serve: Serve) -> None:
    url = await serve(make_world(real, MID))
    headers = {"X-IBM-Client-Id": "id", "X-IBM-Client-Secret": "secret"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{url}/mailpieces/v2/SBX00000001/events", headers=headers) as resp,
    ):
        assert resp.status == 400
        body = await resp.read()
    fixture = (FIXTURES / "royalmail" / "error_header_E0004.json").read_bytes()
    assert royalmail.parse(body).to_dict() == royalmail.parse(fixture).to_dict()


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize(
    ("faults", "raised"),
    [(Faults(rate_limit=1.0, retry_after_s=7), RateLimited), (Faults(server_error=1.0), CarrierUnavailable)],
)
async def test_rate_limits_and_outages_are_raised(
    slug: str, faults: Faults, raised: type[Exception], real: FakeClock, serve: Serve
) -> None:
    url = await serve(make_world(real, MID), faults)
    with pytest.raises(raised):
        await fetch(slug, url, ["SBX00000001"])


@pytest.mark.parametrize("slug", SLUGS)
async def test_a_malformed_body_gives_malformed_payload(slug: str, real: FakeClock, serve: Serve) -> None:
    url = await serve(make_world(real, MID), Faults(malformed=1.0))
    result = await fetch(slug, url, ["SBX00000001"])
    assert result.shipments == [] and [type(e) for e in result.errors] == [MalformedPayload]


@pytest.mark.parametrize("slug", SLUGS)
async def test_repeated_and_shuffled_scans_still_give_the_journey(
    slug: str, real: FakeClock, serve: Serve
) -> None:
    world = make_world(real, MID)
    url = await serve(world, Faults(duplicate_events=1.0, out_of_order=1.0, seed=5))
    result = await fetch(slug, url, list(MID))
    assert result.errors == []
    for number, shipment in by_number(result).items():
        assert seen(shipment, dedupe=True) == expected(slug, world.journeys[number], START)


@pytest.mark.parametrize(
    ("slug", "path", "file"),
    [
        ("royalmail", "/mailpieces/v2/{number}/events", "royalmail/in_transit_redirected.json"),
        ("laposte", "/suivi/v2/idships/{ids}", "laposte/suivi_v2.json"),
        ("sfexpress", "/std/service", "sf_express/routes_delivered.json"),
    ],
)
async def test_fixtures_replayed_over_http_reach_the_parser_unchanged(
    slug: str, path: str, file: str, aiohttp_server: Any
) -> None:
    body = (FIXTURES / file).read_bytes()
    server = await aiohttp_server(make_replay_app({path: FIXTURES / file}))
    async with CarrierHttp(slug) as http:
        client = CLIENTS[slug](http, credentials(slug), base_url=str(server.make_url("")).rstrip("/"))
        [fetched] = await client.fetch(["ANY"])
    assert fetched.raw == body
    assert fetched.result.to_dict() == RENDER[slug][3](body).to_dict()
    assert fetched.result.shipments
