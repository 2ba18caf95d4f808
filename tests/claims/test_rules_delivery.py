"""``late`` and ``delivered_late`` on hand-built timelines: the destination's day, the date
line, the same instant in two zones, express services to the minute."""

from __future__ import annotations

from datetime import date

from claims.model import AnomalyKind
from claims.rules import Thresholds
from parcel_watch.status import Status
from tests.claims.rule_builders import delivered, found, recheck, scan, shipment, utc

LATE, DELIVERED_LATE = AnomalyKind.LATE, AnomalyKind.DELIVERED_LATE
PROMISED = date(2026, 3, 10)


def test_a_promise_is_kept_until_the_last_minute_of_the_day_at_the_destination() -> None:
    ship = shipment(destination="DE", promised=PROMISED)
    events = [scan(1, utc(2026, 3, 9, 8))]
    # Berlin is UTC+1 in March: 10 March ends at 23:00 UTC.
    assert LATE not in found(ship, events, utc(2026, 3, 10, 22, 59))
    assert recheck(ship, events, utc(2026, 3, 10, 22, 59)) == utc(2026, 3, 10, 23)
    late = found(ship, events, utc(2026, 3, 10, 23))[LATE]
    assert late.since == utc(2026, 3, 10, 23)
    assert late.details == {"promised": "2026-03-10", "promise_source": "merchant"}
    assert late.evidence == (1,)  # the newest scan, which shows it not delivered


def test_across_the_date_line_auckland_is_late_a_day_before_honolulu() -> None:
    now = utc(2026, 3, 10, 12)  # 11 March 01:00 in Auckland, 10 March 02:00 in Honolulu
    auckland = shipment(destination="NZ", promised=PROMISED)
    honolulu = shipment(destination="US", promised=PROMISED)
    at_hnl = [scan(1, utc(2026, 3, 9, 20), country="US", offset=-600)]  # a scan there gives the zone
    assert LATE in found(auckland, [scan(1, utc(2026, 3, 9, 20))], now)
    assert LATE not in found(honolulu, at_hnl, now)
    assert found(auckland, [scan(1, utc(2026, 3, 9, 20))], now)[LATE].since == utc(2026, 3, 10, 11)
    assert found(honolulu, at_hnl, utc(2026, 3, 11, 10))[LATE].since == utc(2026, 3, 11, 10)


def test_without_a_scan_at_the_destination_its_westernmost_zone_decides() -> None:
    # The United States' day ends last in Honolulu: no zone there sees the promise broken early.
    ship = shipment(destination="US", promised=PROMISED)
    events = [scan(1, utc(2026, 3, 9, 20), country="CN", offset=480)]  # not a destination scan
    assert LATE not in found(ship, events, utc(2026, 3, 11, 9, 59))
    assert LATE in found(ship, events, utc(2026, 3, 11, 10))


def test_the_same_instant_is_on_time_in_honolulu_and_a_day_late_in_auckland() -> None:
    at = utc(2026, 3, 10, 20)  # 11 March 09:00 in Auckland, 10 March 10:00 in Honolulu
    now = utc(2026, 3, 20)
    in_auckland = found(shipment(destination="NZ", promised=PROMISED), [delivered(7, at, offset=780)], now)
    in_honolulu = found(shipment(destination="US", promised=PROMISED), [delivered(7, at, offset=-600)], now)
    assert in_honolulu == {}
    anomaly = in_auckland[DELIVERED_LATE]
    assert (anomaly.since, anomaly.evidence, anomaly.details["days_late"]) == (at, (7,), 1)
    assert LATE not in in_auckland  # delivered: "late" is over, "delivered late" remains


def test_express_is_late_to_the_minute_of_the_carriers_committed_time() -> None:
    committed = utc(2026, 3, 10, 15, 30)  # 10:30 in New York
    ship = shipment(destination="US", service="Priority Overnight", etas=[(committed, utc(2026, 3, 9))])
    now = utc(2026, 3, 12)
    assert found(ship, [delivered(1, utc(2026, 3, 10, 15, 30, 59), offset=-300)], now) == {}
    late = found(ship, [delivered(1, utc(2026, 3, 10, 15, 31), offset=-300)], now)[DELIVERED_LATE]
    assert late.details["minutes_late"] == 1 and late.details["committed_at"] == "2026-03-10T15:30Z"
    assert late.details["days_late"] == 0  # the same day: only a guarantee to the minute sees it


def test_a_day_service_is_late_only_the_next_local_day() -> None:
    committed = utc(2026, 3, 10, 15, 30)
    ship = shipment(destination="US", service="Ground", etas=[(committed, utc(2026, 3, 9))])
    assert found(ship, [delivered(1, utc(2026, 3, 10, 23), offset=-300)], utc(2026, 3, 12)) == {}
    forced = Thresholds(to_the_minute=True)  # configured per carrier/service, not by name
    assert DELIVERED_LATE in found(
        ship, [delivered(1, utc(2026, 3, 10, 23), offset=-300)], utc(2026, 3, 12), forced
    )


def test_without_a_merchant_promise_the_carriers_first_estimate_is_the_promise() -> None:
    first, slipped = utc(2026, 3, 10, 22), utc(2026, 3, 13, 22)
    ship = shipment(destination="GB", etas=[(first, utc(2026, 3, 5)), (slipped, utc(2026, 3, 9))])
    result = found(ship, [scan(1, utc(2026, 3, 9))], utc(2026, 3, 11, 1))
    assert result[LATE].details == {"promised": "2026-03-10", "promise_source": "carrier"}
    assert AnomalyKind.ETA_SLIPPED in result


def test_no_promise_no_lateness_and_cancelled_is_never_late() -> None:
    silent = found(shipment(destination="DE"), [scan(1, utc(2026, 3, 1))], utc(2026, 6, 1))
    assert set(silent) == {AnomalyKind.STALLED, AnomalyKind.LOST}  # silent for months, but promised nothing
    cancelled = [scan(1, utc(2026, 3, 1), Status.CANCELLED, "cancelled.by_shipper", "Cancelled")]
    assert found(shipment(destination="DE", promised=PROMISED), cancelled, utc(2026, 6, 1)) == {}


def test_events_arriving_out_of_order_give_the_same_delivery() -> None:
    ship = shipment(destination="DE", promised=PROMISED)
    in_order = [scan(1, utc(2026, 3, 9)), scan(2, utc(2026, 3, 10, 8)), delivered(3, utc(2026, 3, 11, 9))]
    shuffled = [in_order[2], in_order[0], in_order[1]]
    now = utc(2026, 3, 20)
    assert found(ship, shuffled, now) == found(ship, in_order, now)
    assert set(found(ship, shuffled, now)) == {DELIVERED_LATE}
