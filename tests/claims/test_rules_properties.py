"""Properties of the rules over generated timelines: arrival order does not matter, an
on-time delivery is never late, a fresh scan ends a stall, and nothing changes before the
recheck time a pass reports (what incremental evaluation relies on)."""

from __future__ import annotations

import random
from datetime import UTC, date, timedelta, tzinfo
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from claims.model import Anomaly, AnomalyKind
from claims.rules import RuleEvent, evaluate_timeline
from claims.rules.calendar import country_zones, end_of
from parcel_watch.status import Status
from tests.claims.rule_builders import found, scan, shipment, utc

T0 = utc(2026, 9, 20)  # the weeks around China's National Day and Europe's autumn
STEPS = [
    (Status.INFO_RECEIVED, None),
    (Status.IN_TRANSIT, "in_transit.arrived"),
    (Status.IN_TRANSIT, None),
    (Status.OUT_FOR_DELIVERY, None),
    (Status.AVAILABLE_FOR_PICKUP, None),
    (Status.DELIVERY_ATTEMPTED, "delivery_attempted.recipient_unavailable"),
    (Status.DELIVERED, "delivered.signed"),
    (Status.EXCEPTION, "exception.customs_hold"),
    (Status.EXCEPTION, "exception.lost"),
    (Status.EXCEPTION, "exception.held_for_payment"),
    (Status.EXCEPTION, None),
    (Status.RETURNING, "returning.to_sender"),
    (Status.UNKNOWN, None),
]
TEXTS = ["Arrived at facility", "Colis endommagé", "Import VAT EUR 12,50 due by 2026-10-20", "包裹破损", ""]
DESTINATIONS = [None, "DE", "CN", "US", "NZ"]

steps = st.sampled_from(STEPS)
minutes = st.integers(0, 60 * 24 * 40)


@st.composite
def timelines(draw: st.DrawFn, moving_only: bool = False) -> list[RuleEvent]:
    n = draw(st.integers(1, 12))
    events = []
    for i in range(n):
        status, sub = (Status.IN_TRANSIT, "in_transit.departed") if moving_only else draw(steps)
        events.append(
            scan(
                i + 1,
                T0 + timedelta(minutes=draw(minutes)),
                status,
                sub,
                draw(st.sampled_from(TEXTS)),
                country=draw(st.sampled_from(DESTINATIONS)),
                offset=draw(st.sampled_from([None, -600, 0, 120, 480, 780])),
            )
        )
    return events


def comparable(anomalies: dict[AnomalyKind, Anomaly]) -> dict[AnomalyKind, tuple[object, ...]]:
    return {kind: (a.since, a.evidence, a.details) for kind, a in anomalies.items()}


@settings(max_examples=300, deadline=None)
@given(
    timelines(),
    st.sampled_from(DESTINATIONS),
    st.integers(0, 60 * 24 * 80),
    st.randoms(use_true_random=False),
)
def test_the_result_does_not_depend_on_the_order_events_arrived_in(
    events: list[RuleEvent], destination: str | None, later: int, rng: random.Random
) -> None:
    ship = shipment(destination=destination, promised=date(2026, 10, 2))
    now = T0 + timedelta(minutes=later)
    shuffled = list(events)
    rng.shuffle(shuffled)
    assert comparable(found(ship, shuffled, now)) == comparable(found(ship, events, now))
    first = evaluate_timeline(ship, events, now).recheck_at
    assert evaluate_timeline(ship, shuffled, now).recheck_at == first


@settings(max_examples=300, deadline=None)
@given(
    timelines(moving_only=True),
    st.sampled_from(["DE", "CN", "US", "NZ", None]),
    st.integers(0, 60 * 24 * 3),
    st.integers(0, 60 * 24 * 60),
)
def test_a_shipment_delivered_by_the_promised_day_is_never_late(
    events: list[RuleEvent], destination: str | None, before_end: int, after: int
) -> None:
    promised = date(2026, 10, 25)  # the night Europe leaves summer time
    zones: list[tzinfo] = [ZoneInfo(name) for name in country_zones().get(destination or "", ())] or [UTC]
    deadline = min(end_of(promised, zone) for zone in zones)  # the promised day, wherever there
    delivered_at = deadline - timedelta(minutes=before_end + 1)
    earlier = [e for e in events if e.occurred_at < delivered_at]
    delivery = scan(99, delivered_at, Status.DELIVERED, "delivered.signed", "Delivered")
    result = found(
        shipment(destination=destination, promised=promised),
        [*earlier, delivery],
        delivered_at + timedelta(minutes=after),
    )
    assert AnomalyKind.LATE not in result
    assert AnomalyKind.DELIVERED_LATE not in result


@settings(max_examples=300, deadline=None)
@given(timelines(moving_only=True), st.sampled_from(DESTINATIONS), st.integers(60 * 24 * 41, 60 * 24 * 120))
def test_a_scan_later_than_all_others_never_keeps_stalled_open(
    events: list[RuleEvent], destination: str | None, later: int
) -> None:
    now = T0 + timedelta(minutes=later)
    fresh = scan(99, now - timedelta(minutes=1), Status.IN_TRANSIT, "in_transit.arrived")
    assert AnomalyKind.STALLED not in found(shipment(destination=destination), [*events, fresh], now)


@settings(max_examples=300, deadline=None)
@given(
    timelines(),
    st.sampled_from(DESTINATIONS),
    st.integers(0, 60 * 24 * 60),
    st.floats(0, 1),
)
def test_nothing_changes_before_the_reported_recheck_time(
    events: list[RuleEvent], destination: str | None, later: int, fraction: float
) -> None:
    ship = shipment(
        destination=destination,
        promised=date(2026, 10, 9),
        return_of=3 if destination == "DE" else None,
    )
    now = T0 + timedelta(minutes=later)
    verdict = evaluate_timeline(ship, events, now)
    if verdict.recheck_at is None:
        horizon = now + timedelta(days=400)  # nothing pending: the answer never changes by itself
    else:
        assert verdict.recheck_at > now
        horizon = verdict.recheck_at
    between = now + (horizon - now) * fraction * 0.999
    assert comparable(found(ship, events, between)) == comparable(found(ship, events, now))
