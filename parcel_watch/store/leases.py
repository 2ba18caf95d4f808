"""Leases for many workers on one database, and each source's request slots, shared.

A worker leases due shipments by pushing their ``next_poll_at`` to the lease's end and
naming itself in ``lease_owner``, in one statement. On PostgreSQL the rows are picked with
``FOR UPDATE SKIP LOCKED``: two workers leasing at once take different rows and never wait
on each other. On SQLite (one writer at a time) the same statement is simply serialized.
A lease needs no sweeper: once it ends the shipments are due again for anyone, and the poll
that finishes in time overwrites ``next_poll_at`` with the real next time.

Request slots: each source has one row holding the earliest time its next request may go.
Reserving ``k`` requests moves it by ``k`` intervals under the row's lock, so the rate
holds across every worker without a coordinator process; slots past a lease's last start
are not taken at all, so no other worker's requests wait behind slots nobody will use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from parcel_watch.model import Shipment
from parcel_watch.store import bulk
from parcel_watch.store.rows import shipment_from_row
from parcel_watch.store.schema import shipments, source_slots


async def lease(
    conn: AsyncConnection, now: datetime, limit: int, owner: str, until: datetime
) -> list[Shipment]:
    """Take up to ``limit`` due shipments for ``owner`` until ``until`` (oldest due first)."""
    pick = (
        select(shipments.c.id)
        .where(or_(shipments.c.next_poll_at.is_(None), shipments.c.next_poll_at <= now))
        .where(shipments.c.archived_at.is_(None))
        .order_by(shipments.c.next_poll_at.is_not(None), shipments.c.next_poll_at, shipments.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serializes writers instead
    )
    taken = update(shipments).where(shipments.c.id.in_(pick)).values(next_poll_at=until, lease_owner=owner)
    rows = (await conn.execute(taken.returning(*shipments.c))).all()
    return sorted((shipment_from_row(r) for r in rows), key=lambda s: s.id or 0)


async def release(conn: AsyncConnection, owner: str, ids: Sequence[int], due_at: datetime) -> int:
    """Hand back shipments still leased by ``owner`` (not polled): due again at ``due_at``.
    Shipments whose poll was recorded are no longer ``owner``'s and are left alone."""
    if not ids:
        return 0
    result = await conn.execute(
        update(shipments)
        .where(bulk.member_of(conn.dialect, shipments.c.id, sorted(ids)))
        .where(shipments.c.lease_owner == owner)
        .values(next_poll_at=due_at, lease_owner=None)
    )
    return int(result.rowcount or 0)


# PostgreSQL: the whole reservation in one statement (run without BEGIN/COMMIT round trips):
# the row is locked, the grant counted against the deadline and the slots taken at once.
# A worker reserves for nearly every request, so this costs a third of the CPU of the
# portable three-statement version below.
RESERVE_PG = text(
    """
    WITH cur AS (
        SELECT GREATEST(next_slot, :now) AS start FROM source_slots WHERE source = :source FOR UPDATE
    ), g AS (
        SELECT start,
               CASE WHEN :deadline < start THEN 0
                    ELSE LEAST(:count, FLOOR((:deadline - start) / :interval) + 1)::int END AS granted
        FROM cur
    )
    UPDATE source_slots
    SET next_slot = CASE WHEN g.granted > 0 THEN g.start + :interval * g.granted
                         ELSE source_slots.next_slot END
    FROM g WHERE source_slots.source = :source
    RETURNING g.start, g.granted
    """
)
NO_DEADLINE = 1e18


async def ensure_source(conn: AsyncConnection, source: str, now: float) -> None:
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    await conn.execute(insert(source_slots).values(source=source, next_slot=now).on_conflict_do_nothing())


async def reserve_slots_pg(
    conn: AsyncConnection, source: str, now: float, interval: float, count: int, deadline: float | None
) -> tuple[float, int]:
    """:func:`reserve_slots` in one statement, for an autocommit connection (the source's row
    must exist: :func:`ensure_source`)."""
    params = {"source": source, "now": now, "interval": interval, "count": count}
    row = (await conn.execute(RESERVE_PG, {**params, "deadline": deadline or NO_DEADLINE})).one()
    return float(row[0]), int(row[1])


async def reserve_slots(
    conn: AsyncConnection, source: str, now: float, interval: float, count: int, deadline: float | None = None
) -> tuple[float, int]:
    """Reserve up to ``count`` consecutive request slots ``interval`` seconds apart for
    ``source``, none later than ``deadline``; returns the first slot's time (epoch seconds,
    maybe in the future) and how many were granted (0: none before the deadline)."""
    await ensure_source(conn, source, now)
    current = select(source_slots.c.next_slot).where(source_slots.c.source == source).with_for_update()
    start = max(float((await conn.execute(current)).scalar_one()), now)
    granted = count
    if deadline is not None:
        granted = 0 if start > deadline else min(count, int((deadline - start) / interval) + 1)
    if granted:
        await conn.execute(
            update(source_slots)
            .where(source_slots.c.source == source)
            .values(next_slot=start + interval * granted)
        )
    return start, granted


async def hold_source(conn: AsyncConnection, source: str, until: float) -> None:
    """No request to ``source`` before ``until`` (a Retry-After every worker must honour)."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    await conn.execute(insert(source_slots).values(source=source, next_slot=until).on_conflict_do_nothing())
    later = func.greatest if conn.dialect.name == "postgresql" else func.max
    await conn.execute(
        update(source_slots)
        .where(source_slots.c.source == source)
        .values(next_slot=later(source_slots.c.next_slot, until))
    )
