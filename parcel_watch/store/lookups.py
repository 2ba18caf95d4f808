"""Reads and state writes the ingest needs, one set-based statement each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.schema import Table

from parcel_watch.status import Status
from parcel_watch.store import bulk
from parcel_watch.store.eventrows import PLAIN, ShipmentKey
from parcel_watch.store.schema import estimate_revisions, events, raw_payloads, shipments
from parcel_watch.timeline import EventFact, Fact, ShipmentState, advance

STATE_COLUMNS = ("status", "substatus", "last_event_at", "updated_at")


@dataclass
class KnownShipment:
    id: int
    carrier: str
    tracking_number: str
    state: ShipmentState
    estimated_delivery: datetime | None
    new: bool = False  # created by this chunk


@dataclass(frozen=True)
class StatusChange:
    shipment_id: int
    carrier: str
    tracking_number: str
    old: Status
    new: Status


async def load_shipments(conn: AsyncConnection, keys: set[ShipmentKey]) -> dict[ShipmentKey, KnownShipment]:
    """The shipments among ``keys`` that exist; on PostgreSQL their rows are locked
    (in id order, so two writers cannot deadlock on them) until the transaction ends."""
    numbers = sorted({number for _, number in keys})
    if not numbers:
        return {}
    query = select(
        shipments.c.id,
        shipments.c.carrier,
        shipments.c.tracking_number,
        shipments.c.status,
        shipments.c.substatus,
        shipments.c.last_event_at,
        shipments.c.estimated_delivery,
    ).where(bulk.member_of(conn.dialect, shipments.c.tracking_number, numbers))
    if conn.dialect.name == "postgresql":
        query = query.order_by(shipments.c.id).with_for_update()
    found: dict[ShipmentKey, KnownShipment] = {}
    for sid, carrier, number, status, substatus, last, eta in (await conn.execute(query)).all():
        if (carrier, number) in keys:
            found[(carrier, number)] = KnownShipment(
                sid, carrier, number, ShipmentState(Status(status), substatus, last), eta
            )
    return found


async def next_id(conn: AsyncConnection, table: Table) -> int:
    """The next free id; only meaningful to a sole writer (SQLite's BEGIN IMMEDIATE)."""
    return int((await conn.execute(select(func.coalesce(func.max(table.c.id), 0)))).scalar_one()) + 1


async def payload_ids(conn: AsyncConnection, shas: Sequence[str]) -> dict[str, int]:
    if not shas:
        return {}
    query = select(raw_payloads.c.sha256, raw_payloads.c.id).where(
        bulk.member_of(conn.dialect, raw_payloads.c.sha256, shas)
    )
    return {sha: pid for sha, pid in (await conn.execute(query)).all()}


async def existing_keys(conn: AsyncConnection, shipment_ids: Iterable[int]) -> dict[int, set[int]]:
    """The dedupe keys every one of these shipments already has.

    Aggregated per shipment in the database (one row per shipment, not per event):
    re-ingesting known events is the common case and this read is most of its cost.
    """
    found: dict[int, set[int]] = {sid: set() for sid in shipment_ids}
    if not found:
        return found
    member = bulk.member_of(conn.dialect, events.c.shipment_id, sorted(found))
    if conn.dialect.name == "sqlite":
        keys_text = func.group_concat(events.c.dedupe_key, " ")
        query = select(events.c.shipment_id, keys_text).where(member).group_by(events.c.shipment_id)
        for sid, text in (await conn.execute(query)).all():
            found[sid] = set(map(int, text.split()))
    else:
        query = select(events.c.shipment_id, func.array_agg(events.c.dedupe_key)).where(member)
        for sid, keys in (await conn.execute(query.group_by(events.c.shipment_id))).all():
            found[sid] = set(keys)
    return found


async def advance_states(
    conn: AsyncConnection,
    by_id: dict[int, KnownShipment],
    new_facts: dict[int, list[Fact]],
    received: Any,
    changes: list[StatusChange],
) -> None:
    """Move each shipment's state over its new events; re-fold a timeline that got an
    event older than its newest, so the result never depends on arrival order."""
    as_time = bulk.time_param(conn.dialect)
    rows: list[tuple[Any, ...]] = []

    def collect(ship: KnownShipment, new: ShipmentState) -> None:
        if new == ship.state:
            return
        last = as_time(new.last_event_at) if new.last_event_at is not None else None
        rows.append((PLAIN[new.status], new.substatus, last, received, ship.id))
        if new.status is not ship.state.status:
            changes.append(
                StatusChange(ship.id, ship.carrier, ship.tracking_number, ship.state.status, new.status)
            )
        ship.state = new

    late: list[int] = []
    for sid, facts in new_facts.items():
        if not facts:
            continue
        ship = by_id[sid]
        last = ship.state.last_event_at
        # Not newer than the newest stored event (a tie too: same-instant scans are
        # ordered by lifecycle within one fold): re-fold the whole timeline.
        if last is not None and min(f.occurred_at for f in facts) <= last:
            late.append(sid)
        else:
            collect(ship, advance(ship.state, facts))
    if late:
        timelines: dict[int, list[EventFact]] = {sid: [] for sid in late}
        query = select(events.c.shipment_id, events.c.occurred_at, events.c.status, events.c.substatus).where(
            bulk.member_of(conn.dialect, events.c.shipment_id, late)
        )
        for sid, occurred_at, status, substatus in (await conn.execute(query)).all():
            timelines[sid].append(EventFact(occurred_at, Status(status), substatus))
        for sid, timeline in timelines.items():
            collect(by_id[sid], advance(ShipmentState(), timeline))
    if rows:
        await bulk.update_rows(conn, shipments, STATE_COLUMNS, rows)


async def record_etas(
    conn: AsyncConnection, by_id: dict[int, KnownShipment], etas: dict[int, datetime], now: datetime
) -> None:
    """Keep each newly announced estimated delivery as a revision, and as the current one."""
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
