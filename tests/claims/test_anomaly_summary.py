"""One line per anomaly for the support queue, from what each rule records."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.anomaly_summary import MAX_LENGTH, summarize
from claims.model import AnomalyKind

CASES = [
    (
        AnomalyKind.LATE,
        {"promised": "2026-10-25", "promise_source": "carrier"},
        "not delivered; due 2026-10-25 (carrier's promise)",
    ),
    (
        AnomalyKind.DELIVERED_LATE,
        {
            "days_late": 1,
            "delivered": "2026-10-28T07:57Z",
            "promised": "2026-10-27",
            "promise_source": "carrier",
        },
        "1 day late: due 2026-10-27, delivered 2026-10-28 07:57Z",
    ),
    (
        AnomalyKind.STALLED,
        {"business_days": 5, "last_scan": "2026-10-27T20:22Z", "threshold": "default"},
        "no scan for 5 business days (last 2026-10-27 20:22Z)",
    ),
    (AnomalyKind.LOST, {"reason": "carrier"}, "the carrier reports it lost"),
    (
        AnomalyKind.LOST,
        {"reason": "no_scan", "business_days": 15, "last_scan": "2026-10-27T20:22Z"},
        "no scan for 15 business days (last 2026-10-27 20:22Z)",
    ),
    (AnomalyKind.DAMAGED, {}, "the carrier recorded damage"),
    (AnomalyKind.CUSTOMS_HOLD, {"business_days": 3}, "held at customs over 3 business days"),
    (
        AnomalyKind.DUTIES_DUE,
        {"amount": "23.50", "currency": "EUR", "due": "2026-12-05", "carrier_text": "Pay EUR 23.50"},
        "duties EUR 23.50 to pay by 2026-12-05",
    ),
    (
        AnomalyKind.DUTIES_DUE,
        {"amount": None, "currency": None, "due": None, "carrier_text": "x"},
        "duties to pay",
    ),
    (AnomalyKind.DELIVERY_FAILED, {"attempts": 3}, "3 delivery attempts failed"),
    (AnomalyKind.RETURNED_TO_SENDER, {"state": "returning"}, "on its way back to the sender"),
    (AnomalyKind.RETURNED_TO_SENDER, {"state": "returned"}, "returned to the sender"),
    (
        AnomalyKind.ETA_SLIPPED,
        {"first_eta": "2026-10-27", "current_eta": "2026-10-30", "days_slipped": 3, "revisions": 2},
        "ETA 2026-10-27 → 2026-10-30 (+3 d, 2 revisions)",
    ),
    (AnomalyKind.STATUS_REGRESSION, {}, "scanned in transit again after its delivery"),
    (
        AnomalyKind.REFUND_OVERDUE,
        {"refund_due": "2026-11-14", "period": "14 days", "regime": "eu"},
        "refund due 2026-11-14 (14 days) not received",
    ),
    # Older data without the usual keys: what there is, never an error.
    (AnomalyKind.DELIVERED_LATE, {"days_late": 2}, "days_late: 2"),
]


@pytest.mark.parametrize(("kind", "details", "expected"), CASES)
def test_each_kind_reads_as_one_line(
    kind: AnomalyKind, details: dict[str, str | int | None], expected: str
) -> None:
    assert summarize(kind, details) == expected


def test_every_kind_has_its_own_words() -> None:
    assert {kind for kind, _, _ in CASES} == set(AnomalyKind)


values = st.one_of(st.none(), st.integers(), st.text())


@given(st.sampled_from(AnomalyKind), st.dictionaries(st.text(max_size=20), values, max_size=8))
def test_any_details_give_one_bounded_line(kind: AnomalyKind, details: dict[str, str | int | None]) -> None:
    line = summarize(kind, details)
    assert "\n" not in line and "\r" not in line
    assert len(line) <= MAX_LENGTH
