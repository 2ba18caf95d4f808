"""Idempotent bulk ingest: normalized events in, one row per distinct scan out.

Per chunk, in one write transaction: resolve (or create) the shipments, store each raw
payload once by its SHA-256, read the dedupe keys the touched shipments already have
(one covering-index range read per shipment), insert only the new events, then advance
each touched shipment's state from its new events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.schema import Table

from parcel_watch.model import ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import bulk
from parcel_watch.store.eventrows import EVENT_COLUMNS, PLAIN, NewEvents, ShipmentKey
from parcel_watch.store.payloads import RawPayload, compress
from parcel_watch.store.schema import estimate_revisions, events, raw_payloads, shipments
from parcel_watch.timeline import EventFact, Fact, ShipmentState, advance

SHIPMENT_COLUMNS = (
    "carrier",
    "tracking_number",
    "carrier_source",
    "status",
    "substatus",
    "last_event_at",
    "created_at",
    "updated_at",
)
PAYLOAD_COLUMNS = ("sha256", "carrier", "source", "content_type", "size", "body", "received_at")
STATE_COLUMNS = ("status", "substatus", "last_event_at", "updated_at")


@dataclass(frozen=True)
class IngestItem:
    """Shipment updates parsed from one payload (or from an import, with no payload)."""

    updates: Sequence[ShipmentUpdate]
    payload: RawPayload | None = None


@dataclass(frozen=True)
class StatusChange:
    shipment_id: int
    carrier: str
    tracking_number: str
    old: Status
    new: Status


@dataclass
class IngestResult:
    new_events: int = 0
    duplicate_events: int = 0
    shipments_created: int = 0
    payloads_stored: int = 0
    changes: list[StatusChange] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        self.new_events += other.new_events
        self.duplicate_events += other.duplicate_events
        self.shipments_created += other.shipments_created
        self.payloads_stored += other.payloads_stored
        self.changes.extend(other.changes)


@dataclass
class _Known:
    id: int
    carrier: str
    tracking_number: str
    state: ShipmentState
    estimated_delivery: datetime | None


def insert_ignore(conn: AsyncConnection, table: Table) -> Insert:
    return bulk.insert_ignore(conn.dialect, table)


async def ingest_chunk(
    conn: AsyncConnection, items: Sequence[IngestItem], *, create_missing: bool = True
) -> IngestResult:
    """Ingest ``items`` on ``conn`` (the caller owns the transaction)."""
    as_time = bulk.time_param(conn.dialect)
    now = datetime.now(UTC)
    received = as_time(now)
    result = IngestResult()
    keys = {(u.carrier, u.tracking_number) for item in items for u in item.updates}
    known = await _load_shipments(conn, keys)
    payloads = {i.payload.sha256: i.payload for i in items if i.payload is not None}
    payload_ids = await _payload_ids(conn, sorted(payloads))
    fresh = [p for sha, p in payloads.items() if sha not in payload_ids]
    # zlib releases the GIL: compress in a worker thread meanwhile.
    compressing = asyncio.create_task(asyncio.to_thread(lambda: [compress(p.body) for p in fresh]))
    try:
        missing = keys - known.keys() if create_missing else set()
        if missing:
            result.shipments_created = await _create_shipments(conn, sorted(missing), items, received)
            created = await _load_shipments(conn, missing)
            known.update(created)
            result.changes.extend(
                StatusChange(k.id, k.carrier, k.tracking_number, Status.PENDING, k.state.status)
                for k in created.values()
                if k.state.status is not Status.PENDING
            )
        existing = await _existing_keys(conn, [k for key, k in known.items() if key not in missing])
        bodies = await compressing
    finally:
        if not compressing.done():
            compressing.cancel()
    if fresh:
        rows = [
            (p.sha256, p.carrier, PLAIN[p.source], p.content_type, len(p.body), body, as_time(p.received_at))
            for p, body in zip(fresh, bodies, strict=True)
        ]
        await bulk.insert_ignore_rows(conn, raw_payloads, PAYLOAD_COLUMNS, rows)
        result.payloads_stored = len(rows)
        payload_ids.update(await _payload_ids(conn, [p.sha256 for p in fresh]))

    finder = NewEvents(
        ids={key: k.id for key, k in known.items()},
        existing=existing,
        payload_ids=payload_ids,
        settled=missing,
        received=received,
        as_time=as_time,
        as_wall=bulk.wall_param(conn.dialect),
    )
    rows = finder.rows(items)
    if rows:
        await bulk.insert_ignore_rows(conn, events, EVENT_COLUMNS, rows)
    result.new_events, result.duplicate_events = finder.new, finder.duplicates
    by_id = {k.id: k for k in known.values()}
    await _advance_states(conn, by_id, finder.facts, received, result)
    await _record_etas(conn, by_id, finder.etas, now)
    return result


async def _load_shipments(conn: AsyncConnection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], _Known]:
    found: dict[tuple[str, str], _Known] = {}
    numbers = sorted({number for _, number in keys})
    cols = (
        shipments.c.id,
        shipments.c.carrier,
        shipments.c.tracking_number,
        shipments.c.status,
        shipments.c.substatus,
        shipments.c.last_event_at,
        shipments.c.estimated_delivery,
    )
    if numbers:
        query = select(*cols).where(bulk.member_of(conn.dialect, shipments.c.tracking_number, numbers))
        for sid, carrier, number, status, substatus, last, eta in (await conn.execute(query)).all():
            if (carrier, number) in keys:
                state = ShipmentState(Status(status), substatus, last)
                found[(carrier, number)] = _Known(sid, carrier, number, state, eta)
    return found


async def _create_shipments(
    conn: AsyncConnection, missing: list[ShipmentKey], items: Sequence[IngestItem], received: Any
) -> int:
    """Insert shipments already in the state their first events put them in.

    Every event of a shipment that did not exist is new; a duplicate within the chunk
    folds to the same state, so no dedupe is needed to compute it.
    """
    wanted = set(missing)
    evs: dict[ShipmentKey, list[TrackingEvent]] = {}
    for item in items:
        for upd in item.updates:
            key = (upd.carrier, upd.tracking_number)
            if key in wanted:
                evs.setdefault(key, []).extend(upd.events)
    as_time = bulk.time_param(conn.dialect)
    rows = []
    for carrier, number in missing:
        state = advance(ShipmentState(), evs.get((carrier, number), ()))
        last = as_time(state.last_event_at) if state.last_event_at is not None else None
        rows.append(
            (carrier, number, "detected", PLAIN[state.status], state.substatus, last, received, received)
        )
    await bulk.insert_ignore_rows(conn, shipments, SHIPMENT_COLUMNS, rows)
    return len(rows)


async def _payload_ids(conn: AsyncConnection, shas: Sequence[str]) -> dict[str, int]:
    if not shas:
        return {}
    query = select(raw_payloads.c.sha256, raw_payloads.c.id).where(
        bulk.member_of(conn.dialect, raw_payloads.c.sha256, shas)
    )
    return {sha: pid for sha, pid in (await conn.execute(query)).all()}


async def _existing_keys(conn: AsyncConnection, known: Iterable[_Known]) -> set[tuple[str, str, int]]:
    by_id = {k.id: (k.carrier, k.tracking_number) for k in known}
    if not by_id:
        return set()
    query = select(events.c.shipment_id, events.c.dedupe_key).where(
        bulk.member_of(conn.dialect, events.c.shipment_id, sorted(by_id))
    )
    return {(*by_id[sid], key) for sid, key in (await conn.execute(query)).all()}


async def _advance_states(
    conn: AsyncConnection,
    by_id: dict[int, _Known],
    new_facts: dict[int, list[Fact]],
    received: Any,
    result: IngestResult,
) -> None:
    as_time = bulk.time_param(conn.dialect)
    rows: list[tuple[Any, ...]] = []

    def collect(ship: _Known, new: ShipmentState) -> None:
        if new == ship.state:
            return
        last = as_time(new.last_event_at) if new.last_event_at is not None else None
        rows.append((PLAIN[new.status], new.substatus, last, received, ship.id))
        if new.status is not ship.state.status:
            result.changes.append(
                StatusChange(ship.id, ship.carrier, ship.tracking_number, ship.state.status, new.status)
            )
        ship.state = new

    late: list[int] = []
    for sid, facts in new_facts.items():
        if not facts:
            continue
        ship = by_id[sid]
        last = ship.state.last_event_at
        if last is not None and min(f.occurred_at for f in facts) < last:
            late.append(sid)  # arrived out of order: re-fold the whole timeline
        else:
            collect(ship, advance(ship.state, facts))
    if late:
        timelines: dict[int, list[EventFact]] = {sid: [] for sid in late}
        query = select(events.c.shipment_id, events.c.occurred_at, events.c.status, events.c.substatus).where(
            bulk.member_of(conn.dialect, events.c.shipment_id, late)
        )
        for sid, occurred_at, status, substatus in (await conn.execute(query)).all():
            timelines[sid].append(EventFact(occurred_at, Status(status), substatus))
        for sid, facts in timelines.items():
            collect(by_id[sid], advance(ShipmentState(), facts))
    if rows:
        await bulk.update_rows(conn, shipments, STATE_COLUMNS, rows)


async def _record_etas(
    conn: AsyncConnection, by_id: dict[int, _Known], etas: dict[int, datetime], now: datetime
) -> None:
    changed = {sid: eta for sid, eta in etas.items() if by_id[sid].estimated_delivery != eta}
    if not changed:
        return
    as_time = bulk.time_param(conn.dialect)
    recorded = as_time(now)
    await bulk.insert_ignore_rows(
        conn,
        estimate_revisions,
        ("shipment_id", "estimated_delivery", "recorded_at"),
        [(sid, as_time(eta), recorded) for sid, eta in changed.items()],
    )
    await bulk.update_rows(
        conn, shipments, ("estimated_delivery",), [(as_time(eta), sid) for sid, eta in changed.items()]
    )
    for sid, eta in changed.items():
        by_id[sid].estimated_delivery = eta
