"""Claim drafts: for an anomaly that gives a right, every claim that applies (pure).

One anomaly can give several claims: to the carrier (filed by the shipper, or whoever the
carrier lets claim), and from the consumer to the seller (who bears the transport risk
under EU, UK and Chinese law), the platform, or the payment's dispute route. Each draft
carries its amount with the basis of every step, its filing window in the claimant's time
zone, the documents still missing, where to escalate, and the warnings a user must see
before sending it — an unverified rule is never auto-filed, and a closed window says the
claim can no longer be filed.

``draft_claims`` returns each :class:`ClaimDraft` with its *document*: the JSON-ready
snapshot the letters are rendered from (``claims.rendering``) and the store keeps
(``claims.lifecycle``). Warnings are stable codes (``WARNINGS``), phrased by the templates
in each language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from claims.amounts import AmountError, NoMoneyRemedy, amount, format_money
from claims.anchors import AnchorDates, UnknownAnchor, anchor_dates
from claims.deadlines import DeadlineError, deadlines_for, duty_deadline
from claims.documents import DraftContext, claim_document
from claims.model import (
    Amount,
    Anomaly,
    Claimant,
    ClaimDraft,
    ClaimFacts,
    Deadline,
    Incident,
    Party,
    Policy,
)
from claims.policies import guarantees, incidents_for, operator, policies_for
from claims.policies.common import EU_EEA
from claims.sdr import SdrRates
from parcel_watch.model import Money, Shipment, TrackingEvent
from parcel_watch.status import Status

DOCUMENT_VERSION = 1

WARNINGS = {
    "unverified_rule": "the rule is unverified: check it before filing; never filed automatically",
    "window_closed": "the filing window has closed: the claim can no longer be filed",
    "window_not_open": "the filing window has not opened yet",
    "notice_window_closed": "an earlier notice window has closed: the claim may be refused",
    "deadline_unknown": "the deadline cannot be counted yet (see deadline_missing)",
    "amount_unknown": "the amount cannot be computed yet (see amount_missing)",
    "shipper_files": "only the shipper can file this claim: ask the seller to file it",
    "recipient_files": "only the recipient can file this claim",
    "duty_pending": "the respondent's own period has not ended yet (see duty)",
    "guarantee_not_in_force": "the guarantee was suspended, or is not known to be in force, on the ship date",
}

OPERATOR_NAMES = {
    "ups": "UPS",
    "fedex": "FedEx",
    "usps": "USPS",
    "dhl_express": "DHL Express",
    "dhl_paket": "DHL Paket",
    "royalmail": "Royal Mail",
    "canadapost": "Canada Post",
    "chinapost": "China Post / EMS",
    "sfexpress": "SF Express",
    "laposte": "La Poste",
    "dpd": "DPD",
    "s10": "the postal operator",
}

# Where a consumer escalates when the rule names no channel of its own (by buyer country).
_ESCALATION = {
    "CN": "12305 (State Post Bureau: postal and courier complaints) or 12315 (market regulator)",
    "GB": "Citizens Advice consumer service; for postal services, the Postal Redress Service (POSTRS)",
    "US": "the FTC (reportfraud.ftc.gov) or your state attorney general's consumer office",
    "EU": "the European Consumer Centre of your country (ECC-Net)",
}


@dataclass(frozen=True)
class Situation:
    """What drafting reads: the shipment, its timeline, the user's facts, and the clock."""

    shipment: Shipment
    events: Sequence[TrackingEvent]
    facts: ClaimFacts
    now: datetime
    rates: SdrRates


@dataclass(frozen=True)
class Drafted:
    draft: ClaimDraft
    document: dict[str, Any]


def effective_facts(shipment: Shipment, facts: ClaimFacts) -> ClaimFacts:
    """The user's facts, completed from the shipment where the user said nothing."""
    weight = facts.weight_kg
    if weight is None and shipment.weight_kg is not None:
        weight = Decimal(str(shipment.weight_kg))
    return replace(
        facts,
        declared_value=facts.declared_value or shipment.declared_value,
        weight_kg=weight,
        buyer_country=facts.buyer_country or shipment.destination_country,
    )


def escalation_channel(policy: Policy, facts: ClaimFacts) -> str | None:
    """The rule's own channel; else, for a consumer, the consumer body of the buyer's country
    (a merchant's dispute with its carrier has no consumer channel)."""
    if policy.complaint_channel:
        return policy.complaint_channel
    if facts.role is Claimant.SHIPPER:
        return None
    country = (facts.buyer_country or "").upper()
    return _ESCALATION.get("EU" if country in EU_EEA else country)


def respondent_name(policy: Policy, shipment: Shipment, facts: ClaimFacts) -> str | None:
    """Whom the letter is addressed to, where known."""
    if policy.party is Party.CARRIER:
        op = operator(
            shipment.carrier,
            origin_country=shipment.origin_country,
            destination_country=shipment.destination_country,
            service=shipment.service,
        )
        return OPERATOR_NAMES.get(op or "", (op or shipment.carrier).upper())
    if policy.party is Party.SELLER:
        return facts.seller
    if policy.party is Party.PLATFORM:
        return facts.platform
    return None


def guarantee_state(
    policy: Policy, shipment: Shipment, events: Sequence[TrackingEvent], now: datetime
) -> guarantees.GuaranteeState | None:
    """A money-back guarantee's state on the ship date (else the first scan's day); None when
    the policy is no guarantee or the day is unknown. Not delivered yet, the item has taken
    at least until now."""
    if not guarantees.is_guarantee(policy.id):
        return None
    first = min((e.occurred_at for e in events), default=None)
    shipped = shipment.ship_date or (first.date() if first is not None else None)
    if shipped is None:
        return None
    transit = ((_delivered_at(events) or now).date() - shipped).days
    return guarantees.state_on(policy.id, shipped, transit)


def binding_deadline(deadlines: Sequence[Deadline], today: date) -> Deadline | None:
    """The window to meet now: the soonest that has not closed; if all have, the last to close."""
    open_ones = [d for d in deadlines if not d.expired(today)]
    if open_ones:
        return min(open_ones, key=lambda d: d.latest)
    return max(deadlines, key=lambda d: d.latest) if deadlines else None


def draft_claims(anomaly: Anomaly, situation: Situation) -> list[Drafted]:
    """Every claim ``anomaly`` gives, one per policy (the first incident that fits wins)."""
    shipment = situation.shipment
    facts = effective_facts(shipment, situation.facts)
    # A merchant claims from the carrier only; a consumer's drafts include the carrier's
    # claim, for the seller to file, and the consumer's own claims.
    role = Claimant.SHIPPER if facts.role is Claimant.SHIPPER else Claimant.EITHER
    seen: set[str] = set()
    drafted = []
    for incident in incidents_for(anomaly.kind):
        if incident is Incident.NON_DELIVERY and shipment.status is Status.DELIVERED:
            continue
        candidates = policies_for(
            shipment.carrier,
            incident,
            role=role,
            buyer_country=facts.buyer_country,
            origin_country=shipment.origin_country,
            destination_country=shipment.destination_country,
            payment_method=facts.payment_method,
            service=shipment.service,
            consumer_chose_carrier=facts.consumer_chose_carrier,
        )
        for policy in candidates:
            if policy.id in seen or (policy.party is Party.PLATFORM and not facts.platform):
                continue
            seen.add(policy.id)
            drafted.append(draft_one(anomaly, policy, incident, situation, facts))
    return drafted


def _deadlines(
    policy: Policy, incident: Incident, dates: AnchorDates, facts: ClaimFacts, holiday_country: str | None
) -> tuple[tuple[Deadline, ...], tuple[tuple[str, str], ...]]:
    """The windows counted, and (window, what is missing) for those that cannot be yet."""
    try:
        found = deadlines_for(policy, incident, dates, facts.time_zone, holiday_country)
    except DeadlineError as exc:
        return (), (("claim", str(exc)),)
    return found.known, tuple((window.name, reason) for window, reason in found.unknown)


def _amount(
    policy: Policy, incident: Incident, facts: ClaimFacts, rates: SdrRates, today: date
) -> tuple[Amount | None, str | None]:
    try:
        return amount(policy, incident, facts, rates, on=today), None
    except NoMoneyRemedy:
        return None, None  # the remedy is not money: nothing is missing
    except AmountError as exc:
        return None, str(exc)


def draft_one(
    anomaly: Anomaly, policy: Policy, incident: Incident, situation: Situation, facts: ClaimFacts
) -> Drafted:
    shipment = situation.shipment
    today = situation.now.astimezone(ZoneInfo(facts.time_zone)).date()
    dates = anchor_dates(shipment, situation.events, facts)
    holiday_country = shipment.destination_country
    deadlines, uncounted = _deadlines(policy, incident, dates, facts, holiday_country)
    deadline_missing = uncounted[0][1] if uncounted and not deadlines else None
    binding = binding_deadline(deadlines, today)
    money, amount_missing = _amount(policy, incident, facts, situation.rates, today)
    try:
        duty = duty_deadline(policy, dates, facts.time_zone, holiday_country)
    except (UnknownAnchor, DeadlineError):
        duty = None

    warnings = []
    if not policy.verified:
        warnings.append("unverified_rule")
    if binding is not None and binding.expired(today):
        warnings.append("window_closed")
    elif binding is not None and binding.too_early(today):
        warnings.append("window_not_open")
    if binding is not None and any(d.expired(today) and d.latest < binding.latest for d in deadlines):
        warnings.append("notice_window_closed")
    if deadline_missing:
        warnings.append("deadline_unknown")
    if amount_missing:
        warnings.append("amount_unknown")
    if policy.claimant is Claimant.SHIPPER and facts.role is Claimant.RECIPIENT:
        warnings.append("shipper_files")
    elif policy.claimant is Claimant.RECIPIENT and facts.role is Claimant.SHIPPER:
        warnings.append("recipient_files")
    if duty is not None and today <= duty.latest:
        warnings.append("duty_pending")
    state = guarantee_state(policy, shipment, situation.events, situation.now)
    if state is not None and state is not guarantees.GuaranteeState.IN_FORCE:
        warnings.append("guarantee_not_in_force")
    # Auto-filing is only for what needs no judgement: any warning holds the claim back.
    auto_file = not warnings

    on_hand = facts.documents_on_hand
    draft = ClaimDraft(
        shipment_id=shipment.id or 0,
        anomaly=anomaly.kind,
        policy=policy,
        incident=incident,
        respondent=policy.party,
        claimant=policy.claimant,
        amount=money,
        deadline=binding,
        documents_missing=tuple(d for d in policy.documents if str(d) not in on_hand),
        fields=claim_fields(shipment, situation.events, facts, incident, money),
        escalation=escalation_channel(policy, facts),
        auto_file=auto_file,
        warnings=tuple(warnings),
    )
    context = DraftContext(
        today=today,
        deadlines=deadlines,
        deadline_missing=deadline_missing,
        uncounted=uncounted,
        amount_missing=amount_missing,
        duty=duty,
        respondent_name=respondent_name(policy, shipment, facts),
    )
    return Drafted(draft, claim_document(draft, anomaly, shipment, facts, context))


def _delivered_at(events: Sequence[TrackingEvent]) -> datetime | None:
    delivered = [e.occurred_at for e in events if e.status is Status.DELIVERED]
    return max(delivered) if delivered else None


def _money_text(value: Money | None) -> str:
    return format_money(value.amount, value.currency) if value is not None else ""


def claim_fields(
    shipment: Shipment,
    events: Sequence[TrackingEvent],
    facts: ClaimFacts,
    incident: Incident,
    money: Amount | None,
) -> dict[str, str]:
    """What claim forms ask for (claims-rules.md §4); empty text where it is not known yet."""
    delivered = _delivered_at(events)
    scheduled = shipment.promised_delivery or (
        shipment.estimated_delivery.date() if shipment.estimated_delivery else None
    )
    return {
        "tracking_number": shipment.tracking_number,
        "carrier": shipment.carrier,
        "service": shipment.service or "",
        "ship_date": shipment.ship_date.isoformat() if shipment.ship_date else "",
        "scheduled_delivery": scheduled.isoformat() if scheduled else "",
        "actual_delivery": delivered.strftime("%Y-%m-%d %H:%M UTC") if delivered else "",
        "origin_country": shipment.origin_country or "",
        "destination_country": shipment.destination_country or "",
        "pieces": "1",
        "gross_weight_kg": str(facts.weight_kg) if facts.weight_kg is not None else "",
        "declared_value": _money_text(facts.declared_value),
        "claim_type": incident.value,
        "item_value": _money_text(facts.item_value),
        "shipping_cost": _money_text(facts.shipping_cost),
        "amount_claimed": _money_text(money.claimed) if money else "",
        "claimant_role": facts.role.value,
        "order_ref": shipment.order_ref or "",
        "purchased_on": facts.purchased_on.isoformat() if facts.purchased_on else "",
        "payment_method": facts.payment_method.value if facts.payment_method else "",
        "seller": facts.seller or "",
        "platform": facts.platform or "",
    }
