"""When each money-back guarantee was in force: its suspensions and reinstatements as data.

A guarantee policy (a delay remedy that refunds the charges) has a history here: the dates
its state changed, each with the source that says so (claims-rules.md §1). The state on a
ship date is the last change on or before that day; before the first change, the guarantee
was in force (each was offered before its first suspension). A state is ``UNKNOWN`` where
the reference cannot tell (a partial reinstatement whose services it does not list): the
sweep files only what is surely in force, so an unknown guarantee is never requested.

USPS does not honour the Priority Mail Express guarantee for items mailed 22–25 December
and delivered within two days [18]: a yearly exception, kept as ``SeasonalException``.

``in_force`` is pure: the policy, the ship date (in the shipper's calendar) and, for the
seasonal exception, the whole days the item took.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class GuaranteeState(StrEnum):
    IN_FORCE = "in_force"
    SUSPENDED = "suspended"
    UNKNOWN = "unknown"  # the reference cannot tell: never requested automatically


@dataclass(frozen=True)
class StateChange:
    """From ``on`` (that day included) the guarantee is ``state``."""

    on: date
    state: GuaranteeState
    source: str
    note: str = ""


@dataclass(frozen=True)
class SeasonalException:
    """Every year, items shipped between two days (inclusive) and delivered within
    ``delivered_within_days`` days get no refund."""

    first: tuple[int, int]  # (month, day)
    last: tuple[int, int]
    delivered_within_days: int
    source: str

    def covers(self, day: date) -> bool:
        return self.first <= (day.month, day.day) <= self.last


@dataclass(frozen=True)
class GuaranteeHistory:
    policy_id: str
    changes: tuple[StateChange, ...] = ()  # oldest first
    seasonal: tuple[SeasonalException, ...] = ()

    def __post_init__(self) -> None:
        days = [c.on for c in self.changes]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError(f"{self.policy_id}: state changes must be in date order, one per day")


_SUSPENDED, _IN_FORCE, _UNKNOWN = GuaranteeState.SUSPENDED, GuaranteeState.IN_FORCE, GuaranteeState.UNKNOWN
_UPS_SUSPENSION = StateChange(
    date(2020, 3, 24), _SUSPENDED, "[5] afms.com GSR suspension", "UPS suspended the GSR for all services."
)

HISTORIES: Mapping[str, GuaranteeHistory] = {
    h.policy_id: h
    for h in (
        GuaranteeHistory(
            "ups.gsr",  # Next Day Air and Worldwide Express
            (
                _UPS_SUSPENSION,
                StateChange(
                    date(2021, 4, 5),
                    _IN_FORCE,
                    "[5] afms.com GSR suspension; shippingeasy 360044127972",
                    "Back for the Next Day Air and Worldwide Express families only.",
                ),
            ),
        ),
        GuaranteeHistory(
            "ups.gsr.ground",
            (
                _UPS_SUSPENSION,
                StateChange(
                    date(2021, 4, 5),
                    _UNKNOWN,
                    "[5] afms.com GSR suspension",
                    "Other services came back that day; whether Ground did is unconfirmed.",
                ),
            ),
        ),
        GuaranteeHistory(
            "fedex.mbg",
            (
                # The reference gives the year only: the whole of 2020 counts as suspended,
                # so no refund is asked for a day FedEx may not have honoured.
                StateChange(
                    date(2020, 1, 1),
                    _UNKNOWN,
                    "[11] elevate3pl 4000172254",
                    "Suspended in 2020 except for some Express services the reference does not list.",
                ),
            ),
        ),
        GuaranteeHistory("canadapost.guarantee"),  # [34]: no suspension recorded
        GuaranteeHistory("dhl_express.us.delay"),  # [22]: no suspension recorded
        GuaranteeHistory("usps.intl.pmei.delay"),  # [19]: no suspension recorded
        GuaranteeHistory(
            "usps.domestic.pme.delay",
            seasonal=(SeasonalException((12, 22), (12, 25), 2, "[18] link.usps.com 2022/12/15"),),
        ),
    )
}


_SAYS = {
    GuaranteeState.IN_FORCE: "In force again",
    GuaranteeState.SUSPENDED: "Suspended",
    GuaranteeState.UNKNOWN: "Not known to be in force",
}


def _ref(source: str) -> str:
    """The reference's numbers ("[5]") at the start of a source."""
    return source.split(" ", 1)[0]


def _clause(note: str) -> str:
    """A note as the clause after a colon ("Back for…" → "back for…"; "UPS…" stays)."""
    note = note.rstrip(".")
    if len(note) > 1 and note[0].isupper() and not note[1].isupper():
        note = note[0].lower() + note[1:]
    return f": {note}" if note else ""


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def describe(policy_id: str) -> tuple[str, ...]:
    """The history as the conditions a draft shows, one sentence per change or exception."""
    history = HISTORIES[policy_id]
    lines = [
        f"{_SAYS[c.state]} from {_day(c.on)}{_clause(c.note)} {_ref(c.source)}." for c in history.changes
    ]
    for e in history.seasonal:
        lines.append(
            f"No refund for items shipped {e.first[1]}–{e.last[1]} {date(2000, *e.first):%b} and delivered "
            f"within {e.delivered_within_days} days {_ref(e.source)}."
        )
    return tuple(lines)


def is_guarantee(policy_id: str) -> bool:
    """Whether the policy is a money-back guarantee whose being in force is recorded here."""
    return policy_id in HISTORIES


def state_on(policy_id: str, shipped_on: date, transit_days: int | None = None) -> GuaranteeState:
    """The guarantee's state for a shipment shipped on ``shipped_on`` that took
    ``transit_days`` whole days (None: not known, which only matters in a seasonal exception).

    Raises KeyError for a policy that is not a recorded guarantee."""
    history = HISTORIES[policy_id]
    state = _IN_FORCE
    for change in history.changes:
        if change.on > shipped_on:
            break
        state = change.state
    if state is not _IN_FORCE:
        return state
    for exception in history.seasonal:
        if exception.covers(shipped_on):
            if transit_days is None:
                return _UNKNOWN
            if transit_days <= exception.delivered_within_days:
                return _SUSPENDED
    return state


def in_force(policy_id: str, shipped_on: date, transit_days: int | None = None) -> bool:
    """Surely in force (see ``state_on``); False for a policy that is no guarantee."""
    if not is_guarantee(policy_id):
        return False
    return state_on(policy_id, shipped_on, transit_days) is _IN_FORCE
