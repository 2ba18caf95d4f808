"""A small store whose carrier performance is computed by hand (``test_performance.py``).

Times are UTC unless a scan says otherwise; T is Monday 2 March 2026, 08:00.

fedex (4 shipments)
  F1 Priority CN→US  first scan T, delivered Thu 5 Mar 03:00 UTC = Wed 4 Mar 22:00 local
                     (−5 h): promised 4 Mar → on time (its UTC day would say late). 67 h.
  F2 Priority CN→US  label 1 Mar 00:30, first scan T+4 h, delivered Thu 5 Mar 02:00 UTC =
                     Wed 4 Mar 21:00 local. No promise: first estimate 4 Mar 03:00 UTC, in the
                     delivery's offset 3 Mar 22:00 → 3 Mar → late (the later estimate, 6 Mar,
                     does not count; nor would the UTC day of the first, 4 Mar). 62 h.
  F3 Ground  US→US   EXCEPTION scan on the way, delivered T+30 h, no scan offset, no promise
                     nor estimate → not judged. Exception. 30 h.
  F4 Ground  US→US   in transit, promised 3 Mar (not delivered: not judged); open ``lost``
                     anomaly → exception. Claims to the carrier: lost USD 100.00 and 80.00
                     (two policies, one case: 100.00), late USD 12.50 → 2 cases, USD 112.50;
                     a paid claim (USD 999) and one to the seller (USD 55) do not count.
  → 4 shipments, 3 delivered, 1 on time of 2 judged, 2 exceptions, transit 30/62/67 h:
    p50 62 h, p90 67 h; days 1: one, 2: two.

ups (4 shipments, no service, DE→FR)
  U1  delivered Wed 4 Mar 10:00 UTC (11:00 local, +1 h), promised 3 Mar → late. 50 h.
  U2  returning, then returned → exception; claims: returned_to_sender acknowledged EUR
      5.10 (open), late denied EUR 50.00 (settled).
  U3  no scan at all, shipped 20 Feb; claim late draft EUR 7.00.
  U4  three failed attempts (not exceptions), then delivered Fri 6 Mar 12:00 UTC; first
      estimate 10 Mar → on time; an open ``delivered_late`` anomaly is no exception. 100 h.
      Claims: delivered_late EUR 20.00 and 15.00 (one case: 20.00).
  → 4 shipments, 2 delivered, 1 on time of 2, 1 exception, transit 50/100 h: p50 50 h,
    p90 100 h; 3 cases, EUR 32.10.

dhl (3 shipments)
  D1 Express GB→US  delivered T+24 h exactly, no reference; a resolved ``lost`` anomaly.
  D2 (no service)   label created 27 Feb only.
  D3 (no service)   no scan, no ship date, added 2 Mar.
  → 3 shipments, 1 delivered, none judged, no exception, transit 24 h; no claims.

Since 1 March: U3 (shipped 20 Feb) and D2 (first event 27 Feb) drop out, with U3's claim;
F2 (first event 1 Mar 00:30) and D3 (added 2 Mar) stay.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert

from parcel_watch.model import Location, Shipment, ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, Store
from parcel_watch.store.schema import anomalies, claims

T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)


def scan(
    at: datetime,
    status: Status = Status.IN_TRANSIT,
    *,
    offset_minutes: int | None = None,
    substatus: str | None = None,
    country: str = "US",
) -> TrackingEvent:
    local = at + timedelta(minutes=offset_minutes) if offset_minutes is not None else None
    return TrackingEvent(
        occurred_at=at,
        local_time=local.replace(tzinfo=None) if local is not None else None,
        utc_offset_minutes=offset_minutes,
        status=status,
        substatus=substatus,
        description=f"{status.value} scan",
        location=Location(city="HUB", country=country),
    )


def journey(
    first_scan: datetime, delivered: datetime, *, offset_minutes: int | None = None
) -> list[TrackingEvent]:
    return [
        scan(first_scan - 6 * H, Status.INFO_RECEIVED),
        scan(first_scan, substatus="in_transit.picked_up"),
        scan(delivered, Status.DELIVERED, offset_minutes=offset_minutes),
    ]


SHIPMENTS: dict[str, tuple[Shipment, list[TrackingEvent], tuple[datetime, ...]]] = {}


def _ship(
    name: str,
    carrier: str,
    events: list[TrackingEvent] | None = None,
    *,
    estimates: tuple[datetime, ...] = (),
    **fields: object,
) -> None:
    shipment = Shipment(tracking_number=name, carrier=carrier, **fields)  # type: ignore[arg-type]
    SHIPMENTS[name] = (shipment, events or [], estimates)


_ship(
    "F1",
    "fedex",
    journey(T, datetime(2026, 3, 5, 3, 0, tzinfo=UTC), offset_minutes=-300),
    service="Priority",
    origin_country="CN",
    destination_country="US",
    promised_delivery=date(2026, 3, 4),
)
_ship(
    "F2",
    "fedex",
    [
        scan(datetime(2026, 3, 1, 0, 30, tzinfo=UTC), Status.INFO_RECEIVED),
        scan(T + 4 * H, substatus="in_transit.picked_up"),
        scan(datetime(2026, 3, 5, 2, 0, tzinfo=UTC), Status.DELIVERED, offset_minutes=-300),
    ],
    estimates=(datetime(2026, 3, 4, 3, 0, tzinfo=UTC), datetime(2026, 3, 6, 3, 0, tzinfo=UTC)),
    service="Priority",
    origin_country="CN",
    destination_country="US",
)
_ship(
    "F3",
    "fedex",
    [
        scan(T - 6 * H, Status.INFO_RECEIVED),
        scan(T, substatus="in_transit.picked_up"),
        scan(T + 10 * H, Status.EXCEPTION, substatus="exception.delayed"),
        scan(T + 30 * H, Status.DELIVERED),
    ],
    service="Ground",
    origin_country="US",
    destination_country="US",
)
_ship(
    "F4",
    "fedex",
    journey(T, T)[:2],
    service="Ground",
    origin_country="US",
    destination_country="US",
    promised_delivery=date(2026, 3, 3),
)
_lane_de_fr = {"origin_country": "DE", "destination_country": "FR"}
_ship(
    "U1",
    "ups",
    journey(T, datetime(2026, 3, 4, 10, 0, tzinfo=UTC), offset_minutes=60),
    promised_delivery=date(2026, 3, 3),
    **_lane_de_fr,
)
_ship(
    "U2",
    "ups",
    [
        *journey(T, T)[:2],
        scan(T + 40 * H, Status.RETURNING, substatus="returning.to_sender"),
        scan(T + 90 * H, Status.RETURNED, substatus="returned.to_sender"),
    ],
    **_lane_de_fr,
)
_ship("U3", "ups", ship_date=date(2026, 2, 20), **_lane_de_fr)
_ship(
    "U4",
    "ups",
    [
        *journey(T, T)[:2],
        *(scan(T + hours * H, Status.DELIVERY_ATTEMPTED) for hours in (50, 74, 98)),
        scan(T + 100 * H, Status.DELIVERED, offset_minutes=60),
    ],
    estimates=(datetime(2026, 3, 10, 12, 0, tzinfo=UTC),),
    **_lane_de_fr,
)
_ship("D1", "dhl", journey(T, T + 24 * H), service="Express", origin_country="GB", destination_country="US")
_ship("D2", "dhl", [scan(datetime(2026, 2, 27, 9, 0, tzinfo=UTC), Status.INFO_RECEIVED)])
_ship("D3", "dhl")

# (shipment, anomaly, policy, respondent, status, amount, currency)
CLAIMS = (
    ("F4", "lost", "fedex.a", "carrier", "draft", "100.00", "USD"),
    ("F4", "lost", "fedex.b", "carrier", "ready", "80.00", "USD"),
    ("F4", "late", "fedex.a", "carrier", "filed", "12.50", "USD"),
    ("F4", "damaged", "fedex.a", "carrier", "paid", "999.00", "USD"),
    ("F4", "lost", "seller.x", "seller", "draft", "55.00", "USD"),
    ("U2", "returned_to_sender", "ups.a", "carrier", "acknowledged", "5.10", "EUR"),
    ("U2", "late", "ups.a", "carrier", "denied", "50.00", "EUR"),
    ("U3", "late", "ups.a", "carrier", "draft", "7.00", "EUR"),
    ("U4", "delivered_late", "ups.a", "carrier", "draft", "20.00", "EUR"),
    ("U4", "delivered_late", "ups.b", "carrier", "partially_paid", "15.00", "EUR"),
)
# (shipment, kind, state)
ANOMALIES = (("F4", "lost", "open"), ("U4", "delivered_late", "open"), ("D1", "lost", "resolved"))

FEDEX_USD = Decimal("112.50")
UPS_EUR = Decimal("32.10")


async def build(store: Store, *, service_of: dict[str, str] | None = None) -> dict[str, int]:
    """Fill ``store``; returns shipment ids by name. ``service_of`` overrides services
    (a carrier-text test gives one markup and escapes)."""
    ids: dict[str, int] = {}
    for name, (shipment, events, estimates) in SHIPMENTS.items():
        if service_of and name in service_of:
            shipment = shipment.model_copy(update={"service": service_of[name]})
        added = await store.add(shipment, now=datetime(2026, 3, 2, tzinfo=UTC))
        assert added.shipment.id is not None
        ids[name] = added.shipment.id
        if events:
            update = ShipmentUpdate(carrier=shipment.carrier, tracking_number=name, events=tuple(events))
            await store.ingest([IngestItem([update])])
        for eta in estimates:  # one ingest each: revisions are recorded in this order
            update = ShipmentUpdate(carrier=shipment.carrier, tracking_number=name, estimated_delivery=eta)
            await store.ingest([IngestItem([update])])
    at = datetime(2026, 3, 6, tzinfo=UTC)
    async with store.writing() as conn:
        for name, kind, state in ANOMALIES:
            await conn.execute(
                insert(anomalies).values(
                    shipment_id=ids[name],
                    kind=kind,
                    state=state,
                    since=at,
                    opened_at=at,
                    updated_at=at,
                    resolved_at=at if state == "resolved" else None,
                    details="{}",
                    evidence="[]",
                )
            )
        for name, anomaly, policy, respondent, status, amount, currency in CLAIMS:
            await conn.execute(
                insert(claims).values(
                    shipment_id=ids[name],
                    anomaly=anomaly,
                    policy_id=policy,
                    respondent=respondent,
                    incident="loss",
                    status=status,
                    auto_file=False,
                    amount=amount,
                    currency=currency,
                    time_zone="UTC",
                    draft="{}",
                    created_at=at,
                    updated_at=at,
                )
            )
    return ids
