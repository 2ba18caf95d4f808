"""``refund_overdue``: a return reached the seller and the refund period of the law has passed.

A return shipment names the shipment it sends back (``return_of``). Its delivery is the
seller's receipt of the goods; the period counts from the day after, in the seller's (the
return's destination's) calendar. The regime is the one set on the shipment, else the one
of the seller's country. Periods (claims-rules.md §3):

* ``eu``: 14 days, Directive 2011/83/EU Art. 13 (the seller may wait for the goods) [60]
* ``uk``: 14 days, Consumer Contracts Regulations 2013 [62]
* ``cn``: 7 days after the returned goods are received, Consumer Rights Protection Law Art. 25 [65]
* ``us``: 7 working days, FTC Mail Order Rule, 16 CFR 435 (cash refunds) [63]

Marking the refund received (``refund_received_at``) resolves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from claims.model import Anomaly, AnomalyKind
from claims.policies.common import EU_EEA
from claims.rules.base import Pending, RuleContext, iso
from claims.rules.calendar import calendar_for, end_of, local_day
from claims.rules.inputs import RuleShipment
from claims.rules.summary import Summary


@dataclass(frozen=True, slots=True)
class RefundRegime:
    code: str
    days: int
    working_days: bool  # Monday to Friday (the country's weekend), not public holidays
    country: str | None  # whose public holidays working days skip
    legal_basis: str
    policy_id: str  # the matching policy in claims.policies
    source: str


REGIMES: dict[str, RefundRegime] = {
    "eu": RefundRegime(
        "eu", 14, False, None, "Directive 2011/83/EU, Art. 13", "eu.crd.withdrawal", "[60] claims-rules.md §3"
    ),
    "uk": RefundRegime(
        "uk",
        14,
        False,
        "GB",
        "Consumer Contracts (Information, Cancellation and Additional Charges) Regulations 2013",
        "uk.ccr.cancellation",
        "[62] claims-rules.md §3",
    ),
    "cn": RefundRegime(
        "cn",
        7,
        False,
        "CN",
        "消费者权益保护法 (Consumer Rights Protection Law) Art. 25",
        "cn.cpl.art25",
        "[65]",
    ),
    "us": RefundRegime("us", 7, True, "US", "16 CFR Part 435", "us.ftc.435", "[63] claims-rules.md §3"),
}


def regime_for(shipment: RuleShipment) -> RefundRegime | None:
    if shipment.refund_regime:
        return REGIMES.get(shipment.refund_regime.lower())
    country = shipment.destination_country
    if country in EU_EEA:
        return REGIMES["eu"]
    return {"GB": REGIMES["uk"], "CN": REGIMES["cn"], "US": REGIMES["us"]}.get(country or "")


class RefundOverdue:
    code: ClassVar[AnomalyKind] = AnomalyKind.REFUND_OVERDUE

    def evaluate(
        self, shipment: RuleShipment, summary: Summary, ctx: RuleContext
    ) -> Anomaly | Pending | None:
        if shipment.return_of is None or shipment.refund_received_at is not None:
            return None
        received_at = summary.delivered_at
        regime = regime_for(shipment)
        if received_at is None or summary.delivered_event is None or regime is None:
            return None
        received = local_day(received_at, ctx.zone)
        if regime.working_days:
            due = calendar_for(regime.country).nth_business_day_after(received, regime.days)
        else:
            due = received + timedelta(days=regime.days)
        deadline = end_of(due, ctx.zone)
        if ctx.now < deadline:
            return Pending(deadline)
        unit = "working days" if regime.working_days else "days"
        return Anomaly(
            self.code,
            shipment.id,
            since=deadline,
            evidence=(summary.delivered_event,),
            details={
                "regime": regime.code,
                "period": f"{regime.days} {unit}",
                "return_received": iso(received),
                "refund_due": iso(due),
                "original_shipment": shipment.return_of,
                "legal_basis": regime.legal_basis,
                "policy": regime.policy_id,
            },
        )
