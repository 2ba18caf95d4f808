"""The polling policy on fake time: often near delivery, rarely in long transit, never after."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcel_watch.polling import Backoff, PollPolicy, PollState, next_poll
from parcel_watch.status import Status

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
P = PollPolicy()


def state(
    status: Status, *, last_h: float | None = 2, eta_h: float | None = None, age_d: float = 3
) -> PollState:
    return PollState(
        status=status,
        created_at=NOW - timedelta(days=age_d),
        last_event_at=NOW - timedelta(hours=last_h) if last_h is not None else None,
        estimated_delivery=NOW + timedelta(hours=eta_h) if eta_h is not None else None,
    )


@pytest.mark.parametrize(
    ("shipment", "every"),
    [
        (state(Status.OUT_FOR_DELIVERY), P.out_for_delivery),
        (state(Status.IN_TRANSIT, eta_h=5), P.near_estimate),
        (state(Status.DELIVERY_ATTEMPTED), P.attention),
        (state(Status.EXCEPTION), P.attention),
        (state(Status.INFO_RECEIVED), P.new),
        (state(Status.IN_TRANSIT, eta_h=72), P.in_transit),
        (state(Status.IN_TRANSIT, last_h=24 * 5), P.long_transit),
        (state(Status.EXCEPTION, last_h=24 * 5), P.long_transit),  # a stale exception: slow down
        (state(Status.OUT_FOR_DELIVERY, last_h=24 * 4), P.long_transit),
        (state(Status.DELIVERED, last_h=5), P.grace_interval),  # grace: late proof of delivery, returns
    ],
)
def test_interval_follows_what_is_about_to_happen(shipment: PollState, every: timedelta) -> None:
    assert next_poll(shipment, NOW) == NOW + every


@pytest.mark.parametrize(
    "shipment",
    [
        state(Status.DELIVERED, last_h=24 * 3),
        state(Status.RETURNED, last_h=24 * 10),
        state(Status.CANCELLED, last_h=24 * 3),
        state(Status.PENDING, last_h=None, age_d=31),  # never any carrier data: expired
        state(Status.IN_TRANSIT, last_h=24 * 31),
    ],
)
def test_no_more_polls_after_terminal_grace_or_long_silence(shipment: PollState) -> None:
    assert next_poll(shipment, NOW) is None


@given(st.sampled_from(list(Status)), st.floats(0, 24 * 60), st.one_of(st.none(), st.floats(-200, 200)))
def test_next_poll_is_never_in_the_past_nor_too_far(
    status: Status, last_h: float, eta_h: float | None
) -> None:
    when = next_poll(state(status, last_h=last_h, eta_h=eta_h), NOW)
    assert when is None or NOW < when <= NOW + P.long_transit


@given(st.integers(1, 40), st.randoms(use_true_random=False), st.one_of(st.none(), st.floats(0, 10_000)))
def test_backoff_grows_stays_capped_and_honours_retry_after(
    failures: int, rng: random.Random, retry_after: float | None
) -> None:
    b = Backoff()
    wait = b.delay(failures, rng, retry_after)
    ceiling = min(b.cap_s, b.base_s * 2 ** (failures - 1))
    assert ceiling / 2 <= wait or (retry_after is not None and wait == retry_after)
    assert wait <= max(ceiling, retry_after or 0)
    assert wait >= (retry_after or 0)
