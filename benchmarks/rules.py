"""Rules benchmark: every anomaly rule over 100,000 shipments / 1,000,000 events, full pass
then incremental pass after 1% of the shipments get a new event.

The store is a fresh SQLite file filled through ``Store.ingest`` with mixed timelines
(delivered on time and late, in transit, stalled, damaged, customs holds, duties, failed
attempts, lost, returned, slipping estimates); the shipments' facts (lane, service,
promised date) are then set in bulk. Not timed: building the store.

In the same run, the raw baseline: reading the same event columns with plain ``sqlite3``
(``fetchall``), the floor under any pass that must look at every event.
  full_shipments_per_s   = shipments / full-pass time            (goal >= 20,000)
  incremental_speedup    = full-pass time / incremental-pass time (goal >= 50), the median
                           of three rounds, each after a different 1% got a new event
  full_vs_raw_read       = full-pass time / raw read time
Last line: one JSON object.

Usage: python benchmarks/rules.py [--shipments N] [--events-per-shipment K] [--profile] [--phases]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import pstats
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from claims.evaluation import EvaluationResult, evaluate, open_anomalies
from parcel_watch.model import Location, ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, Store

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
ROUNDS = 3
LANES = [  # (carrier, origin, destination, destination offset in minutes)
    ("ups", "US", "US", -300),
    ("fedex", "US", "CA", -240),
    ("dhl", "CN", "DE", 120),
    ("dhl", "DE", "FR", 120),
    ("usps", "US", "US", -420),
    ("sfexpress", "CN", "CN", 480),
    ("royalmail", "GB", "GB", 60),
    ("dhl", "CN", "US", -240),
]
SERVICES = ["Ground", "Express", "Priority", "Standard"]
MOVE = [
    (Status.INFO_RECEIVED, None, "Shipment information received"),
    (Status.IN_TRANSIT, "in_transit.picked_up", "Picked up"),
    (Status.IN_TRANSIT, "in_transit.departed", "Departed facility"),
    (Status.IN_TRANSIT, "in_transit.arrived", "Arrived at facility"),
    (Status.IN_TRANSIT, "in_transit.departed", "Departed facility"),
    (Status.IN_TRANSIT, "in_transit.arrived", "Arrived at sort facility"),
    (Status.IN_TRANSIT, "in_transit.departed", "In transit to destination"),
    (Status.IN_TRANSIT, "in_transit.arrived", "Arrived at local delivery facility"),
    (Status.OUT_FOR_DELIVERY, None, "Out for delivery"),
]
DELIVERED = (Status.DELIVERED, "delivered.left_safe_place", "Delivered, left at front door")
ODD = {
    "damaged": (Status.IN_TRANSIT, "in_transit.arrived", "Paket beschädigt, nachverpackt"),
    "customs": (Status.EXCEPTION, "exception.customs_hold", "Held by customs"),
    "duties": (
        Status.EXCEPTION,
        "exception.held_for_payment",
        "Import duties of EUR 23,50 due by 2026-06-20",
    ),
    "attempts": (
        Status.DELIVERY_ATTEMPTED,
        "delivery_attempted.recipient_unavailable",
        "Customer not available",
    ),
    "lost": (Status.EXCEPTION, "exception.lost", "Shipment cannot be located"),
    "returned": (Status.RETURNING, "returning.to_sender", "Returning to sender"),
}
# (scenario, share): most of a store is history, delivered; about a quarter of the
# shipments end with an anomaly (late or delivered late, stalled, an exception...).
SCENARIOS = [
    ("delivered", 0.62),
    ("delivered_late", 0.06),
    ("moving", 0.16),
    ("stalled", 0.05),
    ("damaged", 0.02),
    ("customs", 0.02),
    ("duties", 0.02),
    ("attempts", 0.02),
    ("lost", 0.01),
    ("returned", 0.01),
    ("regression", 0.01),
]


def _event(at: datetime, step: tuple[Status, str | None, str], offset: int, country: str) -> TrackingEvent:
    status, sub, text = step
    return TrackingEvent.trusted(
        occurred_at=at,
        local_time=(at + timedelta(minutes=offset)).replace(tzinfo=None),
        utc_offset_minutes=offset,
        tz_source=TrackingEvent.model_fields["tz_source"].default,
        status=status,
        substatus=sub,
        carrier_code=None,
        description=text,
        location=Location(city="HUB", country=country),
        source=TrackingEvent.model_fields["source"].default,
    )


def timeline(
    rng: random.Random, scenario: str, k: int, lane: tuple[str, str, str, int]
) -> tuple[list[TrackingEvent], date]:
    """``k`` events of one scenario, and the promised date."""
    _, origin, dest, offset = lane
    if scenario == "stalled":
        end = NOW - timedelta(days=rng.uniform(12, 40))
    elif scenario in ("moving", "customs", "duties", "attempts", "returned"):
        end = NOW - timedelta(hours=rng.uniform(1, 30) if scenario == "moving" else rng.uniform(100, 200))
    else:
        end = NOW - timedelta(days=rng.uniform(1, 50))
    gaps = [timedelta(hours=rng.uniform(2, 14)) for _ in range(k - 1)]
    start = end - sum(gaps, timedelta())
    times = [start]
    for gap in gaps:
        times.append(times[-1] + gap)
    steps = [MOVE[min(i, len(MOVE) - 2)] for i in range(k)]
    if scenario in ("delivered", "delivered_late", "regression"):
        steps[-1] = DELIVERED
        if scenario == "regression":
            steps[-2], steps[-1] = DELIVERED, MOVE[3]
    elif scenario in ODD:
        steps[-1] = ODD[scenario]
        if scenario == "attempts":
            steps[-3] = ODD[scenario]
            times[-3] -= timedelta(days=1)
    events = [
        _event(at, step, offset if i >= k // 2 else 0, dest if i >= k // 2 else origin)
        for i, (at, step) in enumerate(zip(times, steps, strict=True))
    ]
    slack = -2 if scenario == "delivered_late" else rng.randint(1, 5)
    return events, (times[-1] + timedelta(days=slack)).date()


def build(n: int, k: int, seed: int = 11) -> Iterator[tuple[ShipmentUpdate, tuple[str, str, str, date, str]]]:
    rng = random.Random(seed)
    names = [name for name, _ in SCENARIOS]
    weights = [share for _, share in SCENARIOS]
    for i in range(n):
        lane = LANES[i % len(LANES)]
        scenario = rng.choices(names, weights)[0]
        events, promised = timeline(rng, scenario, k, lane)
        # One shipment in ten has a carrier estimate; one in thirty sees it slip later.
        eta = events[-1].occurred_at + timedelta(days=1) if i % 10 == 0 else None
        number = f"BENCH{i:09d}"
        update = ShipmentUpdate(
            carrier=lane[0], tracking_number=number, events=tuple(events), estimated_delivery=eta
        )
        yield update, (lane[1], lane[2], SERVICES[i % len(SERVICES)], promised, scenario)


async def fill(url: str, n: int, k: int) -> Counter[str]:
    store = await Store.open(url)
    scenarios: Counter[str] = Counter()
    facts = []
    slipped = []
    try:
        batch: list[IngestItem] = []
        for update, (origin, dest, service, promised, scenario) in build(n, k):
            scenarios[scenario] += 1
            facts.append(
                (origin, dest, service, promised.isoformat(), update.carrier, update.tracking_number)
            )
            if update.estimated_delivery is not None and int(update.tracking_number[5:]) % 30 == 0:
                later = update.estimated_delivery + timedelta(days=3)
                slipped.append(
                    ShipmentUpdate(
                        carrier=update.carrier,
                        tracking_number=update.tracking_number,
                        estimated_delivery=later,
                    )
                )
            batch.append(IngestItem([update]))
            if len(batch) == 2000:
                await store.ingest(batch)
                batch = []
        if batch:
            await store.ingest(batch)
        await store.ingest([IngestItem(slipped)])
    finally:
        await store.close()
    path = url.split(":///", 1)[1]
    with sqlite3.connect(path) as conn:  # facts the ingest does not carry: one bulk update
        conn.executemany(
            "UPDATE shipments SET origin_country = ?, destination_country = ?, service = ?, promised_delivery = ?"
            " WHERE carrier = ? AND tracking_number = ?",
            facts,
        )
    return scenarios


def raw_read(path: str) -> float:
    conn = sqlite3.connect(path)
    t0 = time.perf_counter()
    rows = conn.execute(
        "SELECT id, shipment_id, occurred_at, status, substatus, description, country, utc_offset_minutes FROM events"
    ).fetchall()
    elapsed = time.perf_counter() - t0
    conn.close()
    assert rows
    return elapsed


async def timed(url: str, profile: bool, label: str) -> tuple[float, float, EvaluationResult]:
    """(wall seconds, CPU seconds of this process, result) of one evaluation."""
    store = await Store.open(url)
    try:
        profiler = cProfile.Profile() if profile else None
        t0, c0 = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = await evaluate(store, NOW)
        if profiler:
            profiler.disable()
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        await store.close()
    if profiler:
        print(f"--- profile: {label}", file=sys.stderr)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    return elapsed, cpu, result


async def touch(url: str, n: int, fraction: float, offset: int = 0) -> int:
    """A new delivery scan for every ``1/fraction``-th shipment (from ``offset``), through
    the ingest."""
    store = await Store.open(url)
    step = round(1 / fraction)
    updates = []
    for i in range(offset, n, step):
        lane = LANES[i % len(LANES)]
        at = NOW - timedelta(minutes=30)
        updates.append(
            ShipmentUpdate(
                carrier=lane[0],
                tracking_number=f"BENCH{i:09d}",
                # The most common news: a delivery (a repeated proof of delivery for a
                # shipment delivered already).
                events=(_event(at, DELIVERED, lane[3], lane[2]),),
            )
        )
    try:
        result = await store.ingest([IngestItem(updates)])
    finally:
        await store.close()
    return result.new_events


async def kinds(url: str) -> dict[str, int]:
    store = await Store.open(url)
    try:
        return dict(Counter(a.kind.value for a in await open_anomalies(store)))
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shipments", type=int, default=100_000)
    parser.add_argument("--events-per-shipment", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="cProfile both passes (to stderr)")
    parser.add_argument("--phases", action="store_true", help="time of each phase of each pass (to stderr)")
    args = parser.parse_args()
    if args.phases:
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        logging.getLogger("claims.evaluation").setLevel(logging.DEBUG)
    n, k = args.shipments, args.events_per_shipment
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/rules.db"
        url = f"sqlite+aiosqlite:///{path}"
        t0 = time.perf_counter()
        scenarios = asyncio.run(fill(url, n, k))
        print(
            f"store filled: {n:,} shipments, {n * k:,} events in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
        raw_s = raw_read(path)
        full_s, full_cpu, full = asyncio.run(timed(url, args.profile, "full"))
        assert full.evaluated_shipments == n, full
        print(f"full pass: {full} in {full_s:.2f} s ({full_cpu:.2f} s CPU)", file=sys.stderr)
        # Three rounds, each giving a different 1% a new event: the median is reported.
        rounds = []
        for offset in range(ROUNDS):
            touched = asyncio.run(touch(url, n, 0.01, offset))
            incr_s, incr_cpu, incr = asyncio.run(timed(url, args.profile, "incremental"))
            assert incr.evaluated_shipments == touched, (incr, touched)
            print(f"incremental pass: {incr} in {incr_s:.3f} s ({incr_cpu:.3f} s CPU)", file=sys.stderr)
            rounds.append((incr_s, incr_cpu, incr))
        incr_s, incr_cpu, incr = sorted(rounds, key=lambda r: r[0])[ROUNDS // 2]
        found = asyncio.run(kinds(url))
    print(f"scenarios: {dict(scenarios)}", file=sys.stderr)
    print(f"open anomalies: {found}", file=sys.stderr)
    print(
        json.dumps(
            {
                "full_shipments_per_s": round(n / full_s),
                "incremental_speedup": round(full_s / incr_s, 1),
                "incremental_shipments_per_s": round(incr.evaluated_shipments / incr_s),
                "full_s": round(full_s, 3),
                "incremental_s": round(incr_s, 4),
                "full_cpu_s": round(full_cpu, 3),
                "incremental_cpu_s": round(incr_cpu, 4),
                "full_shipments_per_cpu_s": round(n / full_cpu),
                "raw_read_s": round(raw_s, 3),
                "full_vs_raw_read": round(full_s / raw_s, 2),
                "shipments": n,
                "events": n * k,
                "incremental_shipments": incr.evaluated_shipments,
                "incremental_runs_s": [round(r[0], 4) for r in rounds],
                "opened_full": full.opened,
                "open_anomalies": sum(found.values()),
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
