"""What every rule shares: its shape, its context, and the "not yet, look again at" answer.

A rule is a small class with a stable ``code`` and one pure method,
``evaluate(shipment, summary, ctx)``, returning an :class:`~claims.model.Anomaly` when it
finds one, :class:`Pending` when nothing is wrong yet but its answer will change at a known
instant without any new event (a promised date, a stall threshold), and None otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import ClassVar, Protocol

from claims.model import Anomaly, AnomalyKind
from claims.rules.calendar import Calendar, calendar_for
from claims.rules.inputs import RuleShipment
from claims.rules.summary import Summary
from claims.rules.thresholds import Thresholds
from parcel_watch.status import Status

# In transit and expected to be scanned again soon: where "stalled" and "lost" apply.
MOVING = frozenset({Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.RETURNING})
_MOVING_EXCEPTIONS = frozenset({None, "exception.delayed", "exception.other", "exception.security"})


def is_moving(summary: Summary) -> bool:
    return summary.status in MOVING or (
        summary.status is Status.EXCEPTION and summary.substatus in _MOVING_EXCEPTIONS
    )


@dataclass(frozen=True, slots=True)
class Pending:
    """No anomaly yet; the rule's answer may change at ``recheck_at`` without a new event."""

    recheck_at: datetime


@dataclass(frozen=True, slots=True)
class LaneStats:
    """How a lane's recent delivered shipments travelled (business days at the destination)."""

    delivered: int  # shipments in the sample
    gap_p90_business_days: int  # 90th percentile of each one's longest silence between scans
    transit_p90_business_days: int  # 90th percentile of first scan to delivery


@dataclass(slots=True)  # built per shipment per pass: not frozen, which would cost twice as much
class RuleContext:
    """``now``, the thresholds for this shipment, and its destination's calendar and zone."""

    now: datetime
    thresholds: Thresholds
    calendar: Calendar
    zone: tzinfo  # the destination's local time (a scan's offset there, else its country's)
    lane: LaneStats | None = None  # None: not enough delivered history on the lane

    def stall_limit(self) -> tuple[int, str]:
        """Full business days without a scan before a moving shipment is stalled, and why."""
        th = self.thresholds
        lane = self.lane
        if lane is not None and lane.delivered >= th.lane_min_delivered:
            return max(th.stalled_min_business_days, lane.gap_p90_business_days + 1), "lane_p90"
        return th.stalled_business_days, "default"


def context_for(
    shipment: RuleShipment,
    summary: Summary,
    now: datetime,
    thresholds: Thresholds,
    lane: LaneStats | None = None,
) -> RuleContext:
    calendar = calendar_for(shipment.destination_country)
    offset, day = summary.destination_offset, summary.destination_offset_day
    zone = calendar.zone if offset is None or day is None else calendar.zone_with_offset(offset, day)
    return RuleContext(now, thresholds, calendar, zone, lane)


class Rule(Protocol):
    code: ClassVar[AnomalyKind]

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        """An anomaly, a pending deadline, or nothing (pure: no I/O, no clock)."""
        ...


def iso(value: datetime | date) -> str:
    """Instants as ISO 8601 UTC to the minute ("2026-03-10T14:05Z"); dates as ISO dates."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="minutes")[:16] + "Z"
    return value.isoformat()
