"""A shipment's events summarised once, in one pass, into what the rules ask about.

Twelve rules each walking a timeline would read every event twelve times; the summary
reads it once (in time order, whatever order the events arrived in) and the rules read the
summary. Two scans in the same instant are ordered by lifecycle stage, then by their text,
so the summary never depends on arrival order (nor on event ids, except the ids it cites).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from claims.rules.inputs import RuleEvent
from claims.rules.text import text_facts
from parcel_watch.status import Status, supersedes

_RANK = {status: rank for rank, status in enumerate(Status)}
# The shipment's current status as the store folds it (timeline.py): an event nobody could
# read only speaks for a shipment with nothing better; terminal states reopen only so.
_APPLIES = {
    cur: {new: (cur is Status.PENDING) if new is Status.UNKNOWN else supersedes(cur, new) for new in Status}
    for cur in Status
}
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
# Scans that show the parcel moving on, ending a hold or a "lost" verdict.
MOVING_ON = frozenset(
    {Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.AVAILABLE_FOR_PICKUP, Status.DELIVERED}
)


@dataclass(frozen=True, slots=True)
class Summary:
    """Everything the rules need from a timeline (event ids are evidence)."""

    events: int = 0
    last_scan_at: datetime | None = None
    last_event_id: int | None = None
    status: Status = Status.PENDING  # folded as the store does
    substatus: str | None = None
    delivered_at: datetime | None = None  # the delivery scan, if the shipment stands delivered
    delivered_event: int | None = None
    delivered_offset: int | None = None  # that scan's UTC offset (minutes), if the carrier gave it
    destination_offset: int | None = None  # the newest offset seen at the destination country
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


def order_key(event: RuleEvent) -> tuple[datetime, int, str, str, int]:
    return (event.occurred_at, _RANK[event.status], event.substatus or "", event.description, event.id)


def summarize(events: Sequence[RuleEvent], destination: str | None) -> Summary:
    """One pass over ``events`` (any order) of a shipment bound for ``destination``."""
    if not events:
        return _EMPTY
    ordered = sorted(events, key=order_key)
    status, substatus = Status.PENDING, None
    delivered: RuleEvent | None = None
    destination_offset: int | None = None
    attempts: list[RuleEvent] = []
    attempt_days: set[date] = set()
    hold: list[RuleEvent] = []
    damage: list[RuleEvent] = []
    lost: RuleEvent | None = None
    duties: list[RuleEvent] = []
    returns: list[RuleEvent] = []
    regression: tuple[RuleEvent, RuleEvent] | None = None
    last_delivery: RuleEvent | None = None
    for ev in ordered:
        st, sub = ev.status, ev.substatus
        if _APPLIES[status][st]:
            status, substatus = st, sub
            if st is Status.DELIVERED:
                if delivered is None:
                    delivered = ev
            elif delivered is not None and st is not Status.UNKNOWN:
                delivered = None  # re-opened (refused, returned...): no longer delivered
        offset = ev.utc_offset_minutes
        if offset is not None and ev.country == destination and destination is not None:
            destination_offset = offset
        facts = text_facts(ev.description) if ev.description else None
        if st is Status.DELIVERY_ATTEMPTED:
            day = (ev.occurred_at + timedelta(minutes=offset or 0)).date()
            if day not in attempt_days:
                attempts.append(ev)
                attempt_days.add(day)
        if sub in CUSTOMS_HOLD:
            hold.append(ev)
        elif hold and st in MOVING_ON:
            hold = []
        if sub == "exception.damaged" or (facts is not None and facts.damage):
            damage.append(ev)
        if sub in LOST:
            lost = ev
        elif lost is not None and st in MOVING_ON:
            lost = None
        if sub == "exception.held_for_payment" or (facts is not None and facts.duties):
            duties.append(ev)
        elif duties and st in MOVING_ON:
            duties = []
        if st in RETURN:
            returns.append(ev)
        if st is Status.DELIVERED:
            last_delivery = ev
            regression = None  # delivered (again): the contradiction, if any, is over
        elif last_delivery is not None and st in BEFORE_DELIVERY and regression is None:
            regression = (last_delivery, ev)
    last = ordered[-1]
    return Summary(
        events=len(ordered),
        last_scan_at=last.occurred_at,
        last_event_id=last.id,
        status=status,
        substatus=substatus,
        delivered_at=delivered.occurred_at if delivered is not None else None,
        delivered_event=delivered.id if delivered is not None else None,
        delivered_offset=delivered.utc_offset_minutes if delivered is not None else None,
        destination_offset=destination_offset,
        attempts=tuple(e.id for e in attempts),
        attempt_times=tuple(e.occurred_at for e in attempts),
        customs_hold_since=hold[0].occurred_at if hold else None,
        customs_hold_events=tuple(e.id for e in hold),
        damage_events=tuple(e.id for e in damage),
        damage_at=damage[0].occurred_at if damage else None,
        lost_event=lost.id if lost is not None else None,
        lost_at=lost.occurred_at if lost is not None else None,
        duties_events=tuple(e.id for e in duties),
        duties_at=duties[0].occurred_at if duties else None,
        duties_text=" / ".join(dict.fromkeys(e.description for e in duties if e.description)),
        return_events=tuple(e.id for e in returns),
        return_at=returns[0].occurred_at if returns else None,
        regression=(regression[0].id, regression[1].id) if regression is not None else None,
        regression_at=regression[1].occurred_at if regression is not None else None,
    )


_EMPTY = Summary()
