"""The anomaly rules, listed explicitly: one small class each, with a stable code.

Each rule is pure: ``evaluate(shipment, summary, ctx)`` over a :class:`RuleShipment`, the
one-pass :class:`Summary` of its events and a :class:`RuleContext` (``now``, thresholds,
the destination's calendar). ``evaluate_shipment`` runs them all and returns the anomalies
found and the earliest instant any answer may change without a new event. Storage and
incremental evaluation are in ``claims.evaluation``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from claims.model import Anomaly
from claims.rules.base import LaneStats, Pending, Rule, RuleContext, context_for
from claims.rules.delivery import DeliveredLate, Late
from claims.rules.eta import EtaSlipped
from claims.rules.exceptions import (
    CustomsHold,
    Damaged,
    DeliveryFailed,
    DutiesDue,
    ReturnedToSender,
    StatusRegression,
)
from claims.rules.inputs import EtaRevision, RuleEvent, RuleShipment
from claims.rules.movement import Lost, Stalled
from claims.rules.refund import RefundOverdue
from claims.rules.summary import Summary, summarize
from claims.rules.thresholds import Thresholds, ThresholdTable

RULES: tuple[Rule, ...] = (
    Late(),
    DeliveredLate(),
    Stalled(),
    Lost(),
    Damaged(),
    CustomsHold(),
    DutiesDue(),
    DeliveryFailed(),
    ReturnedToSender(),
    EtaSlipped(),
    StatusRegression(),
    RefundOverdue(),
)


@dataclass(frozen=True, slots=True)
class Verdict:
    anomalies: tuple[Anomaly, ...]
    recheck_at: datetime | None  # the earliest deadline crossing any rule reported


def evaluate_shipment(
    shipment: RuleShipment, summary: Summary, ctx: RuleContext, rules: Sequence[Rule] = RULES
) -> Verdict:
    found: list[Anomaly] = []
    recheck: datetime | None = None
    for rule in rules:
        result = rule.evaluate(shipment, summary, ctx)
        if result is None:
            continue
        at = result.recheck_at
        if isinstance(result, Anomaly):
            found.append(result)
        if at is not None and (recheck is None or at < recheck):
            recheck = at
    return Verdict(tuple(found), recheck)


def evaluate_timeline(
    shipment: RuleShipment,
    events: Sequence[RuleEvent],
    now: datetime,
    thresholds: Thresholds | None = None,
    lane: LaneStats | None = None,
) -> Verdict:
    """Every rule over one shipment's events (any order): the pure entry point."""
    summary = summarize(events, shipment.destination_country)
    ctx = context_for(shipment, summary, now, thresholds or Thresholds(), lane)
    return evaluate_shipment(shipment, summary, ctx)


__all__ = [
    "RULES",
    "EtaRevision",
    "LaneStats",
    "Pending",
    "Rule",
    "RuleContext",
    "RuleEvent",
    "RuleShipment",
    "Summary",
    "ThresholdTable",
    "Thresholds",
    "Verdict",
    "context_for",
    "evaluate_shipment",
    "evaluate_timeline",
    "summarize",
]
