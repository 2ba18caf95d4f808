"""An S10 postal item through 17TRACK: the origin post's and the destination post's events are two
providers in the answer and one timeline for the shipment, from the sandbox's rendering, through
the real client and poller, into a real SQLite store."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from carriers import seventeentrack
from carriers.credentials import Credentials
from carriers.http import CarrierHttp
from carriers.sandbox.journeys import Journey, Place, Scan, Scenario, generate
from carriers.sandbox.render import CODES
from carriers.sandbox.render_17track import render_17track
from carriers.sandbox.server import SandboxClock, SandboxWorld, make_app
from carriers.seventeentrack import SeventeenTrackClient
from parcel_watch.model import Shipment
from parcel_watch.scheduler import Coordinator
from parcel_watch.status import Status
from parcel_watch.store import Store

NUMBER = "RR123456785CN"  # S10, valid check digit, posted in China
T0 = datetime(2026, 5, 1, 10, tzinfo=UTC)
SHENZHEN = Place("SHENZHEN", "GD", "518000", "CN")
JFK = Place("JAMAICA", "NY", "11430", "US")  # the US inward office of exchange: the handover
BROOKLYN = Place("BROOKLYN", "NY", "11201", "US")
S = Status


def scan(hours: float, status: Status, sub: str | None, place: Place) -> Scan:
    return Scan(T0 + timedelta(hours=hours), status, sub, "", place)


JOURNEY = Journey(
    NUMBER,
    Scenario.CUSTOMS_HOLD,
    T0,
    T0 + timedelta(days=9),
    (),
    (
        scan(0, S.INFO_RECEIVED, None, SHENZHEN),
        scan(8, S.IN_TRANSIT, "in_transit.picked_up", SHENZHEN),
        scan(30, S.IN_TRANSIT, "in_transit.departed", SHENZHEN),
        scan(120, S.IN_TRANSIT, "in_transit.customs_processing", JFK),
        scan(130, S.IN_TRANSIT, "in_transit.customs_released", JFK),
        scan(168, S.IN_TRANSIT, "in_transit.arrived", BROOKLYN),
        scan(171, S.OUT_FOR_DELIVERY, None, BROOKLYN),
        scan(176, S.DELIVERED, "delivered.left_safe_place", BROOKLYN),
    ),
)
ServerFactory = Callable[..., Awaitable[TestServer]]


def providers(body: bytes) -> list[Any]:
    found: list[Any] = json.loads(body)["data"]["accepted"][0]["track_info"]["tracking"]["providers"]
    return found


def test_the_sandbox_shows_the_origin_post_then_the_destination_post() -> None:
    after = providers(render_17track(JOURNEY, T0 + timedelta(days=10)))
    assert [p["provider"]["key"] for p in after] == [3011, 21051]  # China Post, USPS
    origin, destination = ([e["time_utc"] for e in p["events"]] for p in after)
    assert (len(origin), len(destination)) == (4, 5)
    assert set(origin) & set(destination) == {"2026-05-06T10:00:00Z"}  # the handover, twice
    # Before the handover scan only the origin post has news.
    assert [p["provider"]["key"] for p in providers(render_17track(JOURNEY, T0 + timedelta(days=2)))] == [
        3011
    ]
    # A number posted in the destination country is one post's item.
    domestic = replace(JOURNEY, tracking_number="RR123456785US")
    assert len(providers(render_17track(domestic, T0 + timedelta(days=10)))) == 1


@pytest.mark.parametrize("scenario", list(Scenario))
def test_two_legs_parse_back_to_the_visible_journey(scenario: Scenario) -> None:
    for seed in range(8):
        journey = generate(NUMBER, scenario, T0, seed)
        times = [s.occurred_at for s in journey.scans]
        for now in [*times, *(a + (b - a) / 2 for a, b in pairwise(times))]:
            [shipment] = seventeentrack.parse(render_17track(journey, now)).shipments
            visible = journey.visible(now)
            assert [e.occurred_at for e in shipment.events] == [s.occurred_at for s in visible]
            assert shipment.status is shipment.events[-1].status


async def test_an_s10_item_polled_through_17track_is_one_timeline_in_sqlite(
    aiohttp_server: ServerFactory, tmp_path: Path
) -> None:
    world = SandboxWorld(SandboxClock(T0 + timedelta(days=10), speed=0.0))
    world.add_journey(JOURNEY)
    url = str((await aiohttp_server(make_app(world))).make_url("")).rstrip("/")
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path}/parcel-watch.db")
    async with store, CarrierHttp("17track") as http:
        added = await store.add(Shipment(tracking_number=NUMBER, carrier="s10", origin_country="CN"))
        client = SeventeenTrackClient(http, Credentials(slug="17track", api_key=SecretStr("k")), base_url=url)
        poller = Coordinator(client, store)
        stats = await poller.poll([added.shipment])
        assert (stats.polled, stats.errors, stats.new_events) == (1, 0, len(JOURNEY.scans))
        assert world.register_requests == [[NUMBER]]  # registered by the poll itself

        [shipment] = await store.find(NUMBER)
        assert shipment.id is not None
        timeline = await store.timeline(shipment.id)
        assert [e.occurred_at for e in timeline] == [s.occurred_at for s in JOURNEY.scans]
        read_back = [CODES["17track"][(s.status, s.substatus)].parsed for s in JOURNEY.scans]
        assert [(e.status, e.substatus) for e in timeline] == read_back
        assert [e.location.city for e in timeline] == [s.place.city for s in JOURNEY.scans]
        assert shipment.status is Status.DELIVERED and shipment.carrier == "s10"
        [sha] = await store.payload_of_events(shipment.id)
        payload = await store.payload(sha)
        assert payload is not None and len(providers(payload.body)) == 2  # one answer, both legs

        again = await poller.poll([shipment])
        assert (again.new_events, again.errors) == (0, 0) and world.register_requests == [[NUMBER]]
        assert len(await store.timeline(shipment.id)) == len(JOURNEY.scans)
