"""Anomalies and claims: the support queue's lists (``claims.queue``), one claim with its
history (``claims.lifecycle``), and moving a claim along its lifecycle (409 when the
lifecycle forbids the move)."""

from __future__ import annotations

from claims import lifecycle
from claims.model import TRANSITIONS
from claims.queue import QueuedAnomaly, anomaly_queue, claim_queue
from parcel_watch.api import schemas as s
from parcel_watch.api.paging import slice_page
from parcel_watch.api.routing import ApiError, Call, Route
from parcel_watch.api.tokens import Scope

ANOMALIES, CLAIMS = "anomalies", "claims"


def _anomaly(q: QueuedAnomaly) -> s.Anomaly:
    a = q.anomaly
    return s.Anomaly(
        id=a.id,
        kind=a.kind.value,
        state=a.state.value,
        since=a.since,
        opened_at=a.opened_at,
        resolved_at=a.resolved_at,
        summary=q.summary,
        details=a.details,
        evidence_events=list(a.evidence),
        claims=q.claims,
        nearest_deadline=q.nearest,
        days_left=q.days_left,
        shipment=s.ShipmentRef(**vars(q.shipment)),
    )


async def list_anomalies(call: Call) -> s.Page[s.Anomaly]:
    q: s.AnomalyQuery = call.query
    found = await anomaly_queue(
        call.store, call.now(), include_resolved=q.state == "all", shipment_id=q.shipment_id
    )
    if q.kind is not None:
        found = [a for a in found if a.anomaly.kind is q.kind]
    return slice_page(call.request, q, [_anomaly(a) for a in found])


def _claim(claim: lifecycle.StoredClaim, shipment: s.ShipmentRef, days_left: int | None) -> s.Claim:
    amount = claim.amount
    return s.Claim(
        id=claim.id,
        anomaly=claim.anomaly.value,
        policy_id=claim.policy_id,
        respondent=claim.respondent.value,
        incident=claim.incident.value,
        status=claim.status,
        allowed_next=sorted(TRANSITIONS[claim.status]),
        amount=s.Money(amount=amount.amount, currency=amount.currency) if amount is not None else None,
        earliest=claim.earliest,
        latest=claim.latest,
        time_zone=claim.time_zone,
        days_left=days_left,
        created_at=claim.created_at,
        updated_at=claim.updated_at,
        shipment=shipment,
    )


async def list_claims(call: Call) -> s.Page[s.Claim]:
    q: s.ClaimQuery = call.query
    found = await claim_queue(call.store, call.now(), status=q.status, respondent=q.respondent)
    if q.shipment_id is not None:
        found = [c for c in found if c.claim.shipment_id == q.shipment_id]
    items = [_claim(c.claim, s.ShipmentRef(**vars(c.shipment)), c.days_left) for c in found]
    return slice_page(call.request, q, items)


async def _claim_detail(call: Call, claim_id: int) -> s.ClaimDetail:
    try:
        claim = await lifecycle.get(call.store, claim_id)
    except lifecycle.ClaimNotFound as exc:
        raise ApiError(404, str(exc)) from None
    [shipment] = await call.store.by_ids([claim.shipment_id])
    ref = s.ShipmentRef(
        id=claim.shipment_id,
        tracking_number=shipment.tracking_number,
        carrier=shipment.carrier,
        label=shipment.label,
    )
    history = [
        s.StatusChange(from_status=h.from_status, to_status=h.to_status, by=h.by, at=h.at, note=h.note)
        for h in await lifecycle.history(call.store, claim_id)
    ]
    base = _claim(claim, ref, lifecycle.days_left(claim, call.now()))
    return s.ClaimDetail(**base.model_dump(), history=history, document=claim.document)


async def get_claim(call: Call) -> s.ClaimDetail:
    return await _claim_detail(call, call.ids["claim_id"])


async def change_claim_status(call: Call) -> s.ClaimDetail:
    body: s.StatusUpdate = call.body
    claim_id = call.ids["claim_id"]
    try:
        await lifecycle.set_status(
            call.store, claim_id, body.status, by=f"api:{call.token.name}", now=call.now(), note=body.note
        )
    except lifecycle.ClaimNotFound as exc:
        raise ApiError(404, str(exc)) from None
    except lifecycle.InvalidTransition as exc:
        raise ApiError(409, str(exc)) from None
    return await _claim_detail(call, claim_id)


ROUTES = (
    Route(
        "GET",
        "/api/anomalies",
        list_anomalies,
        "Anomalies, most urgent first (open ones unless state=all)",
        s.Page[s.Anomaly],
        ANOMALIES,
        query=s.AnomalyQuery,
    ),
    Route(
        "GET",
        "/api/claims",
        list_claims,
        "Claims in the order the support queue works them (to file, waiting, closed; by deadline)",
        s.Page[s.Claim],
        CLAIMS,
        query=s.ClaimQuery,
    ),
    Route(
        "GET",
        "/api/claims/{claim_id}",
        get_claim,
        "One claim with its history",
        s.ClaimDetail,
        CLAIMS,
        errors=(404,),
    ),
    Route(
        "POST",
        "/api/claims/{claim_id}/status",
        change_claim_status,
        "Move a claim to a new status (recorded in its history as made by this token)",
        s.ClaimDetail,
        CLAIMS,
        scope=Scope.WRITE,
        body=s.StatusUpdate,
        errors=(404, 409),
        description="409 when the claim's lifecycle does not allow the move; the message lists "
        "the statuses it can go to.",
    ),
)
