"""Carrier performance: how the shipments of each carrier, service or lane fared.

For each group (see :class:`Grouping`), over the shipments in the store (all of them,
archived ones included: performance is history), or those shipped on or after ``since``:

- **shipments**, and **delivered**: whose current status is DELIVERED.
- **on time**: a delivered shipment with a delivery scan is *judged* against a reference
  day, the merchant's promised date where there is one, else the carrier's first announced
  estimate (its commitment before any slip; as the ``delivered_late`` rule reads it). It is
  on time when its local delivery day (the delivery scan's wall-clock day) is on or before
  that day; the estimate's day is taken in the delivery scan's UTC offset. The rate is
  on time / judged: shipments with neither a promise nor an estimate are not counted.
  Days are compared, never minutes (the rules' to-the-minute express guarantees are a
  claim matter).
- **transit**: first scan → first delivery scan of delivered shipments, in whole hours
  (floored); the first scan is the first event that is neither PENDING nor INFO_RECEIVED
  (a label created is not the carrier holding the parcel). Percentiles are nearest-rank.
- **exceptions**: shipments with an event whose status is EXCEPTION, RETURNING or RETURNED,
  or with an open anomaly of kind delivery_failed, returned_to_sender, lost or damaged (the
  rules' reading of failed attempts, returns, loss, and damage told in the carrier's words).
  A single missed delivery attempt is not an exception. The rate is over all shipments.
- **open claims**: claims addressed to the carrier whose status can still lead to payment
  (:data:`OPEN_CLAIM_STATUSES`), counted as cases: one per shipment and anomaly, however
  many policies it was drafted under (alternatives, not additions). A case's amount per
  currency is the largest of its drafts in that currency.

A shipment's *ship day* (for ``since``) is its ship date, else the UTC day of its first
event, else the day it was added to the store.

Everything but the claims is one GROUP BY over the shipments joined to one pass over their
events: its rows are (group, transit hour) with conditional counts, so what comes back is
bounded by groups × distinct transit hours, never by the number of shipments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, Subquery, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from claims.model import AnomalyKind, AnomalyState, ClaimStatus, Party
from parcel_watch.status import Status
from parcel_watch.store import Store
from parcel_watch.store.schema import anomalies, claims, estimate_revisions, events, shipments
from parcel_watch.views.sqltime import SqlTime, day_number

NOT_SCANS = (Status.PENDING.value, Status.INFO_RECEIVED.value)
TROUBLE_STATUSES = (Status.EXCEPTION.value, Status.RETURNING.value, Status.RETURNED.value)
TROUBLE_ANOMALIES = tuple(
    k.value
    for k in (
        AnomalyKind.DELIVERY_FAILED,
        AnomalyKind.RETURNED_TO_SENDER,
        AnomalyKind.LOST,
        AnomalyKind.DAMAGED,
    )
)
# Paid, denied (until appealed) and expired are settled; a partial payment may still grow.
OPEN_CLAIM_STATUSES = tuple(
    s.value
    for s in (
        ClaimStatus.DRAFT,
        ClaimStatus.READY,
        ClaimStatus.FILED,
        ClaimStatus.ACKNOWLEDGED,
        ClaimStatus.PARTIALLY_PAID,
    )
)


class Grouping(StrEnum):
    """In the order the dashboard's ``g`` cycles through them."""

    CARRIER = "carrier"
    SERVICE = "service"  # carrier and service
    LANE = "lane"  # carrier, origin country, destination country (as ``claims.lanes``)

    def next(self) -> Grouping:
        order = list(Grouping)
        return order[(order.index(self) + 1) % len(order)]


_KEY_COLUMNS: dict[Grouping, tuple[str, ...]] = {
    Grouping.CARRIER: ("carrier",),
    Grouping.SERVICE: ("carrier", "service"),
    Grouping.LANE: ("carrier", "origin_country", "destination_country"),
}


@dataclass(frozen=True, order=True)
class GroupKey:
    """What a row is about; a field the grouping does not use is None, and so is one the
    shipments do not say (no service, no country)."""

    carrier: str
    service: str | None = None
    origin: str | None = None
    destination: str | None = None


@dataclass(frozen=True)
class TransitTimes:
    """Transit of delivered shipments: (whole hours, shipments) pairs, hours increasing."""

    hours: tuple[tuple[int, int], ...] = ()

    @property
    def count(self) -> int:
        return sum(n for _, n in self.hours)

    def percentile_hours(self, percent: int) -> int | None:
        """Nearest rank: the smallest value with at least ``percent`` % of them at or below it."""
        total = self.count
        if not total:
            return None
        rank = max(1, -(-percent * total // 100))  # ceil, in integers
        seen = 0
        for hours, n in self.hours:
            seen += n
            if seen >= rank:
                return hours
        raise AssertionError("unreachable")

    @property
    def p50_days(self) -> float | None:
        return _days(self.percentile_hours(50))

    @property
    def p90_days(self) -> float | None:
        return _days(self.percentile_hours(90))

    def day_histogram(self) -> tuple[tuple[int, int], ...]:
        """Shipments per whole day of transit, from day 0 to the longest, empty days included."""
        if not self.hours:
            return ()
        per_day: dict[int, int] = defaultdict(int)
        for hours, n in self.hours:
            per_day[hours // 24] += n
        return tuple((day, per_day.get(day, 0)) for day in range(max(per_day) + 1))


def _days(hours: int | None) -> float | None:
    return None if hours is None else hours / 24


@dataclass(frozen=True)
class Performance:
    key: GroupKey
    shipments: int = 0
    delivered: int = 0
    judged: int = 0  # delivered shipments with a promise or an estimate to judge them by
    on_time: int = 0
    exceptions: int = 0
    transit: TransitTimes = TransitTimes()
    open_claims: int = 0
    claimed: tuple[tuple[str, Decimal], ...] = ()  # (currency, amount), by currency

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.judged if self.judged else None

    @property
    def exception_rate(self) -> float | None:
        return self.exceptions / self.shipments if self.shipments else None


@dataclass
class _Counts:
    shipments: int = 0
    delivered: int = 0
    judged: int = 0
    on_time: int = 0
    exceptions: int = 0
    hours: list[tuple[int, int]] = field(default_factory=list)


async def performance(
    store: Store, grouping: Grouping = Grouping.CARRIER, *, since: date | None = None
) -> list[Performance]:
    """One row per group with at least one shipment, ordered by :func:`sort_key`."""
    async with store.reading() as conn:
        counts = await _counts(conn, grouping, since)
        cases = await _open_claims(conn, grouping, since)
    rows = []
    for key, c in counts.items():
        open_cases, claimed = cases.get(key, (0, ()))
        rows.append(
            Performance(
                key,
                c.shipments,
                c.delivered,
                c.judged,
                c.on_time,
                c.exceptions,
                TransitTimes(tuple(sorted(c.hours))),
                open_cases,
                claimed,
            )
        )
    return sorted(rows, key=lambda row: sort_key(grouping, row.key))


def sort_key(grouping: Grouping, key: GroupKey) -> tuple[tuple[bool, str], ...]:
    """Alphabetical, unknowns last; lanes by origin and destination first, so the carriers
    serving one lane sit together."""
    fields = (
        (key.origin, key.destination, key.carrier)
        if grouping is Grouping.LANE
        else (key.carrier, key.service)
    )
    return tuple((value is None, value or "") for value in fields)


def _key(grouping: Grouping, values: Sequence[Any]) -> GroupKey:
    named = dict(zip(_KEY_COLUMNS[grouping], values, strict=True))
    return GroupKey(
        named["carrier"],
        named.get("service"),
        named.get("origin_country"),
        named.get("destination_country"),
    )


def _key_columns(grouping: Grouping) -> list[ColumnElement[Any]]:
    return [shipments.c[name] for name in _KEY_COLUMNS[grouping]]


def _ship_day(t: SqlTime, first_event_at: ColumnElement[Any]) -> ColumnElement[int]:
    s = shipments.c
    return t.day(func.coalesce(t.date_micros(s.ship_date), t.micros(first_event_at), t.micros(s.created_at)))


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _event_facts() -> Subquery:
    """Per shipment, one pass over its events."""
    e = events.c
    delivery = e.status == Status.DELIVERED.value
    return (
        select(
            e.shipment_id,
            func.min(e.occurred_at).label("first_event_at"),
            func.min(case((e.status.not_in(NOT_SCANS), e.occurred_at))).label("first_scan_at"),
            func.min(case((delivery, e.occurred_at))).label("delivered_at"),
            # The earliest delivery scan's wall clock; with two delivery scans in two
            # zones it may be the other one's, a day off at worst.
            func.min(case((delivery, e.local_time))).label("delivered_local"),
            func.max(_flag(e.status.in_(TROUBLE_STATUSES))).label("trouble"),
        )
        .group_by(e.shipment_id)
        .subquery("ev")
    )


def _first_estimates() -> Subquery:
    r = estimate_revisions.c
    order = func.row_number().over(partition_by=r.shipment_id, order_by=(r.recorded_at, r.id))
    ranked = select(r.shipment_id, r.estimated_delivery, order.label("n")).subquery("revisions")
    return select(ranked.c.shipment_id, ranked.c.estimated_delivery).where(ranked.c.n == 1).subquery("fe")


def _troubled() -> Subquery:
    a = anomalies.c
    open_trouble = and_(a.state == AnomalyState.OPEN.value, a.kind.in_(TROUBLE_ANOMALIES))
    return select(a.shipment_id).where(open_trouble).distinct().subquery("an")


def _counts_query(t: SqlTime, grouping: Grouping, since: date | None) -> Select[Any]:
    s = shipments.c
    ev, fe, an = _event_facts(), _first_estimates(), _troubled()
    delivered = s.status == Status.DELIVERED.value
    delivered_at = t.micros(ev.c.delivered_at)
    local = t.micros(ev.c.delivered_local)
    delivered_day = t.day(func.coalesce(local, delivered_at))
    offset = func.coalesce(local - delivered_at, 0)
    reference_day = func.coalesce(
        t.day(t.date_micros(s.promised_delivery)), t.day(t.micros(fe.c.estimated_delivery) + offset)
    )
    judged = and_(delivered, ev.c.delivered_at.is_not(None), reference_day.is_not(None))
    transit = case(
        (
            and_(delivered, ev.c.delivered_at >= ev.c.first_scan_at),
            t.whole_hours(delivered_at - t.micros(ev.c.first_scan_at)),
        )
    )
    facts_query = select(
        *_key_columns(grouping),
        transit.label("transit_hours"),
        _flag(delivered).label("delivered"),
        _flag(judged).label("judged"),
        _flag(and_(judged, delivered_day <= reference_day)).label("on_time"),
        _flag(or_(ev.c.trouble == 1, an.c.shipment_id.is_not(None))).label("exception"),
    ).select_from(
        shipments.outerjoin(ev, ev.c.shipment_id == s.id)
        .outerjoin(fe, fe.c.shipment_id == s.id)
        .outerjoin(an, an.c.shipment_id == s.id)
    )
    if since is not None:
        facts_query = facts_query.where(_ship_day(t, ev.c.first_event_at) >= day_number(since))
    facts = facts_query.subquery("facts")
    keys = [facts.c[name] for name in _KEY_COLUMNS[grouping]]
    return select(
        *keys,
        facts.c.transit_hours,
        func.count().label("shipments"),
        *(func.sum(facts.c[name]).label(name) for name in ("delivered", "judged", "on_time", "exception")),
    ).group_by(*keys, facts.c.transit_hours)


async def _counts(conn: AsyncConnection, grouping: Grouping, since: date | None) -> dict[GroupKey, _Counts]:
    width = len(_KEY_COLUMNS[grouping])
    found: dict[GroupKey, _Counts] = defaultdict(_Counts)
    for row in await conn.execute(_counts_query(SqlTime(conn.dialect), grouping, since)):
        c = found[_key(grouping, row[:width])]
        transit, shipments_, delivered, judged, on_time, exceptions = row[width:]
        c.shipments += shipments_
        c.delivered += int(delivered)
        c.judged += int(judged)
        c.on_time += int(on_time)
        c.exceptions += int(exceptions)
        if transit is not None:
            c.hours.append((int(transit), shipments_))
    return found


def _open_claims_query(t: SqlTime, grouping: Grouping, since: date | None) -> Select[Any]:
    s, c = shipments.c, claims.c
    query = (
        select(*_key_columns(grouping), c.shipment_id, c.anomaly, c.currency, c.amount)
        .select_from(claims.join(shipments, shipments.c.id == c.shipment_id))
        .where(c.status.in_(OPEN_CLAIM_STATUSES), c.respondent == Party.CARRIER.value)
    )
    if since is not None:
        # Claims are few: their shipments' first events are looked up one by one.
        first_event = (
            select(func.min(events.c.occurred_at)).where(events.c.shipment_id == s.id).scalar_subquery()
        )
        query = query.where(_ship_day(t, first_event) >= day_number(since))
    return query


async def _open_claims(
    conn: AsyncConnection, grouping: Grouping, since: date | None
) -> dict[GroupKey, tuple[int, tuple[tuple[str, Decimal], ...]]]:
    """Per group: open cases, and the amount claimed per currency (Decimal text, summed exactly)."""
    width = len(_KEY_COLUMNS[grouping])
    cases: dict[GroupKey, dict[tuple[int, str], dict[str, Decimal]]] = defaultdict(dict)
    for row in await conn.execute(_open_claims_query(SqlTime(conn.dialect), grouping, since)):
        shipment_id, anomaly, currency, amount = row[width:]
        drafts = cases[_key(grouping, row[:width])].setdefault((shipment_id, anomaly), {})
        if amount is not None and currency:
            drafts[currency] = max(drafts.get(currency, Decimal(0)), Decimal(amount))
    return {key: (len(by_case), currency_totals(by_case.values())) for key, by_case in cases.items()}


def currency_totals(amounts: Iterable[dict[str, Decimal]]) -> tuple[tuple[str, Decimal], ...]:
    total: dict[str, Decimal] = defaultdict(Decimal)
    for per_currency in amounts:
        for currency, amount in per_currency.items():
            total[currency] += amount
    return tuple(sorted(total.items()))
