"""The sandbox's Canada Post and DPD APIs: rendering read back by the adapters' own parsers, and
the real clients over real HTTP (auth, not found, the clock, injected faults).

As in test_sandbox_server.py, the world's clock runs on an injected base clock (one base second is
one sandbox hour) and tokens expire on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from carriers import canadapost, dpd
from carriers.base import ParseResult
from carriers.credentials import Credentials
from carriers.errors import AuthError, CarrierUnavailable, MalformedPayload, NotFound, RateLimited
from carriers.fetching import CarrierClient
from carriers.http import CarrierHttp
from carriers.sandbox.faults import Faults
from carriers.sandbox.journeys import Journey, Scan, Scenario, generate
from carriers.sandbox.render_canadapost import (
    CODES_CANADAPOST,
    render_canadapost,
    render_canadapost_not_found,
)
from carriers.sandbox.render_codes import INFO, KEYS
from carriers.sandbox.render_dpd import CODES_DPD, dpd_time, render_dpd, render_dpd_not_found
from parcel_watch.status import Status
from tests.carriers.sandbox_support import FUTURE, MID, START, UNKNOWN, FakeClock, Serve, make_world

SLUGS = ("canadapost", "dpd")
HOUR = 1.0  # base-clock seconds per sandbox hour
Event = tuple[datetime, Status]


def shown(slug: str, scan: Scan) -> bool:
    """DPD's lifecycle starts when it has the parcel: no step for shipment information."""
    return slug != "dpd" or (scan.status, scan.substatus) != INFO


def representable(slug: str, scan: Scan) -> bool:
    """DPD prints a bare wall time: in a DST fold it cannot say which of the two instants."""
    if slug != "dpd":
        return True  # Canada Post's abbreviation names the offset
    at = dpd_time(scan)
    assert isinstance(at.tzinfo, ZoneInfo)
    return at.replace(tzinfo=None).replace(tzinfo=at.tzinfo).astimezone(UTC) == scan.occurred_at


def expected(slug: str, journey: Journey, now: datetime) -> list[Event]:
    table = CODES_CANADAPOST if slug == "canadapost" else CODES_DPD
    return [
        (s.occurred_at, table[(s.status, s.substatus)].parsed[0])
        for s in journey.visible(now)
        if shown(slug, s)
    ]


def seen(result: ParseResult, number: str) -> list[Event]:
    (shipment,) = [s for s in result.shipments if s.tracking_number == number]
    return [(e.occurred_at, e.status) for e in shipment.events]


# -- rendering ---------------------------------------------------------------------------------

journeys = st.builds(
    lambda scenario, seed, hours: generate(f"SBX{seed:08d}", scenario, START + timedelta(hours=hours), seed),
    st.sampled_from(list(Scenario)),
    st.integers(0, 10**6),
    st.integers(0, 2 * 365 * 24),  # two years of start times: both DST transitions, every season
)


def test_the_tables_cover_every_journey_key() -> None:
    assert set(CODES_CANADAPOST) == set(KEYS)
    assert set(CODES_DPD) == set(KEYS) - {INFO}
    # each table says what its adapter reads back
    assert all(canadapost.map_status(c.code) == c.parsed for c in CODES_CANADAPOST.values())
    assert all(dpd.map_status(c.code) == c.parsed for c in CODES_DPD.values())


@pytest.mark.parametrize("slug", SLUGS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journey=journeys)
def test_render_then_parse_gives_back_the_visible_journey(slug: str, journey: Journey) -> None:
    times = [s.occurred_at for s in journey.scans]
    clocks = [times[0] - timedelta(minutes=1), *times, *(a + (b - a) / 2 for a, b in pairwise(times))]
    for now in [*clocks, times[-1] + timedelta(days=60)]:
        visible = [s for s in journey.visible(now) if shown(slug, s)]
        if slug == "canadapost":
            result = canadapost.parse(render_canadapost(journey, now), journey.tracking_number)
        else:
            result = dpd.parse(render_dpd(journey, now), journey.tracking_number)
        if not visible and slug == "dpd":  # before the pickup: no reached step is DPD's "not found"
            assert [type(e) for e in result.errors] == [NotFound]
            continue
        assert result.errors == []
        (shipment,) = result.shipments
        assert shipment.tracking_number == journey.tracking_number
        events = sorted(shipment.events, key=lambda e: e.occurred_at)
        assert len(events) == len(visible)
        table = CODES_CANADAPOST if slug == "canadapost" else CODES_DPD
        want = sorted(visible, key=lambda s: s.occurred_at)
        if all(representable(slug, s) for s in visible):
            assert [e.occurred_at for e in events] == [s.occurred_at for s in want]
        assert sorted(e.status for e in events) == sorted(
            table[(s.status, s.substatus)].parsed[0] for s in want
        )
        eta = journey.estimate(now)
        if slug == "canadapost" and eta is not None:  # a date only: the end of that day, Toronto
            assert shipment.estimated_delivery is not None
            assert shipment.estimated_delivery.astimezone(ZoneInfo(canadapost.HOME_ZONE)).time().hour == 23


@pytest.mark.parametrize(
    ("render", "status"), [(render_canadapost_not_found, 404), (render_dpd_not_found, 200)], ids=SLUGS
)
def test_not_found_bodies_are_not_found_for_the_number_asked(
    render: Callable[[str], tuple[int, bytes]], status: int
) -> None:
    code, body = render("SBX404")
    parse = canadapost.parse if code == 404 else dpd.parse
    (error,) = parse(body, "SBX404").errors
    assert (code, type(error), error.tracking_number) == (status, NotFound, "SBX404")


# -- over HTTP ---------------------------------------------------------------------------------


def client(slug: str, http: CarrierHttp, url: str, secret: str = "sandbox-secret") -> CarrierClient:
    if slug == "canadapost":
        return canadapost.CanadaPostClient(
            http, Credentials(slug=slug, api_key=SecretStr(f"user:{secret}")), base_url=url
        )
    creds = Credentials(slug=slug, client_id="delis01", client_secret=SecretStr(secret))
    return dpd.DpdClient(http, creds, base_url=url)


async def fetch(
    slug: str, url: str, numbers: list[str], *, secret: str = "sandbox-secret", timeout_s: float = 5.0
) -> ParseResult:
    async with CarrierHttp(slug, timeout_s=timeout_s) as http:
        return await fetch_with(client(slug, http, url, secret), numbers)


async def fetch_with(source: CarrierClient, numbers: list[str]) -> ParseResult:
    merged = ParseResult()
    for fetched in await source.fetch(numbers):
        merged.shipments += fetched.result.shipments
        merged.errors += fetched.result.errors
    return merged


@pytest.mark.parametrize("slug", SLUGS)
async def test_each_client_reads_the_visible_scans_and_unknown_numbers_are_not_found(
    slug: str, real: FakeClock, serve: Serve
) -> None:
    world = make_world(real)
    url = await serve(world)
    result = await fetch(slug, url, [*MID, FUTURE, UNKNOWN])
    assert {s.tracking_number for s in result.shipments} == set(MID)
    for number in MID:
        want = expected(slug, world.journeys[number], START)
        assert 0 < len(want) < len(world.journeys[number].scans)  # really mid-journey
        assert seen(result, number) == want
    assert [(type(e), e.tracking_number) for e in result.errors] == [(NotFound, FUTURE), (NotFound, UNKNOWN)]


@pytest.mark.parametrize("slug", SLUGS)
async def test_the_journey_progresses_with_the_clock(slug: str, real: FakeClock, serve: Serve) -> None:
    world = make_world(real)
    url = await serve(world)
    before = seen(await fetch(slug, url, ["SBX00000001"]), "SBX00000001")
    real.t += 40 * HOUR
    after = seen(await fetch(slug, url, ["SBX00000001"]), "SBX00000001")
    assert len(after) > len(before) and after[: len(before)] == before
    assert after == expected(slug, world.journeys["SBX00000001"], world.now())


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("secret", ["", "not-the-key"])
async def test_refused_credentials_are_an_auth_error(
    slug: str, secret: str, real: FakeClock, serve: Serve
) -> None:
    url = await serve(make_world(real, api_key="the-key"))
    with pytest.raises(AuthError):
        await fetch(slug, url, ["SBX00000001"], secret=secret)
    assert (await fetch(slug, url, ["SBX00000001"], secret="the-key")).shipments


async def test_dpd_logs_in_once_and_again_when_the_server_says_the_token_expired(
    real: FakeClock, serve: Serve
) -> None:
    world = make_world(real, token_ttl_s=600.0)
    url = await serve(world)
    async with CarrierHttp("dpd") as http:
        source = client("dpd", http, url)
        assert isinstance(source, dpd.DpdClient)
        await fetch_with(source, list(MID))
        assert world.tokens_issued["dpd"] == source.logins == 1
        real.t += 601  # the server's clock, not the client's: it still trusts its token
        result = await fetch_with(source, ["SBX00000001"])
    assert [s.tracking_number for s in result.shipments] == ["SBX00000001"]
    assert world.tokens_issued["dpd"] == source.logins == 2


async def test_dpd_tokens_of_other_apis_are_refused(real: FakeClock, serve: Serve) -> None:
    world = make_world(real)
    url = await serve(world)
    ups_token, _ = world.issue_token("ups")
    body = (
        f'<soapenv:Envelope xmlns:soapenv="{dpd.SOAP_ENV}"><soapenv:Header><authentication>'
        f"<authToken>{ups_token}</authToken></authentication></soapenv:Header><soapenv:Body>"
        "<getTrackingData><parcelLabelNumber>SBX00000001</parcelLabelNumber></getTrackingData>"
        "</soapenv:Body></soapenv:Envelope>"
    )
    async with (
        aiohttp.ClientSession() as session,
        session.post(url + dpd.DpdClient.TRACKING_PATH, data=body) as resp,
    ):
        assert resp.status == 500
        assert b"ERR_DELICOM_TOKEN_INCORRECT" in await resp.read()


@pytest.mark.parametrize("slug", SLUGS)
async def test_injected_faults(slug: str, real: FakeClock, serve: Serve) -> None:
    world = make_world(real)
    url = await serve(world, Faults(rate_limit=1.0, retry_after_s=7))
    with pytest.raises(RateLimited) as caught:
        await fetch(slug, url, ["SBX00000001"])
    assert caught.value.retry_after == 7
    url = await serve(world, Faults(server_error=1.0))
    with pytest.raises(CarrierUnavailable) as unavailable:
        await fetch(slug, url, ["SBX00000001"])
    assert unavailable.value.code == "503"  # the tracking call's: DPD's login is never faulted
    url = await serve(world, Faults(malformed=1.0))
    (error,) = (await fetch(slug, url, ["SBX00000001"])).errors
    assert isinstance(error, MalformedPayload)
    url = await serve(world, Faults(truncate=1.0))
    with pytest.raises(MalformedPayload, match="cut short"):
        await fetch(slug, url, ["SBX00000001"])
    url = await serve(world, Faults(timeout=1.0))
    with pytest.raises(CarrierUnavailable, match="no answer within"):
        await fetch(slug, url, ["SBX00000001"], timeout_s=0.3)


@pytest.mark.parametrize("slug", SLUGS)
async def test_repeated_and_shuffled_scans_still_give_the_journey(
    slug: str, real: FakeClock, serve: Serve
) -> None:
    world = make_world(real)
    url = await serve(world, Faults(duplicate_events=1.0, out_of_order=1.0, seed=5))
    result = await fetch(slug, url, list(MID))
    assert result.errors == []
    for number in MID:
        want = expected(slug, world.journeys[number], START)
        assert sorted(set(seen(result, number))) == want
        assert len(seen(result, number)) == 2 * len(want)
