"""The carrier performance report (``parcel-watch report carriers``, ``/api/report/carriers``).

Per carrier, service, lane (as :mod:`parcel_watch.views.performance` groups them) or carrier
and ship month, over the shipments shipped on or after ``since`` (ship day as there):

- **shipments**, **delivered** (current status DELIVERED).
- **on time against the promise**: delivered shipments with a delivery scan and a promised
  date, delivered (local day of the delivery scan) on or before it; **against the
  estimate**: the same against the carrier's first announced estimate, its day taken in the
  delivery scan's offset. Each rate with a Wilson 95 % interval.
- **transit**: first carrier scan → delivery, in business days of the destination (its
  weekend and public holidays, :mod:`claims.rules.calendar`): business days after the
  first scan's local day up to the delivery's local day. A scan's local day is its
  wall-clock day where the carrier gave one, else its day in the destination's zone.
  Nearest-rank p50/p90/p99.
- **first-scan lag**: ship date (its midnight UTC) or, without one, the time the shipment
  was added → first carrier scan, whole hours (0 when scanned before); p50/p90.
- **stalled**: shipments with a ``stalled`` anomaly ever; **lost or damaged**: with a
  ``lost`` or ``damaged`` anomaly still open (a resolved ``lost`` parcel turned up).
- **exceptions by reason**: shipments with an EXCEPTION/RETURNING/RETURNED scan, by the
  carrier's substatus (else that status), and with an anomaly ever, by ``anomaly:<kind>``.
  The shipments with at least one of these reasons, as a rate (``with_exceptions``; the
  dashboard's exception column, not in ``to_dict()``).
- **claims** to the carrier: open cases and amounts as the Carriers screen counts them
  (the largest draft per case and currency), and the recovered amount: paid and partially
  paid claims, summed per currency. Exact Decimals.

The database aggregates the events (the big table) to one row per shipment and computes
its flags, day numbers and lag; those rows are read in partitions and folded into a few
counters per group, in Python only because the calendar (holidays, zone rules) cannot run
in SQL. Memory stays bounded by the groups and the distinct days, not by the shipments.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from claims.model import AnomalyKind, AnomalyState, ClaimStatus, Party
from claims.rules.calendar import calendar_for
from parcel_watch.status import Status
from parcel_watch.store import Store
from parcel_watch.store.schema import anomalies, claims, events, shipments
from parcel_watch.views.carrier_report_rows import By, CarrierReport, CarrierRow, Distribution, Rate
from parcel_watch.views.performance import (
    NOT_SCANS,
    OPEN_CLAIM_STATUSES,
    TROUBLE_STATUSES,
    _first_estimates,
    currency_totals,
)
from parcel_watch.views.report_math import business_days_in_transit
from parcel_watch.views.sqltime import HOUR_US, SqlTime, day_number

EPOCH = date(1970, 1, 1)
RECOVERED_STATUSES = (ClaimStatus.PAID.value, ClaimStatus.PARTIALLY_PAID.value)
# A scan's second and UTC offset in one integer: offset + bias in 1..4095, 0 when unknown.
OFFSET_SLOTS, OFFSET_BIAS = 4096, 2048
QUARTER_S = 900  # a scan without an offset is placed in its destination day to the quarter hour
LOST_OR_DAMAGED = frozenset({AnomalyKind.LOST.value, AnomalyKind.DAMAGED.value})


__all__ = ["By", "CarrierReport", "CarrierRow", "Distribution", "Rate", "carrier_report"]

Key = tuple[str, str | None, str | None, str | None, str | None]  # carrier, service, origin, dest, month


@dataclass
class _Tally:
    shipments: int = 0
    delivered: int = 0
    promise: list[int] = field(default_factory=lambda: [0, 0])  # on time, judged
    estimate: list[int] = field(default_factory=lambda: [0, 0])
    transit: Counter[int] = field(default_factory=Counter)
    lag: Counter[int] = field(default_factory=Counter)
    stalled: int = 0
    lost_or_damaged: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    with_reasons: int = 0


async def carrier_report(store: Store, by: By = By.CARRIER, since: date | None = None) -> CarrierReport:
    """The report; rows ordered by carrier, then service, lane or month (unknowns last)."""
    async with store.reading() as conn:
        tallies = await _tally(conn, by, since)
        open_cases, open_claimed, recovered = await _claims(conn, by, since)
    rows = [
        CarrierRow(
            *key,
            shipments=t.shipments,
            delivered=t.delivered,
            on_time_vs_promise=Rate(*t.promise),
            on_time_vs_estimate=Rate(*t.estimate),
            transit_business_days=Distribution(tuple(sorted(t.transit.items()))),
            first_scan_lag_hours=Distribution(tuple(sorted(t.lag.items()))),
            stalled=Rate(t.stalled, t.shipments),
            lost_or_damaged=Rate(t.lost_or_damaged, t.shipments),
            exceptions=tuple(sorted(t.reasons.items())),
            open_claims=open_cases.get(key, 0),
            open_claimed=currency_totals(open_claimed.get(key, {}).values()),
            recovered=tuple(sorted(recovered.get(key, {}).items())),
            with_exceptions=Rate(t.with_reasons, t.shipments),
        )
        for key, t in tallies.items()
    ]
    return CarrierReport(by, since, tuple(sorted(rows, key=_order)))


def _order(row: CarrierRow) -> tuple[tuple[bool, str], ...]:
    fields = (row.carrier, row.service, row.origin, row.destination, row.month)
    return tuple((value is None, value or "") for value in fields)


def _key(
    by: By, carrier: str, service: str | None, origin: str | None, dest: str | None, ship_day: int
) -> Key:
    if by is By.SERVICE:
        return (carrier, service, None, None, None)
    if by is By.LANE:
        return (carrier, None, origin, dest, None)
    if by is By.MONTH:
        return (carrier, None, None, None, (EPOCH + timedelta(days=ship_day)).strftime("%Y-%m"))
    return (carrier, None, None, None, None)


def _shipment_facts(t: SqlTime, since: date | None) -> Select[Any]:
    """One row per shipment: its group's columns and the times the report needs, in
    microseconds (a wall-clock time as if it were UTC), with its reasons as text."""
    s, e, a = shipments.c, events.c, anomalies.c
    delivery = e.status == Status.DELIVERED.value
    scan = e.status.not_in(NOT_SCANS)
    # The first scan's offset rides along in the minimum, below its second: one pass, no window.
    first_scan_key = t.micros(e.occurred_at) // 1_000_000 * OFFSET_SLOTS + func.coalesce(
        e.utc_offset_minutes + OFFSET_BIAS, 0
    )
    ev = (
        select(
            e.shipment_id,
            func.min(e.occurred_at).label("first_event_at"),
            func.min(case((scan, first_scan_key))).label("first_scan_key"),
            func.min(case((delivery, e.occurred_at))).label("delivered_at"),
            func.min(case((delivery, e.local_time))).label("delivered_local"),
            func.aggregate_strings(
                case((e.status.in_(TROUBLE_STATUSES), func.coalesce(e.substatus, func.lower(e.status)))), " "
            ).label("reasons"),
        )
        .group_by(e.shipment_id)
        .subquery("ev")
    )
    an = (
        select(
            a.shipment_id,
            func.aggregate_strings(a.kind, " ").label("kinds"),
            func.aggregate_strings(case((a.state == AnomalyState.OPEN.value, a.kind)), " ").label(
                "open_kinds"
            ),
        )
        .group_by(a.shipment_id)
        .subquery("an")
    )
    fe = _first_estimates()
    start = func.coalesce(t.date_micros(s.ship_date), t.micros(s.created_at))
    ship_day = t.day(
        func.coalesce(t.date_micros(s.ship_date), t.micros(ev.c.first_event_at), t.micros(s.created_at))
    )
    # The first scan: its second and, where it gave one, its offset (see first_scan_key).
    first_second = ev.c.first_scan_key // OFFSET_SLOTS
    first_slot = ev.c.first_scan_key % OFFSET_SLOTS
    first_local_second = first_second + (first_slot - OFFSET_BIAS) * 60
    delivered_at = t.micros(ev.c.delivered_at)
    delivered_local = t.micros(ev.c.delivered_local)
    delivered_day = t.day(func.coalesce(delivered_local, delivered_at))
    offset = func.coalesce(delivered_local - delivered_at, 0)
    judged = and_(s.status == Status.DELIVERED.value, ev.c.delivered_at.is_not(None))
    promise_day = t.day(t.date_micros(s.promised_delivery))
    estimate_day = t.day(t.micros(fe.c.estimated_delivery) + offset)
    lag = (first_second * 1_000_000 - start) // HOUR_US
    in_transit = and_(judged, ev.c.first_scan_key.is_not(None), delivered_at >= first_second * 1_000_000)
    query = select(
        s.carrier,
        s.service,
        s.origin_country,
        s.destination_country,
        ship_day.label("ship_day"),
        _flag(s.status == Status.DELIVERED.value).label("delivered"),
        case((and_(judged, promise_day.is_not(None)), _flag(delivered_day <= promise_day))).label("promise"),
        case((and_(judged, estimate_day.is_not(None)), _flag(delivered_day <= estimate_day))).label(
            "estimate"
        ),
        case((lag < 0, 0), else_=lag).label("lag_hours"),
        _flag(in_transit).label("in_transit"),
        # A local day where the scan gave its offset, else its UTC quarter hour (Python finds the
        # destination's day of it: the zone rules are not in SQL).
        case((first_slot > 0, first_local_second // 86_400)).label("first_day"),
        case((first_slot == 0, first_second // QUARTER_S)).label("first_quarter"),
        case((delivered_local.is_not(None), t.day(delivered_local))).label("last_day"),
        case((delivered_local.is_(None), delivered_at // (QUARTER_S * 1_000_000))).label("last_quarter"),
        ev.c.reasons,
        an.c.kinds,
        an.c.open_kinds,
    ).select_from(
        shipments.outerjoin(ev, ev.c.shipment_id == s.id)
        .outerjoin(fe, fe.c.shipment_id == s.id)
        .outerjoin(an, an.c.shipment_id == s.id)
    )
    if since is not None:
        query = query.where(ship_day >= day_number(since))
    return query


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


async def _tally(conn: AsyncConnection, by: By, since: date | None) -> dict[Key, _Tally]:
    """Folds the per-shipment rows into counters; what repeats (group keys, zone days,
    business-day spans) is computed once and looked up."""
    tallies: dict[Key, _Tally] = defaultdict(_Tally)
    keys: dict[tuple[Any, ...], _Tally] = {}
    spans: dict[tuple[str | None, int, int], int] = {}
    result = await conn.stream(
        _shipment_facts(SqlTime(conn.dialect), since).execution_options(yield_per=5000)
    )
    async for partition in result.partitions():
        for row in partition:
            raw_key = row[:5] if by is By.MONTH else row[:4]
            tally = keys.get(raw_key)
            if tally is None:
                tally = keys[raw_key] = tallies[_key(by, *row[:5])]
            (
                delivered,
                promise,
                estimate,
                lag,
                in_transit,
                first_day,
                first_quarter,
                last_day,
                last_quarter,
            ) = row[5:14]
            tally.shipments += 1
            tally.delivered += delivered
            if promise is not None:
                tally.promise[0] += promise
                tally.promise[1] += 1
            if estimate is not None:
                tally.estimate[0] += estimate
                tally.estimate[1] += 1
            if lag is not None:
                tally.lag[lag] += 1
            if in_transit:
                dest = row[3]
                first = first_day if first_day is not None else _zone_day(first_quarter, dest)
                last = last_day if last_day is not None else _zone_day(last_quarter, dest)
                span = spans.get((dest, first, last))
                if span is None:
                    span = spans[dest, first, last] = business_days_in_transit(
                        calendar_for(dest), EPOCH + timedelta(days=first), EPOCH + timedelta(days=last)
                    )
                tally.transit[span] += 1
            reasons, kinds, open_kinds = row[14:]
            if reasons or kinds:
                _count_reasons(tally, reasons, kinds, open_kinds)
    return tallies


def _count_reasons(tally: _Tally, reasons: str | None, kinds: str | None, open_kinds: str | None) -> None:
    kinds_ever = set((kinds or "").split())
    tally.stalled += AnomalyKind.STALLED.value in kinds_ever
    tally.lost_or_damaged += bool(LOST_OR_DAMAGED & set((open_kinds or "").split()))
    found = set((reasons or "").split()) | {f"anomaly:{kind}" for kind in kinds_ever}
    tally.with_reasons += bool(found)
    for reason in found:
        tally.reasons[reason] += 1


@lru_cache(maxsize=1 << 17)
def _zone_day(quarter: int, country: str | None) -> int:
    """The day number, in the destination's zone, of a UTC quarter hour: exact, every zone's
    offset being a whole number of quarter hours (India +05:30, Nepal +05:45)."""
    at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=quarter * QUARTER_S)
    return (at.astimezone(calendar_for(country).zone).date() - EPOCH).days


def _claims_query(t: SqlTime, since: date | None) -> Select[Any]:
    s, c = shipments.c, claims.c
    first_event = select(func.min(events.c.occurred_at)).where(events.c.shipment_id == s.id).scalar_subquery()
    ship_day = t.day(func.coalesce(t.date_micros(s.ship_date), t.micros(first_event), t.micros(s.created_at)))
    wanted = OPEN_CLAIM_STATUSES + tuple(st for st in RECOVERED_STATUSES if st not in OPEN_CLAIM_STATUSES)
    query = (
        select(
            s.carrier, s.service, s.origin_country, s.destination_country, ship_day,
            c.shipment_id, c.anomaly, c.status, c.currency, c.amount,
        )
        .select_from(claims.join(shipments, s.id == c.shipment_id))
        .where(and_(c.status.in_(wanted), c.respondent == Party.CARRIER.value))
    )  # fmt: skip
    if since is not None:
        query = query.where(ship_day >= day_number(since))
    return query


async def _claims(
    conn: AsyncConnection, by: By, since: date | None
) -> tuple[
    dict[Key, int], dict[Key, dict[tuple[int, str], dict[str, Decimal]]], dict[Key, dict[str, Decimal]]
]:
    """Per group: open cases, each case's largest draft per currency, recovered per currency.
    Claims are few: their shipments' ship days are looked up one by one."""
    cases: dict[Key, dict[tuple[int, str], dict[str, Decimal]]] = defaultdict(dict)
    recovered: dict[Key, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in await conn.execute(_claims_query(SqlTime(conn.dialect), since)):
        carrier, service, origin, dest, ship_day, shipment_id, anomaly, status, currency, amount = row
        key = _key(by, carrier, service, origin, dest, ship_day)
        if status in OPEN_CLAIM_STATUSES:
            drafts = cases[key].setdefault((shipment_id, anomaly), {})
            if amount is not None and currency:
                drafts[currency] = max(drafts.get(currency, Decimal(0)), Decimal(amount))
        if status in RECOVERED_STATUSES and amount is not None and currency:
            recovered[key][currency] += Decimal(amount)
    return {key: len(by_case) for key, by_case in cases.items()}, cases, recovered
