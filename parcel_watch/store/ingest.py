"""Idempotent bulk ingest: normalized events in, one row per distinct scan out.

Per chunk, in one write transaction: resolve the shipments (creating missing ones),
store each raw payload once by its SHA-256, read the dedupe keys the touched shipments
already have, insert only the new events, then advance each shipment's state.

On SQLite the transaction is the only writer (BEGIN IMMEDIATE), so new shipments and
payloads get their ids here and are written once, already in their final state. On
PostgreSQL, where writers run side by side, missing shipments are inserted first
(ON CONFLICT DO NOTHING), then read back locked, and advance like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.schema import Table

from parcel_watch.model import ShipmentUpdate
from parcel_watch.status import Status
from parcel_watch.store import bulk
from parcel_watch.store.eventrows import EVENT_COLUMNS, PLAIN, NewEvents, ShipmentKey
from parcel_watch.store.lookups import (
    KnownShipment,
    StatusChange,
    advance_states,
    existing_keys,
    load_shipments,
    next_id,
    payload_ids,
    record_etas,
)
from parcel_watch.store.payloads import RawPayload, compress
from parcel_watch.store.schema import events, raw_payloads, shipments
from parcel_watch.timeline import ShipmentState, advance

SHIPMENT_COLUMNS = (
    "id",
    "carrier",
    "tracking_number",
    "carrier_source",
    "status",
    "substatus",
    "last_event_at",
    "created_at",
    "updated_at",
)
PAYLOAD_COLUMNS = ("id", "sha256", "carrier", "source", "content_type", "size", "body", "received_at")

__all__ = [
    "IngestItem",
    "IngestResult",
    "KnownShipment",
    "ShipmentKey",
    "StatusChange",
    "ingest_chunk",
    "insert_ignore",
]


@dataclass(frozen=True)
class IngestItem:
    """Shipment updates parsed from one payload (or from an import, with no payload)."""

    updates: Sequence[ShipmentUpdate]
    payload: RawPayload | None = None


@dataclass
class IngestResult:
    new_events: int = 0
    duplicate_events: int = 0
    shipments_created: int = 0
    payloads_stored: int = 0
    changes: list[StatusChange] = field(default_factory=list)
    # Every touched shipment as it stands after the chunk (what a poller schedules from).
    shipments: dict[ShipmentKey, KnownShipment] = field(default_factory=dict)
    new_by_shipment: dict[int, int] = field(default_factory=dict)  # shipment id -> new events

    def add(self, other: IngestResult) -> None:
        self.new_events += other.new_events
        self.duplicate_events += other.duplicate_events
        self.shipments_created += other.shipments_created
        self.payloads_stored += other.payloads_stored
        self.changes.extend(other.changes)
        self.shipments.update(other.shipments)
        for sid, n in other.new_by_shipment.items():
            self.new_by_shipment[sid] = self.new_by_shipment.get(sid, 0) + n


def insert_ignore(conn: AsyncConnection, table: Table) -> Insert:
    return bulk.insert_ignore(conn.dialect, table)


async def ingest_chunk(
    conn: AsyncConnection,
    items: Sequence[IngestItem],
    *,
    create_missing: bool = True,
    now: datetime | None = None,
) -> IngestResult:
    """Ingest ``items`` on ``conn`` (the caller owns the transaction). ``now`` is when they
    were received (the poller's clock; the wall clock if not given): events' received time
    and when a new estimated delivery was first seen."""
    sole_writer = conn.dialect.name == "sqlite"
    as_time = bulk.time_param(conn.dialect)
    now = now or datetime.now(UTC)
    received = as_time(now)
    result = IngestResult()
    keys = {(u.carrier, u.tracking_number) for item in items for u in item.updates}
    known = await load_shipments(conn, keys)
    missing = sorted(keys - known.keys()) if create_missing else []
    payloads = {i.payload.sha256: i.payload for i in items if i.payload is not None}
    pids = await payload_ids(conn, sorted(payloads))
    fresh = [p for sha, p in payloads.items() if sha not in pids]
    # Compressed here, not in a worker thread: that thread would wait out the GIL's
    # switch interval after every payload while this one runs the event loop below.
    bodies = [compress(p.body) for p in fresh]
    if sole_writer:
        first = await next_id(conn, shipments) if missing else 0
        for offset, (carrier, number) in enumerate(missing):
            known[(carrier, number)] = KnownShipment(
                first + offset, carrier, number, ShipmentState(), None, True
            )
        first = await next_id(conn, raw_payloads) if fresh else 0
        pids.update({p.sha256: first + offset for offset, p in enumerate(fresh)})
    elif missing:
        await _insert_shipments(conn, [(None, c, n, ShipmentState()) for c, n in missing], received)
        known.update(await load_shipments(conn, set(missing)))
    existing = await existing_keys(conn, [k.id for k in known.values() if not k.new])
    finder = NewEvents(
        ids={key: k.id for key, k in known.items()},
        existing=existing,
        payload_ids=pids,
        received=received,
        as_time=as_time,
        as_wall=bulk.wall_param(conn.dialect),
    )
    # Payloads before their events (parents first); a sole writer knows their ids already.
    await _insert_payloads(conn, fresh, bodies, pids, with_ids=sole_writer)
    rows = finder.rows(items)
    result.new_by_shipment = {sid: len(facts) for sid, facts in finder.facts.items() if facts}
    by_id = {k.id: k for k in known.values()}
    if sole_writer and missing:
        # Parents before children: the new shipments, in the state their events give.
        created = [known[key] for key in missing]
        states = [
            (k.id, k.carrier, k.tracking_number, advance(ShipmentState(), finder.facts.pop(k.id, ())))
            for k in created
        ]
        await _insert_shipments(conn, states, received)
        for (_, _, _, state), ship in zip(states, created, strict=True):
            if state.status is not Status.PENDING:
                result.changes.append(
                    StatusChange(ship.id, ship.carrier, ship.tracking_number, Status.PENDING, state.status)
                )
            ship.state = state
    if rows:
        await bulk.insert_ignore_rows(conn, events, EVENT_COLUMNS, rows)
    result.payloads_stored = len(fresh)
    result.new_events, result.duplicate_events = finder.new, finder.duplicates
    result.shipments_created = len(missing)
    await advance_states(conn, by_id, finder.facts, received, result.changes)
    await record_etas(conn, by_id, finder.etas, now)
    result.shipments = known
    return result


async def _insert_payloads(
    conn: AsyncConnection,
    fresh: list[RawPayload],
    bodies: list[bytes],
    pids: dict[str, int],
    *,
    with_ids: bool,
) -> None:
    if not fresh:
        return
    as_time = bulk.time_param(conn.dialect)
    rows = [
        ((pids[p.sha256],) if with_ids else ())
        + (p.sha256, p.carrier, PLAIN[p.source], p.content_type, len(p.body), body, as_time(p.received_at))
        for p, body in zip(fresh, bodies, strict=True)
    ]
    await bulk.insert_ignore_rows(
        conn, raw_payloads, PAYLOAD_COLUMNS if with_ids else PAYLOAD_COLUMNS[1:], rows
    )
    if not with_ids:
        pids.update(await payload_ids(conn, [p.sha256 for p in fresh]))


async def _insert_shipments(
    conn: AsyncConnection, states: Sequence[tuple[int | None, str, str, ShipmentState]], received: Any
) -> None:
    """Insert shipments in the given states (with their ids, or letting the database choose)."""
    as_time = bulk.time_param(conn.dialect)
    rows = []
    for sid, carrier, number, state in states:
        last = as_time(state.last_event_at) if state.last_event_at is not None else None
        row = (carrier, number, "detected", PLAIN[state.status], state.substatus, last, received, received)
        rows.append(row if sid is None else (sid, *row))
    with_ids = bool(states) and states[0][0] is not None
    await bulk.insert_ignore_rows(
        conn, shipments, SHIPMENT_COLUMNS if with_ids else SHIPMENT_COLUMNS[1:], rows
    )
