"""Carrier report benchmark: ``carrier_report`` over 200,000 shipments / 2,000,000 events on
SQLite and PostgreSQL, against a raw baseline in the same run.

The store (mixed lanes and services over 18 months, 10 events a shipment, 80 % delivered,
first estimates, stalled/lost/damaged anomalies, claims) is generated once, in a child
process, and cached: ``benchmarks/.cache/report_<N>.db`` and the PostgreSQL database
``pw_bench_report_<N>`` on the server of $PARCEL_WATCH_TEST_PG_URL (skipped without it).
The measuring process never builds a store, so its peak RSS is the report's.

  sqlite_s, postgres_s   best of three reports grouped by carrier (each a fresh read)
  month_sqlite_s         the same grouped by carrier and month
  raw_sqlite_s, raw_postgres_s   the baseline: one plain GROUP BY carrier over the same
                         events joined to their shipments (count, delivered), no Python
  peak_mb                peak resident set size of the measuring process (ru_maxrss)
Goals: sqlite_s < 3, peak_mb < 300. Last line: one JSON object.

Usage: python benchmarks/report.py [--shipments N] [--rebuild]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import asyncpg

from parcel_watch.store import Store
from parcel_watch.views.carrier_report import By, carrier_report

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
PG_ENV = "PARCEL_WATCH_TEST_PG_URL"
RAW = (
    "SELECT s.carrier, count(*), sum(CASE WHEN e.status = 'DELIVERED' THEN 1 ELSE 0 END) "
    "FROM events e JOIN shipments s ON s.id = e.shipment_id GROUP BY s.carrier"
)


def pg_admin() -> str | None:
    url = os.environ.get(PG_ENV)
    return url.replace("postgresql+asyncpg://", "postgresql://") if url else None


def pg_url(admin: str, name: str) -> str:
    server = admin.split("://", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+asyncpg://{server}/{name}"


def ensure_built(n: int, rebuild: bool) -> tuple[Path, str | None]:
    """Build what is not cached yet, in a child process (its memory is not ours)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"report_{n}.db"
    admin = pg_admin()
    urls = [f"sqlite+aiosqlite:///{path}"]
    pg = pg_url(admin, f"pw_bench_report_{n}") if admin else None
    if pg:
        urls.append(pg)
    for url in urls:
        command = [sys.executable, str(HERE / "report_data.py"), url, str(n)] + (
            ["--rebuild"] if rebuild else []
        )
        subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    return path, pg


async def timed_report(url: str, by: By, runs: int = 3) -> tuple[float, int]:
    store = await Store.open(url)
    try:
        best, rows = float("inf"), 0
        for _ in range(runs):
            t0 = time.perf_counter()
            report = await carrier_report(store, by=by)
            best = min(best, time.perf_counter() - t0)
            rows = len(report.rows)
            assert sum(r.shipments for r in report.rows) > 0
        return best, rows
    finally:
        await store.close()


def raw_sqlite(path: Path) -> float:
    conn = sqlite3.connect(path)
    try:
        t0 = time.perf_counter()
        conn.execute(RAW).fetchall()
        return time.perf_counter() - t0
    finally:
        conn.close()


async def raw_postgres(url: str) -> float:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        t0 = time.perf_counter()
        await conn.fetch(RAW)
        return time.perf_counter() - t0
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shipments", type=int, default=200_000)
    parser.add_argument("--rebuild", action="store_true", help="build the cached stores again")
    args = parser.parse_args()
    path, pg = ensure_built(args.shipments, args.rebuild)
    sqlite_url = f"sqlite+aiosqlite:///{path}"

    result: dict[str, object] = {}
    result["raw_sqlite_s"] = round(raw_sqlite(path), 3)
    sqlite_s, groups = asyncio.run(timed_report(sqlite_url, By.CARRIER))
    result["sqlite_s"] = round(sqlite_s, 3)
    result["month_sqlite_s"] = round(asyncio.run(timed_report(sqlite_url, By.MONTH))[0], 3)
    print(f"sqlite: {groups} carriers in {sqlite_s:.2f} s", file=sys.stderr)
    if pg:
        result["raw_postgres_s"] = round(asyncio.run(raw_postgres(pg)), 3)
        postgres_s, _ = asyncio.run(timed_report(pg, By.CARRIER))
        result["postgres_s"] = round(postgres_s, 3)
    else:
        result["postgres_s"] = None
        print(f"postgres: skipped ({PG_ENV} not set)", file=sys.stderr)
    result["sqlite_vs_raw"] = round(sqlite_s / float(result["raw_sqlite_s"]), 2)  # type: ignore[arg-type]
    result["shipments"] = args.shipments
    result["events"] = args.shipments * 10
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    ordered = {k: result[k] for k in ("sqlite_s", "postgres_s", "peak_mb")} | result
    print(json.dumps(ordered))


if __name__ == "__main__":
    main()
