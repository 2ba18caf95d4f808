"""Hand-built timelines for the rule tests: events by id, time and status, read as scenarios."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from claims.model import Anomaly, AnomalyKind
from claims.rules import EtaRevision, LaneStats, RuleEvent, RuleShipment, Thresholds, evaluate_timeline
from parcel_watch.status import Status


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def scan(
    id: int,
    at: datetime,
    status: Status = Status.IN_TRANSIT,
    substatus: str | None = None,
    text: str = "Arrived at facility",
    *,
    country: str | None = None,
    offset: int | None = None,
) -> RuleEvent:
    return RuleEvent.at(id, at, status, substatus, text, country, offset)


def delivered(id: int, at: datetime, *, country: str | None = None, offset: int | None = None) -> RuleEvent:
    return scan(id, at, Status.DELIVERED, "delivered.signed", "Delivered", country=country, offset=offset)


def shipment(
    *,
    destination: str | None = None,
    origin: str | None = None,
    promised: date | None = None,
    etas: Sequence[tuple[datetime, datetime]] = (),
    service: str | None = None,
    carrier: str = "ups",
    return_of: int | None = None,
    refund_regime: str | None = None,
    refund_received_at: datetime | None = None,
) -> RuleShipment:
    revisions = tuple(EtaRevision(eta, recorded) for eta, recorded in etas)
    return RuleShipment(
        id=1,
        carrier=carrier,
        service=service,
        origin_country=origin,
        destination_country=destination,
        promised_delivery=promised,
        estimated_delivery=revisions[-1].estimated_delivery if revisions else None,
        eta_revisions=revisions,
        return_of=return_of,
        refund_regime=refund_regime,
        refund_received_at=refund_received_at,
    )


def found(
    ship: RuleShipment,
    events: Sequence[RuleEvent],
    now: datetime,
    thresholds: Thresholds | None = None,
    lane: LaneStats | None = None,
) -> dict[AnomalyKind, Anomaly]:
    verdict = evaluate_timeline(ship, events, now, thresholds, lane)
    return {a.kind: a for a in verdict.anomalies}


def recheck(
    ship: RuleShipment, events: Sequence[RuleEvent], now: datetime, thresholds: Thresholds | None = None
) -> datetime | None:
    return evaluate_timeline(ship, events, now, thresholds).recheck_at
