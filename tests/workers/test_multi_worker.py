"""Four worker processes on PostgreSQL share the shipments while workers are killed
(SIGKILL), stopped (SIGTERM) and added: every shipment is polled, none twice within a lease,
and the sandbox never sees more requests in a second than the shared rate allows.

CI runs 6,000 shipments (about 40 s on two cores); the issue's 50,000 is the same test
with PARCEL_WATCH_MULTI_WORKER_SHIPMENTS=50000 (about four minutes here)."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from carriers.sandbox.counting import NUMBER_PREFIX, busiest_seconds, violations
from parcel_watch.store import Store
from parcel_watch.store.schema import events, shipments
from tests.workers.processes import WorkerProcess, counting_sandbox
from tests.workers.support import add_shipments

SHIPMENTS = int(os.environ.get("PARCEL_WATCH_MULTI_WORKER_SHIPMENTS", "6000"))
RATES = {"ups": 120.0, "usps": 120.0, "dhl": 120.0}
LEASE_S, TIMEOUT_S = 8.0, 3.0
OPTIONS = ["--lease-seconds", str(LEASE_S), "--request-timeout", str(TIMEOUT_S)]
OPTIONS += [f"--rate={api}={rate:g}" for api, rate in RATES.items()]


async def counts(store: Store) -> tuple[int, int]:
    async with store.reading() as conn:
        polled = select(func.count()).where(
            shipments.c.polled_at.is_not(None), shipments.c.poll_error.is_(None)
        )
        held = select(func.count()).where(shipments.c.lease_owner.is_not(None))
        return int((await conn.execute(polled)).scalar_one()), int((await conn.execute(held)).scalar_one())


async def test_four_workers_share_the_shipments_through_kills_and_joins(pg_url: str, tmp_path: Path) -> None:
    store = await Store.open(pg_url)
    per_api = {api: SHIPMENTS // len(NUMBER_PREFIX) for api in NUMBER_PREFIX}
    total = await add_shipments(store, per_api)
    with counting_sandbox(tmp_path, SHIPMENTS) as url:
        workers = [WorkerProcess(tmp_path, f"w{i}", pg_url, url, OPTIONS) for i in range(4)]
        script = [  # (share polled, what happens)
            (0.15, "kill w0"),
            (0.25, "start w4"),
            (0.40, "kill w1"),
            (0.55, "stop w2"),
            (0.60, "start w5"),
            (0.75, "kill w4"),
        ]
        killed, summaries, started = 0, [], time.monotonic()
        while True:
            done, _ = await counts(store)
            while script and done >= script[0][0] * total:
                what, name = script.pop(0)[1].split()
                if what == "start":
                    workers.append(WorkerProcess(tmp_path, name, pg_url, url, OPTIONS))
                else:
                    (w,) = [w for w in workers if w.name == name]
                    if what == "kill":
                        w.kill()
                        killed += 1
                    else:
                        summaries.append(w.stop())
            if done == total:
                break
            assert time.monotonic() - started < SHIPMENTS / 20, f"only {done} of {total} polled"
            for w in workers:
                assert w.alive() or w.name in ("w0", "w1", "w2", "w4"), w.err_path.read_text()[-2000:]
            await asyncio.sleep(0.2)
        elapsed = time.monotonic() - started
        for w in workers:
            if w.alive():
                summaries.append(w.stop())
        async with aiohttp.ClientSession() as http, http.get(f"{url}/_sandbox/requests") as resp:
            log = await resp.json()

    polled, held = await counts(store)
    assert polled == total and held == 0  # all polled; every lease ended or was handed back
    asked = Counter(number for *_, number in log)
    assert len(asked) == total
    # A killed worker's requests in flight were answered but never stored: those shipments
    # are asked again, but only once their lease has ended (never twice within one lease).
    first_seen: dict[str, float] = {}
    again = 0
    for arrived, _, _, number in sorted(log):
        if number in first_seen:
            again += 1
            assert arrived - first_seen[number] >= TIMEOUT_S, number
        first_seen[number] = arrived
    assert again <= killed * 3 * 8 * 2  # at most the requests in flight of the killed workers
    assert violations(log, RATES) == 0, busiest_seconds(log)
    assert sum(s["polled"] for s in summaries) > 0
    async with store.reading() as conn:
        stored = (await conn.execute(select(func.count()).select_from(events))).scalar_one()
    assert stored > total  # every journey has several scans, each stored once (unique key)
    print(
        f"\n{total} shipments, {len(log)} requests ({again} again after a kill), {elapsed:.0f} s, "
        f"busiest seconds {busiest_seconds(log)}, {stored} events"
    )
    await store.close()
