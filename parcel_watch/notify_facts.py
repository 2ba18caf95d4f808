"""What is worth telling someone about, as pure functions of store rows: facts.

A fact has a key that names it for good — the same scan stored from a poll and from a
webhook, or found again after a restart, gives the same key — and the words of its message.
Carrier text in a message is cleaned (``textsafe.clean``): no escape sequences or control
characters reach a phone or a terminal.

Status facts come from folding a shipment's events in time order (``timeline.advance``, as
the store does): each change of status caused by an event the notifier has not seen yet is
a fact. An event older than the newest one already seen is history arriving late, not news.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from parcel_watch.status import Status
from parcel_watch.textsafe import clean
from parcel_watch.timeline import ShipmentState, advance, time_order

# A scan this old both when it was stored and when it is found is history (a new shipment's
# first poll brings its whole journey): it is not told. One stored while fresh is news, even
# found late (a notifier that was not running); so is an anomaly, which opens when found.
STALE_AFTER = timedelta(days=2)
_TEXT_LIMIT = 300


class FactKind(StrEnum):
    """What a route in the config names (``kinds = [...]``)."""

    STATUS_CHANGE = "status_change"
    DELIVERED = "delivered"
    ANOMALY_OPENED = "anomaly_opened"
    CLAIM_DEADLINE = "claim_deadline"
    DUTIES_DUE = "duties_due"


_NOTIFY_TYPES = {
    FactKind.STATUS_CHANGE: "info",
    FactKind.DELIVERED: "success",
    FactKind.ANOMALY_OPENED: "warning",
    FactKind.CLAIM_DEADLINE: "warning",
    FactKind.DUTIES_DUE: "warning",
}


@dataclass(frozen=True)
class ShipmentRef:
    id: int
    carrier: str
    tracking_number: str
    label: str | None = None

    @property
    def name(self) -> str:
        """``fedex 123456789012 (Birthday gift)``."""
        label = clean(self.label)
        return f"{self.carrier} {self.tracking_number}" + (f" ({label})" if label else "")


@dataclass(frozen=True)
class Fact:
    key: str
    kind: FactKind
    shipment: ShipmentRef
    at: datetime  # when it happened (a scan's time, an anomaly's opening, a reminder's day)
    title: str
    body: str
    stored_at: datetime | None = None  # when the store got it (None: when it happened)

    @property
    def notify_type(self) -> str:
        """apprise's message type: info, success or warning."""
        return _NOTIFY_TYPES[self.kind]

    def is_stale(self, now: datetime) -> bool:
        stored = self.at if self.stored_at is None else self.stored_at
        return now - self.at > STALE_AFTER and stored - self.at > STALE_AFTER


@dataclass(frozen=True)
class ScanEvent:
    """The columns of a stored event that a status fact needs."""

    id: int
    occurred_at: datetime
    status: Status
    substatus: str | None = None
    description: str = ""
    city: str | None = None
    country: str | None = None
    local_time: datetime | None = None  # the carrier's wall clock, when it gave one
    received_at: datetime | None = None  # when the store got it


def status_words(status: Status) -> str:
    """``OUT_FOR_DELIVERY`` -> ``Out for delivery``."""
    return status.value.replace("_", " ").capitalize()


def _short(text: str | None) -> str:
    cleaned = clean(text).strip()
    return cleaned if len(cleaned) <= _TEXT_LIMIT else cleaned[: _TEXT_LIMIT - 1] + "…"


def _when(event: ScanEvent) -> str:
    if event.local_time is not None:
        return event.local_time.strftime("%d %b %H:%M") + " local time"
    return event.occurred_at.strftime("%d %b %H:%M") + " UTC"


def status_facts(shipment: ShipmentRef, events: Sequence[ScanEvent], seen_up_to: int) -> list[Fact]:
    """The status changes of one shipment caused by events with an id above ``seen_up_to``.

    ``events`` is the shipment's whole timeline (any order): an event's effect depends on
    what came before it in time, whichever run saw that."""
    ordered = sorted(events, key=lambda e: (*time_order(e), e.id))
    newest_seen = max((e.occurred_at for e in events if e.id <= seen_up_to), default=None)
    state = ShipmentState()
    facts = []
    for event in ordered:
        before = state.status
        state = advance(state, (event,))
        if state.status is before or event.id <= seen_up_to:
            continue
        if newest_seen is not None and event.occurred_at < newest_seen:
            continue  # an old scan arriving late: history, not news
        facts.append(_status_fact(shipment, event, state.status))
    return facts


def _status_fact(shipment: ShipmentRef, event: ScanEvent, status: Status) -> Fact:
    kind = FactKind.DELIVERED if status is Status.DELIVERED else FactKind.STATUS_CHANGE
    place = ", ".join(p for p in (clean(event.city).strip().title(), event.country or "") if p)
    parts = [_short(event.description) or status_words(status), place, _when(event)]
    return Fact(
        key=f"status:{shipment.id}:{status.value}:{int(event.occurred_at.timestamp())}",
        kind=kind,
        shipment=shipment,
        at=event.occurred_at,
        title=f"{status_words(status)}: {shipment.name}",
        body=" — ".join(p for p in parts if p),
        stored_at=event.received_at,
    )


def anomaly_fact(
    shipment: ShipmentRef,
    anomaly_id: int,
    anomaly_kind: str,
    opened_at: datetime,
    details: Mapping[str, str | int | None],
) -> Fact:
    """An anomaly opened; ``duties_due`` is a kind of its own (someone has to pay)."""
    if anomaly_kind == "duties_due":
        amount = " ".join(str(details[k]) for k in ("amount", "currency") if details.get(k))
        due = f" by {details['due']}" if details.get("due") else ""
        what = f"{amount} to pay{due}" if amount else f"Duties or taxes to pay{due}"
        carrier_text = _short(str(details.get("carrier_text") or ""))
        return Fact(
            key=f"anomaly:{anomaly_id}",
            kind=FactKind.DUTIES_DUE,
            shipment=shipment,
            at=opened_at,
            title=f"Duties due: {shipment.name}",
            body=what + (f" — {carrier_text}" if carrier_text else ""),
        )
    shown = ", ".join(
        f"{k.replace('_', ' ')} {_short(str(v))}" for k, v in details.items() if v is not None and v != ""
    )
    words = anomaly_kind.replace("_", " ")
    return Fact(
        key=f"anomaly:{anomaly_id}",
        kind=FactKind.ANOMALY_OPENED,
        shipment=shipment,
        at=opened_at,
        title=f"Anomaly, {words}: {shipment.name}",
        body=f"{words.capitalize()}" + (f" ({shown})" if shown else ""),
    )


def deadline_threshold(days_left: int, thresholds: Iterable[int]) -> int | None:
    """Which reminder ``days_left`` calls for: the smallest threshold not below it (with
    thresholds 7 and 1, five days left is the 7-day reminder, today the 1-day one)."""
    reached = [t for t in thresholds if t >= days_left >= 0]
    return min(reached) if reached else None


def deadline_fact(
    shipment: ShipmentRef,
    claim_id: int,
    anomaly_kind: str,
    respondent: str,
    latest: date,
    days_left: int,
    threshold: int,
    now: datetime,
) -> Fact:
    """A claim's last filing day is near; one fact per claim, last day and threshold."""
    when = "today" if days_left == 0 else "tomorrow" if days_left == 1 else f"in {days_left} days"
    return Fact(
        key=f"claim_deadline:{claim_id}:{latest.isoformat()}:{threshold}",
        kind=FactKind.CLAIM_DEADLINE,
        shipment=shipment,
        at=now,
        title=f"Claim deadline {when}: {shipment.name}",
        body=(
            f"The {anomaly_kind.replace('_', ' ')} claim against the {respondent} is not filed yet; "
            f"the last day is {latest.isoformat()}."
        ),
    )
