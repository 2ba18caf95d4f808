"""Ingest benchmark: 1,000,000 events (100,000 shipments) through Store.ingest, twice.

The ceiling is measured in the same run: raw ``sqlite3.executemany`` of the same event
rows into a plain table with no index, in batches of 100,000, with the same pragmas.
Building the pydantic events is the parser's cost and is not timed on either side.

Usage: python benchmarks/ingest.py [--shipments N] [--events-per-shipment K]
Last line: one JSON object with ratio_first, ratio_reingest, events_per_s, ceiling_rows_per_s, peak_mb.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from parcel_watch.model import Location, ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, RawPayload, Store
from parcel_watch.store.eventrows import EVENT_COLUMNS, NewEvents
from parcel_watch.store.types import utc_to_micros, wall_to_micros

CITIES = [
    ("MEMPHIS", "TN", "38118", "US"),
    ("LOUISVILLE", "KY", "40209", "US"),
    ("LEIPZIG", None, "04435", "DE"),
    ("SHENZHEN", "GD", "518000", "CN"),
    ("ROISSY", None, "95700", "FR"),
    ("EAST MIDLANDS", None, "DE74", "GB"),
    ("CHICAGO", "IL", "60666", "US"),
    ("TORONTO", "ON", "M5V", "CA"),
]
JOURNEY = [
    (Status.INFO_RECEIVED, None, "OC", "Shipment information sent to carrier"),
    (Status.IN_TRANSIT, "in_transit.picked_up", "PU", "Picked up"),
    (Status.IN_TRANSIT, "in_transit.departed", "DP", "Departed facility"),
    (Status.IN_TRANSIT, "in_transit.arrived", "AR", "Arrived at facility"),
    (Status.IN_TRANSIT, "in_transit.departed", "DP", "Departed facility"),
    (Status.IN_TRANSIT, "in_transit.customs_processing", "CP", "Clearance in progress"),
    (Status.IN_TRANSIT, "in_transit.customs_released", "CC", "International shipment release - Import"),
    (Status.IN_TRANSIT, "in_transit.arrived", "AR", "Arrived at local delivery facility"),
    (Status.OUT_FOR_DELIVERY, None, "OD", "On FedEx vehicle for delivery"),
    (Status.DELIVERED, "delivered.left_safe_place", "DL", "Delivered, left at front door"),
]
CARRIERS = ["fedex", "ups", "dhl", "usps"]


def shipments(n: int, k: int, seed: int = 7) -> Iterator[tuple[ShipmentUpdate, bytes]]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n):
        t = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 300))
        carrier = CARRIERS[i % len(CARRIERS)]
        evs = []
        for j in range(k):
            status, sub, code, text = JOURNEY[j % len(JOURNEY)]
            city, region, postal, country = CITIES[rng.randrange(len(CITIES))]
            t += timedelta(minutes=rng.randrange(30, 60 * 20))
            evs.append(
                TrackingEvent(
                    occurred_at=t,
                    local_time=t.replace(tzinfo=None) - timedelta(hours=5),
                    utc_offset_minutes=-300,
                    status=status,
                    substatus=sub,
                    carrier_code=code,
                    description=text,
                    location=Location(city=city, region=region, postal_code=postal, country=country),
                )
            )
        update = ShipmentUpdate(
            carrier=carrier, tracking_number=f"{carrier.upper()}{i:012d}", events=tuple(evs)
        )
        body = json.dumps(
            {
                "trackingNumber": update.tracking_number,
                "events": [
                    {
                        "date": e.occurred_at.isoformat(),
                        "code": e.carrier_code,
                        "text": e.description,
                        "city": e.location.city,
                        "country": e.location.country,
                    }
                    for e in evs
                ],
            }
        ).encode()
        yield update, body


def batches(n: int, k: int, per_batch: int) -> Iterator[list[IngestItem]]:
    batch: list[IngestItem] = []
    for update, body in shipments(n, k):
        batch.append(IngestItem([update], RawPayload(update.carrier, body)))
        if len(batch) == per_batch:
            yield batch
            batch = []
    if batch:
        yield batch


async def project_pass(url: str, n: int, k: int) -> tuple[float, int, int]:
    store = await Store.open(url)
    elapsed, new, dup = 0.0, 0, 0
    try:
        for batch in batches(n, k, per_batch=2000):
            t0 = time.perf_counter()
            result = await store.ingest(batch)
            elapsed += time.perf_counter() - t0
            new += result.new_events
            dup += result.duplicate_events
    finally:
        await store.close()
    return elapsed, new, dup


def ceiling(path: Path, n: int, k: int) -> float:
    """Raw executemany of the very rows the store inserts (built by its own row builder)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"CREATE TABLE events ({', '.join(EVENT_COLUMNS)})")
    sql = f"INSERT INTO events VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"
    elapsed, total, rows, first_id = 0.0, 0, [], 0

    def flush() -> float:
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")
        return time.perf_counter() - t0

    for batch in batches(n, k, per_batch=2000):
        ids = {
            (u.carrier, u.tracking_number): i for i, item in enumerate(batch, first_id) for u in item.updates
        }
        first_id += len(batch)
        builder = NewEvents(
            ids=ids,
            existing={},
            payload_ids={item.payload.sha256: i for i, item in enumerate(batch) if item.payload},
            received=utc_to_micros(datetime.now(UTC)),
            as_time=utc_to_micros,
            as_wall=wall_to_micros,
        )
        rows.extend(builder.rows(batch))
        if len(rows) >= 100_000:  # batches of 100,000 rows; the models are gone by then
            elapsed += flush()
            total += len(rows)
            rows = []
    if rows:
        elapsed += flush()
        total += len(rows)
    conn.close()
    return total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shipments", type=int, default=100_000)
    parser.add_argument("--events-per-shipment", type=int, default=10)
    args = parser.parse_args()
    n, k = args.shipments, args.events_per_shipment
    ceilings = []
    with tempfile.TemporaryDirectory() as tmp:
        # The machine's speed drifts (shared cores): measure the ceiling before, between
        # and after the two passes and use the median.
        ceilings.append(ceiling(Path(tmp) / "ceiling0.db", n, k))
        url = f"sqlite+aiosqlite:///{tmp}/store.db"
        first_s, new, dup = asyncio.run(project_pass(url, n, k))
        assert new == n * k and dup == 0, (new, dup)
        print(f"first pass: {new:,} events in {first_s:.1f} s", file=sys.stderr)
        ceilings.append(ceiling(Path(tmp) / "ceiling1.db", n, k))
        again_s, new2, dup2 = asyncio.run(project_pass(url, n, k))
        assert new2 == 0 and dup2 == n * k, (new2, dup2)
        print(f"re-ingest: {dup2:,} duplicates in {again_s:.1f} s", file=sys.stderr)
        ceilings.append(ceiling(Path(tmp) / "ceiling2.db", n, k))
    ceiling_rows_per_s = statistics.median(ceilings)
    print("ceiling runs (rows/s): " + ", ".join(f"{c:,.0f}" for c in ceilings), file=sys.stderr)
    events_per_s = n * k / first_s
    print(
        json.dumps(
            {
                "ratio_first": round(events_per_s / ceiling_rows_per_s, 3),
                "ratio_reingest": round(n * k / again_s / ceiling_rows_per_s, 3),
                "events_per_s": round(events_per_s),
                "reingest_events_per_s": round(n * k / again_s),
                "ceiling_rows_per_s": round(ceiling_rows_per_s),
                "ceiling_runs": [round(c) for c in ceilings],
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "events": n * k,
                "shipments": n,
            }
        )
    )


if __name__ == "__main__":
    main()
