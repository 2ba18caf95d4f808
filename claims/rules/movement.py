"""``stalled`` and ``lost``: a moving shipment that stopped being scanned.

Silence is counted in full business days of the destination (its weekend and public
holidays do not count), from the local day of the last scan: stalled once the N-th
business day after it is over. N is the threshold, or, where the lane has enough delivered
history, one more than the 90th percentile of the longest silence its delivered shipments
had (never below the threshold's floor). Presumed lost after ``lost_business_days`` (never
before twice the stall limit); the carrier saying lost or destroyed is lost at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from claims.model import Anomaly, AnomalyKind
from claims.rules.base import Pending, RuleContext, is_moving, iso
from claims.rules.calendar import local_day
from claims.rules.inputs import RuleShipment
from claims.rules.summary import Summary
from parcel_watch.status import Status


class Stalled:
    code: ClassVar[AnomalyKind] = AnomalyKind.STALLED

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        last = summary.last_scan_at
        if last is None or summary.last_event_id is None or not is_moving(summary):
            return None
        limit, basis = ctx.stall_limit()
        at = ctx.calendar.end_of_business_days(local_day(last, ctx.zone), limit, ctx.zone)
        if ctx.now < at:
            return Pending(at)
        return Anomaly(
            self.code,
            shipment.id,
            since=last,
            evidence=(summary.last_event_id,),
            details={
                "business_days": limit,
                "threshold": basis,
                "last_scan": iso(last),
                "stalled_at": iso(at),
            },
        )


class Lost:
    code: ClassVar[AnomalyKind] = AnomalyKind.LOST

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        if summary.status is Status.DELIVERED:
            return None
        if summary.lost_event is not None and summary.lost_at is not None:
            return Anomaly(
                self.code,
                shipment.id,
                since=summary.lost_at,
                evidence=(summary.lost_event,),
                details={"reason": "carrier"},
            )
        last = summary.last_scan_at
        if last is None or summary.last_event_id is None or not is_moving(summary):
            return None
        limit = max(ctx.thresholds.lost_business_days, 2 * ctx.stall_limit()[0])
        # n business days take at least n calendar days: until then, a cheap lower bound of
        # the crossing is enough (looking again a little early only costs a re-evaluation).
        early = last + timedelta(days=limit)
        if ctx.now < early:
            return Pending(early)
        at = ctx.calendar.end_of_business_days(local_day(last, ctx.zone), limit, ctx.zone)
        if ctx.now < at:
            return Pending(at)
        return Anomaly(
            self.code,
            shipment.id,
            since=last,
            evidence=(summary.last_event_id,),
            details={"reason": "no_scan", "business_days": limit, "last_scan": iso(last)},
        )
