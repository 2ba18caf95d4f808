"""A small store whose carrier report is computed by hand (``test_carrier_report.py``).

Five ``acme`` shipments to Germany around Easter 2026: Good Friday 3 April and Easter
Monday 6 April are public holidays, and summer time began on Sunday 29 March (+01:00 →
+02:00). Transit counts the business days after the first scan's local day up to the
delivery's local day.

A1  created Fri 27 Mar 05:00. First scan Fri 27 Mar 10:00 UTC (+01:00), delivered Mon
    30 Mar 09:00 UTC (+02:00): Sat, Sun skipped → 1 business day. Lag 5 h. Month 2026-03.
A2  created Thu 2 Apr 18:00. First scan Thu 2 Apr 20:00 UTC (+02:00), delivered Tue 7 Apr
    08:00 UTC (+02:00): Good Friday, the weekend and Easter Monday skipped → 1. Lag 2 h.
    Promised 7 Apr → on time. A stalled anomaly, resolved (stalled counts: ever);
    a paid claim EUR 12.34.
A3  created Wed 1 Apr 20:30. First scan Wed 1 Apr 23:30 UTC *without an offset*: in
    Berlin Thu 2 Apr 01:30, so Thursday (its UTC day, Wednesday, would make 3) → delivered
    Wed 8 Apr 10:00 UTC (+02:00): Tue 7, Wed 8 → 2. Lag 3 h. Promised 6 Apr → late. First
    estimate Tue 7 Apr 23:00 UTC = Wed 8 Apr 01:00 at the delivery's +02:00 → on time (by
    its UTC day, late); the later estimate (1 Apr) does not count. A late claim partially
    paid EUR 0.66 (open: a partial payment may still grow; and recovered).
A4  ship date Sun 5 Apr (lag from its midnight UTC: 36 h). First scan Mon 6 Apr 12:00 UTC
    (+02:00), delivered Fri 10 Apr 12:00 UTC (+02:00): Tue–Fri → 4. Promised 9 Apr → late;
    first estimate Fri 10 Apr 12:00 → on time.
A5  created Mon 6 Apr 08:00. First scan 09:00 UTC (lag 1 h), then an EXCEPTION scan
    ``exception.damaged``; an open damaged anomaly; claims: damaged draft EUR 40.00 (open)
    and under another policy EUR 45.00 ready (same case: the larger, 45.00).

→ 5 shipments, 4 delivered; vs promise 1 of 3, vs estimate 2 of 2; transit {1, 1, 2, 4}:
  p50 1, p90 4, p99 4; lag {1, 2, 3, 5, 36}: p50 3, p90 36; stalled 1, lost or damaged 1;
  reasons anomaly:damaged, anomaly:stalled, exception.damaged once each; open cases 2
  (EUR 45.66), recovered EUR 13.00 (12.34 + 0.66). By month: 2026-03 A1, 2026-04 the rest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert

from parcel_watch.model import Shipment, ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, Store
from parcel_watch.store.schema import anomalies, claims
from tests.views.performance_dataset import scan


def at(day: int, hour: int, minute: int = 0, month: int = 4) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _scan(
    when: datetime, status: Status = Status.IN_TRANSIT, offset: int | None = 120, substatus: str | None = None
) -> TrackingEvent:
    return scan(when, status, offset_minutes=offset, country="DE", substatus=substatus)


# name: (created, ship date, promised, events, estimates)
SHIPMENTS = {
    "A1": (at(27, 5, month=3), None, None, [_scan(at(27, 10, month=3), offset=60), _scan(at(30, 9, month=3), Status.DELIVERED)], ()),
    "A2": (at(2, 18), None, date(2026, 4, 7), [_scan(at(2, 20)), _scan(at(7, 8), Status.DELIVERED)], ()),
    "A3": (
        at(1, 20, 30),
        None,
        date(2026, 4, 6),
        [_scan(at(1, 23, 30), offset=None), _scan(at(8, 10), Status.DELIVERED)],
        (at(7, 23), at(1, 12)),
    ),
    "A4": (at(5, 9), date(2026, 4, 5), date(2026, 4, 9), [_scan(at(6, 12)), _scan(at(10, 12), Status.DELIVERED)], (at(10, 12),)),
    "A5": (
        at(6, 8),
        None,
        None,
        [_scan(at(6, 9)), _scan(at(6, 15), Status.EXCEPTION, substatus="exception.damaged")],
        (),
    ),
}  # fmt: skip

# (shipment, kind, state)
ANOMALIES = (("A2", "stalled", "resolved"), ("A5", "damaged", "open"))
# (shipment, anomaly, policy, status, amount)
CLAIMS = (
    ("A2", "stalled", "acme.a", "paid", "12.34"),
    ("A3", "late", "acme.a", "partially_paid", "0.66"),
    ("A5", "damaged", "acme.a", "draft", "40.00"),
    ("A5", "damaged", "acme.b", "ready", "45.00"),
)


async def build(store: Store) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name, (created, ship_date, promised, events, estimates) in SHIPMENTS.items():
        shipment = Shipment(
            tracking_number=name,
            carrier="acme",
            origin_country="NL",
            destination_country="DE",
            ship_date=ship_date,
            promised_delivery=promised,
        )
        added = await store.add(shipment, now=created)
        assert added.shipment.id is not None
        ids[name] = added.shipment.id
        await store.ingest(
            [IngestItem([ShipmentUpdate(carrier="acme", tracking_number=name, events=tuple(events))])]
        )
        for eta in estimates:  # one ingest each: revisions are recorded in this order
            update = ShipmentUpdate(carrier="acme", tracking_number=name, estimated_delivery=eta)
            await store.ingest([IngestItem([update])])
    when = at(9, 0)
    async with store.writing() as conn:
        for name, kind, state in ANOMALIES:
            await conn.execute(
                insert(anomalies).values(
                    shipment_id=ids[name], kind=kind, state=state, since=when, opened_at=when, updated_at=when,
                    resolved_at=when if state == "resolved" else None, details="{}", evidence="[]",
                )
            )  # fmt: skip
        for name, anomaly, policy, status, amount in CLAIMS:
            await conn.execute(
                insert(claims).values(
                    shipment_id=ids[name], anomaly=anomaly, policy_id=policy, respondent="carrier",
                    incident="loss", status=status, auto_file=False, amount=amount, currency="EUR",
                    time_zone="Europe/Berlin", draft="{}", created_at=when, updated_at=when,
                )
            )  # fmt: skip
    return ids
