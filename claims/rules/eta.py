"""``eta_slipped``: the carrier's estimated delivery moved later; its history is the evidence."""

from __future__ import annotations

from typing import ClassVar

from claims.model import Anomaly, AnomalyKind
from claims.rules.base import Pending, RuleContext, iso
from claims.rules.calendar import local_day
from claims.rules.inputs import RuleShipment
from claims.rules.summary import Summary

HISTORY_LIMIT = 20  # revisions written into the details (the first and the newest ones)


class EtaSlipped:
    """The newest estimate is at least ``eta_slip_days`` local days after the first one."""

    code: ClassVar[AnomalyKind] = AnomalyKind.ETA_SLIPPED

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        revisions = shipment.eta_revisions
        if len(revisions) < 2:
            return None
        zone = ctx.zone
        first = local_day(revisions[0].estimated_delivery, zone)
        current = local_day(revisions[-1].estimated_delivery, zone)
        slipped = (current - first).days
        need = max(1, ctx.thresholds.eta_slip_days)
        if slipped < need:
            return None
        # Since the revision that first moved the estimate past the threshold.
        since = next(
            r.recorded_at for r in revisions if (local_day(r.estimated_delivery, zone) - first).days >= need
        )
        shown = (
            revisions
            if len(revisions) <= HISTORY_LIMIT
            else (*revisions[:1], *revisions[-HISTORY_LIMIT + 1 :])
        )
        history = "; ".join(
            f"{iso(local_day(r.estimated_delivery, zone))} (announced {iso(r.recorded_at)})" for r in shown
        )
        return Anomaly(
            self.code,
            shipment.id,
            since=since,
            details={
                "first_eta": iso(first),
                "current_eta": iso(current),
                "days_slipped": slipped,
                "revisions": len(revisions),
                "eta_history": history,
            },
        )
