"""Hand-built shipments for the guarantee sweep: a service, a ship date, a promise and a delivery."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from claims import facts as claim_facts
from claims.model import Claimant, ClaimFacts
from parcel_watch.model import Location, Money, Shipment, ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, RawPayload, Store


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


async def delivered_parcel(
    store: Store,
    number: str,
    carrier: str,
    *,
    service: str,
    shipped: date,
    promised: date,
    delivered: date,
    country: str = "US",
    shipping_cost: str | None = None,
    currency: str = "USD",
    description: str = "Delivered",
    now: datetime,
) -> int:
    """A parcel shipped, scanned and delivered (at 15:00 UTC) on the given days; its
    shipping cost, when given, is in the claim facts of a shipper."""
    added = await store.add(
        Shipment(
            tracking_number=number,
            carrier=carrier,
            service=service,
            origin_country=country,
            destination_country=country,
            ship_date=shipped,
            promised_delivery=promised,
            order_ref=f"order-{number[-4:]}",
        ),
        now=now,
    )
    events = (
        TrackingEvent(
            occurred_at=_at(shipped, 18),
            status=Status.IN_TRANSIT,
            carrier_code="PU",
            description="Picked up",
            location=Location(city="ORIGIN", country=country),
        ),
        TrackingEvent(
            occurred_at=_at(delivered, 15),
            status=Status.DELIVERED,
            carrier_code="DL",
            description=description,
            location=Location(city="DESTINATION", country=country),
        ),
    )
    body = b'{"recipient": {"name": "Jane Doe", "phone": "+1 555 0100"}, "status": "delivered"}'
    update = ShipmentUpdate(carrier=carrier, tracking_number=number, events=events)
    await store.ingest([IngestItem([update], RawPayload(carrier, body, received_at=_at(delivered, 16)))])
    shipment_id = added.shipment.id
    assert shipment_id is not None
    if shipping_cost is not None:
        facts = ClaimFacts(
            role=Claimant.SHIPPER,
            shipping_cost=Money(amount=Decimal(shipping_cost), currency=currency),
            time_zone="America/New_York",
        )
        await claim_facts.save(store, shipment_id, facts, now)
    return shipment_id


def days(start: date, n: int) -> date:
    return start + timedelta(days=n)
