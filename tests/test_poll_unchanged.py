"""Polling again what has not changed: not parsed, not stored again, still rescheduled.

Against the sandbox carrier over real HTTP (FedEx format) and a real store; the sandbox's
clock is moved by hand so journeys progress between polls."""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from carriers.credentials import Credentials
from carriers.fedex import FedexClient, parse
from carriers.http import CarrierHttp
from carriers.parsing import fingerprint
from carriers.sandbox.journeys import Scenario
from carriers.sandbox.server import make_app
from carriers.sandbox.world import SandboxClock, SandboxWorld
from parcel_watch.model import Shipment
from parcel_watch.scheduler import Coordinator
from parcel_watch.store import Store
from parcel_watch.store.schema import raw_payloads

ServerFactory = Callable[..., Awaitable[TestServer]]
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
NUMBERS = [f"7000000000{i:02d}" for i in range(12)]
FIXTURE = Path(__file__).parent / "fixtures" / "carriers" / "fedex" / "delivered_mixed_offsets.json"


class HandClock:
    """The sandbox's base clock, moved by the test."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


async def payload_count(store: Store) -> int:
    async with store.reading() as conn:
        return int((await conn.execute(select(func.count()).select_from(raw_payloads))).scalar_one())


async def test_an_unchanged_document_is_skipped_and_a_changed_one_ingested(
    store: Store, aiohttp_server: ServerFactory
) -> None:
    hand = HandClock()
    world = SandboxWorld(clock=SandboxClock(START, real=hand), seed=3, token_ttl_s=10**9)
    for number in NUMBERS:  # mid-journey: more scans are still to come
        world.add(number, Scenario.ON_TIME, shipped_at=START - timedelta(days=1))
    server = await aiohttp_server(make_app(world))
    for number in NUMBERS:
        await store.add(Shipment(tracking_number=number, carrier="fedex"))
    shipments = await store.list()
    creds = Credentials(slug="fedex", client_id="id", client_secret="secret")  # type: ignore[arg-type]
    async with CarrierHttp("fedex") as http:
        client = FedexClient(http, creds, base_url=str(server.make_url("/")))
        coordinator = Coordinator(client, store, clock=lambda: START, rng=random.Random(1))
        first = await coordinator.poll(shipments)
        assert first.new_events > 0 and first.unchanged == 0
        stored = (await store.count())[1], await payload_count(store)

        again = await coordinator.poll(await store.list())
        assert (again.polled, again.unchanged, again.new_events) == (len(NUMBERS), len(NUMBERS), 0)
        assert ((await store.count())[1], await payload_count(store)) == stored  # nothing kept twice
        for s in await store.list():
            assert s.next_poll_at is not None and s.poll_error is None  # still rescheduled

        hand.seconds = timedelta(days=1).total_seconds()  # the parcels move on
        moved = await coordinator.poll(await store.list())
        assert moved.new_events > 0 and moved.unchanged < len(NUMBERS)
        assert (await store.count())[1] == stored[0] + moved.new_events

        # A restarted poller remembers nothing: it parses everything again, adds nothing.
        fresh = Coordinator(client, store, clock=lambda: START, rng=random.Random(1))
        restarted = await fresh.poll(await store.list())
        assert (restarted.unchanged, restarted.new_events) == (0, 0)


def test_fedex_parse_with_known_fingerprints_skips_only_unchanged_shipments() -> None:
    raw = FIXTURE.read_bytes()
    plain = parse(raw)
    first = parse(raw, {})
    assert [s.fingerprint for s in first.shipments] == [
        fingerprint(item) for item in json.loads(raw)["output"]["completeTrackResults"]
    ]
    assert first.to_dict() == plain.to_dict()  # fingerprints change nothing else
    known = {s.tracking_number: s.fingerprint for s in first.shipments if s.fingerprint is not None}
    again = parse(raw, known)
    assert all(s.unchanged and not s.events for s in again.shipments)
    assert again.updates() == []

    doc = json.loads(raw)
    item = doc["output"]["completeTrackResults"][0]
    item["trackResults"][0]["scanEvents"][0]["eventDescription"] = "Delivered, amended"
    changed = parse(json.dumps(doc), known)
    [reparsed] = [s for s in changed.shipments if not s.unchanged]
    assert reparsed.tracking_number == item["trackingNumber"] and reparsed.events
    assert any(e.description == "Delivered, amended" for e in reparsed.events)
