"""What the carrier reports going wrong: damage, customs, duties, failed attempts,
a return to the sender, and a timeline that contradicts its own delivery."""

from __future__ import annotations

from typing import ClassVar

from claims.model import Anomaly, AnomalyKind
from claims.rules.base import Pending, RuleContext, iso
from claims.rules.calendar import local_day
from claims.rules.inputs import RuleShipment
from claims.rules.summary import Summary
from claims.rules.text import duties_notice
from parcel_watch.status import Status


class Damaged:
    """exception.damaged, or damage in the carrier's words: it happened, it stays."""

    code: ClassVar[AnomalyKind] = AnomalyKind.DAMAGED

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        if not summary.damage_events or summary.damage_at is None:
            return None
        return Anomaly(self.code, shipment.id, since=summary.damage_at, evidence=summary.damage_events)


class CustomsHold:
    """Held at customs for more than N business days at the destination; over once it moves."""

    code: ClassVar[AnomalyKind] = AnomalyKind.CUSTOMS_HOLD

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        since = summary.customs_hold_since
        if since is None:
            return None
        days = ctx.thresholds.customs_hold_business_days
        at = ctx.calendar.end_of_business_days(local_day(since, ctx.zone), days, ctx.zone)
        if ctx.now < at:
            return Pending(at)
        return Anomaly(
            self.code,
            shipment.id,
            since=since,
            evidence=summary.customs_hold_events,
            details={"business_days": days},
        )


class DutiesDue:
    """The recipient must pay duties or taxes: how much and by when, where the carrier says."""

    code: ClassVar[AnomalyKind] = AnomalyKind.DUTIES_DUE

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        if not summary.duties_events or summary.duties_at is None or summary.status is Status.DELIVERED:
            return None
        notice = duties_notice(summary.duties_text)
        details: dict[str, str | int | None] = {
            "amount": str(notice.amount) if notice.amount is not None else None,
            "currency": notice.currency,
            "due": iso(notice.due) if notice.due is not None else None,
            "carrier_text": summary.duties_text[:500],
        }
        return Anomaly(
            self.code, shipment.id, since=summary.duties_at, evidence=summary.duties_events, details=details
        )


class DeliveryFailed:
    """N delivery attempts failed (one per local day) and the parcel is not delivered."""

    code: ClassVar[AnomalyKind] = AnomalyKind.DELIVERY_FAILED

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        needed = max(1, ctx.thresholds.failed_attempts)
        if len(summary.attempts) < needed or summary.status is Status.DELIVERED:
            return None
        return Anomaly(
            self.code,
            shipment.id,
            since=summary.attempt_times[needed - 1],
            evidence=summary.attempts,
            details={"attempts": len(summary.attempts)},
        )


class ReturnedToSender:
    """On its way back to (or back with) the sender; not for a return shipment itself."""

    code: ClassVar[AnomalyKind] = AnomalyKind.RETURNED_TO_SENDER

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        if shipment.return_of is not None or summary.return_at is None:
            return None
        if summary.status is Status.DELIVERED:
            return None  # delivered to the recipient after all
        returned = summary.status is Status.RETURNED
        return Anomaly(
            self.code,
            shipment.id,
            since=summary.return_at,
            evidence=summary.return_events,
            details={"state": "returned" if returned else "returning"},
        )


class StatusRegression:
    """An earlier lifecycle stage scanned after a delivery (e.g. in transit after delivered):
    the delivery may have been wrong. Over when it is delivered again."""

    code: ClassVar[AnomalyKind] = AnomalyKind.STATUS_REGRESSION

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        if summary.regression is None or summary.regression_at is None:
            return None
        return Anomaly(self.code, shipment.id, since=summary.regression_at, evidence=summary.regression)
