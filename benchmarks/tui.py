"""Dashboard benchmark: the parcels screen over 100,000 shipments, headless, in Pilot.

The store is a fresh SQLite file (migrated by ``Store.open``) filled with plain ``sqlite3``
bulk inserts: 100,000 shipments (2% archived), 3 events each, an open anomaly on one in
twenty. Not timed: building the store.

Timed, at 120×36:
  first_paint_s  from creating the app to the first paint that shows the table's rows
                 (store opened, list counted, first page read and rendered)
  page_down_ms   mean time of 100 page-down presses, each from the key event to the paint
                 of the new rows (the pages under and around the screen read); the key is
                 posted as Pilot posts it, without Pilot's wait-for-idle sleeps
  pilot_press_ms the same 100 presses through ``pilot.press`` (what a test sees), next to
                 pilot_noop_press_ms, ``pilot.press`` of a key bound to nothing: Pilot's own
                 floor, about two idle-detection sleeps per key
  peak_mb        peak resident set size of the process (ru_maxrss), store build included
In the same run, the raw baseline with plain ``sqlite3``: the first page of 200 rows
(raw_first_page_ms), and the 100 screens of rows the page-downs show, one query each, with
each row's newest event (raw_page_ms, mean per screen).
Goals: first paint < 1.5 s, page-down < 50 ms, peak < 400 MB. Last line: one JSON object.

Usage: python benchmarks/tui.py [--shipments N] [--presses K]
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
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual import events

from parcel_watch.store import Store
from parcel_watch.store.types import utc_to_micros

# Run as a script, this file's folder heads sys.path, and this file (tui.py) would shadow
# the tui package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
from tui.app import ParcelWatchApp
from tui.context import DashboardContext
from tui.widgets.parcel_table import ParcelTable

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SIZE = (120, 36)
CARRIERS = ["ups", "fedex", "dhl", "usps", "royalmail", "laposte", "dpd", "canadapost"]
STEPS = [  # (status, substatus, description)
    ("INFO_RECEIVED", None, "Shipment information received"),
    ("IN_TRANSIT", "in_transit.departed", "Departed facility"),
    ("IN_TRANSIT", "in_transit.arrived", "Arrived at local delivery facility"),
    ("OUT_FOR_DELIVERY", None, "Out for delivery"),
    ("DELIVERED", "delivered.left_safe_place", "Delivered, left at front door"),
    ("EXCEPTION", "exception.customs_hold", "Held by customs"),
]
CITIES = [("LEIPZIG", "DE"), ("MEMPHIS", "US"), ("SHENZHEN", "CN"), ("ROISSY", "FR"), ("TORONTO", "CA")]
KINDS = ["late", "stalled", "customs_hold", "eta_slipped"]
BATCH = 10_000


def rows(
    n: int, seed: int = 3
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Batches of (shipments, events, anomalies) as tuples in the driver's form."""
    rng = random.Random(seed)
    now = utc_to_micros(NOW)
    hour = 3_600_000_000
    for start in range(0, n, BATCH):
        ships, evs, opens = [], [], []
        for i in range(start, min(start + BATCH, n)):
            sid, carrier = i + 1, CARRIERS[i % len(CARRIERS)]
            last_step = rng.choice([1, 2, 3, 4, 4, 4, 5])
            last = now - rng.randrange(1, 24 * 45) * hour
            status, substatus, _ = STEPS[last_step]
            eta = last + 48 * hour if i % 3 == 0 else None
            promised = (
                (NOW - timedelta(days=rng.randrange(-5, 30))).date().isoformat() if i % 4 == 0 else None
            )
            ships.append(
                (
                    sid,
                    carrier,
                    f"{carrier.upper()}{i:012d}",
                    "detected",
                    status,
                    substatus,
                    f"Order {i % 9973}",
                    f"SO-{i:07d}",
                    last,
                    eta,
                    promised,
                    now if i % 50 == 0 else None,
                    now,
                    now,
                )
            )
            for back, step in enumerate((last_step - 2, last_step - 1, last_step)):
                s, sub, text = STEPS[max(step, 0)]
                city, country = CITIES[(i + back) % len(CITIES)]
                at = last - (2 - back) * 7 * hour
                evs.append(
                    (sid, i * 4 + back, at, "carrier_utc_field", s, sub, text, city, country, "poll", now)
                )
            if i % 20 == 7:
                opens.append((sid, KINDS[i % len(KINDS)], "open", now, now, now, "{}", "[]"))
        yield ships, evs, opens


def build(path: Path, n: int) -> None:
    async def migrate() -> None:
        await (await Store.open(f"sqlite+aiosqlite:///{path}")).close()

    asyncio.run(migrate())
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for ships, evs, opens in rows(n):
        conn.executemany(
            "INSERT INTO shipments (id, carrier, tracking_number, carrier_source, status, substatus, label,"
            " order_ref, last_event_at, estimated_delivery, promised_delivery, archived_at, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ships,
        )
        conn.executemany(
            "INSERT INTO events (shipment_id, dedupe_key, occurred_at, tz_source, status, substatus,"
            " description, city, country, source, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            evs,
        )
        conn.executemany(
            "INSERT INTO anomalies (shipment_id, kind, state, since, opened_at, updated_at, details, evidence)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            opens,
        )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


RAW_PAGE = (
    "SELECT s.id, s.label, s.tracking_number, s.carrier, s.status, s.substatus, s.last_event_at,"
    " s.estimated_delivery, s.promised_delivery,"
    " (SELECT e.description FROM events e WHERE e.shipment_id = s.id ORDER BY e.occurred_at DESC LIMIT 1)"
    " FROM shipments s WHERE s.archived_at IS NULL"
    " ORDER BY s.last_event_at DESC, s.id DESC LIMIT ? OFFSET ?"
)


def raw_baseline(path: Path, screen: int, presses: int) -> tuple[float, float]:
    """(ms for the first page of 200, mean ms per screen of rows for ``presses`` screens)."""
    conn = sqlite3.connect(path)
    t0 = time.perf_counter()
    assert len(conn.execute(RAW_PAGE, (200, 0)).fetchall()) == 200
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for k in range(1, presses + 1):
        conn.execute(RAW_PAGE, (screen, k * screen)).fetchall()
    pages = time.perf_counter() - t0
    conn.close()
    return first * 1000, pages / presses * 1000


async def settled(table: ParcelTable) -> None:
    while not table.settled:
        await asyncio.sleep(0)


async def dashboard(path: Path, presses: int) -> dict[str, Any]:
    async def open_ctx() -> DashboardContext:
        return DashboardContext(await Store.open(f"sqlite+aiosqlite:///{path}"), clock=lambda: NOW)

    t0 = time.perf_counter()
    app = ParcelWatchApp(open_ctx)
    async with app.run_test(size=SIZE) as pilot:
        while not app.screen.query(ParcelTable):
            await asyncio.sleep(0)
        table = app.screen.query_one(ParcelTable)
        await settled(table)
        await pilot.pause(0)  # paints now
        first_paint = time.perf_counter() - t0
        assert table.total and table.current is not None
        fetched_at_start = table.rows_fetched
        body = table.scrollable_content_region.height - 1

        t0 = time.perf_counter()
        for k in range(1, presses + 1):
            app.post_message(events.Key("pagedown", None))
            while table.cursor != k * body:
                await asyncio.sleep(0)
            await settled(table)
            await pilot.pause(0)
        page_down = (time.perf_counter() - t0) / presses

        t0 = time.perf_counter()
        for _ in range(presses):
            await pilot.press("pagedown")
        await settled(table)
        pilot_press = (time.perf_counter() - t0) / presses
        t0 = time.perf_counter()
        for _ in range(presses):
            await pilot.press("z")
        pilot_noop = (time.perf_counter() - t0) / presses

        t0 = time.perf_counter()
        app.post_message(events.Key("end", None))
        while table.cursor != table.total - 1:
            await asyncio.sleep(0)
        await settled(table)
        await pilot.pause(0)
        end = time.perf_counter() - t0
        assert table.current is not None
        return {
            "first_paint_s": round(first_paint, 3),
            "page_down_ms": round(page_down * 1000, 2),
            "end_ms": round(end * 1000, 1),
            "pilot_press_ms": round(pilot_press * 1000, 1),
            "pilot_noop_press_ms": round(pilot_noop * 1000, 1),
            "rows_on_screen": body,
            "rows_fetched_first_paint": fetched_at_start,
            "rows_fetched": table.rows_fetched,
            "rows_listed": table.total,
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shipments", type=int, default=100_000)
    parser.add_argument("--presses", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tui.db"
        t0 = time.perf_counter()
        build(path, args.shipments)
        print(
            f"store filled: {args.shipments:,} shipments in {time.perf_counter() - t0:.1f} s", file=sys.stderr
        )
        figures = asyncio.run(dashboard(path, args.presses))
        raw_first, raw_page = raw_baseline(path, figures["rows_on_screen"], args.presses)
    print(
        f"first paint {figures['first_paint_s']:.2f} s; page-down {figures['page_down_ms']:.1f} ms"
        f" (raw sqlite3 screen {raw_page:.2f} ms); pilot.press {figures['pilot_press_ms']:.1f} ms"
        f" of which Pilot's floor {figures['pilot_noop_press_ms']:.1f} ms;"
        f" {figures['rows_fetched']:,} of {figures['rows_listed']:,} rows read",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "first_paint_s": figures["first_paint_s"],
                "page_down_ms": figures["page_down_ms"],
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "peak_mb_is": "rss",
                **{k: v for k, v in figures.items() if k not in ("first_paint_s", "page_down_ms")},
                "raw_first_page_ms": round(raw_first, 2),
                "raw_page_ms": round(raw_page, 3),
                "shipments": args.shipments,
            }
        )
    )


if __name__ == "__main__":
    main()
