"""The state fold: pure, order-independent, with sticky terminal states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcel_watch.status import Status, supersedes
from parcel_watch.timeline import EventFact, ShipmentState, advance

T0 = datetime(2026, 1, 1, tzinfo=UTC)
facts = st.builds(
    EventFact,
    occurred_at=st.integers(0, 5000).map(lambda m: T0 + timedelta(minutes=m)),
    status=st.sampled_from(list(Status)),
    substatus=st.none(),
)


@given(st.lists(facts, max_size=20), st.randoms())
def test_the_fold_does_not_depend_on_arrival_order(items: list[EventFact], rnd: object) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert advance(ShipmentState(), items) == advance(ShipmentState(), shuffled)


@given(st.lists(facts, max_size=20), st.integers(0, 20))
def test_folding_in_two_steps_equals_folding_once_when_the_second_is_newer(
    items: list[EventFact], cut: int
) -> None:
    ordered = sorted(items, key=lambda f: f.occurred_at)
    first, second = ordered[:cut], ordered[cut:]
    if first and second and second[0].occurred_at == first[-1].occurred_at:
        return  # same-instant ties are ordered by lifecycle, only within one fold
    assert advance(advance(ShipmentState(), first), second) == advance(ShipmentState(), ordered)


@pytest.mark.parametrize(
    ("current", "new", "replaces"),
    [
        (None, Status.IN_TRANSIT, True),
        (Status.IN_TRANSIT, Status.DELIVERED, True),
        (Status.DELIVERED, Status.IN_TRANSIT, False),
        (Status.DELIVERED, Status.OUT_FOR_DELIVERY, False),
        (Status.DELIVERED, Status.RETURNING, True),
        (Status.DELIVERED, Status.EXCEPTION, True),
        (Status.RETURNED, Status.IN_TRANSIT, False),
        (Status.CANCELLED, Status.INFO_RECEIVED, False),
    ],
)
def test_terminal_states_are_sticky_unless_clearly_reopened(
    current: Status | None, new: Status, replaces: bool
) -> None:
    assert supersedes(current, new) is replaces


def test_unknown_events_only_speak_for_shipments_with_nothing_better() -> None:
    unknown = EventFact(T0 + timedelta(hours=2), Status.UNKNOWN, None)
    transit = EventFact(T0, Status.IN_TRANSIT, None)
    assert advance(ShipmentState(), [transit, unknown]).status is Status.IN_TRANSIT
    assert advance(ShipmentState(), [unknown]).status is Status.UNKNOWN
    assert advance(ShipmentState(), [unknown]).last_event_at == unknown.occurred_at
