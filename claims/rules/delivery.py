"""``late`` and ``delivered_late``: measured against the promise, in the destination's day.

The promise is the merchant's promised date; without one, the carrier's first announced
delivery (its commitment before any slip). A date is kept until its last minute in the
destination's local time. For express services (thresholds.to_the_minute, or by the
service's name) the carrier's committed time counts to the minute: late by 60 s or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import ClassVar

from claims.model import Anomaly, AnomalyKind
from claims.rules.base import Pending, RuleContext, iso
from claims.rules.calendar import end_of, fixed_zone, local_day
from claims.rules.inputs import RuleShipment
from claims.rules.summary import Summary
from parcel_watch.status import Status

# "Late" for a money-back guarantee: a minute or more after the committed time.
MINUTE = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Promise:
    day: date  # the promised date, local to the destination
    deadline: datetime  # the first instant that is late
    source: str  # "merchant" or "carrier"
    committed_at: datetime | None = None  # the carrier's time, when it counts to the minute


def promise(shipment: RuleShipment, ctx: RuleContext, zone: tzinfo) -> Promise | None:
    if shipment.promised_delivery is not None:
        day = shipment.promised_delivery
        return Promise(day, end_of(day, zone), "merchant")
    committed = shipment.first_estimate
    if committed is None:
        return None
    if ctx.thresholds.minute_precision(shipment.service):
        return Promise(local_day(committed, zone), committed + MINUTE, "carrier", committed)
    day = local_day(committed, zone)
    return Promise(day, end_of(day, zone), "carrier")


def _details(p: Promise) -> dict[str, str | int | None]:
    details: dict[str, str | int | None] = {"promised": iso(p.day), "promise_source": p.source}
    if p.committed_at is not None:
        details["committed_at"] = iso(p.committed_at)
    return details


class Late:
    """Past the promise and not delivered (nor cancelled)."""

    code: ClassVar[AnomalyKind] = AnomalyKind.LATE

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        if summary.status is Status.DELIVERED or summary.status is Status.CANCELLED:
            return None
        p = promise(shipment, ctx, ctx.zone)
        if p is None:
            return None
        if ctx.now < p.deadline:
            return Pending(p.deadline)
        evidence = (summary.last_event_id,) if summary.last_event_id is not None else ()
        return Anomaly(self.code, shipment.id, since=p.deadline, evidence=evidence, details=_details(p))


class DeliveredLate:
    """Delivered after the promise: a money-back guarantee or consumer-law candidate."""

    code: ClassVar[AnomalyKind] = AnomalyKind.DELIVERED_LATE

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        delivered_at = summary.delivered_at
        if delivered_at is None or summary.delivered_event is None:
            return None
        # The delivery scan's own offset says which local day it was delivered on.
        offset = summary.delivered_offset
        zone = fixed_zone(offset) if offset is not None else ctx.zone
        p = promise(shipment, ctx, zone)
        if p is None or delivered_at < p.deadline:
            return None
        details = _details(p)
        details["delivered"] = iso(delivered_at)
        if p.committed_at is not None:
            details["minutes_late"] = int((delivered_at - p.committed_at) // MINUTE)
        details["days_late"] = (local_day(delivered_at, zone) - p.day).days
        return Anomaly(
            self.code, shipment.id, since=delivered_at, evidence=(summary.delivered_event,), details=details
        )
