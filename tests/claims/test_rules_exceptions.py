"""What carriers report going wrong: damage (codes and words in four languages), customs
holds, duties with amount and due date, failed attempts, returns, a contradicted delivery,
slipping estimates, and a refund the law says is overdue."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from claims.model import AnomalyKind
from claims.rules import RuleEvent, Thresholds
from parcel_watch.status import Status
from tests.claims.rule_builders import delivered, found, recheck, scan, shipment, utc

K = AnomalyKind
NOW = utc(2026, 3, 20)


@pytest.mark.parametrize(
    "text",
    ["Package damaged in transit", "包裹破损", "Sendung beschädigt", "Colis endommagé", "COLIS ENDOMMAGE"],
)
def test_damage_in_the_carriers_words_in_four_languages(text: str) -> None:
    events = [scan(1, utc(2026, 3, 2)), scan(2, utc(2026, 3, 3), text=text), scan(3, utc(2026, 3, 4))]
    damaged = found(shipment(), events, utc(2026, 3, 5))[K.DAMAGED]
    assert (damaged.evidence, damaged.since) == ((2,), utc(2026, 3, 3))


def test_damage_by_code_stays_after_delivery_and_ordinary_text_is_not_damage() -> None:
    events = [
        scan(1, utc(2026, 3, 2), text="Departed facility"),
        scan(2, utc(2026, 3, 3), Status.EXCEPTION, "exception.damaged", "Exception"),
        delivered(3, utc(2026, 3, 4)),
    ]
    assert found(shipment(), events, NOW)[K.DAMAGED].evidence == (2,)
    assert K.DAMAGED not in found(
        shipment(), [scan(1, utc(2026, 3, 2), text="Departed facility")], utc(2026, 3, 3)
    )


def test_customs_hold_longer_than_n_business_days_until_released() -> None:
    hold = scan(2, utc(2026, 3, 2, 9), Status.EXCEPTION, "exception.customs_hold", "Held by customs")
    events = [scan(1, utc(2026, 3, 1)), hold]
    ship = shipment(destination="DE")
    # Three business days after Monday 2 March in Berlin: Tue, Wed, Thu; over at Thu 23:00 UTC.
    assert K.CUSTOMS_HOLD not in found(ship, events, utc(2026, 3, 5, 22, 59))
    assert recheck(ship, events, utc(2026, 3, 5, 22, 59)) == utc(2026, 3, 5, 23)
    held = found(ship, events, utc(2026, 3, 5, 23))[K.CUSTOMS_HOLD]
    assert (held.since, held.evidence, held.details) == (hold.occurred_at, (2,), {"business_days": 3})
    released = scan(3, utc(2026, 3, 6), Status.IN_TRANSIT, "in_transit.customs_released", "Released")
    assert K.CUSTOMS_HOLD not in found(ship, [*events, released], utc(2026, 3, 7))


@pytest.mark.parametrize(
    ("text", "amount", "currency", "due"),
    [
        ("Import duties of EUR 23,50 due by 2026-06-20", "23.50", "EUR", "2026-06-20"),
        ("请支付关税 ¥56.00，截止 2026年6月20日", "56.00", "CNY", "2026-06-20"),
        ("Einfuhrabgaben 12,30 € bis 20.06.2026 bezahlen", "12.30", "EUR", "2026-06-20"),
        ("Droits de douane : 9,90 EUR à régler avant le 20 juin 2026", "9.90", "EUR", "2026-06-20"),
        ("Duties and taxes of $1,234.56 must be paid by June 20, 2026", "1234.56", "USD", "2026-06-20"),
        ("Payment of duties required", None, None, None),
    ],
)
def test_duties_due_says_how_much_and_by_when_where_the_carrier_does(
    text: str, amount: str | None, currency: str | None, due: str | None
) -> None:
    events = [scan(1, utc(2026, 6, 10)), scan(2, utc(2026, 6, 11), Status.IN_TRANSIT, None, text)]
    duties = found(shipment(destination="DE"), events, utc(2026, 6, 12))[K.DUTIES_DUE]
    assert (duties.details["amount"], duties.details["currency"], duties.details["due"]) == (
        amount,
        currency,
        due,
    )
    assert duties.evidence == (2,)


def test_duties_by_code_end_when_the_parcel_moves_on() -> None:
    held = scan(2, utc(2026, 6, 11), Status.EXCEPTION, "exception.held_for_payment", "Awaiting payment")
    events = [scan(1, utc(2026, 6, 10)), held]
    assert found(shipment(), events, utc(2026, 6, 12))[K.DUTIES_DUE].details["amount"] is None
    out = scan(3, utc(2026, 6, 13), Status.OUT_FOR_DELIVERY, None, "Out for delivery")
    assert K.DUTIES_DUE not in found(shipment(), [*events, out], utc(2026, 6, 13, 12))


def attempt(id: int, at: datetime) -> RuleEvent:
    return scan(id, at, Status.DELIVERY_ATTEMPTED, "delivery_attempted.recipient_unavailable", "Not home")


def test_failed_attempts_count_once_per_local_day() -> None:
    first_day = [attempt(1, utc(2026, 3, 2, 9)), attempt(2, utc(2026, 3, 2, 15))]  # a re-scan, same day
    assert K.DELIVERY_FAILED not in found(shipment(), first_day, NOW)
    two_days = [*first_day, attempt(3, utc(2026, 3, 3, 9))]
    failed = found(shipment(), two_days, NOW)[K.DELIVERY_FAILED]
    assert (failed.evidence, failed.since, failed.details) == ((1, 3), utc(2026, 3, 3, 9), {"attempts": 2})
    assert K.DELIVERY_FAILED not in found(shipment(), [*two_days, delivered(4, utc(2026, 3, 4))], NOW)
    assert K.DELIVERY_FAILED not in found(shipment(), two_days, NOW, Thresholds(failed_attempts=3))


def test_returned_to_sender_but_not_for_a_return_shipment() -> None:
    going_back = scan(2, utc(2026, 3, 3), Status.RETURNING, "returning.to_sender", "Returning to sender")
    events = [scan(1, utc(2026, 3, 2)), going_back]
    assert found(shipment(), events, NOW)[K.RETURNED_TO_SENDER].details == {"state": "returning"}
    back = [*events, scan(3, utc(2026, 3, 6), Status.RETURNED, "returned.to_sender", "Returned")]
    returned = found(shipment(), back, NOW)[K.RETURNED_TO_SENDER]
    assert (returned.details, returned.evidence, returned.since) == (
        {"state": "returned"},
        (2, 3),
        utc(2026, 3, 3),
    )
    assert K.RETURNED_TO_SENDER not in found(shipment(return_of=9), back, NOW)


def test_a_scan_of_an_earlier_stage_after_delivery_is_a_regression_until_delivered_again() -> None:
    events = [
        scan(1, utc(2026, 3, 2)),
        delivered(2, utc(2026, 3, 3)),
        scan(3, utc(2026, 3, 4), text="In transit"),
    ]
    regression = found(shipment(), events, utc(2026, 3, 5))[K.STATUS_REGRESSION]
    assert (regression.evidence, regression.since) == ((2, 3), utc(2026, 3, 4))
    assert K.STATUS_REGRESSION not in found(
        shipment(), [*events, delivered(4, utc(2026, 3, 5))], utc(2026, 3, 6)
    )
    # An out-of-order arrival of an older scan is no regression.
    older = [delivered(2, utc(2026, 3, 3)), scan(3, utc(2026, 3, 1), text="In transit")]
    assert K.STATUS_REGRESSION not in found(shipment(), older, utc(2026, 3, 5))


def test_eta_slipped_keeps_the_history_of_estimates() -> None:
    etas = [
        (utc(2026, 3, 10, 18), utc(2026, 3, 2, 8)),
        (utc(2026, 3, 10, 21), utc(2026, 3, 4, 8)),  # same day, later hour: not a slip
        (utc(2026, 3, 12, 18), utc(2026, 3, 6, 8)),
    ]
    ship = shipment(destination="GB", etas=etas)
    assert K.ETA_SLIPPED not in found(shipment(destination="GB", etas=etas[:2]), [], utc(2026, 3, 5))
    slipped = found(ship, [], utc(2026, 3, 7))[K.ETA_SLIPPED]
    assert slipped.since == utc(2026, 3, 6, 8)
    assert slipped.details == {
        "first_eta": "2026-03-10",
        "current_eta": "2026-03-12",
        "days_slipped": 2,
        "revisions": 3,
        "eta_history": "2026-03-10 (announced 2026-03-02T08:00Z); 2026-03-10 (announced 2026-03-04T08:00Z); "
        "2026-03-12 (announced 2026-03-06T08:00Z)",
    }


@pytest.mark.parametrize(
    ("regime", "destination", "received", "due", "deadline"),
    [
        ("eu", "DE", utc(2026, 3, 2, 10), "2026-03-16", utc(2026, 3, 16, 23)),  # 14 days, Berlin
        ("cn", "CN", utc(2026, 3, 2, 10), "2026-03-09", utc(2026, 3, 9, 16)),  # 7 days, Beijing
        ("uk", "GB", utc(2026, 3, 2, 10), "2026-03-16", utc(2026, 3, 17)),  # 14 days, London
        # 7 working days skipping Thanksgiving: 20, 23, 24, 25, 27, 30 November, 1 December.
        ("us", "US", utc(2026, 11, 19, 20), "2026-12-01", utc(2026, 12, 2, 10)),  # Honolulu's day ends last
        (None, "FR", utc(2026, 3, 2, 10), "2026-03-16", utc(2026, 3, 16, 23)),  # from the seller's country
    ],
)
def test_refund_overdue_after_the_regimes_period_until_marked_received(
    regime: str | None, destination: str, received: datetime, due: str, deadline: datetime
) -> None:
    ship = shipment(destination=destination, return_of=41, refund_regime=regime)
    events = [scan(1, utc(2026, 2, 27)), delivered(2, received)]
    before = deadline - timedelta(seconds=1)
    assert K.REFUND_OVERDUE not in found(ship, events, before)
    assert recheck(ship, events, before) == deadline
    overdue = found(ship, events, deadline)[K.REFUND_OVERDUE]
    assert (overdue.details["refund_due"], overdue.details["original_shipment"], overdue.evidence) == (
        due,
        41,
        (2,),
    )
    refunded = shipment(
        destination=destination, return_of=41, refund_regime=regime, refund_received_at=received
    )
    assert K.REFUND_OVERDUE not in found(refunded, events, deadline)


def test_no_refund_rule_for_an_unknown_regime_or_a_return_not_yet_received() -> None:
    events = [scan(1, utc(2026, 2, 27))]
    assert K.REFUND_OVERDUE not in found(shipment(destination="DE", return_of=4), events, utc(2026, 6, 1))
    received = [*events, delivered(2, utc(2026, 3, 2))]
    assert K.REFUND_OVERDUE not in found(shipment(destination="BR", return_of=4), received, utc(2026, 6, 1))
    assert found(shipment(destination="DE", promised=date(2026, 3, 9)), received, utc(2026, 6, 1)) == {}
