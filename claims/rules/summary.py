"""A shipment's events summarised once, in one pass, into what the rules ask about.

Twelve rules each walking a timeline would read every event twelve times; the summary
reads it once (in time order, whatever order the events arrived in) and the rules read the
summary. Two scans in the same instant are ordered by lifecycle stage, then by their text,
so the summary never depends on arrival order (nor on event ids, except the ids it cites).
Most scans are ordinary movement: one table lookup tells the loop whether a scan needs
more than the status fold.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter
from typing import Final, NamedTuple

from claims.rules.inputs import RuleEvent
from claims.rules.text import text_facts
from parcel_watch.status import SUBSTATUSES, Status, supersedes
from parcel_watch.store.types import micros_to_utc

# Tables keyed by the plain status string: events read from the store carry it as such.
_RANK = {status.value: rank for rank, status in enumerate(Status)}
# The shipment's current status as the store folds it (timeline.py): an event nobody could
# read only speaks for a shipment with nothing better; terminal states reopen only so.
_APPLIES = {
    cur.value: {
        new.value: (cur is Status.PENDING) if new is Status.UNKNOWN else supersedes(cur, new)
        for new in Status
    }
    for cur in Status
}
STATUS = {status.value: status for status in Status}
CUSTOMS_HOLD = frozenset({"exception.customs_hold", "exception.customs_info_required"})
LOST = frozenset({"exception.lost", "exception.destroyed"})
RETURN = frozenset({Status.RETURNING, Status.RETURNED})
# Earlier lifecycle stages: seen after a delivery scan, the timeline contradicts itself.
BEFORE_DELIVERY = frozenset(
    {
        Status.INFO_RECEIVED,
        Status.IN_TRANSIT,
        Status.OUT_FOR_DELIVERY,
        Status.AVAILABLE_FOR_PICKUP,
        Status.DELIVERY_ATTEMPTED,
    }
)
# Scans that show the parcel moving on, ending a hold, a demand for duties or a "lost".
MOVING_ON = frozenset(
    {Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.AVAILABLE_FOR_PICKUP, Status.DELIVERED}
)

# What a scan can mean beyond the status fold, by (status, substatus).
_ATTEMPT, _HOLD, _LOST, _DAMAGE, _DUTIES, _RETURN, _MOVES_ON, _DELIVERY, _EARLIER = (1 << i for i in range(9))
_NOTABLE = ~(_MOVES_ON | _EARLIER)  # an earlier stage only matters after a delivery


def _meaning(status: Status, substatus: str | None) -> int:
    bits = 0
    bits |= _ATTEMPT if status is Status.DELIVERY_ATTEMPTED else 0
    bits |= _HOLD if substatus in CUSTOMS_HOLD else 0
    bits |= _LOST if substatus in LOST else 0
    bits |= _DAMAGE if substatus == "exception.damaged" else 0
    bits |= _DUTIES if substatus == "exception.held_for_payment" else 0
    bits |= _RETURN if status in RETURN else 0
    bits |= _MOVES_ON if status in MOVING_ON else 0
    bits |= _DELIVERY if status is Status.DELIVERED else 0
    bits |= _EARLIER if status in BEFORE_DELIVERY else 0
    return bits


_STATUS_BITS = {status.value: _meaning(status, None) for status in Status}
_SUB_BITS: dict[str | None, int] = {sub: _meaning(owner, sub) for sub, owner in SUBSTATUSES.items()}
_TEXT_BITS: dict[str, int] = {}  # carrier text -> damage/duties bits, as text_facts says


def _text_bits(text: str) -> int:
    facts = text_facts(text)
    bits = (_DAMAGE if facts.damage else 0) | (_DUTIES if facts.duties else 0)
    if len(_TEXT_BITS) >= 50_000:  # unbounded texts (names, numbers in them): start again
        _TEXT_BITS.clear()
    _TEXT_BITS[text] = bits
    return bits


_MINUTE_US = 60_000_000
_DAY_US = 86_400_000_000
# Positions in a RuleEvent: the summary reads tuples, as the store's rows come.
_ID: Final = 0
_AT: Final = 1
_STATUS: Final = 2
_SUB: Final = 3
_TEXT: Final = 4
_OFFSET: Final = 6


class Summary(NamedTuple):
    """Everything the rules need from a timeline (event ids are evidence). Immutable."""

    events: int = 0
    last_scan_at: datetime | None = None
    last_event_id: int | None = None
    status: Status = Status.PENDING  # folded as the store does
    substatus: str | None = None
    delivered_at: datetime | None = None  # the delivery scan, if the shipment stands delivered
    delivered_event: int | None = None
    delivered_offset: int | None = None  # that scan's UTC offset (minutes), if the carrier gave it
    destination_offset: int | None = None  # the newest offset seen at the destination country
    destination_offset_day: int | None = None  # and the day (since the epoch, UTC) it was seen
    attempts: tuple[int, ...] = ()  # one delivery-attempt scan per local day
    attempt_times: tuple[datetime, ...] = ()
    customs_hold_since: datetime | None = None  # an open hold: not yet followed by movement
    customs_hold_events: tuple[int, ...] = ()
    damage_events: tuple[int, ...] = ()
    damage_at: datetime | None = None
    lost_event: int | None = None  # the carrier's "lost"/"destroyed", not followed by movement
    lost_at: datetime | None = None
    duties_events: tuple[int, ...] = ()  # an open demand for duties, not followed by movement
    duties_at: datetime | None = None
    duties_text: str = ""
    return_events: tuple[int, ...] = ()
    return_at: datetime | None = None
    regression: tuple[int, int] | None = None  # (delivery scan, later earlier-stage scan), open
    regression_at: datetime | None = None


def order_key(event: RuleEvent) -> tuple[int, int, str, str, int]:
    return (event[_AT], _RANK[event[_STATUS]], event[_SUB] or "", event[_TEXT], event[_ID])


_BY_TIME = itemgetter(_AT)


def _time_ordered(events: Sequence[RuleEvent]) -> list[RuleEvent]:
    ordered = sorted(events, key=_BY_TIME)  # C-level key and checks: this runs for every shipment
    if len(set(map(_BY_TIME, ordered))) != len(ordered):
        ordered.sort(key=order_key)  # rare: scans in the same instant
    return ordered


def _at(event: RuleEvent | None) -> datetime | None:
    return micros_to_utc(event[_AT]) if event is not None else None


def _ids(events: list[RuleEvent]) -> tuple[int, ...]:
    return tuple([e[_ID] for e in events]) if events else ()


def summarize(events: Sequence[RuleEvent], destination: str | None) -> Summary:
    """One pass over ``events`` (any order) of a shipment bound for ``destination``."""
    if not events:
        return _EMPTY
    ordered = _time_ordered(events)
    status: str = Status.PENDING.value
    substatus: str | None = None
    delivered: RuleEvent | None = None
    destination_offset: int | None = None
    destination_offset_at = 0
    attempts: list[RuleEvent] = []
    attempt_days: set[int] = set()
    hold: list[RuleEvent] = []
    damage: list[RuleEvent] = []
    lost: RuleEvent | None = None
    duties: list[RuleEvent] = []
    returns: list[RuleEvent] = []
    regression: tuple[RuleEvent, RuleEvent] | None = None
    last_delivery: RuleEvent | None = None
    by_status, by_sub, by_text = _STATUS_BITS, _SUB_BITS, _TEXT_BITS
    applies = _APPLIES[status]
    for ev in ordered:
        _, at, st, sub, text, country, offset, _ = ev
        bits = by_sub.get(sub) or by_status[st]
        text_bits = by_text.get(text)
        if text_bits is None:
            text_bits = _text_bits(text)
        bits |= text_bits
        if applies[st]:
            status, substatus, applies = st, sub, _APPLIES[st]
            if bits & _DELIVERY:
                if delivered is None:
                    delivered = ev
            elif delivered is not None and st != "UNKNOWN":
                delivered = None  # re-opened (refused, returned...): no longer delivered
        if offset is not None and country == destination and destination is not None:
            destination_offset, destination_offset_at = offset, at
        if bits & _MOVES_ON:
            if hold:
                hold = []
            if lost is not None:
                lost = None
            if duties and not bits & _DUTIES:
                duties = []
        if not bits & _NOTABLE and last_delivery is None:
            continue  # ordinary movement: nothing more to note
        if bits & _ATTEMPT:
            day = (at + (offset or 0) * _MINUTE_US) // _DAY_US
            if day not in attempt_days:
                attempts.append(ev)
                attempt_days.add(day)
        if bits & _HOLD:
            hold.append(ev)
        if bits & _LOST:
            lost = ev
        if bits & _DAMAGE:
            damage.append(ev)
        if bits & _DUTIES:
            duties.append(ev)
        if bits & _RETURN:
            returns.append(ev)
        if bits & _DELIVERY:
            last_delivery = ev
            regression = None  # delivered (again): the contradiction, if any, is over
        elif bits & _EARLIER and last_delivery is not None and regression is None:
            regression = (last_delivery, ev)
    last = ordered[-1]
    return Summary(
        len(ordered),
        micros_to_utc(last[_AT]),
        last[_ID],
        STATUS[status],
        substatus,
        _at(delivered),
        delivered[_ID] if delivered is not None else None,
        delivered[_OFFSET] if delivered is not None else None,
        destination_offset,
        destination_offset_at // _DAY_US if destination_offset is not None else None,
        _ids(attempts),
        tuple([micros_to_utc(e[_AT]) for e in attempts]) if attempts else (),
        _at(hold[0]) if hold else None,
        _ids(hold),
        _ids(damage),
        _at(damage[0]) if damage else None,
        lost[_ID] if lost is not None else None,
        _at(lost),
        _ids(duties),
        _at(duties[0]) if duties else None,
        " / ".join(dict.fromkeys(e[_TEXT] for e in duties if e[_TEXT])) if duties else "",
        _ids(returns),
        _at(returns[0]) if returns else None,
        (regression[0][_ID], regression[1][_ID]) if regression is not None else None,
        _at(regression[1]) if regression is not None else None,
    )


_EMPTY = Summary()
