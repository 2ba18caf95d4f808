"""Database faults under the real poller: another SQLite process reading or holding the write
lock, and PostgreSQL connections terminated mid-batch (``pg_terminate_backend``, as a restart
does to every connection: the shared test server cannot be restarted itself).

The store rolls a failed write transaction back and does the whole of it again on a fresh
connection (``Store._ingest_chunk``): nothing is lost, nothing is stored twice, and polling
goes on. Other processes are real ones (``python -m tests.faults.fault_support``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from parcel_watch.model import Location, ShipmentUpdate, Source, TrackingEvent
from parcel_watch.poller import health, scheduler_for
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, IngestResult, RawPayload, Store
from parcel_watch.store import engine as store_engine
from parcel_watch.store import store as store_module
from parcel_watch.store.schedule import PollRecord
from parcel_watch.store.schema import events, raw_payloads
from parcel_watch.views.parcels import ParcelFilter, SortOrder, page
from tests.faults.fault_support import SOURCES, Sandbox, Sim, add_all, refresh_all, start_sandbox, stored

ROOT = Path(__file__).resolve().parents[2]
RETRIED = "write failed ("


class Other:
    """Another process on the database (see fault_support's ``__main__``)."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []

    @classmethod
    async def start(cls, action: str, db: Path, seconds: float) -> Other:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.faults.fault_support", action, str(db), str(seconds),
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        other = cls(proc)
        while "ready" not in other.lines:
            other.lines.append(await other.readline())
        return other

    async def readline(self) -> str:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout=30)
        if not line:
            err = await self.proc.stderr.read() if self.proc.stderr else b""
            raise AssertionError(f"the other process ended early: {err.decode()}")
        return line.decode().strip()

    async def finish(self) -> list[str]:
        out, err = await asyncio.wait_for(self.proc.communicate(), timeout=30)
        assert self.proc.returncode == 0, err.decode()
        self.lines += out.decode().splitlines()
        return self.lines


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
async def sqlite_store(db: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Store]:
    # A short busy timeout (30 s in production) keeps "past the busy timeout" within seconds.
    monkeypatch.setattr(store_engine, "SQLITE_BUSY_TIMEOUT_S", 0.4)
    s = await Store.open(f"sqlite+aiosqlite:///{db}")
    try:
        yield s
    finally:
        await s.close()


async def serve(sim: Sim, store: Store, per_source: int = 4) -> Sandbox:
    from carriers.sandbox.faults import Faults

    sandbox = await start_sandbox(sim, Faults(), per_source)
    await add_all(store, sandbox, sim.now)
    return sandbox


async def assert_ground_truth(store: Store, sandbox: Sandbox) -> int:
    total = 0
    for slug in SOURCES:
        for number in sandbox.numbers[slug]:
            want = sandbox.expected(slug, number)
            assert await stored(store, number) == want, (slug, number)
            total += len(want)
    assert (await store.count())[1] == total  # nothing twice, nothing of anyone else
    return total


# -- SQLite ------------------------------------------------------------------------------------


async def test_a_reader_holding_a_snapshot_and_the_dashboard_reading_do_not_block_polling(
    sqlite_store: Store, db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """WAL: a read transaction held open in another process (a report, a backup) and the
    dashboard's list queries in a third never make the poller's writes wait."""
    sim = Sim()
    sandbox = await serve(sim, sqlite_store)
    try:
        async with scheduler_for(
            sqlite_store, sandbox.credentials(), clock=sim.clock, sleep=sim.sleep
        ) as sched:
            await sched.poll_once()
            before = (await sqlite_store.count())[1]
            reader = await Other.start("hold-read", db, 3.0)
            views = await Other.start("views", db, 3.0)
            writes = []
            with caplog.at_level(logging.WARNING, logger="parcel_watch.store.store"):
                for _ in range(3):  # new scans each time, written while both hold on
                    sim.advance(timedelta(hours=6))
                    await refresh_all(sqlite_store)
                    began = time.monotonic()
                    stats = await sched.poll_once()
                    writes.append(time.monotonic() - began)
                    assert (stats.polled, stats.failed_batches) == (12, 0)
            after = (await sqlite_store.count())[1]
            assert after > before
            # No write waited out the busy timeout (0.4 s) or had to be done again.
            assert not [r for r in caplog.records if r.getMessage().startswith(RETRIED)]
            assert max(writes) < 2.0, writes
            held = [json.loads(line) for line in await reader.finish() if line.startswith("{")]
            # The reader's snapshot never moved while it was open, and saw everything after.
            assert held == [{"start": before}, {"end": before}, {"after": after}]
            reads = [json.loads(line) for line in await views.finish() if line.startswith("{")]
            assert len(reads) >= 10 and all(r["total"] == 12 and r["rows"] == 12 for r in reads)
            assert max(r["seconds"] for r in reads) < 1.0
            assert await assert_ground_truth(sqlite_store, sandbox) == after
    finally:
        await sandbox.runner.cleanup()


async def test_a_writer_holding_the_lock_past_the_busy_timeout_is_waited_out(
    sqlite_store: Store, db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process holds the write lock for 1.5 s, past the 0.4 s busy timeout: the poll's
    write fails, is retried, and lands once the lock is free. The dashboard reads meanwhile."""
    sim = Sim()
    sandbox = await serve(sim, sqlite_store)
    try:
        async with scheduler_for(
            sqlite_store, sandbox.credentials(), clock=sim.clock, sleep=sim.sleep
        ) as sched:
            holder = await Other.start("hold-write", db, 1.5)
            began = time.monotonic()
            with caplog.at_level(logging.WARNING, logger="parcel_watch.store.store"):
                poll = asyncio.create_task(sched.poll_once())
                await asyncio.sleep(0.2)
                rows = await page(sqlite_store, ParcelFilter(), SortOrder.ADDED, 0, 50)
                assert len(rows) == 12 and not poll.done()  # the list reads while the poll waits
                stats = await poll
            waited = time.monotonic() - began
            assert "released" in await holder.finish()
            assert (stats.polled, stats.failed_batches, stats.errors) == (12, 0, 0)
            assert waited >= 1.3
            retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith(RETRIED)]
            assert retries and all("database is locked" in m for m in retries)
            assert all(h["ok"] for h in health(sched).values())
            assert await assert_ground_truth(sqlite_store, sandbox) > 30
    finally:
        await sandbox.runner.cleanup()


async def test_a_write_that_gives_up_leaves_nothing_half_written_and_the_next_poll_stores_it(
    sqlite_store: Store, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock is held longer than every attempt: the poll's write is given up as a whole —
    no event, payload or schedule change of it is stored, the shipments stay due — and the
    next poll, once the lock is free, stores exactly the carrier's scans."""
    monkeypatch.setattr(store_module, "RETRY_PAUSES_S", (0.05,))
    monkeypatch.setattr(store_module, "WRITE_ATTEMPTS", 2)
    sim = Sim()
    sandbox = await serve(sim, sqlite_store)
    try:
        async with scheduler_for(
            sqlite_store, sandbox.credentials(), clock=sim.clock, sleep=sim.sleep
        ) as sched:
            listed = {s.tracking_number: s for s in await sqlite_store.list()}
            holder = await Other.start("hold-write", db, 2.0)
            with pytest.raises(OperationalError, match="database is locked"):
                await sched.poll_once()
            assert sum(sandbox.requests.values()) >= 3  # the carriers were asked
            await holder.finish()
            async with sqlite_store.reading() as conn:
                n_payloads = (await conn.execute(select(func.count()).select_from(raw_payloads))).scalar_one()
            assert (await sqlite_store.count(), n_payloads) == ((12, 0), 0)
            for s in await sqlite_store.list():
                was = listed[s.tracking_number]
                assert (s.status, s.next_poll_at, s.poll_failures, s.poll_error) == (
                    was.status,
                    was.next_poll_at,
                    0,
                    None,
                )
            assert len(await sqlite_store.due(sim.now)) == 12
            stats = await sched.poll_once()
            assert (stats.polled, stats.failed_batches) == (12, 0)
            assert await assert_ground_truth(sqlite_store, sandbox) > 30
    finally:
        await sandbox.runner.cleanup()


# -- PostgreSQL ----------------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
NEXT = NOW + timedelta(hours=4)


def big_batch(shipments: int, per_shipment: int) -> list[IngestItem]:
    """One poll's answers: ``shipments`` numbers with ``per_shipment`` scans each, one payload each."""
    items = []
    for i in range(shipments):
        scans = tuple(
            TrackingEvent(
                occurred_at=NOW - timedelta(hours=per_shipment - k),
                status=Status.IN_TRANSIT,
                carrier_code=f"AR{k}",
                description=f"Arrived at hub {k}",
                location=Location(city=f"HUB {k}", country="US"),
            )
            for k in range(per_shipment)
        )
        update = ShipmentUpdate(carrier="fedex", tracking_number=f"7{i:011d}", events=scans)
        payload = RawPayload(
            "fedex", f'{{"n": {i}}}'.encode(), Source.POLL, "application/json", received_at=NOW
        )
        items.append(IngestItem([update], payload))
    return items


def plan(result: IngestResult) -> list[PollRecord]:
    return [PollRecord(k.id, NEXT) for k in result.shipments.values()]


def admin_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def terminate_store_backends(admin: asyncpg.Connection, *, in_transaction: bool) -> list[int]:
    """Terminate the store's connections to this test's database (all but ``admin``'s)."""
    rows = await admin.fetch(
        "SELECT pid, pg_terminate_backend(pid) AS done FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " AND ($1::boolean IS FALSE OR xact_start IS NOT NULL)",
        in_transaction,
    )
    return [r["pid"] for r in rows if r["done"]]


async def test_postgres_connection_killed_mid_batch_is_retried_nothing_lost_nothing_doubled(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    items = big_batch(400, 20)  # 8,000 events in one poll write
    admin = await asyncpg.connect(admin_dsn(pg_url))
    try:
        async with await Store.open(pg_url) as store:

            async def kill_mid_write() -> list[int]:
                while True:  # a write transaction open a little while: it is half-way
                    opened = await admin.fetchval(
                        "SELECT min(xact_start) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        " AND xact_start IS NOT NULL AND xact_start < now() - interval '150 ms'"
                    )
                    if opened is not None:
                        return await terminate_store_backends(admin, in_transaction=True)
                    await asyncio.sleep(0.01)

            killer = asyncio.create_task(kill_mid_write())
            with caplog.at_level(logging.WARNING, logger="parcel_watch.store.store"):
                result = await store.ingest_polled(items, NOW, plan)
            assert await killer, "no write transaction was open to kill"
            retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith(RETRIED)]
            assert len(retries) == 1 and "connection was closed" in retries[0]
            assert (result.new_events, len(result.shipments)) == (8000, 400)
            async with store.reading() as conn:
                n_payloads = (await conn.execute(select(func.count()).select_from(raw_payloads))).scalar_one()
                distinct = (
                    await conn.execute(select(func.count(events.c.dedupe_key.distinct())))
                ).scalar_one()
            assert (await store.count(), n_payloads, distinct) == ((400, 8000), 400, 8000)
            assert {s.next_poll_at for s in await store.list()} == {NEXT}
            # The same answers again (a poller retrying on its own) change nothing.
            again = await store.ingest_polled(items, NOW, plan)
            assert (again.new_events, await store.count()) == (0, (400, 8000))
    finally:
        await admin.close()


async def test_polling_goes_on_when_every_store_connection_is_terminated(pg_url: str) -> None:
    """A restart, as the store sees it: every connection it holds is gone. Between polls the
    pool notices on checkout (pre-ping); during a poll's write, the write is done again."""
    sim = Sim()
    admin = await asyncpg.connect(admin_dsn(pg_url))
    try:
        async with await Store.open(pg_url) as store:
            sandbox = await serve(sim, store)
            try:
                async with scheduler_for(
                    store, sandbox.credentials(), clock=sim.clock, sleep=sim.sleep
                ) as sched:
                    assert (await sched.poll_once()).polled == 12
                    assert await terminate_store_backends(admin, in_transaction=False)
                    sim.advance(timedelta(hours=6))
                    await refresh_all(store)  # a write on a pool whose connections all died
                    assert (await sched.poll_once()).polled == 12
                    # Now during a write: the admin connection locks every shipment row, so the
                    # poll's write is caught waiting inside its transaction.
                    sim.advance(timedelta(hours=6))
                    await refresh_all(store)
                    lock = admin.transaction()
                    await lock.start()
                    await admin.execute("SELECT id FROM shipments FOR UPDATE")
                    poll = asyncio.create_task(sched.poll_once())
                    for _ in range(500):
                        waiting = await admin.fetchval(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            " AND wait_event_type = 'Lock'"
                        )
                        if waiting:
                            break
                        await asyncio.sleep(0.01)
                    assert waiting, "the poll's write never reached the locked rows"
                    killed = await terminate_store_backends(admin, in_transaction=False)
                    await lock.rollback()
                    stats = await poll
                    assert killed and (stats.polled, stats.failed_batches, stats.errors) == (12, 0, 0)
                    assert all(h["ok"] for h in health(sched).values())
                    await refresh_all(store)
                    await sched.poll_once()
                    assert await assert_ground_truth(store, sandbox) > 30
            finally:
                await sandbox.runner.cleanup()
    finally:
        await admin.close()
