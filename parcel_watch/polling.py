"""When to poll a shipment next: a pure policy of (state, now), plus failure backoff.

Often when something is about to happen (out for delivery, estimate close), rarely in long
transit, never after a terminal state and a grace period, and not at all once a shipment
has been silent for too long. The scheduler applies these; tests run them on fake time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from parcel_watch.status import Status

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class PollPolicy:
    out_for_delivery: timedelta = 15 * MINUTE
    near_estimate: timedelta = 30 * MINUTE  # within `near_window` of the promised/estimated delivery
    near_window: timedelta = DAY
    attention: timedelta = HOUR  # attempted, pickup waiting, exception, returning
    new: timedelta = 2 * HOUR  # pending / label created, first days
    in_transit: timedelta = 4 * HOUR
    long_transit: timedelta = 8 * HOUR  # no scan for `quiet_after`
    quiet_after: timedelta = 3 * DAY
    terminal_grace: timedelta = 2 * DAY  # late proof-of-delivery, returns after "delivered"
    grace_interval: timedelta = 6 * HOUR
    expire_after: timedelta = 30 * DAY  # no carrier data at all for this long: stop


@dataclass(frozen=True)
class PollState:
    status: Status
    created_at: datetime
    last_event_at: datetime | None = None
    estimated_delivery: datetime | None = None
    promised_delivery: datetime | None = None


def next_poll(state: PollState, now: datetime, policy: PollPolicy = PollPolicy()) -> datetime | None:
    """The next time to poll, or None when the shipment should no longer be polled."""
    last = state.last_event_at or state.created_at
    if state.status.is_terminal:
        return now + policy.grace_interval if now - last < policy.terminal_grace else None
    if now - last >= policy.expire_after:
        return None
    quiet = now - last >= policy.quiet_after  # nothing new for days: whatever the state, slow down
    if state.status is Status.OUT_FOR_DELIVERY and not quiet:
        return now + policy.out_for_delivery
    if state.status in (
        Status.DELIVERY_ATTEMPTED,
        Status.AVAILABLE_FOR_PICKUP,
        Status.EXCEPTION,
        Status.RETURNING,
    ):
        return now + (policy.long_transit if quiet else policy.attention)
    due = [d for d in (state.estimated_delivery, state.promised_delivery) if d is not None]
    if any(abs(d - now) <= policy.near_window for d in due):
        return now + policy.near_estimate
    if state.status in (Status.PENDING, Status.INFO_RECEIVED, Status.UNKNOWN):
        return now + policy.new
    return now + (policy.long_transit if quiet else policy.in_transit)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter (AWS architecture blog), honouring Retry-After."""

    base_s: float = 30.0
    cap_s: float = 6 * 3600.0

    def delay(self, failures: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``failures``-th consecutive failure (1-based)."""
        ceiling = min(self.cap_s, self.base_s * 2 ** max(0, failures - 1))
        wait = rng.uniform(ceiling / 2, ceiling)  # half-jitter: never hammer right away
        return max(wait, retry_after or 0.0)
