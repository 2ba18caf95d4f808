"""The parcels list: shipments filtered, sorted, and read one page at a time.

A page costs one query for its shipments, then one batched lookup each for their last
events and their open anomalies: a list of 100,000 shipments is only ever read where the
reader looks. Every sort order ends on the shipment id, so the order is total and a page
boundary never shows a row twice or skips one. Archived shipments are hidden unless asked
for; revision 0007's indexes make the default orders cheap however deep the page.

Strings are compared in code-point order on every backend (``COLLATE "C"`` on PostgreSQL,
SQLite's BINARY), so a label sort reads the same on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from parcel_watch.status import Status
from parcel_watch.store import Store, bulk
from parcel_watch.store.schema import anomalies, events, shipments

# The status order a person scanning a list wants: what needs attention, then what moves,
# then what is done.
STATUS_ORDER = (
    Status.EXCEPTION,
    Status.DELIVERY_ATTEMPTED,
    Status.AVAILABLE_FOR_PICKUP,
    Status.OUT_FOR_DELIVERY,
    Status.IN_TRANSIT,
    Status.INFO_RECEIVED,
    Status.PENDING,
    Status.UNKNOWN,
    Status.RETURNING,
    Status.RETURNED,
    Status.DELIVERED,
    Status.CANCELLED,
    Status.EXPIRED,
)


class SortOrder(StrEnum):
    NEWEST_SCAN = "newest_scan"
    OLDEST_SCAN = "oldest_scan"
    STATUS = "status"
    CARRIER = "carrier"
    LABEL = "label"
    ETA = "eta"
    ADDED = "added"

    @property
    def caption(self) -> str:
        return _CAPTIONS[self]


_CAPTIONS = {
    SortOrder.NEWEST_SCAN: "last scan, newest first",
    SortOrder.OLDEST_SCAN: "last scan, oldest first",
    SortOrder.STATUS: "status (needs attention first)",
    SortOrder.CARRIER: "carrier and number",
    SortOrder.LABEL: "label",
    SortOrder.ETA: "estimated delivery, soonest first",
    SortOrder.ADDED: "added, newest first",
}


@dataclass(frozen=True)
class ParcelFilter:
    """Which shipments the list holds. Empty ``statuses``: any status. ``open_anomaly``:
    True only those with an open anomaly, False only those without, None either."""

    statuses: frozenset[Status] = frozenset()
    carrier: str | None = None
    open_anomaly: bool | None = None
    search: str = ""  # part of the tracking number, label or order reference, any case
    include_archived: bool = False


@dataclass(frozen=True)
class ParcelRow:
    """One line of the list. Text fields are raw carrier or user text: clean them to show."""

    id: int
    label: str | None
    number: str
    carrier: str
    status: Status
    substatus: str | None
    description: str | None  # the last event's
    city: str | None
    country: str | None
    last_scan: datetime | None
    estimated_delivery: datetime | None
    promised_delivery: date | None
    anomalies: tuple[str, ...]  # kinds of the open anomalies, sorted
    archived: bool

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.city, self.country) if part)


@dataclass(frozen=True)
class _Term:
    """One key of a sort order: NULLs sort before every value or after."""

    expr: ColumnElement[Any]
    descending: bool
    nulls_first: bool

    def clause(self) -> ColumnElement[Any]:
        ordered = self.expr.desc() if self.descending else self.expr.asc()
        return ordered.nulls_first() if self.nulls_first else ordered.nulls_last()


def _terms(sort: SortOrder, dialect: Dialect) -> list[_Term]:
    last = shipments.c.last_event_at
    ident = shipments.c.id
    # Never scanned counts as newer than any scan: a shipment just added heads the list.
    newest = [_Term(last, True, True), _Term(ident, True, False)]
    if sort is SortOrder.NEWEST_SCAN:
        return newest
    if sort is SortOrder.OLDEST_SCAN:  # exactly the reverse of the newest-first order
        return [_Term(last, False, False), _Term(ident, False, False)]
    if sort is SortOrder.STATUS:
        rank = case({s.value: i for i, s in enumerate(STATUS_ORDER)}, value=shipments.c.status, else_=99)
        return [_Term(rank, False, False), *newest]
    if sort is SortOrder.CARRIER:
        return [
            _Term(shipments.c.carrier, False, False),
            _Term(shipments.c.tracking_number, False, False),
            _Term(ident, False, False),
        ]
    if sort is SortOrder.LABEL:
        label: ColumnElement[Any] = func.lower(shipments.c.label)
        if dialect.name == "postgresql":
            label = label.collate("C")
        return [_Term(label, False, False), _Term(ident, False, False)]
    if sort is SortOrder.ETA:
        return [_Term(shipments.c.estimated_delivery, False, False), _Term(ident, False, False)]
    return [_Term(ident, True, False)]  # ADDED


def _where(flt: ParcelFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if not flt.include_archived:
        conditions.append(shipments.c.archived_at.is_(None))
    if flt.statuses:
        conditions.append(shipments.c.status.in_(sorted(s.value for s in flt.statuses)))
    if flt.carrier is not None:
        conditions.append(shipments.c.carrier == flt.carrier)
    if flt.open_anomaly is not None:
        found = exists().where(anomalies.c.shipment_id == shipments.c.id, anomalies.c.state == "open")
        conditions.append(found if flt.open_anomaly else ~found)
    text = flt.search.strip()
    if text:
        # A number is often pasted with the spaces of its printed form.
        number = "".join(text.split())
        conditions.append(
            or_(
                shipments.c.tracking_number.icontains(number, autoescape=True),
                shipments.c.label.icontains(text, autoescape=True),
                shipments.c.order_ref.icontains(text, autoescape=True),
            )
        )
    return conditions


async def count(store: Store, flt: ParcelFilter) -> int:
    """How many shipments the filter lets through."""
    query = select(func.count()).select_from(shipments).where(*_where(flt))
    async with store.reading() as conn:
        return int((await conn.execute(query)).scalar_one())


async def carriers(store: Store) -> list[str]:
    """Every carrier some shipment has, for the carrier filter."""
    async with store.reading() as conn:
        query = select(shipments.c.carrier).distinct().order_by(shipments.c.carrier)
        return list((await conn.execute(query)).scalars())


_PAGE_COLUMNS = (
    shipments.c.id,
    shipments.c.label,
    shipments.c.tracking_number,
    shipments.c.carrier,
    shipments.c.status,
    shipments.c.substatus,
    shipments.c.last_event_at,
    shipments.c.estimated_delivery,
    shipments.c.promised_delivery,
    shipments.c.archived_at,
)


async def page(store: Store, flt: ParcelFilter, sort: SortOrder, offset: int, limit: int) -> list[ParcelRow]:
    """Rows ``offset`` to ``offset + limit`` of the filtered list in ``sort`` order."""
    async with store.reading() as conn:
        query: Select[Any] = (
            select(*_PAGE_COLUMNS)
            .where(*_where(flt))
            .order_by(*(t.clause() for t in _terms(sort, conn.dialect)))
            .offset(offset)
            .limit(limit)
        )
        found = (await conn.execute(query)).all()
        ids = [r.id for r in found]
        if not ids:
            return []
        last = await _last_events(conn, ids)
        kinds = await _open_kinds(conn, ids)
    rows = []
    for r in found:
        description, city, country = last.get(r.id, (None, None, None))
        rows.append(
            ParcelRow(
                id=r.id,
                label=r.label,
                number=r.tracking_number,
                carrier=r.carrier,
                status=Status(r.status),
                substatus=r.substatus,
                description=description,
                city=city,
                country=country,
                last_scan=r.last_event_at,
                estimated_delivery=r.estimated_delivery,
                promised_delivery=r.promised_delivery,
                anomalies=tuple(kinds.get(r.id, ())),
                archived=r.archived_at is not None,
            )
        )
    return rows


async def position(store: Store, flt: ParcelFilter, sort: SortOrder, shipment_id: int) -> int | None:
    """Where the shipment stands in the filtered list (0-based), or None if not in it: a
    list reloaded after a change keeps its cursor on the same shipment."""
    async with store.reading() as conn:
        terms = _terms(sort, conn.dialect)
        keys = select(*(t.expr for t in terms)).where(shipments.c.id == shipment_id, *_where(flt))
        target = (await conn.execute(keys)).first()
        if target is None:
            return None
        ahead = _before(terms, tuple(target))
        query = select(func.count()).select_from(shipments).where(*_where(flt), ahead)
        return int((await conn.execute(query)).scalar_one())


def _before(terms: Sequence[_Term], values: tuple[Any, ...]) -> ColumnElement[bool]:
    """Rows that sort before the row whose keys are ``values``: lexicographic over the terms."""
    result: ColumnElement[bool] = false()  # equal on every key: the row itself
    for term, value in reversed(list(zip(terms, values, strict=True))):
        expr = term.expr
        if value is None:
            first: ColumnElement[bool] = false() if term.nulls_first else expr.is_not(None)
            same: ColumnElement[bool] = expr.is_(None)
        else:
            beyond = expr > value if term.descending else expr < value
            first = or_(expr.is_(None), beyond) if term.nulls_first else beyond
            same = expr == value
        result = or_(first, and_(same, result))
    return result


async def _last_events(conn: AsyncConnection, ids: list[int]) -> dict[int, tuple[str | None, ...]]:
    """(description, city, country) of each shipment's newest event."""
    ranked = (
        select(
            events.c.shipment_id,
            events.c.description,
            events.c.city,
            events.c.country,
            func.row_number()
            .over(
                partition_by=events.c.shipment_id, order_by=(events.c.occurred_at.desc(), events.c.id.desc())
            )
            .label("newest"),
        )
        .where(bulk.member_of(conn.dialect, events.c.shipment_id, ids))
        .subquery()
    )
    query = select(ranked.c.shipment_id, ranked.c.description, ranked.c.city, ranked.c.country).where(
        ranked.c.newest == 1
    )
    return {sid: (text, city, country) for sid, text, city, country in (await conn.execute(query)).all()}


async def _open_kinds(conn: AsyncConnection, ids: list[int]) -> dict[int, list[str]]:
    query = (
        select(anomalies.c.shipment_id, anomalies.c.kind)
        .where(anomalies.c.state == "open", bulk.member_of(conn.dialect, anomalies.c.shipment_id, ids))
        .order_by(anomalies.c.shipment_id, anomalies.c.kind)
    )
    kinds: dict[int, list[str]] = {}
    for sid, kind in (await conn.execute(query)).all():
        kinds.setdefault(sid, []).append(kind)
    return kinds
