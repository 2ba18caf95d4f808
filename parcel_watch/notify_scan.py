"""Reading facts out of the store: status changes from new events, anomalies opened, claim
deadlines near. The notifier keeps how far it has looked in the store; the dashboard's
toasts keep it in memory (:class:`FactScanner`).

Events and anomaly changes are read by id ranges: ids only grow. On PostgreSQL several
writers commit out of id order, so the upper mark is read while briefly holding SHARE locks
on both tables (as the rule evaluation does): no row below it can still be uncommitted.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from claims.lifecycle import due_within
from parcel_watch.notify_facts import (
    Fact,
    ScanEvent,
    ShipmentRef,
    anomaly_fact,
    deadline_fact,
    deadline_threshold,
    status_facts,
)
from parcel_watch.status import Status
from parcel_watch.store import Store
from parcel_watch.store.schema import anomalies, anomaly_changes, events, shipments

_CHUNK = 500  # shipments per query (bound parameters stay well under every backend's limit)


@dataclass(frozen=True)
class Marks:
    """The newest event and anomaly change looked at."""

    event_id: int = 0
    anomaly_change_id: int = 0


async def high_marks(store: Store) -> Marks:
    """The newest committed event and anomaly change ids, now."""
    async with store.engine.connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            # SHARE waits for the open transactions that write these tables and lets no new
            # one start until this commits: every id at or below the maxima is committed.
            await conn.execute(text("LOCK TABLE events, anomaly_changes IN SHARE MODE"))
        event_id = (await conn.execute(select(func.coalesce(func.max(events.c.id), 0)))).scalar_one()
        change_id = (
            await conn.execute(select(func.coalesce(func.max(anomaly_changes.c.id), 0)))
        ).scalar_one()
    return Marks(int(event_id), int(change_id))


async def scan(
    store: Store, since: Marks, upto: Marks, now: datetime, deadline_days: Sequence[int]
) -> list[Fact]:
    """The facts between ``since`` and ``upto`` that are not stale at ``now``, and the claim
    deadlines due a reminder at ``now``."""
    async with store.reading() as conn:
        found = await _status_facts(conn, since.event_id, upto.event_id)
        found += await _anomaly_facts(conn, since.anomaly_change_id, upto.anomaly_change_id)
    found += await _deadline_facts(store, now, deadline_days)
    return [f for f in found if not f.is_stale(now)]


def _ref(row: object) -> ShipmentRef:
    return ShipmentRef(row.id, row.carrier, row.tracking_number, row.label)  # type: ignore[attr-defined]


async def _shipments(conn: AsyncConnection, ids: Collection[int]) -> dict[int, ShipmentRef]:
    cols = (shipments.c.id, shipments.c.carrier, shipments.c.tracking_number, shipments.c.label)
    found: dict[int, ShipmentRef] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        rows = await conn.execute(select(*cols).where(shipments.c.id.in_(ordered[start : start + _CHUNK])))
        found.update((r.id, _ref(r)) for r in rows)
    return found


async def _status_facts(conn: AsyncConnection, since: int, upto: int) -> list[Fact]:
    if upto <= since:
        return []
    touched = (
        await conn.execute(
            select(events.c.shipment_id).where(events.c.id > since, events.c.id <= upto).distinct()
        )
    ).scalars()
    ids = sorted(touched)
    facts: list[Fact] = []
    cols = (
        events.c.id,
        events.c.shipment_id,
        events.c.occurred_at,
        events.c.status,
        events.c.substatus,
        events.c.description,
        events.c.city,
        events.c.country,
        events.c.local_time,
        events.c.received_at,
    )
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        refs = await _shipments(conn, chunk)
        timelines: dict[int, list[ScanEvent]] = defaultdict(list)
        # Events above ``upto`` belong to the next scan, whole: a fold must not see half of them.
        rows = await conn.execute(select(*cols).where(events.c.shipment_id.in_(chunk), events.c.id <= upto))
        for r in rows:
            timelines[r.shipment_id].append(
                ScanEvent(
                    r.id,
                    r.occurred_at,
                    Status(r.status),
                    r.substatus,
                    r.description,
                    r.city,
                    r.country,
                    r.local_time,
                    r.received_at,
                )
            )
        for sid in chunk:
            if sid in refs:
                facts += status_facts(refs[sid], timelines[sid], since)
    return facts


async def _anomaly_facts(conn: AsyncConnection, since: int, upto: int) -> list[Fact]:
    if upto <= since:
        return []
    query = (
        select(
            anomaly_changes.c.at,
            anomalies.c.id.label("anomaly_id"),
            anomalies.c.kind,
            anomalies.c.details,
            shipments.c.id,
            shipments.c.carrier,
            shipments.c.tracking_number,
            shipments.c.label,
        )
        .join(anomalies, anomalies.c.id == anomaly_changes.c.anomaly_id)
        .join(shipments, shipments.c.id == anomalies.c.shipment_id)
        .where(
            anomaly_changes.c.id > since,
            anomaly_changes.c.id <= upto,
            anomaly_changes.c.change == "opened",
            anomalies.c.state == "open",  # resolved before anyone was told: no longer news
        )
        .order_by(anomaly_changes.c.id)
    )
    return [
        anomaly_fact(_ref(r), r.anomaly_id, r.kind, r.at, _details(r.details))
        for r in await conn.execute(query)
    ]


def _details(raw: str) -> dict[str, str | int | None]:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if v is None or isinstance(v, str | int)}


async def _deadline_facts(store: Store, now: datetime, days: Sequence[int]) -> list[Fact]:
    if not days:
        return []
    reminders = await due_within(store, now, max(days))
    if not reminders:
        return []
    async with store.reading() as conn:
        refs = await _shipments(conn, {r.claim.shipment_id for r in reminders})
    facts = []
    for r in reminders:
        threshold = deadline_threshold(r.days_left, days)
        if threshold is None or r.claim.shipment_id not in refs:
            continue
        c = r.claim
        facts.append(
            deadline_fact(
                refs[c.shipment_id],
                c.id,
                c.anomaly.value,
                c.respondent.value,
                r.latest,
                r.days_left,
                threshold,
                now,
            )
        )
    return facts


class FactScanner:
    """New facts since the scanner started, each once (the dashboard's toasts).

    Claim deadlines are found again on every scan; the keys already given are remembered
    (the most recent ``memory`` of them) so each is given once."""

    def __init__(self, store: Store, deadline_days: Sequence[int], *, memory: int = 10_000) -> None:
        self.store = store
        self.deadline_days = tuple(deadline_days)
        self.marks: Marks | None = None
        self._given: dict[str, None] = {}
        self._memory = memory

    async def start(self, now: datetime) -> None:
        """Begin at what the store holds now: what is already there is not news, and
        neither are the claim deadlines already near."""
        self.marks = await high_marks(self.store)
        self._remember(await _deadline_facts(self.store, now, self.deadline_days))

    def _remember(self, facts: Sequence[Fact]) -> None:
        for fact in facts:
            self._given[fact.key] = None
        while len(self._given) > self._memory:
            del self._given[next(iter(self._given))]

    async def scan(self, now: datetime) -> list[Fact]:
        if self.marks is None:
            await self.start(now)
        assert self.marks is not None
        upto = await high_marks(self.store)
        facts = await scan(self.store, self.marks, upto, now, self.deadline_days)
        self.marks = upto
        new = [f for f in facts if f.key not in self._given]
        self._remember(new)
        return new
