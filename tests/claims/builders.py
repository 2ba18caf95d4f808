"""Small builders for claims tests: a policy, a draft, a stored shipment."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from claims.model import (
    Amount,
    Anchor,
    AnomalyKind,
    Cap,
    Claimant,
    ClaimDraft,
    Deadline,
    Incident,
    Party,
    Policy,
    Window,
)
from parcel_watch.model import Money, Shipment
from parcel_watch.store import Store

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)

CARRIER_LOSS = Policy(
    id="test.carrier.loss",
    name="Test carrier loss claim",
    party=Party.CARRIER,
    incidents=frozenset({Incident.LOSS}),
    claimant=Claimant.SHIPPER,
    windows=(Window(Anchor.SHIP_DATE, latest=60),),
    cap=Cap(per_package=Money(amount=Decimal(100), currency="USD")),
    documents=("invoice", "photos"),
    remedy="compensation",
    legal_basis="test conditions of carriage",
    source="test",
    verified_on=date(2026, 1, 6),
)


def draft(
    shipment_id: int,
    *,
    policy: Policy = CARRIER_LOSS,
    latest: date = date(2026, 4, 30),
    time_zone: str = "UTC",
    amount: str = "80.00",
) -> ClaimDraft:
    window = policy.windows[0]
    money = Money(amount=Decimal(amount), currency="USD")
    return ClaimDraft(
        shipment_id=shipment_id,
        anomaly=AnomalyKind.LOST,
        policy=policy,
        incident=Incident.LOSS,
        respondent=policy.party,
        claimant=policy.claimant,
        amount=Amount(claimed=money, proven_loss=money, cover=None, legal_cap=None),
        deadline=Deadline(window, date(2026, 3, 1), date(2026, 3, 1), latest, time_zone),
        documents_missing=("photos",),
        fields={"tracking_number": "1Z5R89390357567127"},
        escalation=None,
        auto_file=policy.verified,
    )


def other_policy(suffix: str) -> Policy:
    return replace(CARRIER_LOSS, id=f"test.carrier.loss.{suffix}")


async def stored_shipment(store: Store, number: str = "1Z5R89390357567127", carrier: str = "ups") -> int:
    added = await store.add(Shipment(tracking_number=number, carrier=carrier))
    assert added.shipment.id is not None
    return added.shipment.id
