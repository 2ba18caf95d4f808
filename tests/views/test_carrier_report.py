"""The carrier report on hand-computed stores (``report_dataset``: business days across a
weekend, Easter holidays and a time zone; ``performance_dataset``: the Carriers screen's
numbers), on SQLite and PostgreSQL; its arithmetic as properties and known values."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.rules.calendar import calendar_for
from parcel_watch.model import Shipment, ShipmentUpdate
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, Store
from parcel_watch.views.carrier_report import By, Rate, carrier_report
from parcel_watch.views.performance import Grouping, performance
from parcel_watch.views.report_math import business_days_in_transit, nearest_rank, wilson_interval
from tests.views import performance_dataset, report_dataset
from tests.views.performance_dataset import scan


async def test_every_number_is_the_hand_computed_one(store: Store) -> None:
    await report_dataset.build(store)
    [acme] = (await carrier_report(store)).rows

    assert (acme.carrier, acme.shipments, acme.delivered) == ("acme", 5, 4)
    assert acme.on_time_vs_promise == Rate(1, 3)  # A2 on time; A3, A4 late
    assert acme.on_time_vs_estimate == Rate(2, 2)  # A3 by its day at the delivery's offset
    # Transit {1, 1, 2, 4}: Easter's holidays and the weekend are not business days, and
    # A3's first scan without an offset falls on Thursday in Berlin (Wednesday in UTC).
    assert acme.transit_business_days.counts == ((1, 2), (2, 1), (4, 1))
    assert [acme.transit_business_days.percentile(p) for p in (50, 90, 99)] == [1, 4, 4]
    assert acme.first_scan_lag_hours.counts == ((1, 1), (2, 1), (3, 1), (5, 1), (36, 1))
    assert [acme.first_scan_lag_hours.percentile(p) for p in (50, 90)] == [3, 36]
    assert (acme.stalled, acme.lost_or_damaged) == (Rate(1, 5), Rate(1, 5))
    assert acme.exceptions == (("anomaly:damaged", 1), ("anomaly:stalled", 1), ("exception.damaged", 1))
    assert (acme.open_claims, acme.open_claimed) == (2, (("EUR", Decimal("45.66")),))
    assert acme.recovered == (("EUR", Decimal("13.00")),)


async def test_by_month_and_since_split_by_the_ship_day(store: Store) -> None:
    await report_dataset.build(store)
    march, april = (await carrier_report(store, by=By.MONTH)).rows
    assert (march.month, march.shipments, march.transit_business_days.counts) == ("2026-03", 1, ((1, 1),))
    assert (april.month, april.shipments, april.delivered) == ("2026-04", 4, 3)
    assert april.transit_business_days.counts == ((1, 1), (2, 1), (4, 1))

    # A3's first event (1 Apr 23:30 UTC) is its ship day: it stays from 1 April on.
    [since] = (await carrier_report(store, since=date(2026, 4, 1))).rows
    assert (since.shipments, since.first_scan_lag_hours.counts) == (4, ((1, 1), (2, 1), (3, 1), (36, 1)))
    assert (await carrier_report(store, since=date(2026, 4, 7))).rows == ()


async def test_a_scan_without_offset_falls_on_the_destinations_day_to_the_quarter_hour(store: Store) -> None:
    # India is UTC+05:30: delivered Tue 10 Mar 18:40 UTC is Wed 11 Mar 00:10 there.
    first = datetime(2026, 3, 9, 5, 0, tzinfo=UTC)  # Monday, 10:30 in India (its offset given)
    events = (
        scan(first, offset_minutes=330, country="IN"),
        scan(datetime(2026, 3, 10, 18, 40, tzinfo=UTC), Status.DELIVERED, country="IN"),
    )
    await store.add(Shipment(tracking_number="I1", carrier="acme", destination_country="IN"), now=first)
    await store.ingest([IngestItem([ShipmentUpdate(carrier="acme", tracking_number="I1", events=events)])])

    [row] = (await carrier_report(store)).rows
    assert row.transit_business_days.counts == ((2, 1),)  # Tuesday and Wednesday


async def test_the_report_agrees_with_the_carriers_screen(store: Store) -> None:
    await performance_dataset.build(store)
    screen = {row.key: row for row in await performance(store, Grouping.SERVICE)}
    report = await carrier_report(store, by=By.SERVICE)

    assert len(report.rows) == len(screen)
    for row in report.rows:
        same = next(s for k, s in screen.items() if (k.carrier, k.service) == (row.carrier, row.service))
        assert (row.shipments, row.delivered) == (same.shipments, same.delivered)
        assert (row.open_claims, row.open_claimed) == (same.open_claims, same.claimed)
    fedex = next(r for r in (await carrier_report(store)).rows if r.carrier == "fedex")
    # F1 on time by its promise, F2 late by its first estimate: the screen's 1 of 2, split.
    assert (fedex.on_time_vs_promise, fedex.on_time_vs_estimate) == (Rate(1, 1), Rate(0, 1))
    assert fedex.recovered == (("USD", Decimal("999.00")),)  # the paid claim
    assert fedex.lost_or_damaged == Rate(1, 4)  # F4's open lost anomaly; D1's resolved one is not dhl's loss
    by_lane = {(r.origin, r.destination): r.shipments for r in (await carrier_report(store, by=By.LANE)).rows}
    assert by_lane[("DE", "FR")] == 4 and by_lane[(None, None)] == 2


async def test_the_dict_is_json_with_exact_amounts_and_intervals(store: Store) -> None:
    await report_dataset.build(store)
    data = json.loads(json.dumps((await carrier_report(store, by=By.LANE)).to_dict()))
    [row] = data["rows"]
    assert (data["by"], row["origin"], row["destination"]) == ("lane", "NL", "DE")
    assert row["open_claimed"] == {"EUR": "45.66"} and row["recovered"] == {"EUR": "13.00"}
    assert row["on_time_vs_estimate"] == {
        "count": 2,
        "of": 2,
        "rate": 1.0,
        "ci95": [pytest.approx(0.3424, abs=1e-4), 1.0],
    }
    assert row["transit_business_days"] == {"p50": 1, "p90": 4, "p99": 4}
    assert row["exception_rates"]["exception.damaged"] == 0.2


async def test_an_empty_store_has_no_rows(store: Store) -> None:
    assert (await carrier_report(store, by=By.MONTH)).to_dict() == {"by": "month", "since": None, "rows": []}


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [  # Newcombe (1998), Statistics in Medicine 17:857-872, table II; and 0 and n of n
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_interval_matches_published_values(
    successes: int, trials: int, low: float, high: float
) -> None:
    assert wilson_interval(successes, trials) == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_interval_holds_the_observed_rate_inside_zero_and_one(successes: int, trials: int) -> None:
    successes = min(successes, trials)
    interval = wilson_interval(successes, trials)
    assert interval is not None
    low, high = interval
    assert 0.0 <= low <= successes / trials <= high <= 1.0
    assert wilson_interval(0, 0) is None


value_counts = st.dictionaries(st.integers(0, 60), st.integers(1, 30), min_size=1, max_size=20)


@given(value_counts, st.integers(1, 100))
def test_nearest_rank_is_the_rank_in_the_expanded_values(counts: dict[int, int], percent: int) -> None:
    values = sorted(v for v, n in counts.items() for _ in range(n))
    assert nearest_rank(counts, percent) == values[-(-percent * len(values) // 100) - 1]
    assert nearest_rank({}, percent) is None


countries = st.sampled_from(["DE", "US", "CN", "FR", "AE", None])
days = st.dates(date(2025, 1, 1), date(2027, 12, 31))


@given(countries, days, st.integers(0, 40))
def test_business_days_in_transit_count_each_business_day_after_the_first_up_to_the_last(
    country: str | None, first: date, length: int
) -> None:
    calendar = calendar_for(country)
    last = first + timedelta(days=length)
    expected = sum(calendar.is_business_day(first + timedelta(days=n)) for n in range(1, length + 1))
    assert business_days_in_transit(calendar, first, last) == expected
    assert business_days_in_transit(calendar, last, first) == 0  # never negative
