"""What the fault tests share: the sandbox carrier on a hand-moved clock, with a request count
per source, three configured sources (FedEx, UPS, DHL) and the sandbox's ground truth.

Two clocks: the poller's (``Sim.now``, moved by the test) and the sandbox world's (``Sim.world``,
moved separately), so a test decides when the carrier has new scans and when polls fall due.

Run as ``python -m tests.faults.fault_support ACTION DB SECONDS``, it is another process on a
SQLite file: ``hold-write`` holds the write lock (BEGIN IMMEDIATE) that long; ``hold-read`` holds
one read transaction, printing the events it counts at its start, at its end and after it;
``views`` reads the dashboard's parcel list (``parcel_watch.views``) over and over, printing
one JSON line per page read. Each prints ``ready`` once it holds what it holds.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiohttp import web
from pydantic import SecretStr

from carriers.credentials import Credentials
from carriers.sandbox.app import Handler, make_app
from carriers.sandbox.faults import Faults
from carriers.sandbox.journeys import Scenario
from carriers.sandbox.render import CODES
from carriers.sandbox.world import SandboxClock, SandboxWorld
from parcel_watch.detect.samples import sample_number
from parcel_watch.model import Shipment
from parcel_watch.status import Status
from parcel_watch.store import Store

START = datetime(2026, 3, 10, 12, tzinfo=UTC)
KEY = "sandbox-key"
# source -> (detection's number format, the tracking path its client calls: Faults(only=...)).
SOURCES = {
    "fedex": ("fedex_12", "/track/v1/trackingnumbers"),
    "ups": ("ups", "/api/track/v1/details/"),
    "dhl": ("dhl_express", "/track/shipments"),
}
# Parcels on their way at START: shipped this many hours before (some delivered by then).
SHIPPED_HOURS_AGO = (20, 30, 44, 60, 75, 90)


def path(slug: str) -> tuple[str]:
    return (SOURCES[slug][1],)


class Sim:
    """The poller's clock and the sandbox's, both moved by hand; sleeping takes no time
    (the rate limiter's pauses are recorded, not waited)."""

    def __init__(self) -> None:
        self.now = START
        self.world = START
        self.slept: list[float] = []

    def clock(self) -> datetime:
        return self.now

    def world_seconds(self) -> float:
        return (self.world - START).total_seconds()

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def advance(self, delta: timedelta) -> None:
        """Both clocks move on: the carrier has the new scans of ``delta`` too."""
        self.now += delta
        self.world += delta


@dataclass
class Sandbox:
    world: SandboxWorld
    faults: Faults
    url: str
    runner: web.AppRunner
    numbers: dict[str, list[str]]  # source -> its tracking numbers
    requests: Counter[str] = field(default_factory=Counter)  # source -> tracking requests received

    def credentials(self, slugs: tuple[str, ...] = tuple(SOURCES)) -> dict[str, Credentials]:
        return {
            slug: Credentials(
                slug=slug,
                api_key=SecretStr(KEY),
                client_id="sandbox",
                client_secret=SecretStr(KEY),
                base_url=self.url,
            )
            for slug in slugs
        }

    def expected(self, slug: str, number: str) -> list[tuple[datetime, Status]]:
        """Ground truth: each scan the carrier shows now, with the status its parser reads."""
        journey = self.world.journeys[number]
        codes = CODES[slug]
        return [
            (s.occurred_at, codes[(s.status, s.substatus)].parsed[0])
            for s in journey.visible(self.world.now())
        ]


async def start_sandbox(
    sim: Sim, faults: Faults, per_source: int = 4, *, clock: SandboxClock | None = None, seed: int = 3
) -> Sandbox:
    """The sandbox carrier serving ``per_source`` journeys for each source, faults injected."""
    world = SandboxWorld(clock or SandboxClock(START, 1.0, real=sim.world_seconds), seed=seed, api_key=KEY)
    rng = random.Random(seed)
    scenarios = list(Scenario)
    numbers: dict[str, list[str]] = {}
    for slug, (fmt, _) in SOURCES.items():
        numbers[slug] = []
        for i in range(per_source):
            number = sample_number(fmt, rng)
            ago = timedelta(hours=SHIPPED_HOURS_AGO[i % len(SHIPPED_HOURS_AGO)])
            world.add(number, scenarios[i % len(scenarios)], shipped_at=world.clock.start - ago)
            numbers[slug].append(number)
    requests: Counter[str] = Counter()

    @web.middleware
    async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
        for slug, (_, prefix) in SOURCES.items():
            if request.path.startswith(prefix):
                requests[slug] += 1
        return await handler(request)

    app = make_app(world, faults)
    app.middlewares.insert(0, count)  # outermost: counts what the faults answer too
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    return Sandbox(world, faults, url, runner, numbers, requests)


async def add_all(store: Store, sandbox: Sandbox, now: datetime) -> None:
    for slug, numbers in sandbox.numbers.items():
        for number in numbers:
            await store.add(Shipment(tracking_number=number, carrier=slug), now=now)


async def stored(store: Store, number: str) -> list[tuple[datetime, Status]]:
    [shipment] = await store.find(number)
    assert shipment.id is not None
    return [(e.occurred_at, e.status) for e in await store.timeline(shipment.id)]


async def refresh_all(store: Store) -> None:
    """Every shipment due at once, as a user's refresh makes it."""
    for shipment in await store.list():
        assert shipment.id is not None
        await store.poll_now(shipment.id)


def _hold_write(db: str, seconds: float) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("ready", flush=True)
    time.sleep(seconds)
    conn.execute("COMMIT")
    print("released", flush=True)


def _hold_read(db: str, seconds: float) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    count = "SELECT count(*) FROM events"
    conn.execute("BEGIN")
    print(json.dumps({"start": conn.execute(count).fetchone()[0]}), flush=True)
    print("ready", flush=True)
    time.sleep(seconds)
    print(json.dumps({"end": conn.execute(count).fetchone()[0]}), flush=True)
    conn.execute("COMMIT")
    print(json.dumps({"after": conn.execute(count).fetchone()[0]}), flush=True)


async def _views(db: str, seconds: float) -> None:
    from parcel_watch.views.parcels import ParcelFilter, SortOrder, count, page

    async with await Store.open(f"sqlite+aiosqlite:///{db}", migrate_schema=False) as store:
        print("ready", flush=True)
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            began = time.monotonic()
            rows = await page(store, ParcelFilter(), SortOrder.NEWEST_SCAN, 0, 50)
            total = await count(store, ParcelFilter())
            line = {"rows": len(rows), "total": total, "seconds": round(time.monotonic() - began, 3)}
            print(json.dumps(line), flush=True)
            await asyncio.sleep(0.02)


def main(argv: list[str]) -> None:
    action, db, seconds = argv[0], argv[1], float(argv[2])
    if action == "hold-write":
        _hold_write(db, seconds)
    elif action == "hold-read":
        _hold_read(db, seconds)
    else:
        asyncio.run(_views(db, seconds))


if __name__ == "__main__":
    main(sys.argv[1:])
