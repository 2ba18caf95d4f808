"""Carrier performance on a hand-computed store (``performance_dataset``), on SQLite and
PostgreSQL; the percentile and histogram arithmetic as properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from parcel_watch.store import Store
from parcel_watch.views.performance import Grouping, GroupKey, Performance, TransitTimes, performance
from tests.views.performance_dataset import FEDEX_USD, UPS_EUR, build


def by_key(rows: list[Performance]) -> dict[GroupKey, Performance]:
    return {row.key: row for row in rows}


async def test_per_carrier_every_number_is_the_hand_computed_one(store: Store) -> None:
    await build(store)
    rows = await performance(store, Grouping.CARRIER)

    assert [r.key.carrier for r in rows] == ["dhl", "fedex", "ups"]
    dhl, fedex, ups = rows
    assert (fedex.shipments, fedex.delivered, fedex.judged, fedex.on_time, fedex.exceptions) == (
        4,
        3,
        2,
        1,
        2,
    )
    assert fedex.transit.hours == ((30, 1), (62, 1), (67, 1))
    assert (fedex.transit.p50_days, fedex.transit.p90_days) == (62 / 24, 67 / 24)
    assert fedex.transit.day_histogram() == ((0, 0), (1, 1), (2, 2))
    assert (fedex.open_claims, fedex.claimed) == (2, (("USD", FEDEX_USD),))
    assert (fedex.on_time_rate, fedex.exception_rate) == (0.5, 0.5)

    assert (ups.shipments, ups.delivered, ups.judged, ups.on_time, ups.exceptions) == (4, 2, 2, 1, 1)
    assert ups.transit.hours == ((50, 1), (100, 1))
    assert (ups.transit.percentile_hours(50), ups.transit.percentile_hours(90)) == (50, 100)
    assert (ups.open_claims, ups.claimed) == (3, (("EUR", UPS_EUR),))
    assert ups.exception_rate == 0.25

    assert (dhl.shipments, dhl.delivered, dhl.judged, dhl.on_time, dhl.exceptions) == (3, 1, 0, 0, 0)
    assert dhl.on_time_rate is None  # nothing to judge by: no rate rather than 0 %
    assert dhl.transit.hours == ((24, 1),)
    assert dhl.transit.day_histogram() == ((0, 0), (1, 1))
    assert (dhl.transit.p50_days, dhl.transit.p90_days) == (1.0, 1.0)
    assert (dhl.open_claims, dhl.claimed) == (0, ())


async def test_per_service_splits_each_carrier_and_keeps_shipments_without_one(store: Store) -> None:
    await build(store)
    rows = by_key(await performance(store, Grouping.SERVICE))

    assert list(rows) == [
        GroupKey("dhl", "Express"),
        GroupKey("dhl", None),
        GroupKey("fedex", "Ground"),
        GroupKey("fedex", "Priority"),
        GroupKey("ups", None),
    ]
    priority, ground = rows[GroupKey("fedex", "Priority")], rows[GroupKey("fedex", "Ground")]
    # F1 on time by its local day, F2 late by its first estimate in the delivery's offset.
    assert (priority.shipments, priority.judged, priority.on_time) == (2, 2, 1)
    assert priority.transit.hours == ((62, 1), (67, 1))
    assert (priority.exceptions, priority.open_claims) == (0, 0)
    assert (ground.shipments, ground.delivered, ground.judged, ground.exceptions) == (2, 1, 0, 2)
    assert (ground.open_claims, ground.claimed) == (2, (("USD", Decimal("112.50")),))
    assert rows[GroupKey("dhl", None)].shipments == 2


async def test_per_lane_carriers_of_one_lane_sit_together_unknown_countries_last(store: Store) -> None:
    await build(store)
    rows = await performance(store, Grouping.LANE)

    assert [(r.key.origin, r.key.destination, r.key.carrier, r.shipments) for r in rows] == [
        ("CN", "US", "fedex", 2),
        ("DE", "FR", "ups", 4),
        ("GB", "US", "dhl", 1),
        ("US", "US", "fedex", 2),
        (None, None, "dhl", 2),
    ]


async def test_since_keeps_shipments_shipped_that_day_or_later(store: Store) -> None:
    await build(store)
    rows = by_key(await performance(store, Grouping.CARRIER, since=date(2026, 3, 1)))

    # U3 (shipped 20 Feb) and D2 (first event 27 Feb) drop out, U3's claim with it.
    ups, dhl, fedex = rows[GroupKey("ups")], rows[GroupKey("dhl")], rows[GroupKey("fedex")]
    assert (ups.shipments, ups.open_claims, ups.claimed) == (3, 2, (("EUR", Decimal("25.10")),))
    assert dhl.shipments == 2  # D3 has no scan: the day it was added counts
    assert fedex.shipments == 4  # F2's label was created on 1 March itself

    later = by_key(await performance(store, Grouping.CARRIER, since=date(2026, 3, 3)))
    assert later == {}  # every remaining shipment started before


async def test_an_empty_store_has_no_rows(store: Store) -> None:
    assert await performance(store) == []


def test_grouping_cycles_carrier_service_lane() -> None:
    assert [Grouping.CARRIER.next(), Grouping.SERVICE.next(), Grouping.LANE.next()] == [
        Grouping.SERVICE,
        Grouping.LANE,
        Grouping.CARRIER,
    ]


hour_counts = st.dictionaries(st.integers(0, 2000), st.integers(1, 50), min_size=1, max_size=40)


@given(hour_counts, st.integers(1, 100))
def test_percentile_is_the_nearest_rank_of_the_expanded_values(counts: dict[int, int], percent: int) -> None:
    transit = TransitTimes(tuple(sorted(counts.items())))
    values = sorted(h for h, n in counts.items() for _ in range(n))
    rank = -(-percent * len(values) // 100)  # the smallest rank covering percent % of them
    assert transit.percentile_hours(percent) == values[rank - 1]


@given(hour_counts)
def test_day_histogram_has_every_day_up_to_the_longest_and_counts_each_shipment_once(
    counts: dict[int, int],
) -> None:
    histogram = TransitTimes(tuple(sorted(counts.items()))).day_histogram()
    assert [day for day, _ in histogram] == list(range(max(counts) // 24 + 1))
    assert sum(n for _, n in histogram) == sum(counts.values())


def test_no_delivery_no_percentile() -> None:
    assert (TransitTimes().p50_days, TransitTimes().p90_days, TransitTimes().day_histogram()) == (
        None,
        None,
        (),
    )
