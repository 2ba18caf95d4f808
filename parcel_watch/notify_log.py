"""The notification log, watchers and the notifier's marks in the store.

A log row is one message about one fact for one target. Rows are created with
INSERT … ON CONFLICT DO NOTHING on the unique (fact, target) key, together with the new
marks in one transaction: a fact found twice — two notifiers, a restart, a poll and a
webhook bringing the same scan — is one row, so one message. A row is *claimed* before it
is sent (its ``send_after`` moved past a lease, only where it was still due), so two
processes never send the same row either.

States: ``pending`` (waiting for its time, or for a retry after ``attempts`` failures),
``sent``, ``failed`` (gave up; ``last_error`` says why).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from parcel_watch.notify_config import Delivery, redact, target_key
from parcel_watch.notify_facts import Fact
from parcel_watch.notify_scan import Marks
from parcel_watch.notify_schedule import MAX_ATTEMPTS, retry_delay, send_after
from parcel_watch.store import Store
from parcel_watch.store.bulk import insert_ignore
from parcel_watch.store.schema import notify_log, notify_state, notify_watchers, shipments

PENDING, SENT, FAILED = "pending", "sent", "failed"
LEASE = timedelta(minutes=5)  # a claimed row is someone's for this long (a crash: then it is retried)
_STATE_ID = 1


@dataclass(frozen=True)
class LogRow:
    id: int
    fact_key: str
    target: str
    target_label: str
    kind: str
    shipment_id: int | None
    title: str
    body: str
    notify_type: str
    mode: str
    fact_at: datetime
    created_at: datetime
    send_after: datetime
    state: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


def _log_row(r: object) -> LogRow:
    return LogRow(**{name: getattr(r, name) for name in LogRow.__dataclass_fields__})


# -- marks --------------------------------------------------------------------------------


async def read_marks(conn: AsyncConnection) -> Marks | None:
    query = select(notify_state.c.event_id, notify_state.c.anomaly_change_id).where(
        notify_state.c.id == _STATE_ID
    )
    row = (await conn.execute(query)).first()
    return Marks(int(row[0]), int(row[1])) if row is not None else None


async def stored_marks(store: Store) -> Marks | None:
    async with store.reading() as conn:
        return await read_marks(conn)


async def _advance_marks(conn: AsyncConnection, upto: Marks, now: datetime) -> None:
    if await read_marks(conn) is None:
        await conn.execute(
            insert_ignore(conn.dialect, notify_state),
            [{"id": _STATE_ID, "event_id": 0, "anomaly_change_id": 0}],
        )
    # Only forward: a slower notifier finishing after a faster one must not move them back.
    for column, value in (("event_id", upto.event_id), ("anomaly_change_id", upto.anomaly_change_id)):
        col = notify_state.c[column]
        await conn.execute(
            update(notify_state).where(notify_state.c.id == _STATE_ID, col < value).values({column: value})
        )
    await conn.execute(update(notify_state).where(notify_state.c.id == _STATE_ID).values(scanned_at=now))


# -- recording ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    fact: Fact
    delivery: Delivery


def _row(planned: Planned, label: str, now: datetime, zone: tzinfo) -> dict[str, object]:
    fact, delivery = planned.fact, planned.delivery
    when, mode = send_after(now, delivery.timing, zone)
    return {
        "fact_key": fact.key,
        "target": delivery.target,
        "target_label": label,
        "kind": fact.kind.value,
        "shipment_id": fact.shipment.id,
        "title": fact.title,
        "body": fact.body,
        "notify_type": fact.notify_type,
        "mode": mode,
        "fact_at": fact.at,
        "created_at": now,
        "send_after": when,
        "state": PENDING,
        "attempts": 0,
    }


async def record(store: Store, planned: Sequence[Planned], upto: Marks, now: datetime, zone: tzinfo) -> None:
    """Log one row per (fact, target) not logged yet, and move the marks to ``upto``: both
    or neither, so a crash between them can neither lose a fact nor send one twice."""
    # redact() has apprise read the URL: once per target, not once per fact.
    labels = {p.delivery.target: p.delivery.url for p in planned}
    labels = {target: redact(url) for target, url in labels.items()}
    rows = [_row(p, labels[p.delivery.target], now, zone) for p in planned]
    async with store.writing() as conn:
        if rows:
            await conn.execute(insert_ignore(conn.dialect, notify_log), rows)
        await _advance_marks(conn, upto, now)


# -- sending ------------------------------------------------------------------------------


async def claim_due(store: Store, now: datetime, *, limit: int = 500) -> list[LogRow]:
    """Pending rows whose time has come, now this process's to send (for ``LEASE``)."""
    due = and_(notify_log.c.state == PENDING, notify_log.c.send_after <= now)
    async with store.writing() as conn:
        ids = (
            (await conn.execute(select(notify_log.c.id).where(due).order_by(notify_log.c.id).limit(limit)))
            .scalars()
            .all()
        )
        if not ids:
            return []
        claimed = (
            (
                await conn.execute(
                    update(notify_log)
                    .where(due, notify_log.c.id.in_(ids))
                    .values(send_after=now + LEASE)
                    .returning(notify_log.c.id)
                )
            )
            .scalars()
            .all()
        )
        rows = await conn.execute(
            select(notify_log).where(notify_log.c.id.in_(claimed)).order_by(notify_log.c.id)
        )
        return [_log_row(r) for r in rows]


async def mark_sent(store: Store, ids: Iterable[int], now: datetime) -> None:
    async with store.writing() as conn:
        await conn.execute(
            update(notify_log)
            .where(notify_log.c.id.in_(list(ids)))
            .values(state=SENT, sent_at=now, last_error=None)
        )


async def mark_failed(
    store: Store, rows: Iterable[LogRow], now: datetime, error: str, *, final: bool = False
) -> list[LogRow]:
    """Record a failed send: retried later with backoff, or failed for good after
    ``MAX_ATTEMPTS`` (or at once when ``final``: a target no longer configured). Returns
    the rows as they are now."""
    updated = []
    async with store.writing() as conn:
        for row in rows:
            attempts = row.attempts + 1
            gave_up = final or attempts >= MAX_ATTEMPTS
            state = FAILED if gave_up else PENDING
            # A failed row's send_after is when it was given up (what `failing` counts from).
            after = now if gave_up else now + retry_delay(attempts)
            await conn.execute(
                update(notify_log)
                .where(notify_log.c.id == row.id)
                .values(state=state, attempts=attempts, last_error=error[:500], send_after=after)
            )
            updated.append(_replace(row, state=state, attempts=attempts, last_error=error, send_after=after))
    return updated


def _replace(row: LogRow, **changes: object) -> LogRow:
    return LogRow(**{**row.__dict__, **changes})


async def next_due(store: Store) -> datetime | None:
    """When the earliest pending row may be sent (a retry, quiet hours ending, a digest)."""
    async with store.reading() as conn:
        query = select(func.min(notify_log.c.send_after)).where(notify_log.c.state == PENDING)
        value: datetime | None = (await conn.execute(query)).scalar_one()
        return value


# -- reading ------------------------------------------------------------------------------


async def recent(store: Store, *, limit: int = 50) -> list[LogRow]:
    async with store.reading() as conn:
        rows = await conn.execute(select(notify_log).order_by(notify_log.c.id.desc()).limit(limit))
        return [_log_row(r) for r in rows]


async def failing(store: Store, now: datetime, *, within: timedelta = timedelta(days=1)) -> int:
    """Messages whose last send failed: waiting for a retry, or given up within ``within``."""
    retrying = and_(notify_log.c.state == PENDING, notify_log.c.attempts > 0)
    gave_up = and_(notify_log.c.state == FAILED, notify_log.c.send_after >= now - within)
    async with store.reading() as conn:
        count = (await conn.execute(select(func.count()).where(or_(retrying, gave_up)))).scalar_one()
        return int(count)


# -- watchers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Watcher:
    shipment_id: int
    carrier: str
    tracking_number: str
    url: str


async def watchers_of(conn: AsyncConnection, shipment_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = sorted(set(shipment_ids))
    found: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        query = select(notify_watchers.c.shipment_id, notify_watchers.c.url).where(
            notify_watchers.c.shipment_id.in_(ids[start : start + 500])
        )
        for sid, url in await conn.execute(query.order_by(notify_watchers.c.id)):
            found[sid].append(url)
    return found


async def all_watcher_urls(store: Store) -> list[str]:
    async with store.reading() as conn:
        return list((await conn.execute(select(notify_watchers.c.url).distinct())).scalars())


async def add_watcher(store: Store, shipment_id: int, url: str, now: datetime) -> bool:
    """Tell ``url`` about every fact of the shipment; False when it already was."""
    async with store.writing() as conn:
        result = await conn.execute(
            insert_ignore(conn.dialect, notify_watchers),
            [{"shipment_id": shipment_id, "target": target_key(url), "url": url.strip(), "created_at": now}],
        )
        return bool(result.rowcount)


async def remove_watchers(store: Store, shipment_id: int, url: str | None = None) -> int:
    """Stop telling ``url`` (every watcher when None) about the shipment; how many stopped."""
    where = notify_watchers.c.shipment_id == shipment_id
    if url is not None:
        where = where & (notify_watchers.c.target == target_key(url))
    async with store.writing() as conn:
        return int((await conn.execute(delete(notify_watchers).where(where))).rowcount)


async def list_watchers(store: Store) -> list[Watcher]:
    query = (
        select(shipments.c.id, shipments.c.carrier, shipments.c.tracking_number, notify_watchers.c.url)
        .join(shipments, shipments.c.id == notify_watchers.c.shipment_id)
        .order_by(shipments.c.tracking_number, notify_watchers.c.id)
    )
    async with store.reading() as conn:
        return [Watcher(*r) for r in await conn.execute(query)]
