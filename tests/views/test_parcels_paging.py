"""Paging through the parcels list, as a property on SQLite and PostgreSQL: for any set of
shipments, any filter, any sort order and any page size, the pages together hold exactly the
shipments the filter keeps, each once, in the order's sequence; the count agrees, and
``position`` finds each shipment where the pages put it.

The expected list comes from a plain-Python model of the filter and the order."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from parcel_watch.status import Status
from parcel_watch.store import Store
from parcel_watch.store.schema import anomalies, events, shipments
from parcel_watch.views.parcels import STATUS_ORDER, ParcelFilter, SortOrder, count, page, position

T0 = datetime(2026, 5, 1, tzinfo=UTC)
STATUSES = (Status.IN_TRANSIT, Status.DELIVERED, Status.EXCEPTION, Status.PENDING)
CARRIERS = ("ups", "dhl", "fedex")
# Few distinct values, so ties are common: the id tiebreak has work to do.
TIMES = st.none() | st.integers(0, 4).map(lambda h: T0 + timedelta(hours=h))
TEXT = st.text(alphabet="aAb%_1 ", max_size=4)


@dataclass(frozen=True)
class Spec:
    id: int
    status: Status
    carrier: str
    number: str
    label: str | None
    order_ref: str | None
    last: datetime | None
    eta: datetime | None
    archived: bool
    kinds: frozenset[str]
    resolved: bool  # has a resolved anomaly, which never counts


@st.composite
def stores(draw: st.DrawFn) -> list[Spec]:
    n = draw(st.integers(0, 14))
    return [
        Spec(
            id=i + 1,
            status=draw(st.sampled_from(STATUSES)),
            carrier=draw(st.sampled_from(CARRIERS)),
            number=draw(st.sampled_from(["A1", "B%2", "A_3", "b1"])) + f"{i:03d}",
            label=draw(st.none() | TEXT),
            order_ref=draw(st.none() | TEXT),
            last=draw(TIMES),
            eta=draw(TIMES),
            archived=draw(st.booleans()),
            kinds=draw(st.frozensets(st.sampled_from(["late", "stalled"]))),
            resolved=draw(st.booleans()),
        )
        for i in range(n)
    ]


filters = st.builds(
    ParcelFilter,
    statuses=st.frozensets(st.sampled_from(STATUSES), max_size=2),
    carrier=st.none() | st.sampled_from(CARRIERS),
    open_anomaly=st.none() | st.booleans(),
    search=st.one_of(st.just(""), TEXT),
    include_archived=st.booleans(),
)


def kept(spec: Spec, flt: ParcelFilter) -> bool:
    text = flt.search.strip().lower()
    number = "".join(text.split())
    return (
        (flt.include_archived or not spec.archived)
        and (not flt.statuses or spec.status in flt.statuses)
        and (flt.carrier is None or spec.carrier == flt.carrier)
        and (flt.open_anomaly is None or bool(spec.kinds) == flt.open_anomaly)
        and (
            not text
            or number in spec.number.lower()
            or text in (spec.label or "\0").lower()
            or text in (spec.order_ref or "\0").lower()
        )
    )


def _ts(at: datetime | None) -> float:
    return at.timestamp() if at is not None else 0.0


def sort_key(spec: Spec, sort: SortOrder) -> tuple[Any, ...]:
    newest = (spec.last is not None, -_ts(spec.last), -spec.id)
    if sort is SortOrder.NEWEST_SCAN:
        return newest
    if sort is SortOrder.OLDEST_SCAN:
        return (spec.last is None, _ts(spec.last), spec.id)
    if sort is SortOrder.STATUS:
        return (STATUS_ORDER.index(spec.status), *newest)
    if sort is SortOrder.CARRIER:
        return (spec.carrier, spec.number, spec.id)
    if sort is SortOrder.LABEL:
        return (spec.label is None, (spec.label or "").lower(), spec.id)
    if sort is SortOrder.ETA:
        return (spec.eta is None, _ts(spec.eta), spec.id)
    return (-spec.id,)


async def write(store: Store, specs: list[Spec]) -> None:
    async with store.writing() as conn:
        for table in (anomalies, events, shipments):
            await conn.execute(delete(table))
        if not specs:
            return
        await conn.execute(
            insert(shipments),
            [
                {
                    "id": s.id,
                    "carrier": s.carrier,
                    "tracking_number": s.number,
                    "carrier_source": "detected",
                    "label": s.label,
                    "order_ref": s.order_ref,
                    "status": s.status.value,
                    "last_event_at": s.last,
                    "estimated_delivery": s.eta,
                    "archived_at": T0 if s.archived else None,
                    "created_at": T0,
                    "updated_at": T0,
                }
                for s in specs
            ],
        )
        found = [(s.id, kind, "open") for s in specs for kind in s.kinds]
        found += [(s.id, "damaged", "resolved") for s in specs if s.resolved]
        if found:
            await conn.execute(
                insert(anomalies),
                [
                    {
                        "shipment_id": sid,
                        "kind": kind,
                        "state": state,
                        "since": T0,
                        "opened_at": T0,
                        "updated_at": T0,
                        "details": "{}",
                        "evidence": "[]",
                    }
                    for sid, kind, state in found
                ],
            )


async def check(url: str, specs: list[Spec], flt: ParcelFilter, sort: SortOrder, size: int) -> None:
    expected = sorted((s for s in specs if kept(s, flt)), key=lambda s: sort_key(s, sort))
    async with await Store.open(url) as store:
        await write(store, specs)
        paged: list[int] = []
        while True:
            rows = await page(store, flt, sort, len(paged), size)
            assert len(rows) <= size
            paged += [r.id for r in rows]
            if len(rows) < size:
                break
        assert paged == [s.id for s in expected]
        assert await count(store, flt) == len(expected)
        for index, spec in enumerate(expected):
            assert await position(store, flt, sort, spec.id) == index
        for spec in specs:
            if not kept(spec, flt):
                assert await position(store, flt, sort, spec.id) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=stores(), flt=filters, sort=st.sampled_from(SortOrder), size=st.integers(1, 5))
def test_pages_hold_exactly_the_filtered_shipments_in_order(
    db_url: str, specs: list[Spec], flt: ParcelFilter, sort: SortOrder, size: int
) -> None:
    # Every example rewrites the tables of the same database: one database per test.
    asyncio.run(check(db_url, specs, flt, sort, size))
