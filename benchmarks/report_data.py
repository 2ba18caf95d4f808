"""Build (once) the carrier report benchmark's store: N shipments, 10 events each.

``python benchmarks/report_data.py URL N [--rebuild]``: a store that already holds N
shipments and 10·N events is kept as it is (the cache); anything else is rebuilt. Rows go
in through SQLAlchemy Core in chunks (the store's own types), not ``Store.ingest``: this is
about reading them back, and ingesting 2,000,000 events would take most of an hour.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import func, insert, select

from parcel_watch.store import Store
from parcel_watch.store.schema import anomalies, claims, estimate_revisions, events, shipments

EVENTS_PER_SHIPMENT = 10
CHUNK = 20_000
START = date(2025, 1, 1)
SPAN_DAYS = 540
LANES = [  # (carrier, origin, destination, origin offset, destination offset) in minutes
    ("ups", "US", "US", -300, -480),
    ("fedex", "US", "CA", -300, -240),
    ("dhl", "CN", "DE", 480, 60),
    ("dhl", "DE", "FR", 60, 60),
    ("usps", "US", "US", -300, -420),
    ("sfexpress", "CN", "CN", 480, 480),
    ("royalmail", "GB", "GB", 0, 0),
    ("dhl", "CN", "US", 480, -300),
]
SERVICES = ["Ground", "Express", "Priority", "Standard"]


def shipment_rows(n: int, rng: random.Random) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    for i in range(n):
        carrier, origin, dest, origin_off, dest_off = LANES[i % len(LANES)]
        ship = START + timedelta(days=i * SPAN_DAYS // n)
        delivered = rng.random() < 0.8
        at = datetime.combine(ship, datetime.min.time(), UTC) + timedelta(hours=8 + rng.random() * 30)
        evs = []
        for j in range(EVENTS_PER_SHIPMENT):
            last = j == EVENTS_PER_SHIPMENT - 1
            status = "INFO_RECEIVED" if j == 0 else "IN_TRANSIT"
            substatus = None
            if last and delivered:
                status = "DELIVERED"
            elif last and rng.random() < 0.3:
                status, substatus = "EXCEPTION", rng.choice(["exception.delayed", "exception.customs_hold"])
            offset = origin_off if j < 4 else dest_off
            evs.append(
                {
                    "dedupe_key": i * EVENTS_PER_SHIPMENT + j,
                    "occurred_at": at,
                    "local_time": (at + timedelta(minutes=offset)).replace(tzinfo=None) if j % 3 else None,
                    "utc_offset_minutes": offset if j % 3 else None,
                    "tz_source": "carrier",
                    "status": status,
                    "substatus": substatus,
                    "description": f"{status.lower()} scan",
                    "country": origin if j < 4 else dest,
                    "source": "poll",
                    "received_at": at,
                }
            )
            at += timedelta(hours=4 + rng.random() * 14)
        shipment = {
            "id": i + 1,
            "carrier": carrier,
            "tracking_number": f"BENCH{i:09d}",
            "carrier_source": "detected",
            "service": SERVICES[(i // len(LANES)) % len(SERVICES)],
            "origin_country": origin,
            "destination_country": dest,
            "ship_date": ship if i % 2 else None,
            "promised_delivery": ship + timedelta(days=3 + i % 5) if i % 3 == 0 else None,
            "status": evs[-1]["status"],
            "created_at": datetime.combine(ship, datetime.min.time(), UTC),
            "updated_at": at,
            "last_event_at": evs[-1]["occurred_at"],
        }
        yield shipment, evs


async def count(store: Store) -> tuple[int, int]:
    async with store.reading() as conn:
        s = (await conn.execute(select(func.count()).select_from(shipments))).scalar_one()
        e = (await conn.execute(select(func.count()).select_from(events))).scalar_one()
    return s, e


async def fill(store: Store, n: int) -> None:
    rng = random.Random(6)
    batch_s: list[dict[str, Any]] = []
    batch_e: list[dict[str, Any]] = []
    extra: dict[str, list[dict[str, Any]]] = {"eta": [], "anomaly": [], "claim": []}

    async def flush() -> None:
        async with store.writing() as conn:
            await conn.execute(insert(shipments), batch_s)
            await conn.execute(insert(events), batch_e)
        batch_s.clear()
        batch_e.clear()

    for shipment, evs in shipment_rows(n, rng):
        sid = shipment["id"]
        batch_s.append(shipment)
        batch_e.extend({"shipment_id": sid, **e} for e in evs)
        first = evs[0]["occurred_at"]
        if sid % 2:
            extra["eta"].append(
                {"shipment_id": sid, "estimated_delivery": first + timedelta(days=3), "recorded_at": first}
            )
        roll = rng.random()
        kind = "stalled" if roll < 0.03 else "lost" if roll < 0.04 else "damaged" if roll < 0.05 else None
        if kind:
            state = "resolved" if kind == "stalled" and sid % 2 else "open"
            extra["anomaly"].append(
                {"shipment_id": sid, "kind": kind, "state": state, "since": first, "opened_at": first,
                 "updated_at": first, "details": "{}", "evidence": "[]"}
            )  # fmt: skip
            if kind != "stalled":
                extra["claim"].append(
                    {"shipment_id": sid, "anomaly": kind, "policy_id": "bench", "respondent": "carrier",
                     "incident": "loss", "status": "paid" if sid % 3 == 0 else "draft", "auto_file": False,
                     "amount": f"{sid % 200}.{sid % 100:02d}", "currency": "EUR" if sid % 2 else "USD",
                     "time_zone": "UTC", "draft": "{}", "created_at": first, "updated_at": first}
                )  # fmt: skip
        if len(batch_s) * EVENTS_PER_SHIPMENT >= CHUNK:
            await flush()
    if batch_s:
        await flush()
    async with store.writing() as conn:
        await conn.execute(insert(estimate_revisions), extra["eta"])
        await conn.execute(insert(anomalies), extra["anomaly"])
        await conn.execute(insert(claims), extra["claim"])


async def drop_pg(url: str) -> None:
    admin = url.replace("postgresql+asyncpg://", "postgresql://")
    server, name = admin.rsplit("/", 1)
    conn = await asyncpg.connect(f"{server}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def ensure_pg_exists(url: str) -> None:
    admin = url.replace("postgresql+asyncpg://", "postgresql://")
    server, name = admin.rsplit("/", 1)
    conn = await asyncpg.connect(f"{server}/postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def build(url: str, n: int, rebuild: bool) -> None:
    postgres = url.startswith("postgresql")
    if postgres:
        await ensure_pg_exists(url)
    store = await Store.open(url)
    try:
        if not rebuild and await count(store) == (n, n * EVENTS_PER_SHIPMENT):
            print(f"cached: {url}", file=sys.stderr)
            return
    finally:
        await store.close()
    if postgres:
        await drop_pg(url)
    else:
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    store = await Store.open(url)
    try:
        await fill(store, n)
        if postgres:
            async with store.writing() as conn:
                await conn.exec_driver_sql("ANALYZE")
    finally:
        await store.close()
    print(f"built {url}: {n:,} shipments in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("shipments", type=int)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    asyncio.run(build(args.url, args.shipments, args.rebuild))


if __name__ == "__main__":
    main()
