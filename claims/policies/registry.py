"""Which policies apply to a shipment's incident, and which incidents an anomaly gives.

Every applicable rule is returned (claims-rules.md §6.1): the carrier's own terms and the
convention for international air, road or post, for the shipper (or whoever the carrier
lets claim); and, for the consumer, the seller's duties under the buyer's law (EU, UK, US,
China: in the EU, UK and China the seller bears the transport risk, unless the buyer chose
the carrier) and the payment's dispute route (card chargeback, PayPal).

A carrier rule's ``countries`` are origin countries; a consumer rule's are the buyer's
(default: the destination), and consumer law is returned only when that country is known;
payment disputes only for the payment method used. Other facts may be unknown (None): a
carrier rule or convention that needs an unknown fact is kept, so nothing that may apply is
hidden, except that among one carrier's variants the best-fitting known one wins: a "Signed
For" parcel gets the Signed For rule, not the 1st class one, and an unknown service the
basic rule (or, where there is none, every variant).
"""

from __future__ import annotations

from collections.abc import Iterable

from claims.model import AnomalyKind, Claimant, Incident, Party, PaymentMethod, Policy, Scope, TransportMode
from claims.policies import consumer, conventions, express, payments, postal, usps

ALL_POLICIES: tuple[Policy, ...] = (
    *express.POLICIES,
    *usps.POLICIES,
    *postal.POLICIES,
    *conventions.POLICIES,
    *consumer.POLICIES,
    *payments.POLICIES,
)
_BY_ID: dict[str, Policy] = {p.id: p for p in ALL_POLICIES}

# Carrier slugs (adapters, detection corpus, common spellings) -> the operator the rules name.
_ALIASES: dict[str, str] = {
    "canada_post": "canadapost",
    "royal_mail": "royalmail",
    "sf": "sfexpress",
    "sf_express": "sfexpress",
    "china_post": "chinapost",
    "china_ems": "chinapost",
    "ems": "chinapost",
    "deutsche_post": "dhl_paket",
    "deutschepost": "dhl_paket",
}
# An S10 (UPU) number is handled by the origin country's post.
_POST_OF_COUNTRY: dict[str, str] = {
    "US": "usps",
    "GB": "royalmail",
    "CA": "canadapost",
    "CN": "chinapost",
    "DE": "dhl_paket",
}
_POSTS = frozenset({"usps", "royalmail", "canadapost", "chinapost", "dhl_paket", "laposte", "s10"})
_EXPRESS = frozenset({"ups", "fedex", "dhl_express", "sfexpress"})
_ROAD = frozenset({"dpd"})

INCIDENTS_BY_ANOMALY: dict[AnomalyKind, tuple[Incident, ...]] = {
    # Late and not delivered: a delay, and for consumer law a non-delivery once the seller's
    # delivery period has passed (see deadlines.duty_passed).
    AnomalyKind.LATE: (Incident.DELAY, Incident.NON_DELIVERY),
    AnomalyKind.DELIVERED_LATE: (Incident.DELAY,),
    AnomalyKind.LOST: (Incident.LOSS, Incident.NON_DELIVERY),
    AnomalyKind.DAMAGED: (Incident.DAMAGE,),
    AnomalyKind.RETURNED_TO_SENDER: (Incident.NON_DELIVERY,),
    AnomalyKind.REFUND_OVERDUE: (Incident.REFUND,),
    # Warnings without a claim of their own (a stalled parcel becomes "lost" first).
    AnomalyKind.STALLED: (),
    AnomalyKind.CUSTOMS_HOLD: (),
    AnomalyKind.DUTIES_DUE: (),
    AnomalyKind.DELIVERY_FAILED: (),
    AnomalyKind.ETA_SLIPPED: (),
    AnomalyKind.STATUS_REGRESSION: (),
}


class UnknownPolicy(KeyError):
    pass


def policy(policy_id: str) -> Policy:
    try:
        return _BY_ID[policy_id]
    except KeyError:
        raise UnknownPolicy(policy_id) from None


def incidents_for(kind: AnomalyKind) -> tuple[Incident, ...]:
    """The incidents an anomaly gives a claim for (none for warnings such as ``stalled``)."""
    return INCIDENTS_BY_ANOMALY[kind]


def operator(
    carrier: str | None,
    *,
    origin_country: str | None = None,
    destination_country: str | None = None,
    service: str | None = None,
) -> str | None:
    """The operator whose rules apply: aliases resolved, an S10 number to its origin's post,
    ``dhl`` to DHL Paket for German domestic (or Paket/Päckchen) parcels, else DHL Express."""
    if carrier is None:
        return None
    slug = _ALIASES.get(carrier.strip().lower(), carrier.strip().lower())
    if slug == "s10" and origin_country:
        return _POST_OF_COUNTRY.get(origin_country.upper(), slug)
    if slug == "dhl":
        wording = (service or "").lower()
        if any(word in wording for word in ("paket", "päckchen", "paeckchen")):
            return "dhl_paket"
        domestic_de = origin_country == destination_country == "DE"
        return "dhl_paket" if domestic_de and "express" not in wording else "dhl_express"
    return slug


def transport_mode(operator_slug: str | None) -> TransportMode | None:
    """How an operator's international shipments travel, for choosing the convention."""
    if operator_slug in _POSTS:
        return TransportMode.POST
    if operator_slug in _EXPRESS:
        return TransportMode.AIR
    if operator_slug in _ROAD:
        return TransportMode.ROAD
    return None


def _is(value: str | None, allowed: frozenset[str]) -> bool | None:
    """Whether a known value is in a non-empty set; None when the value is unknown."""
    if not allowed:
        return True
    return None if value is None else value.upper() in allowed


def _service_fits(policy: Policy, service: str | None) -> bool | None:
    if not policy.services:
        return True
    if service is None:
        return None
    wording = service.lower()
    return any(keyword in wording for keyword in policy.services)


def _all(*answers: bool | None) -> bool | None:
    """False if any answer is False, None if any is unknown, else True."""
    if False in answers:
        return False
    return None if None in answers else True


def _specificity(policy: Policy) -> int:
    return sum(
        bool(s) for s in (policy.countries, policy.excluded_countries, policy.destinations, policy.services)
    )


def _best_variants(fits: Iterable[tuple[Policy, bool | None]]) -> list[Policy]:
    """Among one operator's (or convention's) rules: the most specific that surely fit;
    if none surely fits, every one that may."""
    listed = list(fits)
    sure = [p for p, fit in listed if fit is True]
    if sure:
        best = max(_specificity(p) for p in sure)
        return [p for p in sure if _specificity(p) == best]
    return [p for p, fit in listed if fit is None]


def _role_fits(policy: Policy, role: Claimant) -> bool:
    return Claimant.EITHER in (policy.claimant, role) or policy.claimant == role


def policies_for(
    carrier: str | None,
    incident: Incident,
    *,
    role: Claimant = Claimant.EITHER,
    buyer_country: str | None = None,
    origin_country: str | None = None,
    destination_country: str | None = None,
    payment_method: PaymentMethod | None = None,
    international: bool | None = None,
    service: str | None = None,
    mode: TransportMode | None = None,
    consumer_chose_carrier: bool = False,
) -> tuple[Policy, ...]:
    """Every policy that gives ``role`` a claim for ``incident``, carrier rules first.

    ``carrier``: a carrier slug (``ups``, ``canada_post``, ``s10``...). ``international``:
    derived from the two countries when not given. ``mode``: derived from the carrier when
    not given. ``buyer_country`` defaults to the destination. ``role`` EITHER: any claimant."""
    origin = origin_country.upper() if origin_country else None
    destination = destination_country.upper() if destination_country else None
    if international is None and origin and destination:
        international = origin != destination
    op = operator(carrier, origin_country=origin, destination_country=destination, service=service)
    mode = mode or transport_mode(op)
    buyer = (buyer_country or destination or "").upper() or None

    def scope_fits(policy: Policy) -> bool | None:
        if policy.scope is Scope.ANY:
            return True
        if international is None:
            return None
        return international == (policy.scope is Scope.INTERNATIONAL)

    carrier_rules: dict[str, list[tuple[Policy, bool | None]]] = {}
    others: list[Policy] = []
    for candidate in ALL_POLICIES:
        if incident not in candidate.incidents or not _role_fits(candidate, role):
            continue
        if candidate.party is Party.CARRIER and candidate.carriers:
            if op not in candidate.carriers:
                continue
            fit = _all(
                scope_fits(candidate),
                _is(origin, candidate.countries),
                None
                if origin is None and candidate.excluded_countries
                else origin not in candidate.excluded_countries,
                _is(destination, candidate.destinations),
                _service_fits(candidate, service),
            )
            if fit is not False:
                carrier_rules.setdefault(op or "", []).append((candidate, fit))
        elif candidate.party is Party.CARRIER:  # a convention
            if international is False or (mode is not None and candidate.mode is not mode):
                continue
            fit = _all(scope_fits(candidate), _service_fits(candidate, service))
            if fit is not False:
                carrier_rules.setdefault(f"convention:{candidate.mode}", []).append((candidate, fit))
        elif candidate.party in (Party.CARD_ISSUER, Party.PAYPAL):
            if payment_method is not None and payment_method in candidate.payment_methods:
                others.append(candidate)
        elif _is(buyer, candidate.countries) and not (
            consumer_chose_carrier and candidate.id in consumer.RISK_WITH_SELLER
        ):
            others.append(candidate)
    chosen = [p for group in carrier_rules.values() for p in _best_variants(group)]
    return (*chosen, *others)
