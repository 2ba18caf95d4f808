"""The purge's reads and writes (the rules are ``parcel_watch.purge``'s; the run is
``parcel_watch.purge_run``'s).

A chunk of shipments is looked at and changed in one transaction: ``chunk_changes`` reads
what would change (a dry run stops there), ``apply`` writes it. On SQLite the writes run
with ``secure_delete`` on, so the freed and rewritten pages hold zeros rather than the old
bytes, and ``truncate_wal`` afterwards empties the write-ahead log that still has them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from parcel_watch.purge import TOMBSTONE_PREFIX, scrub_actor, scrub_details, scrub_document, scrub_text
from parcel_watch.status import TERMINAL, Status
from parcel_watch.store.bulk import member_of, update_rows
from parcel_watch.store.payloads import compress
from parcel_watch.store.schema import (
    anomalies,
    anomaly_changes,
    claim_facts,
    claim_status_changes,
    claims,
    events,
    notify_log,
    notify_watchers,
    raw_payloads,
    shipments,
)

EMPTY_BODY = compress(b"")
_TERMINAL = sorted(s.value for s in TERMINAL)
_LAST_CHANGE = func.coalesce(shipments.c.last_event_at, shipments.c.updated_at)


@dataclass(frozen=True)
class Candidate:
    id: int
    status: Status
    last_change: datetime


@dataclass(frozen=True)
class ClaimRef:
    shipment_id: int
    anomaly: str
    policy_id: str
    status: str
    latest: date | None
    time_zone: str


async def candidates(conn: AsyncConnection, cutoff: datetime, after_id: int, limit: int) -> list[Candidate]:
    """Terminal shipments last changed before ``cutoff``, by id, after ``after_id``."""
    s = shipments.c
    query = (
        select(s.id, s.status, _LAST_CHANGE)
        .where(s.status.in_(_TERMINAL), _LAST_CHANGE < cutoff, s.id > after_id)
        .order_by(s.id)
        .limit(limit)
    )
    return [Candidate(r[0], Status(r[1]), r[2]) for r in (await conn.execute(query)).all()]


async def still_qualifying(conn: AsyncConnection, ids: Sequence[int], cutoff: datetime) -> list[int]:
    """``ids`` that still qualify now, inside the writing transaction (a late scan may have
    reopened one since the plan)."""
    s = shipments.c
    query = select(s.id).where(
        member_of(conn.dialect, s.id, ids), s.status.in_(_TERMINAL), _LAST_CHANGE < cutoff
    )
    return sorted((await conn.execute(query)).scalars().all())


async def claims_of(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, list[ClaimRef]]:
    c = claims.c
    query = select(c.shipment_id, c.anomaly, c.policy_id, c.status, c.latest, c.time_zone).where(
        member_of(conn.dialect, c.shipment_id, ids)
    )
    found: dict[int, list[ClaimRef]] = defaultdict(list)
    for row in (await conn.execute(query)).all():
        found[row[0]].append(ClaimRef(*row))
    return found


async def with_open_anomalies(conn: AsyncConnection, ids: Sequence[int]) -> set[int]:
    a = anomalies.c
    query = select(a.shipment_id).where(member_of(conn.dialect, a.shipment_id, ids), a.state == "open")
    return set((await conn.execute(query)).scalars().all())


# -- payloads --------------------------------------------------------------------------------


async def payloads_of(conn: AsyncConnection, ids: Sequence[int]) -> set[int]:
    """The payloads that produced events of these shipments."""
    e = events.c
    query = select(e.payload_id).where(member_of(conn.dialect, e.shipment_id, ids), e.payload_id.is_not(None))
    return set((await conn.execute(query.distinct())).scalars().all())


async def shared(conn: AsyncConnection, payload_ids: Collection[int], purged: Collection[int]) -> set[int]:
    """Which of ``payload_ids`` an event of a shipment not in ``purged`` refers to (one pass
    over the events: ``payload_id`` has no index)."""
    if not payload_ids:
        return set()
    e = events.c
    query = select(e.payload_id).where(
        member_of(conn.dialect, e.payload_id, sorted(payload_ids)),
        ~member_of(conn.dialect, e.shipment_id, sorted(purged)),
    )
    return set((await conn.execute(query.distinct())).scalars().all())


async def old_orphans(conn: AsyncConnection, cutoff: datetime) -> set[int]:
    """Payloads received before ``cutoff`` that no event refers to, not yet tombstoned."""
    p, e = raw_payloads.c, events.c
    query = (
        select(p.id)
        .outerjoin(events, e.payload_id == p.id)
        .where(e.id.is_(None), p.received_at < cutoff, ~p.sha256.startswith(TOMBSTONE_PREFIX))
    )
    return set((await conn.execute(query)).scalars().all())


async def live_bytes(conn: AsyncConnection, payload_ids: Collection[int]) -> tuple[int, int]:
    """(how many of ``payload_ids`` still have a body, their stored bytes)."""
    if not payload_ids:
        return 0, 0
    p = raw_payloads.c
    query = select(func.count(), func.coalesce(func.sum(func.length(p.body)), 0)).where(
        member_of(conn.dialect, p.id, sorted(payload_ids)), ~p.sha256.startswith(TOMBSTONE_PREFIX)
    )
    count, size = (await conn.execute(query)).one()
    return int(count), int(size)


async def tombstone(conn: AsyncConnection, payload_ids: Collection[int]) -> None:
    """Drop the bodies: the rows stay, with size 0 and their hash freed (see parcel_watch.purge)."""
    p = raw_payloads.c
    live = select(p.id).where(
        member_of(conn.dialect, p.id, sorted(payload_ids)), ~p.sha256.startswith(TOMBSTONE_PREFIX)
    )
    ids = (await conn.execute(live)).scalars().all()
    rows = [(f"{TOMBSTONE_PREFIX}{pid}", 0, EMPTY_BODY, pid) for pid in ids]
    if rows:
        await update_rows(conn, raw_payloads, ("sha256", "size", "body"), rows)


# -- one chunk of shipments ---------------------------------------------------------------


@dataclass
class Changes:
    """What purging a chunk changes: rows to update (values, then id) and to delete."""

    shipments: list[tuple[str | None, int]] = field(default_factory=list)  # poll_error
    events: list[tuple[str, int | None, int]] = field(default_factory=list)  # description, payload_id
    anomalies: list[tuple[str, int]] = field(default_factory=list)
    anomaly_changes: list[tuple[str, int]] = field(default_factory=list)
    claims: list[tuple[str, int]] = field(default_factory=list)
    claim_changes: list[tuple[str, str | None, int]] = field(default_factory=list)
    facts: list[int] = field(default_factory=list)  # shipment ids
    notes: list[int] = field(default_factory=list)  # notify_log ids
    watchers: list[int] = field(default_factory=list)
    payloads: set[int] = field(default_factory=set)  # bodies to drop
    touched: set[int] = field(default_factory=set)  # shipments with something personal
    events_redacted: int = 0


async def chunk_changes(conn: AsyncConnection, ids: Sequence[int], deletable: Collection[int]) -> Changes:
    """What purging ``ids`` changes, given the payloads whose bodies go (read only)."""
    out = Changes()
    d = conn.dialect
    s, e = shipments.c, events.c
    rows = await conn.execute(select(s.id, s.label, s.order_ref, s.poll_error).where(member_of(d, s.id, ids)))
    for sid, label, order_ref, poll_error in rows.all():
        error = scrub_text(poll_error)
        if label is not None or order_ref is not None or error != poll_error:
            out.shipments.append((error, sid))
            out.touched.add(sid)
    query = select(e.id, e.shipment_id, e.description, e.postal_code, e.payload_id)
    for eid, sid, text, postal, pid in (
        await conn.execute(query.where(member_of(d, e.shipment_id, ids)))
    ).all():
        new_text = scrub_text(text) or ""
        new_pid = None if pid in deletable else pid
        if pid is not None and new_pid is None:
            out.payloads.add(pid)
        if new_text != text or postal is not None or new_pid != pid:
            out.events.append((new_text, new_pid, eid))
            out.events_redacted += new_text != text
            out.touched.add(sid)
    a, ac = anomalies.c, anomaly_changes.c
    for aid, sid, details in (
        await conn.execute(select(a.id, a.shipment_id, a.details).where(member_of(d, a.shipment_id, ids)))
    ).all():
        if (new := scrub_details(details)) is not None:
            out.anomalies.append((new, aid))
            out.touched.add(sid)
    history = select(ac.id, a.shipment_id, ac.details).join(anomalies, a.id == ac.anomaly_id)
    for cid, sid, details in (await conn.execute(history.where(member_of(d, a.shipment_id, ids)))).all():
        if (new := scrub_details(details)) is not None:
            out.anomaly_changes.append((new, cid))
            out.touched.add(sid)
    await _claim_changes(conn, ids, out)
    for table, target in ((claim_facts, out.facts), (notify_watchers, out.watchers), (notify_log, out.notes)):
        key = table.c.shipment_id if table is claim_facts else table.c.id
        found = (
            await conn.execute(select(key, table.c.shipment_id).where(member_of(d, table.c.shipment_id, ids)))
        ).all()
        target.extend(k for k, _ in found)
        out.touched.update(sid for _, sid in found if sid is not None)
    return out


async def _claim_changes(conn: AsyncConnection, ids: Sequence[int], out: Changes) -> None:
    c, h = claims.c, claim_status_changes.c
    query = select(c.id, c.shipment_id, c.draft).where(member_of(conn.dialect, c.shipment_id, ids))
    for cid, sid, draft in (await conn.execute(query)).all():
        if (new := scrub_document(draft)) is not None:
            out.claims.append((new, cid))
            out.touched.add(sid)
    history = select(h.id, c.shipment_id, h.changed_by, h.note).join(claims, c.id == h.claim_id)
    for hid, sid, by, note in (
        await conn.execute(history.where(member_of(conn.dialect, c.shipment_id, ids)))
    ).all():
        new_by, new_note = scrub_actor(by), scrub_text(note)
        if new_by != by or new_note != note:
            out.claim_changes.append((new_by, new_note, hid))
            out.touched.add(sid)


async def apply(conn: AsyncConnection, changes: Changes) -> None:
    """Write ``changes`` (in the caller's write transaction)."""
    d = conn.dialect
    if changes.shipments:
        rows = [(None, None, error, sid) for error, sid in changes.shipments]
        await update_rows(conn, shipments, ("order_ref", "label", "poll_error"), rows)  # table order
    if changes.events:
        rows2 = [(text, None, pid, eid) for text, pid, eid in changes.events]
        await update_rows(conn, events, ("description", "postal_code", "payload_id"), rows2)
    for table, details in ((anomalies, changes.anomalies), (anomaly_changes, changes.anomaly_changes)):
        if details:
            await update_rows(conn, table, ("details",), details)
    if changes.claims:
        await update_rows(conn, claims, ("draft",), changes.claims)
    if changes.claim_changes:
        await update_rows(conn, claim_status_changes, ("changed_by", "note"), changes.claim_changes)
    if changes.facts:
        await conn.execute(delete(claim_facts).where(member_of(d, claim_facts.c.shipment_id, changes.facts)))
    for table, ids in ((notify_watchers, changes.watchers), (notify_log, changes.notes)):
        if ids:
            await conn.execute(delete(table).where(member_of(d, table.c.id, ids)))
    if changes.payloads:
        await tombstone(conn, changes.payloads)


# -- SQLite: leave no old bytes behind ----------------------------------------------------------


async def secure_delete(conn: AsyncConnection) -> None:
    """Zero what the transaction frees or rewrites (SQLite; nothing on PostgreSQL)."""
    if conn.dialect.name == "sqlite":
        await conn.exec_driver_sql("PRAGMA secure_delete=ON")


async def truncate_wal(engine: AsyncEngine) -> bool | None:
    """Checkpoint the write-ahead log into the database file and truncate it to nothing
    (True), or False when a reader kept it from being emptied; None on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return None
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _, _ = await cursor.fetchone()
        await cursor.close()
    return bool(busy == 0)
