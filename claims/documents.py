"""A claim draft as a JSON-ready document: what the store keeps and the templates render.

The document is a snapshot: it holds the texts and figures of the rule as it was when the
claim was drafted (name, legal basis, source, remedy, amount basis, deadline basis), so a
stored claim reads the same after the policy data is updated. Dates are ISO strings,
money is ``{"amount": "80.00", "currency": "USD", "text": "80.00 USD"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from claims.amounts import format_money
from claims.model import Amount, Anomaly, ClaimDraft, ClaimFacts, Deadline, SdrConversion
from parcel_watch.model import Money, Shipment

VERSION = 1


@dataclass(frozen=True)
class DraftContext:
    """What a draft was decided from, beyond the ClaimDraft itself."""

    today: date  # in the claimant's zone
    deadlines: tuple[Deadline, ...]  # every window of the rule for this incident
    deadline_missing: str | None  # why no deadline could be counted
    uncounted: tuple[tuple[str, str], ...]  # (window, what is missing) of windows not counted yet
    amount_missing: str | None  # why no amount could be computed
    duty: Deadline | None  # the respondent's own period (deliver within 30 days...)
    respondent_name: str | None


def money(value: Money | None) -> dict[str, str] | None:
    if value is None:
        return None
    return {
        "amount": str(value.amount),
        "currency": value.currency,
        "text": format_money(value.amount, value.currency),
    }


def _conversion(value: SdrConversion) -> dict[str, str]:
    return {
        "sdr": str(value.sdr),
        "rate": str(value.rate),
        "currency": value.currency,
        "rate_date": value.rate_date.isoformat(),
        "source": value.source,
    }


def _amount(value: Amount | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "claimed": money(value.claimed),
        "proven_loss": money(value.proven_loss),
        "cover": money(value.cover),
        "legal_cap": money(value.legal_cap),
        "postage_refund": money(value.postage_refund),
        "sdr": _conversion(value.sdr) if value.sdr else None,
        "conversions": [_conversion(c) for c in value.conversions],
        "basis": list(value.basis),
    }


def deadline(value: Deadline, today: date) -> dict[str, Any]:
    state = "closed" if value.expired(today) else "not_open" if value.too_early(today) else "open"
    return {
        "window": value.window.name,
        "anchor": value.window.anchor.value,
        "anchor_date": value.anchor_date.isoformat(),
        "earliest": value.earliest.isoformat(),
        "latest": value.latest.isoformat(),
        "time_zone": value.time_zone,
        "days": value.window.days.value,
        "state": state,
        "days_left": (value.latest - today).days,
        "basis": list(value.basis),
    }


def claim_document(
    draft: ClaimDraft, anomaly: Anomaly, shipment: Shipment, facts: ClaimFacts, context: DraftContext
) -> dict[str, Any]:
    policy = draft.policy
    on_hand = sorted(facts.documents_on_hand)
    return {
        "version": VERSION,
        "language": facts.language,
        "drafted_on": context.today.isoformat(),
        "claim": {
            "anomaly": draft.anomaly.value,
            "incident": draft.incident.value,
            "respondent": draft.respondent.value,
            "respondent_name": context.respondent_name,
            "claimant": draft.claimant.value,
            "user_role": facts.role.value,
            "auto_file": draft.auto_file,
            "warnings": list(draft.warnings),
        },
        "shipment": {
            "tracking_number": shipment.tracking_number,
            "carrier": shipment.carrier,
            "service": shipment.service,
            "origin_country": shipment.origin_country,
            "destination_country": shipment.destination_country,
            "order_ref": shipment.order_ref,
        },
        "anomaly": {
            "kind": anomaly.kind.value,
            "since": anomaly.since.isoformat(),
            "since_date": anomaly.since.date().isoformat(),
            "details": dict(anomaly.details),
            "evidence_events": len(anomaly.evidence),
        },
        "policy": {
            "id": policy.id,
            "name": policy.name,
            "remedy": policy.remedy,
            "legal_basis": policy.legal_basis,
            "source": policy.source,
            "verified": policy.verified,
            "verified_on": policy.verified_on.isoformat(),
            "conditions": list(policy.conditions),
            "notes": policy.notes,
            "non_monetary": policy.cap.non_monetary,
        },
        "amount": _amount(draft.amount),
        "amount_missing": context.amount_missing,
        "deadline": deadline(draft.deadline, context.today) if draft.deadline else None,
        "deadlines": [deadline(d, context.today) for d in context.deadlines],
        "deadline_missing": context.deadline_missing,
        "deadlines_uncounted": [{"window": w, "missing": why} for w, why in context.uncounted],
        "duty": deadline(context.duty, context.today) if context.duty else None,
        "documents": {
            "required": [str(d) for d in policy.documents],
            "on_hand": on_hand,
            "missing": list(draft.documents_missing),
        },
        "fields": dict(draft.fields),
        "escalation": draft.escalation,
        "parties": {
            "seller": facts.seller,
            "platform": facts.platform,
            "payment_method": facts.payment_method.value if facts.payment_method else None,
        },
    }
