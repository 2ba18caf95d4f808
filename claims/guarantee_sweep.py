"""The money-back-guarantee sweep: late deliveries whose refund can still be requested.

``select`` is pure. It takes the stored claims with their shipments and keeps a claim when:
its anomaly is ``delivered_late``; its policy is a guarantee (``claims.policies.guarantees``)
that was surely in force on the ship date; it is not filed yet (draft or ready); and its
refund-request window (the policy's, counted when the claim was drafted: 15 days after
delivery for UPS, 15 days of the invoice for FedEx, 30 working days for Canada Post) is open
today in the claimant's zone. Everything else is counted under the reason it was left out,
so a user sees why a shipment is missing. The amount is the claim's: the charges, when the
shipping cost is known from the facts.

``load`` is the I/O: it drafts the open anomalies' claims first (``claims.claiming``), so a
sweep is never behind the store, then reads what ``select`` needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from claims import lifecycle
from claims.claiming import draft_open_claims
from claims.lifecycle import OPEN_STATUSES, StoredClaim
from claims.model import AnomalyKind, ClaimStatus
from claims.policies import guarantees, operator
from claims.policies.guarantees import GuaranteeState
from parcel_watch.model import Money, Shipment, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import Store


@dataclass(frozen=True)
class SweepInput:
    claim: StoredClaim
    shipment: Shipment
    shipped_on: date | None  # the ship date, else the day of the first scan
    delivered_at: datetime | None


@dataclass(frozen=True)
class SweepItem:
    claim_id: int
    shipment_id: int
    operator: str  # whose refund request it is ("ups", "fedex", "canadapost")
    policy_id: str
    tracking_number: str
    service: str
    shipped_on: date
    promised: str  # as the claim's fields give it (a date, or empty)
    delivered_at: datetime
    amount: Money | None  # None: the shipping cost is not known yet
    deadline: date  # last day to ask, in ``time_zone``
    days_left: int
    time_zone: str
    order_ref: str


@dataclass(frozen=True)
class Sweep:
    items: tuple[SweepItem, ...]  # by deadline, then claim
    left_out: dict[str, int]  # reason -> guarantee claims left out for it


def _reason(entry: SweepInput, now: datetime) -> str | None:
    """Why a guarantee claim is not swept; None: it is."""
    claim = entry.claim
    if claim.status is ClaimStatus.EXPIRED:  # the drafting run expires what closed
        return "refund-request window closed"
    if claim.status not in OPEN_STATUSES:
        return f"already {claim.status.value}"
    if entry.shipped_on is None or entry.delivered_at is None:
        return "ship or delivery date unknown"
    transit = (entry.delivered_at.date() - entry.shipped_on).days
    state = guarantees.state_on(claim.policy_id, entry.shipped_on, transit)
    if state is GuaranteeState.SUSPENDED:
        return "guarantee suspended on the ship date"
    if state is GuaranteeState.UNKNOWN:
        return "guarantee not known to be in force on the ship date"
    if claim.latest is None:
        return "no refund-request period known"
    left = lifecycle.days_left(claim, now)
    if left is not None and left < 0:
        return "refund-request window closed"
    if claim.earliest is not None and claim.earliest > lifecycle.claimant_today(claim.time_zone, now):
        return "refund-request window not open yet"
    return None


def _item(entry: SweepInput, now: datetime) -> SweepItem:
    claim, shipment = entry.claim, entry.shipment
    assert entry.shipped_on is not None and entry.delivered_at is not None and claim.latest is not None
    fields = claim.document.get("fields", {})
    return SweepItem(
        claim_id=claim.id,
        shipment_id=claim.shipment_id,
        operator=operator(
            shipment.carrier,
            origin_country=shipment.origin_country,
            destination_country=shipment.destination_country,
            service=shipment.service,
        )
        or shipment.carrier,
        policy_id=claim.policy_id,
        tracking_number=shipment.tracking_number,
        service=shipment.service or "",
        shipped_on=entry.shipped_on,
        promised=str(fields.get("scheduled_delivery", "")),
        delivered_at=entry.delivered_at,
        amount=claim.amount,
        deadline=claim.latest,
        days_left=lifecycle.days_left(claim, now) or 0,
        time_zone=claim.time_zone,
        order_ref=shipment.order_ref or "",
    )


def select(entries: Iterable[SweepInput], now: datetime, *, since: date | None = None) -> Sweep:
    """The claims to request now (see module); ``since``: delivered on or after that day (UTC)."""
    items: list[SweepItem] = []
    left_out: Counter[str] = Counter()
    for entry in entries:
        claim = entry.claim
        if claim.anomaly is not AnomalyKind.DELIVERED_LATE or not guarantees.is_guarantee(claim.policy_id):
            continue
        if since is not None and (entry.delivered_at is None or entry.delivered_at.date() < since):
            continue
        reason = _reason(entry, now)
        if reason is None:
            items.append(_item(entry, now))
        else:
            left_out[reason] += 1
    items.sort(key=lambda i: (i.deadline, i.claim_id))
    return Sweep(tuple(items), dict(sorted(left_out.items())))


def _dates(shipment: Shipment, events: Sequence[TrackingEvent]) -> tuple[date | None, datetime | None]:
    first = min((e.occurred_at for e in events), default=None)
    shipped_on = shipment.ship_date or (first.date() if first is not None else None)
    delivered = [e.occurred_at for e in events if e.status is Status.DELIVERED]
    return shipped_on, max(delivered, default=None)


async def load(store: Store, now: datetime, *, by: str) -> list[SweepInput]:
    """Draft what the anomalies give, then the guarantee claims with their shipments."""
    await draft_open_claims(store, now, by=by)
    found = [
        c
        for c in await lifecycle.list_claims(store)
        if c.anomaly is AnomalyKind.DELIVERED_LATE and guarantees.is_guarantee(c.policy_id)
    ]
    ids = sorted({c.shipment_id for c in found})
    shipments = {s.id: s for s in await store.by_ids(ids)}
    timelines = await store.timelines(ids)
    entries = []
    for claim in found:
        shipment = shipments.get(claim.shipment_id)
        if shipment is None:
            continue
        shipped_on, delivered_at = _dates(shipment, timelines.get(claim.shipment_id, []))
        entries.append(SweepInput(claim, shipment, shipped_on, delivered_at))
    return entries
