"""A store with very many shipments, written straight into the tables in bulk.

100,000 ``Store.add`` calls would take minutes; the parcels table's paging only needs rows
that look like what the ingest writes: shipments with a state, their events, a few open
anomalies. Deterministic for a seed, so tests can compute what a page must hold.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from parcel_watch.status import Status
from parcel_watch.store import Store
from parcel_watch.store.schema import anomalies, events, shipments

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CARRIERS = ("ups", "fedex", "dhl", "usps", "royalmail", "laposte")
STATUSES = (
    Status.IN_TRANSIT,
    Status.IN_TRANSIT,
    Status.DELIVERED,
    Status.DELIVERED,
    Status.DELIVERED,
    Status.OUT_FOR_DELIVERY,
    Status.EXCEPTION,
    Status.DELIVERY_ATTEMPTED,
    Status.INFO_RECEIVED,
    Status.PENDING,
)
PLACES = (("LEIPZIG", "DE"), ("MEMPHIS", "US"), ("SHENZHEN", "CN"), ("ROISSY", "FR"), (None, None))
KINDS = ("stalled", "late", "customs_hold", "damaged")
BATCH = 10_000


def shipment_rows(
    n: int, seed: int = 5
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(shipments, events, anomalies) as column dicts; shipment ``i`` has id ``i + 1``."""
    rng = random.Random(seed)
    ships: list[dict[str, Any]] = []
    evs: list[dict[str, Any]] = []
    opens: list[dict[str, Any]] = []
    for i in range(n):
        sid = i + 1
        status = STATUSES[i % len(STATUSES)]
        scanned = status is not Status.PENDING
        last = NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 40)) if scanned else None
        ships.append(
            {
                "id": sid,
                "carrier": CARRIERS[i % len(CARRIERS)],
                "tracking_number": f"PW{i:010d}",
                "carrier_source": "detected",
                "label": f"Order {i % 997} item {i}" if i % 3 else None,
                "order_ref": f"ORD-{i:06d}" if i % 5 == 0 else None,
                "status": status.value,
                "last_event_at": last,
                "estimated_delivery": NOW + timedelta(days=rng.randrange(-3, 6)) if i % 4 == 0 else None,
                "promised_delivery": date(2026, 11, 28) + timedelta(days=rng.randrange(0, 6))
                if i % 6 == 0
                else None,
                "archived_at": NOW if i % 50 == 49 else None,
                "created_at": NOW - timedelta(days=41),
                "updated_at": NOW,
            }
        )
        if last is not None:
            city, country = PLACES[i % len(PLACES)]
            for back, text in ((timedelta(hours=9), "Picked up"), (timedelta(0), f"Scan {i}")):
                evs.append(
                    {
                        "shipment_id": sid,
                        "dedupe_key": len(evs),
                        "occurred_at": last - back,
                        "tz_source": "carrier_utc_field",
                        "status": status.value,
                        "description": text,
                        "city": city,
                        "country": country,
                        "source": "poll",
                        "received_at": NOW,
                    }
                )
        if i % 7 == 3:
            kind = KINDS[i % len(KINDS)]
            opens.append(
                {
                    "shipment_id": sid,
                    "kind": kind,
                    "state": "open",
                    "since": NOW,
                    "opened_at": NOW,
                    "updated_at": NOW,
                    "details": "{}",
                    "evidence": "[]",
                }
            )
    return ships, evs, opens


async def fill(url: str, n: int, seed: int = 5) -> None:
    """Migrate the store at ``url`` and write ``n`` shipments into it."""
    ships, evs, opens = shipment_rows(n, seed)
    async with await Store.open(url) as store, store.writing() as conn:
        for table, rows in ((shipments, ships), (events, evs), (anomalies, opens)):
            for start in range(0, len(rows), BATCH):
                await conn.execute(insert(table), rows[start : start + BATCH])
