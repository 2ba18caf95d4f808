"""Everything one shipment's detail screen shows, read from the store in a few queries.

The shipment with its schedule, its timeline (carrier's local time, offset and the instant),
the legs and ETA history made from them (``journey``), the raw carrier payloads behind its
events (decompressed, pretty-printed and cut to a readable length — evidence to look at,
never interpreted), its anomalies (open and resolved) and claims, each with its history.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from claims import lifecycle
from claims.anomaly_store import parse_details
from claims.evaluation import AnomalyChange, StoredAnomaly, open_anomalies
from claims.model import AnomalyState, ClaimStatus
from parcel_watch.detect import carriers
from parcel_watch.model import Location, Shipment, Source, TzSource
from parcel_watch.status import Status
from parcel_watch.store import Store
from parcel_watch.store.payloads import decompress
from parcel_watch.store.rows import shipment_from_row
from parcel_watch.store.schema import (
    anomaly_changes,
    claim_status_changes,
    estimate_revisions,
    events,
    raw_payloads,
    shipments,
)
from parcel_watch.views.journey import EtaRevision, Leg, TimelineEntry, eta_history, legs, route

PAYLOADS_SHOWN = 20  # the newest payloads of a shipment; older ones stay in the evidence chain
TEXT_CHARS = 6_000  # a payload's text is cut here (or at TEXT_LINES) for display
TEXT_LINES = 200


@dataclass(frozen=True)
class RawText:
    """A raw payload behind some of the shipment's events, as text to look at."""

    sha256: str
    carrier: str
    source: str
    content_type: str
    size: int  # bytes as received
    received_at: datetime
    events: int  # events of this shipment it brought first
    text: str  # pretty-printed (JSON) or as received, cut to TEXT_CHARS / TEXT_LINES
    truncated: bool


@dataclass(frozen=True)
class AnomalyView:
    anomaly: StoredAnomaly
    history: tuple[AnomalyChange, ...]


@dataclass(frozen=True)
class ClaimView:
    claim: lifecycle.StoredClaim
    history: tuple[lifecycle.StatusChange, ...]
    days_left: int | None  # to the last filing day, in the claimant's zone


@dataclass(frozen=True)
class ShipmentDetail:
    shipment: Shipment
    carrier_name: str
    archived_at: datetime | None
    polled_at: datetime | None
    timeline: tuple[TimelineEntry, ...]  # time order
    legs: tuple[Leg, ...]
    route: tuple[str, ...]  # countries, origin first
    eta_history: tuple[EtaRevision, ...]
    payloads: tuple[RawText, ...]  # oldest first; at most PAYLOADS_SHOWN
    payloads_total: int
    anomalies: tuple[AnomalyView, ...]  # oldest first, open and resolved
    claims: tuple[ClaimView, ...]

    @property
    def open_anomalies(self) -> list[AnomalyView]:
        return [a for a in self.anomalies if a.anomaly.state is AnomalyState.OPEN]


async def load_detail(store: Store, shipment_id: int, now: datetime) -> ShipmentDetail | None:
    """The detail of one shipment (None if there is no such shipment); ``now`` for claims' days left."""
    async with store.reading() as conn:
        row = (await conn.execute(select(shipments).where(shipments.c.id == shipment_id))).first()
        if row is None:
            return None
        timeline, payload_ids = await _timeline(conn, shipment_id)
        revisions = (
            await conn.execute(
                select(estimate_revisions.c.recorded_at, estimate_revisions.c.estimated_delivery)
                .where(estimate_revisions.c.shipment_id == shipment_id)
                .order_by(estimate_revisions.c.recorded_at, estimate_revisions.c.id)
            )
        ).all()
        payloads = await _payloads(conn, payload_ids)
    shipment = shipment_from_row(row)
    journey = legs(timeline, postal=shipment.carrier == "s10")
    return ShipmentDetail(
        shipment=shipment,
        carrier_name=dict(carriers()).get(shipment.carrier, shipment.carrier),
        archived_at=row.archived_at,
        polled_at=row.polled_at,
        timeline=tuple(timeline),
        legs=tuple(journey),
        route=tuple(route(journey, shipment.origin_country, shipment.destination_country)),
        eta_history=tuple(eta_history((r.recorded_at, r.estimated_delivery) for r in revisions)),
        payloads=tuple(payloads),
        payloads_total=len(payload_ids),
        anomalies=tuple(await _anomalies(store, shipment_id)),
        claims=tuple(await _claims(store, shipment_id, now)),
    )


async def _timeline(conn: AsyncConnection, shipment_id: int) -> tuple[list[TimelineEntry], Counter[int]]:
    """The events in time order, and how many events each payload brought first."""
    e = events.c
    query = (
        select(events, raw_payloads.c.sha256)
        .outerjoin(raw_payloads, raw_payloads.c.id == e.payload_id)
        .where(e.shipment_id == shipment_id)
        .order_by(e.occurred_at, e.id)
    )
    entries: list[TimelineEntry] = []
    brought: Counter[int] = Counter()
    for r in (await conn.execute(query)).all():
        if r.payload_id is not None:
            brought[r.payload_id] += 1
        entries.append(
            TimelineEntry(
                id=r.id,
                at=r.occurred_at,
                local_time=r.local_time,
                utc_offset_minutes=r.utc_offset_minutes,
                tz_source=TzSource(r.tz_source),
                status=Status(r.status),
                substatus=r.substatus,
                carrier_code=r.carrier_code,
                description=r.description,
                place=Location(city=r.city, region=r.region, postal_code=r.postal_code, country=r.country),
                source=Source(r.source),
                payload_sha256=r.sha256,
            )
        )
    return entries, brought


async def _payloads(conn: AsyncConnection, brought: Counter[int]) -> list[RawText]:
    if not brought:
        return []
    p = raw_payloads.c
    query = (
        select(p.id, p.sha256, p.carrier, p.source, p.content_type, p.size, p.received_at, p.body)
        .where(p.id.in_(sorted(brought)))
        .order_by(p.received_at.desc(), p.id.desc())
        .limit(PAYLOADS_SHOWN)
    )
    shown = []
    for r in reversed((await conn.execute(query)).all()):
        text, truncated = readable(decompress(r.body), r.content_type)
        shown.append(
            RawText(
                r.sha256,
                r.carrier,
                r.source,
                r.content_type,
                r.size,
                r.received_at,
                brought[r.id],
                text,
                truncated,
            )
        )
    return shown


def readable(body: bytes, content_type: str) -> tuple[str, bool]:
    """A payload as text to read: JSON indented, XML one tag a line, anything else decoded as
    received; cut at TEXT_LINES lines / TEXT_CHARS characters (True: something was cut).

    Nothing in it is acted on: the caller still cleans it of control characters to show it."""
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type or text.lstrip().startswith(("{", "[")):
        try:
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except (ValueError, RecursionError):
            pass  # not JSON after all (or nested beyond reason): shown as received
    elif "xml" in content_type:
        text = text.replace("><", ">\n<")  # a line per tag, without parsing untrusted XML
    lines = text.splitlines()
    cut = "\n".join(lines[:TEXT_LINES])[:TEXT_CHARS]
    return cut, len(cut) < len("\n".join(lines))


async def _anomalies(store: Store, shipment_id: int) -> list[AnomalyView]:
    found = await open_anomalies(store, shipment_id, include_resolved=True)
    if not found:
        return []
    c = anomaly_changes.c
    query = (
        select(c.anomaly_id, c.at, c.change, c.details)
        .where(c.anomaly_id.in_([a.id for a in found]))
        .order_by(c.at, c.id)
    )
    history: defaultdict[int, list[AnomalyChange]] = defaultdict(list)
    async with store.reading() as conn:
        for anomaly_id, at, change, details in (await conn.execute(query)).all():
            history[anomaly_id].append(AnomalyChange(at, change, dict(parse_details(details))))
    return [AnomalyView(a, tuple(history[a.id])) for a in found]


async def _claims(store: Store, shipment_id: int, now: datetime) -> list[ClaimView]:
    found = await lifecycle.list_claims(store, shipment_id=shipment_id)
    if not found:
        return []
    c = claim_status_changes.c
    query = (
        select(claim_status_changes)
        .where(c.claim_id.in_([claim.id for claim in found]))
        .order_by(c.changed_at, c.id)
    )
    history: defaultdict[int, list[lifecycle.StatusChange]] = defaultdict(list)
    async with store.reading() as conn:
        for r in (await conn.execute(query)).all():
            history[r.claim_id].append(
                lifecycle.StatusChange(
                    claim_id=r.claim_id,
                    from_status=ClaimStatus(r.from_status) if r.from_status is not None else None,
                    to_status=ClaimStatus(r.to_status),
                    by=r.changed_by,
                    at=r.changed_at,
                    note=r.note,
                )
            )
    return [ClaimView(claim, tuple(history[claim.id]), lifecycle.days_left(claim, now)) for claim in found]
