"""Workers against the counting sandbox over real HTTP, on SQLite and PostgreSQL: every
shipment polled once, leases taken over after a crash, the shared rate never exceeded."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from carriers.sandbox.counting import (
    REQUESTS,
    busiest_seconds,
    counting_app,
    numbers,
    populated_world,
    violations,
)
from carriers.sandbox.faults import Faults
from parcel_watch.poller import scheduler_for
from parcel_watch.store import Store
from parcel_watch.store.schema import shipments
from parcel_watch.worker import Worker
from tests.workers.support import add_shipments, sandbox_credentials

ServerFactory = Callable[..., Awaitable[TestServer]]
PER_API = {"ups": 60, "usps": 60, "dhl": 30}


@pytest.fixture
async def sandbox(aiohttp_server: ServerFactory) -> AsyncIterator[tuple[TestServer, str]]:
    server = await aiohttp_server(counting_app(populated_world(PER_API)))
    yield server, str(server.make_url("")).rstrip("/")


async def polled(store: Store, *carriers: str) -> int:
    async with store.reading() as conn:
        query = select(func.count()).where(shipments.c.polled_at.is_not(None))
        if carriers:
            query = query.where(shipments.c.carrier.in_(carriers))
        return int((await conn.execute(query)).scalar_one())


async def run_workers(
    db_url: str, url: str, count: int, until: Callable[[Store], Awaitable[bool]], **options: Any
) -> list[Worker]:
    """``count`` workers, each with its own store (engine, pool), as separate processes have."""
    rates = options.pop("rates", {"ups": 100.0, "usps": 100.0, "dhl": 40.0})
    stop = asyncio.Event()
    async with AsyncExitStack() as stack:
        workers = []
        for i in range(count):
            store = await stack.enter_async_context(await Store.open(db_url))
            scheduler = await stack.enter_async_context(
                scheduler_for(store, sandbox_credentials(url), concurrency=8, rates=rates, shared_rates=True)
            )
            workers.append(Worker(scheduler, name=f"w{i}", idle_s=0.2, **options))
        runs = asyncio.gather(*(w.run(stop) for w in workers))
        try:
            async with asyncio.timeout(60):
                while not await until(workers[0].store):
                    await asyncio.sleep(0.1)
        finally:
            stop.set()
            await runs
    return workers


async def test_two_workers_poll_every_shipment_once_within_the_shared_rates(
    db_url: str, sandbox: tuple[TestServer, str]
) -> None:
    server, url = sandbox
    store = await Store.open(db_url)
    total = await add_shipments(store, PER_API)
    rates = {"ups": 100.0, "usps": 100.0, "dhl": 40.0}

    async def all_polled(s: Store) -> bool:
        return await polled(s) == total

    workers = await run_workers(db_url, url, 2, all_polled, rates=rates, lease_size=20)
    log = server.app[REQUESTS]
    asked = Counter(number for _, _, _, number in log)
    assert set(asked) == {n for api, c in PER_API.items() for n in numbers(api, c)}
    assert max(asked.values()) == 1  # none polled twice
    assert all(w.polls.polled > 0 for w in workers), [w.stats for w in workers]  # both took part
    assert sum(w.polls.polled for w in workers) == total
    assert violations(log, rates) == 0, busiest_seconds(log)
    async with store.reading() as conn:
        held = select(func.count()).where(shipments.c.lease_owner.is_not(None))
        assert (await conn.execute(held)).scalar_one() == 0  # every lease ended with its poll
    await store.close()


async def test_a_dead_workers_shipments_are_polled_once_its_lease_ends(
    db_url: str, sandbox: tuple[TestServer, str]
) -> None:
    server, url = sandbox
    store = await Store.open(db_url)
    total = await add_shipments(store, PER_API)
    now = datetime.now(UTC)
    lease_end = now + timedelta(seconds=2)
    dead = await store.lease(now, 25, "crashed", lease_end)  # and it never polls them

    async def all_polled(s: Store) -> bool:
        return await polled(s) == total

    await run_workers(db_url, url, 2, all_polled, lease_size=20, lease_s=3.0, request_timeout_s=1.0)
    arrivals = {number: arrived for arrived, _, _, number in server.app[REQUESTS]}
    assert all(arrivals[s.tracking_number] >= lease_end.timestamp() for s in dead)
    assert len(arrivals) == total == len(server.app[REQUESTS])
    await store.close()


async def test_requests_never_start_so_late_that_the_lease_could_end_first(
    db_url: str, sandbox: tuple[TestServer, str]
) -> None:
    """At 3 DHL requests a second a lease of 10 for 2.5 s (1 s request timeout) can only be
    asked 4 or 5 times in time: the rest are handed back at once and leased again."""
    server, url = sandbox
    store = await Store.open(db_url)
    await add_shipments(store, {"dhl": 12})
    started = datetime.now(UTC)

    async def all_polled(s: Store) -> bool:
        return await polled(s) == 12

    (worker,) = await run_workers(
        db_url, url, 1, all_polled, rates={"dhl": 3.0}, lease_size=10, lease_s=2.5, request_timeout_s=1.0
    )
    assert worker.stats.handed_back > 0 and worker.stats.leases >= 2
    asked = Counter(n for *_, n in server.app[REQUESTS])
    assert len(asked) == 12 and max(asked.values()) == 1
    assert (datetime.now(UTC) - started).total_seconds() < 10
    await store.close()


async def test_a_rate_limited_source_waits_for_every_worker_and_the_others_go_on(
    db_url: str, aiohttp_server: ServerFactory
) -> None:
    faults = Faults(rate_limit=1.0, retry_after_s=30, only=("/track/shipments",))  # DHL answers 429
    server = await aiohttp_server(counting_app(populated_world(PER_API), faults))
    url = str(server.make_url("")).rstrip("/")
    store = await Store.open(db_url)
    await add_shipments(store, PER_API)

    async def others_polled(s: Store) -> bool:
        return await polled(s, "ups", "usps") == PER_API["ups"] + PER_API["usps"]

    await run_workers(db_url, url, 2, others_polled, lease_size=20)
    dhl_requests = [e for e in server.app[REQUESTS] if e[2] == "dhl"]
    # Each worker's first DHL requests meet the 429; after it none go out for 30 s.
    assert 1 <= len(dhl_requests) <= 2 * 8
    first_refusal = min(e[1] for e in dhl_requests)
    assert all(e[0] <= first_refusal + 0.5 for e in dhl_requests)
    waiting = await store.due(datetime.now(UTC) + timedelta(seconds=25))
    assert {s.carrier for s in waiting} <= {"dhl"} and len(waiting) < PER_API["dhl"] + 1
    async with store.reading() as conn:
        dhl = select(shipments.c.next_poll_at, shipments.c.lease_owner).where(shipments.c.carrier == "dhl")
        rows = (await conn.execute(dhl)).all()
    assert all(owner is None for _, owner in rows)  # handed back, not left to expire
    await store.close()
