"""Parts of the crash-safety test: the sandbox process, the store's contents against the ground
truth, probes that see a writer inside its transaction, and the kill loop itself."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import asyncpg
from sqlalchemy import select

from parcel_watch.model import CarrierSource, Shipment
from parcel_watch.store import Store
from parcel_watch.store.dedupe import norm_text
from parcel_watch.store.imports import insert_new
from parcel_watch.store.payloads import decompress
from parcel_watch.store.schema import events, raw_payloads, shipments

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = Path(__file__).with_name("sandbox_proc.py")
# How a scan is known across the wire: each carrier renders its own text, and DHL adds the
# region to the city ("CHICAGO, IL"), so the instant, status, country and city name.
Identity = tuple[str, str, str, str]


@dataclass(frozen=True)
class World:
    url: str
    key: str
    shipments: list[dict[str, Any]]


@contextlib.contextmanager
def sandbox(tmp: Path, counts: dict[str, int], seed: int) -> Iterator[World]:
    """The sandbox carrier in its own process; its URL and ground truth once it listens."""
    out = tmp / "sandbox.json"
    args = [f"--{name}={n}" for name, n in counts.items()]
    with open(tmp / "sandbox.err", "wb") as err:
        proc = subprocess_exec([sys.executable, str(SANDBOX), str(out), f"--seed={seed}", *args], err)
    try:
        deadline = time.monotonic() + 30
        while not out.exists():
            assert proc.poll() is None, (tmp / "sandbox.err").read_text()
            assert time.monotonic() < deadline, "the sandbox did not start"
            time.sleep(0.05)
        doc = json.loads(out.read_text())
        yield World(doc["url"], doc["key"], doc["shipments"])
    finally:
        proc.terminate()
        proc.wait(10)


def subprocess_exec(argv: list[str], err: Any, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)


def carrier_env(world: World, config: Path) -> dict[str, str]:
    """The environment of a parcel-watch process whose adapters all talk to the sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")}
    for slug in ("FEDEX", "UPS"):
        env[f"PARCEL_WATCH_{slug}_CLIENT_ID"] = "crash-test"
        env[f"PARCEL_WATCH_{slug}_CLIENT_SECRET"] = world.key
        env[f"PARCEL_WATCH_{slug}_BASE_URL"] = world.url
    for slug in ("DHL", "17TRACK"):
        env[f"PARCEL_WATCH_{slug}_API_KEY"] = world.key
        env[f"PARCEL_WATCH_{slug}_BASE_URL"] = world.url
    env["PARCEL_WATCH_CONFIG"] = str(config)  # absent: no notification channels, default rules
    return env


async def add_shipments(db_url: str, world: World) -> None:
    """The sandbox's numbers in the store, as an import adds them (one transaction)."""
    async with await Store.open(db_url) as store:
        new = [
            Shipment(
                tracking_number=s["number"],
                carrier=s["carrier"],
                carrier_source=CarrierSource.DETECTED,
                origin_country=s["origin_country"],
            )
            for s in world.shipments
        ]
        await insert_new(store, new, datetime.now(UTC))


def _identity(at: datetime, status: str, country: str | None, city: str | None) -> Identity:
    minute = at.astimezone(UTC).replace(second=0, microsecond=0).isoformat()
    return minute, status, country or "", norm_text((city or "").split(",")[0])


@dataclass
class Comparison:
    expected: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0  # stored scans the sandbox never served
    never_polled: int = 0
    dangling_payloads: int = 0  # events whose raw payload is missing or unreadable
    examples: list[str] = field(default_factory=list)


async def compare(db_url: str, world: World) -> Comparison:
    """Per shipment: the scans the sandbox served against the events stored."""
    result = Comparison()
    async with await Store.open(db_url) as store, store.reading() as conn:
        stored: dict[str, Counter[Identity]] = {s["number"]: Counter() for s in world.shipments}
        query = select(
            shipments.c.tracking_number,
            events.c.occurred_at,
            events.c.status,
            events.c.country,
            events.c.city,
        ).join(events, events.c.shipment_id == shipments.c.id)
        for number, at, status, country, city in (await conn.execute(query)).all():
            stored[number][_identity(at, status, country, city)] += 1
            result.stored += 1
        for s in world.shipments:
            want = Counter(
                _identity(datetime.fromisoformat(e["occurred_at"]), e["status"], e["country"], e["city"])
                for e in s["scans"]
            )
            got = stored[s["number"]]
            lost = want - got
            extra = got - want
            result.expected += want.total()
            result.lost += lost.total()
            # A scan stored more than once counts its extra copies; one never served is "unexpected".
            dup = sum(n - 1 for key, n in got.items() if n > 1 and key in want)
            result.duplicated += dup
            result.unexpected += extra.total() - dup
            if (lost or extra) and len(result.examples) < 5:
                result.examples.append(f"{s['number']}: lost {dict(lost)} extra {dict(extra)}")
        result.never_polled = len(
            (await conn.execute(select(shipments.c.id).where(shipments.c.polled_at.is_(None)))).all()
        )
        ids = select(events.c.payload_id).where(events.c.payload_id.is_not(None)).distinct().subquery()
        payloads = (
            await conn.execute(select(ids.c.payload_id, raw_payloads.c.body).outerjoin(raw_payloads))
        ).all()
        unattached = (await conn.execute(select(events.c.id).where(events.c.payload_id.is_(None)))).all()
        result.dangling_payloads = len(unattached)
        for _, body in payloads:
            try:
                decompress(body)
            except Exception:  # noqa: BLE001 - missing (None) or corrupt: both are lost evidence
                result.dangling_payloads += 1
    return result


# Grows with every committed poll: new events raise the highest event id, and a poll whose
# scans were all stored before still schedules its shipment. Cheap enough to ask every 10 ms.
PROGRESS = (
    "SELECT (SELECT coalesce(max(id), 0) FROM events) "
    "+ (SELECT count(*) FROM shipments WHERE next_poll_at IS NOT NULL)"
)
REFRESH_PARTS = 5
REFRESH = (
    "UPDATE shipments SET next_poll_at = NULL "
    "WHERE polled_at IS NOT NULL AND archived_at IS NULL AND id % $1 = $2"
)


class Probe(Protocol):
    """What the test sees of the store while a watch process writes to it."""

    async def progress(self) -> int:
        """A number that grows whenever a poll is committed (see PROGRESS)."""
        ...

    async def writing(self) -> bool:
        """Whether a writer is inside a write transaction right now."""
        ...

    async def refresh(self, part: int, parts: int) -> int:
        """Make every ``parts``-th polled shipment (ids ≡ ``part``) due again at once, as a
        user's refresh does (``Store.poll_now``); how many."""
        ...


class SqliteProbe:
    def __init__(self, path: Path) -> None:
        # Autocommit; no busy wait: a writer holding the lock is the answer, not an obstacle.
        self.conn = sqlite3.connect(path, timeout=0, isolation_level=None)

    async def progress(self) -> int:
        return int(self.conn.execute(PROGRESS).fetchone()[0])

    async def writing(self) -> bool:
        # WAL admits one writer: BEGIN IMMEDIATE fails at once while another holds the lock.
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        self.conn.execute("ROLLBACK")
        return False

    async def refresh(self, part: int, parts: int) -> int:
        cur = self.conn.execute(REFRESH.replace("$1", "?").replace("$2", "?"), (parts, part))
        return int(cur.rowcount)

    def close(self) -> None:
        self.conn.close()


class PgProbe:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def progress(self) -> int:
        return int(await self.conn.fetchval(PROGRESS))

    async def writing(self) -> bool:
        # A backend with a transaction id has written in its open transaction.
        found = await self.conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        )
        return bool(found)

    async def refresh(self, part: int, parts: int) -> int:
        status = await self.conn.execute(REFRESH, parts, part)
        return int(status.rsplit(" ", 1)[1])


@contextlib.asynccontextmanager
async def probe_for(db_url: str) -> AsyncIterator[Probe]:
    if db_url.startswith("sqlite"):
        sqlite = SqliteProbe(Path(db_url.split("///", 1)[1]))
        try:
            yield sqlite
        finally:
            sqlite.close()
    else:
        conn = await asyncpg.connect(db_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            yield PgProbe(conn)
        finally:
            await conn.close()


@dataclass
class KillStats:
    kills: int = 0
    in_write: int = 0  # a writer was inside its transaction when SIGKILL was sent
    after_progress: int = 0  # the life had committed polls before it was killed
    refreshed: int = 0  # polled shipments made due again between lives: re-polled, deduped
    modes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


class Killer:
    """Starts ``parcel-watch watch`` and SIGKILLs it, again and again, at seeded random points.

    Modes: ``early`` (a random moment of start-up: imports, store, tokens, first requests),
    ``ingest`` (a random moment once this life has committed a poll), ``write`` (just after a
    writer is seen inside its transaction) and ``long`` (the first life, killed seconds into
    its ingest: the parcels it stored are asked again by the lives after it)."""

    def __init__(self, db_url: str, env: dict[str, str], logs: Path, probe: Probe, seed: int) -> None:
        self.db_url, self.env, self.logs, self.probe = db_url, env, logs, probe
        self.rng = random.Random(seed)
        self.stats = KillStats()
        self.lives = 0

    def _spawn(self) -> Any:
        self.lives += 1
        err = open(self.logs / f"watch-{self.lives}.err", "wb")  # noqa: SIM115 - the child holds it
        with err:
            return subprocess_exec(
                [sys.executable, "-m", "parcel_watch", "watch", "--db", self.db_url], err, self.env
            )

    async def run(self, kills: int) -> KillStats:
        """``kills`` lives: one long, a quarter killed early, a quarter inside a write, the
        rest in ingest."""
        early = write = max(1, kills // 4)
        modes = ["early"] * early + ["write"] * write + ["ingest"] * (kills - 1 - early - write)
        self.rng.shuffle(modes)
        modes.insert(0, "long")
        start = time.monotonic()
        for mode in modes:
            await self._one_life(mode)
        self.stats.seconds = time.monotonic() - start
        return self.stats

    async def _one_life(self, mode: str) -> None:
        # Parcels already stored are asked again too: their scans come back a second time.
        self.stats.refreshed += await self.probe.refresh(self.rng.randrange(REFRESH_PARTS), REFRESH_PARTS)
        before = await self.probe.progress()
        proc = self._spawn()
        if mode == "early":
            await asyncio.sleep(self.rng.uniform(0.05, 1.8))
        else:
            await self._wait(proc, lambda: self._progressed(before), 8.0)
            if mode == "ingest":
                await asyncio.sleep(self.rng.uniform(0.0, 1.2))
            elif mode == "long":
                await asyncio.sleep(self.rng.uniform(2.5, 3.5))
            else:
                await self._wait(proc, self.probe.writing, 5.0)
                await asyncio.sleep(self.rng.uniform(0.0, 0.02))
        assert proc.poll() is None, f"watch died by itself: {self._log()}"
        in_write = await self.probe.writing()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        self.stats.kills += 1
        self.stats.modes[mode] += 1
        self.stats.in_write += in_write
        self.stats.after_progress += (await self.probe.progress()) > before

    async def _progressed(self, before: int) -> bool:
        return await self.probe.progress() > before

    async def _wait(self, proc: Any, done: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not await done():
            assert proc.poll() is None, f"watch died by itself: {self._log()}"
            if time.monotonic() > deadline:
                return  # nothing more to write: the kill lands wherever the process is
            await asyncio.sleep(0.01)

    def _log(self) -> str:
        return (self.logs / f"watch-{self.lives}.err").read_text(errors="replace")


def tracebacks(logs: Path) -> list[str]:
    return [p.name for p in sorted(logs.glob("*.err")) if "Traceback" in p.read_text(errors="replace")]


def sqlite_integrity(db_url: str) -> str:
    conn = sqlite3.connect(Path(db_url.split("///", 1)[1]))
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()
