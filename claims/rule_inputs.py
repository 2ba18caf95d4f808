"""Reading what the rules need from the store, set-based: shipments, events, estimates.

Every read is one statement for a whole batch of shipments: a list of ids
(``bulk.member_of``) or, in a full pass, a range of ids; nothing is read per shipment.
Times are read in the driver's own form and converted here (an integer of microseconds on
SQLite): a full pass reads a million events, and the column types' per-value processing
would dominate it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple, cast

from sqlalchemy import BigInteger, DateTime, and_, func, or_, select, type_coerce, union
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from claims.rules.inputs import EtaRevision, RuleEvent, RuleShipment
from parcel_watch.status import Status
from parcel_watch.store import bulk
from parcel_watch.store.schema import estimate_revisions, events, shipments
from parcel_watch.store.types import micros_to_utc, utc_to_micros

Lane = tuple[str, str, str]  # (carrier, origin, destination)


class LoadedShipment(NamedTuple):
    shipment: RuleShipment
    seen_updated_at: Any  # updated_at as the driver gave it: a later edit changes it


def _raw_time(conn: AsyncConnection, column: ColumnElement[Any]) -> ColumnElement[Any]:
    if conn.dialect.name == "sqlite":
        return type_coerce(column, BigInteger())
    return type_coerce(column, DateTime(timezone=True))


def _to_utc(conn: AsyncConnection) -> Callable[[Any], datetime]:
    return micros_to_utc if conn.dialect.name == "sqlite" else _aware


def _aware(value: datetime) -> datetime:
    return value


@dataclass(frozen=True)
class Batch:
    """Some shipments: these ids, or those with ``after < id <= upto`` (a full pass)."""

    ids: Collection[int] | None = None
    after: int = 0
    upto: int = 0

    def where(self, conn: AsyncConnection, column: ColumnElement[Any]) -> ColumnElement[bool]:
        if self.ids is not None:
            return bulk.member_of(conn.dialect, column, sorted(self.ids))
        return and_(column > self.after, column <= self.upto)


async def batches(conn: AsyncConnection, ids: Collection[int] | None, size: int) -> list[Batch]:
    """``ids`` (None: every shipment) in batches of about ``size`` shipments."""
    if ids is not None:
        ordered = sorted(ids)
        return [Batch(ids=ordered[i : i + size]) for i in range(0, len(ordered), size)]
    low, high = (await conn.execute(select(func.min(shipments.c.id), func.max(shipments.c.id)))).one()
    if low is None:
        return []
    return [Batch(after=after, upto=after + size) for after in range(low - 1, high, size)]


async def max_ids(conn: AsyncConnection) -> tuple[int, int]:
    """The newest event id and estimate revision id."""
    query = select(
        select(func.coalesce(func.max(events.c.id), 0)).scalar_subquery(),
        select(func.coalesce(func.max(estimate_revisions.c.id), 0)).scalar_subquery(),
    )
    event_id, revision_id = (await conn.execute(query)).one()
    return int(event_id), int(revision_id)


async def dirty_shipment_ids(
    conn: AsyncConnection, event_id: int, revision_id: int, now: datetime
) -> set[int]:
    """Shipments with events or estimates newer than the watermarks, or whose rules are due."""
    query = union(
        select(events.c.shipment_id).where(events.c.id > event_id),
        select(estimate_revisions.c.shipment_id).where(estimate_revisions.c.id > revision_id),
        select(shipments.c.id).where(
            or_(shipments.c.rules_due_at.is_(None), shipments.c.rules_due_at <= now)
        ),
    )
    return {row[0] for row in (await conn.execute(query)).all()}


async def load_shipments(conn: AsyncConnection, batch: Batch) -> list[LoadedShipment]:
    """The shipments of ``batch`` with their estimate revisions, oldest first."""
    to_utc = _to_utc(conn)
    revisions: dict[int, list[EtaRevision]] = {}
    rev_query = (
        select(
            estimate_revisions.c.shipment_id,
            _raw_time(conn, estimate_revisions.c.estimated_delivery),
            _raw_time(conn, estimate_revisions.c.recorded_at),
        )
        .where(batch.where(conn, estimate_revisions.c.shipment_id))
        .order_by(estimate_revisions.c.shipment_id, estimate_revisions.c.recorded_at, estimate_revisions.c.id)
    )
    for sid, eta, recorded in (await conn.execute(rev_query)).all():
        revisions.setdefault(sid, []).append(EtaRevision(to_utc(eta), to_utc(recorded)))
    c = shipments.c
    query = select(
        c.id,
        c.carrier,
        c.service,
        c.origin_country,
        c.destination_country,
        c.promised_delivery,
        _raw_time(conn, c.estimated_delivery),
        c.return_of,
        c.refund_regime,
        _raw_time(conn, c.refund_received_at),
        _raw_time(conn, c.updated_at),
    ).where(batch.where(conn, c.id))
    loaded = []
    no_revisions: tuple[EtaRevision, ...] = ()
    for sid, carrier, service, origin, dest, promised, eta, return_of, regime, refunded, updated in (
        await conn.execute(query)
    ).all():
        # Positional: a named tuple built with keywords costs twice as much.
        shipment = RuleShipment(
            sid,
            carrier,
            service,
            origin,
            dest,
            promised,
            to_utc(eta) if eta is not None else None,
            tuple(revisions[sid]) if sid in revisions else no_revisions,
            return_of,
            regime,
            to_utc(refunded) if refunded is not None else None,
        )
        loaded.append(LoadedShipment(shipment, updated))
    return loaded


_SHIPMENT_ID = itemgetter(7)
_EVENT_COLUMNS = "id, occurred_at, status, substatus, description, country, utc_offset_minutes, shipment_id"


async def load_events(conn: AsyncConnection, batch: Batch) -> dict[int, list[RuleEvent]]:
    """Events of the shipments of ``batch``, grouped by shipment (in no particular order
    within a shipment: the summary puts them in time order)."""
    if conn.dialect.name == "sqlite":
        rows = await _sqlite_event_rows(conn, batch)
    else:
        e = events.c
        query = select(
            e.id,
            e.occurred_at,
            e.status,
            e.substatus,
            e.description,
            e.country,
            e.utc_offset_minutes,
            e.shipment_id,
        ).where(batch.where(conn, e.shipment_id))
        query = query.order_by(e.shipment_id)
        rows = [RuleEvent(r[0], utc_to_micros(r[1]), *r[2:]) for r in (await conn.execute(query)).all()]
    # Ordered by shipment (the unique index's order: no sort), so grouping is groupby's, in C.
    return {sid: list(group) for sid, group in groupby(rows, key=_SHIPMENT_ID)}


async def _sqlite_event_rows(conn: AsyncConnection, batch: Batch) -> list[RuleEvent]:
    """The rows straight from the driver, in RuleEvent's column order (times are stored as
    integer microseconds there): no per-row work between SQLite and the summary."""
    sql = f"SELECT {_EVENT_COLUMNS} FROM events"
    params: tuple[object, ...]
    if batch.ids is not None:
        sql += " WHERE shipment_id IN (SELECT value FROM json_each(?))"
        params = (json.dumps(sorted(batch.ids)),)
    else:
        sql += " WHERE shipment_id > ? AND shipment_id <= ?"
        params = (batch.after, batch.upto)
    sql += " ORDER BY shipment_id"
    driver = (await conn.get_raw_connection()).driver_connection  # aiosqlite's, in this transaction
    if driver is None:
        raise RuntimeError("the SQLite connection is closed")
    cursor = await driver.execute(sql, params)
    try:
        return cast(list[RuleEvent], await cursor.fetchall())
    finally:
        await cursor.close()


async def recent_delivered(conn: AsyncConnection, lanes: Sequence[Lane], per_lane: int) -> list[int]:
    """The ids of each lane's ``per_lane`` most recently delivered shipments."""
    if not lanes:
        return []
    c = shipments.c

    def lane_is(lane: Lane) -> ColumnElement[bool]:
        carrier, origin, dest = lane
        return and_(c.carrier == carrier, c.origin_country == origin, c.destination_country == dest)

    rank = (
        func.row_number()
        .over(
            partition_by=(c.carrier, c.origin_country, c.destination_country),
            order_by=(c.last_event_at.desc(), c.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(c.id, rank).where(c.status == Status.DELIVERED.value, or_(*map(lane_is, lanes))).subquery()
    )
    query = select(ranked.c.id).where(ranked.c.rank <= per_lane)
    return [row[0] for row in (await conn.execute(query)).all()]
