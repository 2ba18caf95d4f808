"""The support team's work queue: claims by deadline, anomalies by urgency, each with the
label, number and carrier of its shipment (plain data for the dashboard and a JSON API).

Claims come in three stages: still to file (draft, ready), waiting for the respondent
(filed, acknowledged, partially paid) and closed (paid, denied, expired). The queue lists
them in that order; within a stage, by the days left until the last filing day in the
claimant's own zone (``lifecycle.days_left``: "today" is the claimant's today), so the
claim that closes first comes first whatever zone it is counted in; no deadline comes last.

An anomaly is as urgent as the nearest last filing day of its unfiled claims; anomalies
without one follow, oldest first; resolved ones (when asked for) come last.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum

from sqlalchemy import select

from claims import lifecycle
from claims.anomaly_summary import summarize
from claims.evaluation import StoredAnomaly, open_anomalies
from claims.lifecycle import OPEN_STATUSES, StoredClaim
from claims.model import AnomalyKind, AnomalyState, ClaimStatus, Party
from parcel_watch.store import Store
from parcel_watch.store.schema import claims, shipments


class Stage(IntEnum):
    """Where a claim stands for the person working the queue (the queue's first sort key)."""

    TO_FILE = 0
    WAITING = 1
    CLOSED = 2


CLOSED_STATUSES = frozenset({ClaimStatus.PAID, ClaimStatus.DENIED, ClaimStatus.EXPIRED})


def stage_of(status: ClaimStatus) -> Stage:
    if status in OPEN_STATUSES:
        return Stage.TO_FILE
    return Stage.CLOSED if status in CLOSED_STATUSES else Stage.WAITING


@dataclass(frozen=True)
class ShipmentRef:
    id: int
    tracking_number: str
    carrier: str
    label: str | None

    @property
    def name(self) -> str:
        """What the user calls it: the label they gave, else the tracking number."""
        return self.label or self.tracking_number


@dataclass(frozen=True)
class QueuedClaim:
    claim: StoredClaim
    shipment: ShipmentRef
    days_left: int | None  # to the last filing day, claimant's zone (negative: closed); None: no deadline

    @property
    def stage(self) -> Stage:
        return stage_of(self.claim.status)

    @property
    def overdue(self) -> bool:
        """Still unfiled although its last filing day has passed."""
        return self.stage is Stage.TO_FILE and self.days_left is not None and self.days_left < 0


@dataclass(frozen=True)
class QueuedAnomaly:
    anomaly: StoredAnomaly
    shipment: ShipmentRef
    summary: str  # one line (``anomaly_summary``); carrier text possible: clean before showing
    claims: int  # claims drafted for it, whatever their status
    nearest: date | None  # the nearest last filing day of its unfiled claims
    days_left: int | None  # to ``nearest``, in that claim's zone

    @property
    def resolved(self) -> bool:
        return self.anomaly.state is AnomalyState.RESOLVED


def _by_deadline(days_left: int | None, latest: date | None, ident: int) -> tuple[bool, int, date, int]:
    return (days_left is None, days_left or 0, latest or date.max, ident)


def claim_order(item: QueuedClaim) -> tuple[Stage, tuple[bool, int, date, int]]:
    return item.stage, _by_deadline(item.days_left, item.claim.latest, item.claim.id)


def anomaly_order(item: QueuedAnomaly) -> tuple[bool, bool, int, datetime, int]:
    return (item.resolved, item.days_left is None, item.days_left or 0, item.anomaly.since, item.anomaly.id)


async def _shipments_with_claims(store: Store) -> dict[int, ShipmentRef]:
    s = shipments.c
    query = select(s.id, s.tracking_number, s.carrier, s.label).where(s.id.in_(select(claims.c.shipment_id)))
    async with store.reading() as conn:
        rows = (await conn.execute(query)).all()
    return {r.id: ShipmentRef(r.id, r.tracking_number, r.carrier, r.label) for r in rows}


async def claim_queue(
    store: Store, now: datetime, *, status: ClaimStatus | None = None, respondent: Party | None = None
) -> list[QueuedClaim]:
    """Claims (of one status, to one respondent, or all) in the order the queue works them."""
    found = await lifecycle.list_claims(store, status=status)
    if respondent is not None:
        found = [c for c in found if c.respondent is respondent]
    refs = await _shipments_with_claims(store)
    queued = [QueuedClaim(c, refs[c.shipment_id], lifecycle.days_left(c, now)) for c in found]
    return sorted(queued, key=claim_order)


@dataclass(frozen=True)
class _ClaimDeadline:
    status: ClaimStatus
    latest: date | None
    days_left: int | None


async def _claim_deadlines(
    store: Store, now: datetime
) -> dict[tuple[int, AnomalyKind], list[_ClaimDeadline]]:
    """Each (shipment, anomaly kind)'s claims, without reading their documents."""
    c = claims.c
    async with store.reading() as conn:
        rows = (await conn.execute(select(c.shipment_id, c.anomaly, c.status, c.latest, c.time_zone))).all()
    found: dict[tuple[int, AnomalyKind], list[_ClaimDeadline]] = defaultdict(list)
    for shipment_id, kind, status, latest, zone in rows:
        left = None if latest is None else (latest - lifecycle.claimant_today(zone, now)).days
        found[shipment_id, AnomalyKind(kind)].append(_ClaimDeadline(ClaimStatus(status), latest, left))
    return found


async def anomaly_queue(
    store: Store, now: datetime, *, include_resolved: bool = False, shipment_id: int | None = None
) -> list[QueuedAnomaly]:
    """Open anomalies (and resolved ones with ``include_resolved``), most urgent first."""
    found = await open_anomalies(store, shipment_id, include_resolved=include_resolved)
    deadlines = await _claim_deadlines(store, now)
    queued = []
    for anomaly in found:
        its_claims = deadlines.get((anomaly.shipment_id, anomaly.kind), [])
        unfiled = [d for d in its_claims if d.status in OPEN_STATUSES and d.days_left is not None]
        nearest = min(unfiled, key=lambda d: (d.days_left, d.latest), default=None)
        queued.append(
            QueuedAnomaly(
                anomaly=anomaly,
                shipment=ShipmentRef(
                    anomaly.shipment_id, anomaly.tracking_number, anomaly.carrier, anomaly.label
                ),
                summary=summarize(anomaly.kind, anomaly.details),
                claims=len(its_claims),
                nearest=nearest.latest if nearest is not None else None,
                days_left=nearest.days_left if nearest is not None else None,
            )
        )
    return sorted(queued, key=anomaly_order)
