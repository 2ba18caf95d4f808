"""Shipments: the filtered list (``views.parcels``), one shipment (``views.detail``), its
events, and adding a number (``adding``, with detection, as the CLI adds)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from parcel_watch import adding
from parcel_watch.api import schemas as s
from parcel_watch.api.paging import page_of, slice_page
from parcel_watch.api.routing import ApiError, Call, Reply, Route
from parcel_watch.api.tokens import Scope
from parcel_watch.detect import InvalidTrackingNumber
from parcel_watch.views import parcels
from parcel_watch.views.detail import ShipmentDetail, load_detail

TAG = "shipments"


async def list_shipments(call: Call) -> s.Page[s.ShipmentSummary]:
    q: s.ShipmentQuery = call.query
    flt = parcels.ParcelFilter(
        statuses=frozenset(q.status),
        carrier=q.carrier,
        open_anomaly=q.anomaly,
        search=q.q,
        include_archived=q.archived,
    )
    total = await parcels.count(call.store, flt)
    rows = await parcels.page(call.store, flt, q.sort, q.offset, q.limit) if q.offset < total else []
    items = [
        s.ShipmentSummary(
            id=r.id,
            tracking_number=r.number,
            carrier=r.carrier,
            label=r.label,
            status=r.status,
            substatus=r.substatus,
            last_description=r.description,
            last_place=r.place or None,
            last_scan=r.last_scan,
            estimated_delivery=r.estimated_delivery,
            promised_delivery=r.promised_delivery,
            open_anomalies=list(r.anomalies),
            archived=r.archived,
        )
        for r in rows
    ]
    return page_of(call.request, q, items, total)


async def _detail(call: Call, shipment_id: int) -> ShipmentDetail:
    found = await load_detail(call.store, shipment_id, call.now())
    if found is None:
        raise ApiError(404, f"no shipment {shipment_id}")
    return found


def shipment_body(d: ShipmentDetail) -> s.Shipment:
    sh = d.shipment
    value = sh.declared_value
    return s.Shipment(
        id=sh.id or 0,
        tracking_number=sh.tracking_number,
        carrier=sh.carrier,
        carrier_name=d.carrier_name,
        carrier_source=sh.carrier_source.value,
        status=sh.status,
        substatus=sh.substatus,
        label=sh.label,
        order_ref=sh.order_ref,
        service=sh.service,
        origin_country=sh.origin_country,
        destination_country=sh.destination_country,
        route=list(d.route),
        ship_date=sh.ship_date,
        promised_delivery=sh.promised_delivery,
        estimated_delivery=sh.estimated_delivery,
        declared_value=s.Money(amount=value.amount, currency=value.currency) if value else None,
        last_scan=sh.last_event_at,
        created_at=sh.created_at,
        archived_at=d.archived_at,
        polled_at=d.polled_at,
        events=len(d.timeline),
        open_anomalies=sorted(a.anomaly.kind.value for a in d.open_anomalies),
        claims=[c.claim.id for c in d.claims],
    )


async def get_shipment(call: Call) -> s.Shipment:
    return shipment_body(await _detail(call, call.ids["shipment_id"]))


async def list_events(call: Call) -> s.Page[s.Event]:
    detail = await _detail(call, call.ids["shipment_id"])
    events = [
        s.Event(
            id=e.id,
            occurred_at=e.at,
            local_time=e.local_time,
            utc_offset_minutes=e.utc_offset_minutes,
            tz_source=e.tz_source.value,
            status=e.status,
            substatus=e.substatus,
            carrier_code=e.carrier_code,
            description=e.description,
            city=e.place.city,
            region=e.place.region,
            postal_code=e.place.postal_code,
            country=e.place.country,
            source=e.source.value,
            payload_sha256=e.payload_sha256,
        )
        for e in detail.timeline
    ]
    return slice_page(call.request, call.query, events)


async def add_shipment(call: Call) -> Reply:
    body: s.NewShipment = call.body
    fields: dict[str, Any] = body.model_dump(exclude={"tracking_number", "carrier"}, exclude_none=True)
    for country in ("origin_country", "destination_country"):
        if country in fields:
            fields[country] = fields[country].upper()
    try:
        outcome, candidate = await adding.add_number(call.store, body.tracking_number, body.carrier, fields)
    except InvalidTrackingNumber as exc:
        raise ApiError(422, str(exc)) from None
    except adding.Conflict as exc:
        raise ApiError(409, f"{exc}; name the carrier") from None
    except ValidationError as exc:  # a field the shipment model refuses (e.g. not a country)
        raise ApiError(400, "bad shipment fields", [str(e["msg"]) for e in exc.errors()]) from None
    detail = await _detail(call, outcome.shipment.id or 0)
    added = s.AddedShipment(
        created=outcome.created,
        detected_carrier=candidate.carrier,
        confidence=candidate.confidence,
        replaced=list(outcome.replaced),
        also_stored=list(outcome.also_stored),
        shipment=shipment_body(detail),
    )
    return Reply(added, 201 if outcome.created else 200)


ROUTES = (
    Route(
        "GET",
        "/api/shipments",
        list_shipments,
        "List shipments, filtered and sorted, a page at a time",
        s.Page[s.ShipmentSummary],
        TAG,
        query=s.ShipmentQuery,
    ),
    Route(
        "POST",
        "/api/shipments",
        add_shipment,
        "Add a tracking number (carrier detected unless given), or update a stored one",
        s.AddedShipment,
        TAG,
        scope=Scope.WRITE,
        body=s.NewShipment,
        status=201,
        errors=(200, 409, 422),
        description="201 when the shipment is new, 200 when a stored one was updated; "
        "422 when the number is not a valid tracking number (for the carrier, if named).",
    ),
    Route(
        "GET", "/api/shipments/{shipment_id}", get_shipment, "One shipment", s.Shipment, TAG, errors=(404,)
    ),
    Route(
        "GET",
        "/api/shipments/{shipment_id}/events",
        list_events,
        "A shipment's events, oldest first",
        s.Page[s.Event],
        TAG,
        query=s.PageQuery,
        errors=(404,),
    ),
)
