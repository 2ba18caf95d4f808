"""Poll benchmark: 20,000 shipments (about 10 events each) from the sandbox carrier over
loopback HTTP at concurrency 64 into a fresh SQLite store, then all again (nothing new).

In the same run, the naive ceiling: a bare aiohttp loop against the same server with the
same batching and concurrency (no parsing, no store), and a raw ``sqlite3.executemany`` of
the same events into a plain table with no index.
  ratio_first  = (bare loop time + raw insert time) / first-round time
  ratio_steady = bare loop time / second-round time
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from carriers.credentials import Credentials
from carriers.fedex import FedexClient, parse
from carriers.http import CarrierHttp
from carriers.sandbox.journeys import Scenario
from carriers.sandbox.server import start
from carriers.sandbox.world import SandboxClock, SandboxWorld
from parcel_watch.model import ShipmentUpdate
from parcel_watch.scheduler import Coordinator
from parcel_watch.store import IngestItem, Store
from parcel_watch.store.eventrows import EVENT_COLUMNS, NewEvents
from parcel_watch.store.types import utc_to_micros, wall_to_micros

CONCURRENCY = 64
BATCH = FedexClient.max_batch


def numbers(n: int) -> list[str]:
    return [f"{700000000000 + i}" for i in range(n)]


async def bare_loop(base_url: str, nums: list[str]) -> tuple[float, list[bytes]]:
    """What a script with no parsing or storing would do against the same API."""
    slots = asyncio.Semaphore(CONCURRENCY)
    bodies: list[bytes] = []
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{base_url}/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "b", "client_secret": "b"},
        ) as r:
            token = (await r.json())["access_token"]

        async def one(batch: list[str]) -> None:
            body = {
                "includeDetailedScans": True,
                "trackingInfo": [{"trackingNumberInfo": {"trackingNumber": n}} for n in batch],
            }
            async with (
                slots,
                http.post(
                    f"{base_url}/track/v1/trackingnumbers",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                ) as r,
            ):
                bodies.append(await r.read())

        t0 = time.perf_counter()
        await asyncio.gather(*(one(nums[i : i + BATCH]) for i in range(0, len(nums), BATCH)))
        return time.perf_counter() - t0, bodies


def raw_insert(bodies: list[bytes], path: Path) -> tuple[float, int]:
    rows: list[tuple[object, ...]] = []
    sid = 0
    for body in bodies:
        items = [IngestItem([s.to_update() for s in parse(body).shipments])]
        ids = {(u.carrier, u.tracking_number): sid + i for i, u in enumerate(items[0].updates)}
        sid += len(ids)
        builder = NewEvents(
            ids=ids, existing={}, payload_ids={}, received=0, as_time=utc_to_micros, as_wall=wall_to_micros
        )
        rows.extend(builder.rows(items))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"CREATE TABLE events ({', '.join(EVENT_COLUMNS)})")
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO events VALUES ({', '.join('?' * len(EVENT_COLUMNS))})", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed, len(rows)


async def main_async(n: int, tmp: Path) -> dict[str, object]:
    now = datetime.now(UTC)
    world = SandboxWorld(clock=SandboxClock(now), seed=1, token_ttl_s=10**9)
    rng = random.Random(1)
    nums = numbers(n)
    for number in nums:  # delivered journeys, all scans visible
        world.add(number, Scenario.ON_TIME, shipped_at=now - timedelta(days=12, hours=rng.uniform(0, 48)))
    runner, url = await start(world)
    try:
        bare_s, bodies = await bare_loop(url, nums)
        raw_s, n_rows = raw_insert(bodies, tmp / "raw.db")
        del bodies
        store = await Store.open(f"sqlite+aiosqlite:///{tmp / 'store.db'}")
        try:
            await store.ingest(
                IngestItem([ShipmentUpdate(carrier="fedex", tracking_number=x) for x in nums[i : i + 5000]])
                for i in range(0, n, 5000)
            )
            shipments = await store.list()
            creds = Credentials(slug="fedex", client_id="bench", client_secret="bench", base_url=url)  # type: ignore[arg-type]
            async with CarrierHttp("fedex", timeout_s=120) as http:
                coordinator = Coordinator(FedexClient(http, creds), store, concurrency=CONCURRENCY)
                t0 = time.perf_counter()
                first = await coordinator.poll(shipments)
                first_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                second = await coordinator.poll(shipments)
                second_s = time.perf_counter() - t0
            _, events = await store.count()
        finally:
            await store.close()
    finally:
        await runner.cleanup()
    assert first.failed_batches == 0 and second.new_events == 0 and events == n_rows, (
        first,
        second,
        events,
        n_rows,
    )
    print(
        f"bare loop {bare_s:.1f} s, raw insert {raw_s:.1f} s ({n_rows:,} rows); "
        f"first round {first_s:.1f} s ({first.new_events:,} events), second {second_s:.1f} s",
        file=sys.stderr,
    )
    return {
        "ratio_first": round((bare_s + raw_s) / first_s, 3),
        "ratio_steady": round(bare_s / second_s, 3),
        "shipments_per_s": round(n / first_s),
        "events_per_s": round(first.new_events / first_s),
        "steady_shipments_per_s": round(n / second_s),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "shipments": n,
        "events": events,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shipments", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(asyncio.run(main_async(args.shipments, Path(tmp)))))


if __name__ == "__main__":
    main()
