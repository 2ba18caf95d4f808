"""The polling schedule kept on shipments: which are due, and what each poll did."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from parcel_watch.model import Shipment
from parcel_watch.store import bulk
from parcel_watch.store.rows import shipment_from_row
from parcel_watch.store.schema import shipments

# "Never poll again" (terminal and past its grace, or expired): a far-future time keeps the
# due query a plain range scan on one index.
NEVER = datetime(9999, 12, 31, tzinfo=UTC)
# A recorded poll also ends the worker's lease on the shipment (lease_owner, revision 0010).
POLL_COLUMNS = ("next_poll_at", "polled_at", "poll_failures", "poll_error", "lease_owner")


@dataclass(frozen=True)
class PollRecord:
    shipment_id: int
    next_poll_at: datetime | None  # None: never again
    error: str | None = None  # None: the poll succeeded


async def due(
    conn: AsyncConnection, now: datetime, limit: int, carriers: Sequence[str] | None = None
) -> list[Shipment]:
    query = (
        select(shipments)
        .where(or_(shipments.c.next_poll_at.is_(None), shipments.c.next_poll_at <= now))
        .where(shipments.c.archived_at.is_(None))
        .order_by(shipments.c.next_poll_at.is_not(None), shipments.c.next_poll_at, shipments.c.id)
        .limit(limit)
    )
    if carriers is not None:
        query = query.where(shipments.c.carrier.in_(list(carriers)))
    return [shipment_from_row(r) for r in (await conn.execute(query)).all()]


async def record(conn: AsyncConnection, now: datetime, records: Sequence[PollRecord]) -> None:
    """A success resets the failure count; a failure increments it and keeps its message.
    Either way the shipment's lease, if a worker held one, ends."""
    as_time = bulk.time_param(conn.dialect)
    ok = [
        (as_time(r.next_poll_at or NEVER), as_time(now), 0, None, None, r.shipment_id)
        for r in records
        if r.error is None
    ]
    if ok:
        await bulk.update_rows(conn, shipments, POLL_COLUMNS, ok)
    failed = [r for r in records if r.error is not None]
    if failed:
        ids = [r.shipment_id for r in failed]
        counts = dict(
            (
                await conn.execute(
                    select(shipments.c.id, shipments.c.poll_failures).where(shipments.c.id.in_(ids))
                )
            ).all()
        )
        rows = [
            (
                as_time(r.next_poll_at or NEVER),
                as_time(now),
                int(counts.get(r.shipment_id, 0)) + 1,
                r.error,
                None,
                r.shipment_id,
            )
            for r in failed
        ]
        await bulk.update_rows(conn, shipments, POLL_COLUMNS, rows)


async def next_due_at(conn: AsyncConnection) -> datetime | None:
    """The earliest scheduled poll; a never-polled shipment is due at once (its created_at)."""

    never_polled = (
        await conn.execute(select(func.min(shipments.c.created_at)).where(shipments.c.next_poll_at.is_(None)))
    ).scalar_one_or_none()
    if never_polled is not None:
        return never_polled  # type: ignore[no-any-return]
    nxt = (
        await conn.execute(select(func.min(shipments.c.next_poll_at)).where(shipments.c.next_poll_at < NEVER))
    ).scalar_one_or_none()
    return nxt  # type: ignore[no-any-return]


async def archive(conn: AsyncConnection, shipment_id: int, now: datetime | None) -> bool:
    """Archive (``now``) or bring back (None) a shipment; False if there is no such shipment.

    Archived shipments are never due; one brought back is due at once, to catch up."""
    result = await conn.execute(
        update(shipments)
        .where(shipments.c.id == shipment_id)
        .values(archived_at=now, next_poll_at=NEVER if now is not None else None)
    )
    return bool(result.rowcount)


async def poll_now(conn: AsyncConnection, shipment_id: int) -> bool:
    """Make a shipment due at once (a user asked for a refresh): NULL puts it first in the due
    queue, and the poll's own outcome schedules it again. False if there is no such shipment
    or it is archived (archived shipments are not polled)."""
    result = await conn.execute(
        update(shipments)
        .where(shipments.c.id == shipment_id, shipments.c.archived_at.is_(None))
        .values(next_poll_at=None)
    )
    return bool(result.rowcount)
