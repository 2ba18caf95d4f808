"""Shipments carrying personal data everywhere the store keeps it, for the purge tests.

Every shipment is a UPS ground parcel in the US whose recipient, Jane Roebuck, appears in
its label, its order reference, its delivery scan ("signed by JANE ROEBUCK", with a postal
code), its raw payload (name, street, phone, e-mail), and, when asked, in the claim facts,
a claim's document and history, and the notification log and watchers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert

from claims import facts as claim_facts
from claims.model import ClaimFacts
from parcel_watch.model import Location, Money, Shipment, ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, RawPayload, Store
from parcel_watch.store.payloads import compress
from parcel_watch.store.schema import anomalies, claim_status_changes, claims, notify_log, notify_watchers

T0 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
NAME = "Jane Roebuck"
PHONE = "+1 415 555 0199"
EMAIL = "jane.roebuck@example.org"
STREET = "12 Acacia Avenue"
POSTCODE = "94110"
LABEL = f"Birthday gift for {NAME}"
HANDOVER = f"Delivered, signed by {NAME.upper()}"


def body(*numbers: str, nonce: str = "") -> bytes:
    """A carrier document about ``numbers`` naming the recipient (as a UPS response would)."""
    packages = [
        {
            "trackingNumber": n,
            "deliveryInformation": {"receivedBy": NAME.upper(), "signedBy": NAME},
            "shipTo": {
                "name": NAME,
                "street": STREET,
                "postalCode": POSTCODE,
                "phone": PHONE,
                "email": EMAIL,
            },
            "status": "D",
            "nonce": nonce,
        }
        for n in numbers
    ]
    return json.dumps({"trackResponse": {"shipment": [{"package": packages}]}}).encode()


def stored_bytes(raw: bytes) -> bytes:
    """How the store keeps a payload's body (zlib level 1): what a file grep finds."""
    return compress(raw)


def scans(last: datetime, status: Status = Status.DELIVERED) -> tuple[TrackingEvent, ...]:
    final = HANDOVER if status is Status.DELIVERED else "Departed from facility"
    return (
        TrackingEvent(
            occurred_at=last - timedelta(days=2),
            status=Status.IN_TRANSIT,
            carrier_code="DP",
            description="Departed from facility",
            location=Location(city="OAKLAND", region="CA", country="US"),
        ),
        TrackingEvent(
            occurred_at=last,
            status=status,
            carrier_code="D" if status is Status.DELIVERED else "DP",
            description=final,
            location=Location(city="SAN FRANCISCO", region="CA", postal_code=POSTCODE, country="US"),
        ),
    )


async def parcel(
    store: Store,
    number: str,
    last: datetime,
    *,
    status: Status = Status.DELIVERED,
    payload: bytes | None = None,
    carrier: str = "ups",
) -> int:
    """A shipment whose last event is at ``last``, ingested from ``payload`` (its own by default)."""
    shipment = Shipment(
        tracking_number=number,
        carrier=carrier,
        service="UPS Ground",
        origin_country="US",
        destination_country="US",
        ship_date=(last - timedelta(days=3)).date(),
        order_ref=f"#{number[-4:]}",
        label=LABEL,
        declared_value=Money(amount=Decimal("80.00"), currency="USD"),
    )
    added = await store.add(shipment, now=last - timedelta(days=3))
    assert added.shipment.id is not None
    raw = RawPayload(carrier, payload if payload is not None else body(number), received_at=last)
    update = ShipmentUpdate(carrier=carrier, tracking_number=number, events=scans(last, status))
    await store.ingest([IngestItem([update], raw)])
    return added.shipment.id


async def anomaly(
    store: Store, shipment_id: int, kind: str, *, state: str = "open", at: datetime = T0
) -> None:
    details = {"carrier_text": f"Duties due: call {NAME} on {PHONE}", "days_late": 3}
    async with store.writing() as conn:
        await conn.execute(
            insert(anomalies).values(
                shipment_id=shipment_id, kind=kind, state=state, since=at, opened_at=at, updated_at=at,
                resolved_at=None if state == "open" else at, details=json.dumps(details), evidence="[]",
            )
        )  # fmt: skip


async def claim(
    store: Store,
    shipment_id: int,
    status: str,
    *,
    latest: date | None = None,
    anomaly: str = "damaged",
    policy: str = "ups.us",
    at: datetime = T0,
) -> None:
    """A claim in ``status`` whose document names the order and the recipient, changed by a person."""
    document = {
        "shipment": {"tracking_number": "x", "order_ref": "#4711"},
        "fields": {"order_ref": "#4711", "actual_delivery": "2025-03-03"},
        "anomaly": {"details": {"carrier_text": HANDOVER}},
        "amount": {"claimed": "80.00"},
    }
    async with store.writing() as conn:
        result = await conn.execute(
            insert(claims).values(
                shipment_id=shipment_id, anomaly=anomaly, policy_id=policy, respondent="carrier",
                incident="damage", status=status, auto_file=False, amount="80.00", currency="USD",
                latest=latest, time_zone="America/Los_Angeles", draft=json.dumps(document),
                created_at=at, updated_at=at,
            )
        )  # fmt: skip
        claim_id = result.inserted_primary_key[0]
        await conn.execute(
            insert(claim_status_changes).values(
                claim_id=claim_id, from_status=None, to_status=status, changed_by="alice.miller",
                changed_at=at, note=f"phoned {NAME}: {PHONE}",
            )
        )  # fmt: skip


async def contacts(store: Store, shipment_id: int, at: datetime = T0) -> None:
    """What the user told for claims, a watcher's apprise URL and a message sent about the parcel."""
    facts = ClaimFacts(
        seller="Acme Garden Shop", purchased_on=date(2025, 2, 20), time_zone="America/Los_Angeles"
    )
    await claim_facts.save(store, shipment_id, facts, at)
    async with store.writing() as conn:
        await conn.execute(
            insert(notify_watchers).values(
                shipment_id=shipment_id, target="t" * 64, url=f"mailto://{EMAIL}", created_at=at
            )
        )
        await conn.execute(
            insert(notify_log).values(
                fact_key=f"event:{shipment_id}:1", target="t" * 64, target_label="mailto://***",
                kind="delivered", shipment_id=shipment_id, title=LABEL, body=HANDOVER, notify_type="info",
                mode="now", fact_at=at, created_at=at, send_after=at, state="sent", attempts=1,
            )
        )  # fmt: skip


def utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)
