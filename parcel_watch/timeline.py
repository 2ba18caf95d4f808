"""A shipment's current state as a pure fold over its events in time order.

The result depends on the events, never on the order they arrived in: the ingest path
folds new events onto the stored state only when they are all newer than it, and
re-folds the whole timeline otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from operator import attrgetter
from typing import Protocol

from parcel_watch.status import Status, supersedes

_RANK = {status: rank for rank, status in enumerate(Status)}


@dataclass(frozen=True)
class ShipmentState:
    status: Status = Status.PENDING
    substatus: str | None = None
    last_event_at: datetime | None = None


class Fact(Protocol):
    """The part of an event the state depends on (a TrackingEvent is one)."""

    @property
    def occurred_at(self) -> datetime: ...
    @property
    def status(self) -> Status: ...
    @property
    def substatus(self) -> str | None: ...


@dataclass(frozen=True)
class EventFact:
    occurred_at: datetime
    status: Status
    substatus: str | None


def time_order(fact: Fact) -> tuple[datetime, int, str]:
    # Two scans in the same instant: the later lifecycle stage wins, and for one stage the
    # more specific substatus (any beats none), so arrival order never decides.
    return (fact.occurred_at, _RANK[fact.status], fact.substatus or "")


def advance(state: ShipmentState, facts: Iterable[Fact]) -> ShipmentState:
    ordered = sorted(facts, key=_BY_TIME)  # a C-level key: this runs once per new event
    if any(a.occurred_at == b.occurred_at for a, b in pairwise(ordered)):
        ordered.sort(key=time_order)  # rare: scans in the same instant
    status, substatus, last = state.status, state.substatus, state.last_event_at
    for fact in ordered:
        if _APPLIES[status][fact.status]:
            status, substatus = fact.status, fact.substatus
    if ordered and (last is None or ordered[-1].occurred_at > last):
        last = ordered[-1].occurred_at
    return ShipmentState(status, substatus, last)


_BY_TIME = attrgetter("occurred_at")


def _rule(current: Status, new: Status) -> bool:
    # An event we could not interpret is shown in the timeline but does not hide a
    # known state; it only speaks for a shipment that has nothing better.
    if new is Status.UNKNOWN:
        return current is Status.PENDING
    return supersedes(current, new)


# Precomputed: the fold runs once per new event on the ingest hot path.
_APPLIES = {cur: {new: _rule(cur, new) for new in Status} for cur in Status}
