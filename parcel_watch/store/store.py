"""The event store: one object that owns its engine and speaks domain models."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Self

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from parcel_watch.model import CarrierSource, EstimateRevision, Shipment, TrackingEvent
from parcel_watch.store import bulk, leases, migrate, schedule
from parcel_watch.store.engine import WRITE_OPTION, make_engine
from parcel_watch.store.groupwrite import GroupWriter, Plan, PolledWrite
from parcel_watch.store.ingest import IngestItem, IngestResult, ingest_chunk, insert_ignore
from parcel_watch.store.payloads import decompress
from parcel_watch.store.rows import event_from_row, shipment_from_row, shipment_values
from parcel_watch.store.schema import estimate_revisions, events, raw_payloads, shipments

log = logging.getLogger(__name__)

# Pauses before the 2nd, 3rd... attempt of a write transaction: short for a deadlock, longer
# for a connection the server dropped (a restart or failover takes seconds).
RETRY_PAUSES_S = (0.05, 0.5, 2.0, 5.0)
WRITE_ATTEMPTS = len(RETRY_PAUSES_S) + 1
# SQLSTATE: serialization_failure, deadlock_detected, admin_shutdown (pg_terminate_backend, a
# restart), crash_shutdown, cannot_connect_now (starting up); class 08: connection exceptions.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "57P01", "57P02", "57P03"})
SQLITE_BUSY = 5  # another process held the write lock past the busy timeout


def _is_retryable(exc: DBAPIError) -> bool:
    """Whether the whole transaction may simply be done again: it was rolled back (or never
    began), and ingest is idempotent, so a commit whose answer was lost is harmless too."""
    if exc.connection_invalidated:  # the pool hands out a fresh connection next
        return True
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "__cause__", None), "sqlstate", None)
    if state is not None and (state in _RETRYABLE_SQLSTATES or str(state).startswith("08")):
        return True
    return getattr(orig, "sqlite_errorcode", None) == SQLITE_BUSY


def _brief(exc: DBAPIError) -> str:
    """The driver's error in one line, without the statement and its parameters."""
    first = (str(exc.orig).splitlines() or [""])[0]
    return f"{type(exc.orig).__name__}: {first}"[:200]


@dataclass(frozen=True)
class AddResult:
    shipment: Shipment
    created: bool


@dataclass(frozen=True)
class StoredPayload:
    sha256: str
    carrier: str
    source: str
    content_type: str
    received_at: datetime
    body: bytes


class Store:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._write_lock: asyncio.Lock | contextlib.nullcontext[None] = (
            asyncio.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )
        self._polled = GroupWriter(self._write_polled)
        self._slot_sources: set[str] = set()  # sources whose request-slot row exists
        self._slot_conn: AsyncConnection | None = None
        self._slot_lock = asyncio.Lock()

    @classmethod
    async def open(cls, url: str, *, migrate_schema: bool = True) -> Self:
        store = cls(make_engine(url))
        if migrate_schema:
            await store.migrate()
        return store

    async def close(self) -> None:
        await self._polled.idle()
        if self._slot_conn is not None:
            with contextlib.suppress(DBAPIError):
                await self._slot_conn.close()
            self._slot_conn = None
        await self.engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite).

        On SQLite this process's writers also queue on a lock: SQLite admits one writer at a
        time anyway, and waiting here is cheap where its busy handler sleeps and retries."""
        async with self._write_lock, self.engine.connect() as conn:
            conn = await conn.execution_options(**{WRITE_OPTION: True})
            async with conn.begin():
                yield conn

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    async def schema_revision(self) -> str | None:
        async with self.reading() as conn:
            return await conn.run_sync(migrate.current_revision)

    async def migrate(self, revision: str = "head") -> None:
        if revision == "head" and await self.schema_revision() == migrate.HEAD:
            return
        async with self.writing() as conn:
            await conn.run_sync(migrate.upgrade, revision)

    # -- ingest -----------------------------------------------------------------

    async def ingest(self, items: Iterable[IngestItem], *, chunk_events: int = 20_000) -> IngestResult:
        """Ingest in write transactions of about ``chunk_events`` events each."""
        total = IngestResult()
        chunk: list[IngestItem] = []
        size = 0
        for item in items:
            chunk.append(item)
            size += sum(len(u.events) for u in item.updates) or 1
            if size >= chunk_events:
                total.add(await self._ingest_chunk(chunk))
                chunk, size = [], 0
        if chunk:
            total.add(await self._ingest_chunk(chunk))
        return total

    def group_polled_writes(self, linger_s: float) -> None:
        """Let each poll write wait ``linger_s`` for others to share its transaction."""
        self._polled.linger_s = linger_s

    async def ingest_polled(self, items: Sequence[IngestItem], now: datetime, plan: Plan) -> IngestResult:
        """Ingest a poll's answers and record the polls (``plan`` schedules the shipments from
        the ingested result) in one write transaction: both land, or neither does. Concurrent
        calls are grouped into one transaction (see ``groupwrite``); the result returned is
        the group's, with ``new_by_shipment`` telling each caller its own part."""
        return await self._polled.submit(PolledWrite(items, now, plan))

    async def _write_polled(self, group: Sequence[PolledWrite]) -> IngestResult:
        async def record(conn: AsyncConnection, result: IngestResult) -> None:
            for entry in group:
                await schedule.record(conn, entry.now, entry.plan(result))

        now = max(entry.now for entry in group)
        return await self._ingest_chunk([i for entry in group for i in entry.items], then=record, now=now)

    async def _ingest_chunk(
        self,
        chunk: list[IngestItem],
        *,
        then: Callable[[AsyncConnection, IngestResult], Awaitable[None]] | None = None,
        now: datetime | None = None,
    ) -> IngestResult:
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                async with self.writing() as conn:
                    result = await ingest_chunk(conn, chunk, now=now)
                    if then is not None:
                        await then(conn, result)
                    return result
            except DBAPIError as exc:
                # Two PostgreSQL writers can still deadlock on rows they both create, the
                # connection can drop, another SQLite process can hold the lock too long:
                # the transaction is rolled back, and the whole chunk is simply done again.
                if attempt == WRITE_ATTEMPTS or not _is_retryable(exc):
                    raise
                log.warning("write failed (%s), attempt %d of %d", _brief(exc), attempt, WRITE_ATTEMPTS)
                await asyncio.sleep(RETRY_PAUSES_S[attempt - 1])
        raise AssertionError("unreachable")

    # -- shipments ----------------------------------------------------------------

    async def add(self, shipment: Shipment, *, now: datetime | None = None) -> AddResult:
        """Add a shipment, or update the descriptive fields of an existing one (at ``now``,
        the wall clock if not given)."""
        now = now or datetime.now(UTC)
        values = shipment_values(shipment)
        async with self.writing() as conn:
            key = (shipments.c.carrier == shipment.carrier) & (
                shipments.c.tracking_number == shipment.tracking_number
            )
            found = (
                await conn.execute(select(shipments.c.id, shipments.c.carrier_source).where(key))
            ).first()
            existing = found.id if found is not None else None
            if found is None:
                row = {"carrier": shipment.carrier, "tracking_number": shipment.tracking_number, **values}
                await conn.execute(
                    insert_ignore(conn, shipments),
                    [{**row, "status": shipment.status.value, "created_at": now, "updated_at": now}],
                )
            else:
                changed = {k: v for k, v in values.items() if v is not None}
                if CarrierSource(found.carrier_source).strength > shipment.carrier_source.strength:
                    del changed["carrier_source"]  # detection never demotes a user's choice
                # Edited facts (a promise, a return's refund...) may change the anomaly
                # rules' answer: rules_due_at NULL has them look at it again.
                await conn.execute(
                    update(shipments)
                    .where(shipments.c.id == existing)
                    .values(**changed, updated_at=now, rules_due_at=None)
                )
        [stored] = await self.find(shipment.tracking_number, shipment.carrier)
        return AddResult(stored, created=existing is None)

    async def find(self, tracking_number: str, carrier: str | None = None) -> builtins.list[Shipment]:
        query = select(shipments).where(shipments.c.tracking_number == tracking_number)
        if carrier is not None:
            query = query.where(shipments.c.carrier == carrier)
        async with self.reading() as conn:
            rows = (await conn.execute(query.order_by(shipments.c.id))).all()
            return [shipment_from_row(r, await self._revisions(conn, r.id)) for r in rows]

    async def list(self, *, status: str | None = None, carrier: str | None = None) -> builtins.list[Shipment]:
        query = select(shipments).order_by(shipments.c.id)
        if status is not None:
            query = query.where(shipments.c.status == status)
        if carrier is not None:
            query = query.where(shipments.c.carrier == carrier)
        async with self.reading() as conn:
            return [shipment_from_row(r) for r in (await conn.execute(query)).all()]

    async def count(self) -> tuple[int, int]:
        """(shipments, events)."""
        async with self.reading() as conn:
            n_ship = (await conn.execute(select(func.count()).select_from(shipments))).scalar_one()
            n_ev = (await conn.execute(select(func.count()).select_from(events))).scalar_one()
            return n_ship, n_ev

    async def timeline(self, shipment_id: int) -> builtins.list[TrackingEvent]:
        query = (
            select(events)
            .where(events.c.shipment_id == shipment_id)
            .order_by(events.c.occurred_at, events.c.id)
        )
        async with self.reading() as conn:
            return [event_from_row(r) for r in (await conn.execute(query)).all()]

    async def timelines(self, shipment_ids: Sequence[int]) -> dict[int, builtins.list[TrackingEvent]]:
        """Timelines of many shipments in one query (time order within each)."""
        found: dict[int, builtins.list[TrackingEvent]] = {sid: [] for sid in shipment_ids}
        if not found:
            return found
        async with self.reading() as conn:
            query = (
                select(events)
                .where(bulk.member_of(conn.dialect, events.c.shipment_id, sorted(found)))
                .order_by(events.c.shipment_id, events.c.occurred_at, events.c.id)
            )
            for row in (await conn.execute(query)).all():
                found[row.shipment_id].append(event_from_row(row))
        return found

    async def by_ids(self, ids: Sequence[int]) -> builtins.list[Shipment]:
        """Shipments by id, in one query (without their estimate revisions)."""
        if not ids:
            return []
        async with self.reading() as conn:
            query = select(shipments).where(bulk.member_of(conn.dialect, shipments.c.id, sorted(ids)))
            return [shipment_from_row(r) for r in (await conn.execute(query)).all()]

    async def due(
        self, now: datetime, *, limit: int = 1000, carriers: Sequence[str] | None = None
    ) -> builtins.list[Shipment]:
        """Shipments whose next poll is due (never-polled first, then oldest due)."""
        async with self.reading() as conn:
            return await schedule.due(conn, now, limit, carriers)

    async def next_due_at(self) -> datetime | None:
        """When the next poll is due (None: nothing left to poll)."""
        async with self.reading() as conn:
            return await schedule.next_due_at(conn)

    async def record_polls(self, now: datetime, records: Sequence[schedule.PollRecord]) -> None:
        async with self.writing() as conn:
            await schedule.record(conn, now, records)

    # -- workers (see leases) ---------------------------------------------------------

    async def lease(self, now: datetime, limit: int, owner: str, until: datetime) -> builtins.list[Shipment]:
        """Lease up to ``limit`` due shipments to ``owner`` until ``until``."""
        async with self.writing() as conn:
            return await leases.lease(conn, now, limit, owner, until)

    async def release(self, owner: str, ids: Sequence[int], due_at: datetime) -> int:
        """Hand back the shipments of ``ids`` that ``owner`` still holds, due at ``due_at``."""
        async with self.writing() as conn:
            return await leases.release(conn, owner, ids, due_at)

    async def reserve_slots(
        self, source: str, now: float, interval: float, count: int, deadline: float | None = None
    ) -> tuple[float, int]:
        if self.engine.dialect.name != "postgresql":
            async with self.writing() as conn:
                return await leases.reserve_slots(conn, source, now, interval, count, deadline)
        if source not in self._slot_sources:
            async with self.writing() as conn:
                await leases.ensure_source(conn, source, now)
            self._slot_sources.add(source)
        # One connection kept for reservations: a checkout per request (and resetting its
        # isolation level) cost more than the statement itself.
        async with self._slot_lock:
            if self._slot_conn is None:
                conn = await self.engine.connect()
                self._slot_conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            try:
                return await leases.reserve_slots_pg(self._slot_conn, source, now, interval, count, deadline)
            except DBAPIError:
                conn, self._slot_conn = self._slot_conn, None
                with contextlib.suppress(DBAPIError):
                    await conn.close()
                raise

    async def hold_source(self, source: str, until: float) -> None:
        async with self.writing() as conn:
            await leases.hold_source(conn, source, until)

    async def archive(self, shipment_id: int, now: datetime, *, archived: bool = True) -> bool:
        """Hide a shipment from the dashboard and stop polling it (or undo that)."""
        async with self.writing() as conn:
            return await schedule.archive(conn, shipment_id, now if archived else None)

    async def poll_now(self, shipment_id: int) -> bool:
        """Poll a shipment at the next poll (a user's refresh); False if none or archived."""
        async with self.writing() as conn:
            return await schedule.poll_now(conn, shipment_id)

    async def remove(self, tracking_number: str, carrier: str | None = None) -> int:
        """Delete matching shipments with their events; returns how many were removed."""
        ids = [s.id for s in await self.find(tracking_number, carrier) if s.id is not None]
        if not ids:
            return 0
        async with self.writing() as conn:
            # Explicit, so it holds where foreign keys are not enforced too.
            await conn.execute(delete(events).where(events.c.shipment_id.in_(ids)))
            await conn.execute(delete(estimate_revisions).where(estimate_revisions.c.shipment_id.in_(ids)))
            await conn.execute(delete(shipments).where(shipments.c.id.in_(ids)))
        return len(ids)

    async def payload(self, sha256: str) -> StoredPayload | None:
        async with self.reading() as conn:
            row = (await conn.execute(select(raw_payloads).where(raw_payloads.c.sha256 == sha256))).first()
        if row is None:
            return None
        m = row._mapping
        return StoredPayload(
            m["sha256"], m["carrier"], m["source"], m["content_type"], m["received_at"], decompress(m["body"])
        )

    async def payload_of_events(self, shipment_id: int) -> builtins.list[str]:
        """SHA-256 of every payload that produced an event of this shipment."""
        query = (
            select(raw_payloads.c.sha256)
            .join(events, events.c.payload_id == raw_payloads.c.id)
            .where(events.c.shipment_id == shipment_id)
            .distinct()
        )
        async with self.reading() as conn:
            return sorted((await conn.execute(query)).scalars().all())

    @staticmethod
    async def _revisions(conn: AsyncConnection, shipment_id: int) -> builtins.list[EstimateRevision]:
        rows = await conn.execute(
            select(estimate_revisions.c.estimated_delivery, estimate_revisions.c.recorded_at)
            .where(estimate_revisions.c.shipment_id == shipment_id)
            .order_by(estimate_revisions.c.recorded_at, estimate_revisions.c.id)
        )
        return [EstimateRevision(estimated_delivery=eta, recorded_at=at) for eta, at in rows]
