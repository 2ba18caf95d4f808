"""``stalled`` and ``lost``: business days of the destination, its weekend and public
holidays (China's National Day week, US Thanksgiving), lane statistics, the loss threshold."""

from __future__ import annotations

from claims.model import AnomalyKind
from claims.rules import LaneStats, Thresholds
from parcel_watch.status import Status
from tests.claims.rule_builders import found, recheck, scan, shipment, utc

STALLED, LOST = AnomalyKind.STALLED, AnomalyKind.LOST


def test_a_weekend_does_not_count_as_days_without_a_scan() -> None:
    friday = utc(2026, 3, 6, 15)  # London is on UTC until the end of March
    ship, events = shipment(destination="GB"), [scan(4, friday)]
    # Mon 9 ... Fri 13 are the five business days; stalled when Friday 13 is over.
    assert STALLED not in found(ship, events, utc(2026, 3, 13, 23, 59))
    assert recheck(ship, events, utc(2026, 3, 13, 23, 59)) == utc(2026, 3, 14)
    stalled = found(ship, events, utc(2026, 3, 14))[STALLED]
    assert (stalled.since, stalled.evidence) == (friday, (4,))
    assert stalled.details == {
        "business_days": 5,
        "threshold": "default",
        "last_scan": "2026-03-06T15:00Z",
        "stalled_at": "2026-03-14T00:00Z",
    }


def test_chinas_national_day_week_is_not_counted_and_its_working_saturday_is() -> None:
    # Last scan on 30 September (Beijing). 1-3 and 5-7 October are holidays, the 4th a Sunday;
    # Saturday 10 October is a working day in 2026. Business days: 8, 9, 10, 12, 13 October.
    ship, events = shipment(destination="CN"), [scan(1, utc(2026, 9, 30, 2), country="CN", offset=480)]
    plain_weekdays_count = utc(2026, 10, 8)  # what a Monday-Friday count without holidays would say
    assert STALLED not in found(ship, events, plain_weekdays_count)
    assert STALLED not in found(ship, events, utc(2026, 10, 13, 15, 59))
    assert found(ship, events, utc(2026, 10, 13, 16))[STALLED].details["stalled_at"] == "2026-10-13T16:00Z"


def test_us_thanksgiving_is_not_counted() -> None:
    monday = utc(2026, 11, 23, 14)  # a scan in New York (UTC-5)
    ship, events = shipment(destination="US"), [scan(1, monday, country="US", offset=-300)]
    # Tue 24, Wed 25, (Thu 26 Thanksgiving), Fri 27, Mon 30, Tue 1 December.
    assert recheck(ship, events, utc(2026, 11, 30)) == utc(2026, 12, 2, 5)
    assert STALLED in found(ship, events, utc(2026, 12, 2, 5))


def test_a_later_scan_ends_the_stall() -> None:
    ship = shipment(destination="DE")
    events = [scan(1, utc(2026, 3, 2, 9))]
    now = utc(2026, 3, 20)
    assert STALLED in found(ship, events, now)
    assert STALLED not in found(ship, [*events, scan(2, utc(2026, 3, 19, 9))], now)


def test_only_moving_shipments_stall() -> None:
    long_ago, now = utc(2026, 3, 2, 9), utc(2026, 3, 20)
    for status, sub in (
        (Status.AVAILABLE_FOR_PICKUP, None),  # waiting for the recipient, not for the carrier
        (Status.INFO_RECEIVED, None),  # never handed over
        (Status.DELIVERED, "delivered.signed"),
    ):
        assert STALLED not in found(shipment(destination="DE"), [scan(1, long_ago, status, sub)], now)
    assert STALLED in found(shipment(destination="DE"), [scan(1, long_ago, Status.OUT_FOR_DELIVERY)], now)


def test_a_lane_with_enough_history_uses_its_90th_percentile_silence() -> None:
    ship, events = shipment(destination="GB", origin="CN"), [scan(1, utc(2026, 3, 2, 9))]  # a Monday
    slow_lane = LaneStats(delivered=200, gap_p90_business_days=7, transit_p90_business_days=15)
    # Eight business days (p90 + 1): Tue 3 ... Thu 12 March.
    assert STALLED not in found(ship, events, utc(2026, 3, 12, 23), lane=slow_lane)
    stalled = found(ship, events, utc(2026, 3, 13), lane=slow_lane)[STALLED]
    assert (stalled.details["business_days"], stalled.details["threshold"]) == (8, "lane_p90")

    fast_lane = LaneStats(delivered=200, gap_p90_business_days=0, transit_p90_business_days=2)
    assert (
        found(ship, events, utc(2026, 3, 5), lane=fast_lane)[STALLED].details["business_days"] == 2
    )  # floor

    thin_lane = LaneStats(delivered=29, gap_p90_business_days=0, transit_p90_business_days=2)
    assert STALLED not in found(ship, events, utc(2026, 3, 5), lane=thin_lane)  # too little history: 5 days


def test_the_carrier_saying_lost_is_lost_at_once_until_it_is_found() -> None:
    ship = shipment(destination="DE")
    lost_scan = scan(2, utc(2026, 3, 3, 9), Status.EXCEPTION, "exception.lost", "Shipment cannot be located")
    events = [scan(1, utc(2026, 3, 2, 9)), lost_scan]
    lost = found(ship, events, utc(2026, 3, 3, 10))[LOST]
    assert (lost.since, lost.evidence, lost.details) == (lost_scan.occurred_at, (2,), {"reason": "carrier"})
    assert LOST not in found(ship, [*events, scan(3, utc(2026, 3, 5, 9))], utc(2026, 3, 5, 10))


def test_silence_beyond_the_loss_threshold_is_presumed_loss() -> None:
    ship, events = shipment(), [scan(1, utc(2026, 3, 2, 9))]  # no destination: UTC, Saturday-Sunday off
    th = Thresholds(lost_business_days=10, stalled_business_days=3)
    # max(10, 2 x 3) = 10 business days: Tue 3 ... Mon 16 March.
    assert LOST not in found(ship, events, utc(2026, 3, 16, 23, 59), th)
    lost = found(ship, events, utc(2026, 3, 17), th)[LOST]
    assert lost.details == {"reason": "no_scan", "business_days": 10, "last_scan": "2026-03-02T09:00Z"}
    # Never before twice the stall limit, whatever the loss threshold says.
    assert LOST not in found(
        ship, events, utc(2026, 3, 17), Thresholds(lost_business_days=1, stalled_business_days=8)
    )
