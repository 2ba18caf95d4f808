"""Scale-out benchmark: polling throughput with 1, 2 and 4 ``parcel-watch worker`` processes on
one PostgreSQL store against the counting sandbox (its own process), each worker's
concurrency capped at 8 and every answer delayed by ``--latency-ms`` (20 ms), so one worker
is bound by latency and more workers show the cost of leasing and coordination.

Per run: a fresh database, N UPS shipments (one number per request) all falling due at the
same instant a few seconds after the workers start, so process start-up is not timed.
Throughput is read from the sandbox's own request log: first request to last answer.

  shipments_per_s       {workers: shipments/s}; speedup_2, speedup_4 against one worker
  raw_per_s             the baseline in the same run: plain aiohttp GETs of the same numbers
                        at concurrency 8 x workers, nothing parsed or stored
  cpu_busy              share of the machine's CPU time busy during each run (/proc/stat):
                        near 1.0 the run is bound by this machine's cores, not by latency
  rate_limit_violations seconds in which the sandbox saw more requests than the shared rate,
                        over every run, including a run where 4 workers share a rate of
                        ``--limit`` requests/s that binds them (its busiest second is shown)
  slow                  the same scaling with answers after ``--slow-latency-ms`` (200 ms):
                        fewer requests per second, so the cores no longer decide
Goal: speedup_2 >= 1.8, speedup_4 >= 3.2, rate_limit_violations == 0. Last line: one JSON object.

Needs PostgreSQL: $PARCEL_WATCH_TEST_PG_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test).
Usage: python benchmarks/scale.py [--shipments N] [--latency-ms 20] [--rate 2000] [--limit 60]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from carriers.sandbox.counting import busiest_seconds, numbers, violations
from parcel_watch.store import Store
from parcel_watch.store.schema import shipments
from tests.workers.processes import WorkerProcess, counting_sandbox
from tests.workers.support import add_shipments

PG_ENV = "PARCEL_WATCH_TEST_PG_URL"
DB = "pw_bench_scale"
START_IN_S = 4.0  # workers start, then everything falls due at once


def cpu_times() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


async def fresh_store(admin_url: str) -> tuple[Store, str]:
    dsn = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{DB}"')
    finally:
        await admin.close()
    url = admin_url.rsplit("/", 1)[0] + f"/{DB}"
    return await Store.open(url), url


async def polled(store: Store) -> int:
    async with store.reading() as conn:
        query = select(func.count()).where(shipments.c.polled_at.is_not(None))
        return int((await conn.execute(query)).scalar_one())


async def sandbox_log(url: str, *, clear: bool = False) -> list[list[Any]]:
    async with aiohttp.ClientSession() as http:
        method = http.delete if clear else http.get
        async with method(f"{url}/_sandbox/requests") as resp:
            return [] if clear else list(await resp.json())


async def one_run(
    admin_url: str, sandbox: str, tmp: Path, workers: int, n: int, rate: float
) -> dict[str, Any]:
    store, url = await fresh_store(admin_url)
    due = datetime.now(UTC) + timedelta(seconds=START_IN_S)
    await add_shipments(store, {"ups": n}, due_at=due)
    await sandbox_log(sandbox, clear=True)
    options = ["--concurrency=8", f"--rate=ups={rate:g}"]
    procs = [WorkerProcess(tmp, f"w{workers}-{i}", url, sandbox, options) for i in range(workers)]
    try:
        await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))
        busy0, total0 = cpu_times()
        deadline = time.monotonic() + 600
        while await polled(store) < n:
            if time.monotonic() > deadline or not all(p.alive() for p in procs):
                raise RuntimeError(f"run with {workers} workers did not finish")
            await asyncio.sleep(0.1)
        busy1, total1 = cpu_times()
    finally:
        for p in procs:
            if p.alive():
                p.stop()
        await store.close()
    log = await sandbox_log(sandbox)
    first, last = min(e[0] for e in log), max(e[1] for e in log)
    return {
        "per_s": round(n / (last - first), 1),
        "requests": len(log),
        "cpu_busy": round((busy1 - busy0) / max(1, total1 - total0), 2),
        "violations": violations(log, {"ups": rate}),
        "busiest_second": busiest_seconds(log).get("ups", 0),
    }


async def raw_baseline(sandbox: str, concurrency: int, n: int) -> float:
    """Plain GETs at the given concurrency: what the sandbox and loopback can serve."""
    todo = iter(numbers("ups", n))

    async with aiohttp.ClientSession() as http:
        basic = {"Authorization": "Basic " + base64.b64encode(b"sandbox:sandbox").decode()}
        async with http.post(
            f"{sandbox}/security/v1/oauth/token", data={"grant_type": "client_credentials"}, headers=basic
        ) as resp:
            auth = {"Authorization": f"Bearer {(await resp.json())['access_token']}"}

        async def lane() -> None:
            for number in todo:
                async with http.get(f"{sandbox}/api/track/v1/details/{number}", headers=auth) as resp:
                    await resp.read()

        start = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(concurrency)))
        return round(n / (time.perf_counter() - start), 1)


async def series(
    args: argparse.Namespace, admin_url: str, tmp: Path, latency_ms: float, n: int
) -> dict[str, Any]:
    with counting_sandbox(tmp, n, latency_ms, ("ups",)) as sandbox:
        runs = {k: await one_run(admin_url, sandbox, tmp, k, n, args.rate) for k in (1, 2, 4)}
        raw = {k: await raw_baseline(sandbox, 8 * k, n) for k in (1, 2, 4)}
    base = runs[1]["per_s"]
    return {
        "latency_ms": latency_ms,
        "shipments": n,
        "shipments_per_s": {k: r["per_s"] for k, r in runs.items()},
        "speedup_2": round(runs[2]["per_s"] / base, 2),
        "speedup_4": round(runs[4]["per_s"] / base, 2),
        "raw_per_s": raw,
        "cpu_busy": {k: r["cpu_busy"] for k, r in runs.items()},
        "violations": sum(r["violations"] for r in runs.values()),
    }


async def limit_run(args: argparse.Namespace, admin_url: str, tmp: Path) -> dict[str, Any]:
    n = int(args.limit * 15)  # ~15 s at the limit
    with counting_sandbox(tmp, n, args.latency_ms, ("ups",)) as sandbox:
        run = await one_run(admin_url, sandbox, tmp, 4, n, args.limit)
    return {"limit": args.limit, "shipments": n, **run}


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shipments", type=int, default=3000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--slow-latency-ms", type=float, default=200.0)
    parser.add_argument("--rate", type=float, default=2000.0, help="the shared rate in the scaling runs")
    parser.add_argument("--limit", type=float, default=60.0, help="a rate that binds 4 workers")
    args = parser.parse_args()
    admin_url = os.environ.get(PG_ENV, "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    tmp = Path(tempfile.mkdtemp(prefix="pw-scale-"))
    fast = await series(args, admin_url, tmp, args.latency_ms, args.shipments)
    print(json.dumps(fast), flush=True)
    slow_n = max(200, int(8 / (args.slow_latency_ms / 1000) * 12))  # ~12 s for one worker
    slow = await series(args, admin_url, tmp, args.slow_latency_ms, slow_n)
    print(json.dumps(slow), flush=True)
    limited = await limit_run(args, admin_url, tmp)
    print(json.dumps(limited), flush=True)
    result = {
        "speedup_2": fast["speedup_2"],
        "speedup_4": fast["speedup_4"],
        "rate_limit_violations": fast["violations"] + slow["violations"] + limited["violations"],
        "latency_ms": args.latency_ms,
        "shipments_per_s": fast["shipments_per_s"],
        "raw_per_s": fast["raw_per_s"],
        "cpu_busy": fast["cpu_busy"],
        "slow": {k: slow[k] for k in ("latency_ms", "shipments_per_s", "speedup_2", "speedup_4", "cpu_busy")},
        "limit_run": {k: limited[k] for k in ("limit", "busiest_second", "violations", "per_s")},
        "cores": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
