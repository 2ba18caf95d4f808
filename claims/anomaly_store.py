"""Anomalies in the store: open ones read back, changes written with their history.

All set-based: one statement per kind of change for the whole pass. Ids of new anomalies
are allocated before the insert (PostgreSQL: from the sequence; SQLite: after the largest,
safe because the evaluation is SQLite's only writer, BEGIN IMMEDIATE), so their history
rows can be written in the same pass.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from claims.model import AnomalyKind, AnomalyState
from claims.reconcile import Changes, OpenRow, details_json, evidence_json
from claims.rule_inputs import Batch
from parcel_watch.store import bulk
from parcel_watch.store.schema import anomalies, anomaly_changes, rule_watermarks, shipments

ANOMALY_COLUMNS = (
    "id",
    "shipment_id",
    "kind",
    "state",
    "since",
    "opened_at",
    "updated_at",
    "details",
    "evidence",
)
CHANGE_COLUMNS = ("anomaly_id", "at", "change", "details")
_WATERMARK_ID = 1


class Change:
    OPENED = "opened"
    UPDATED = "updated"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Watermark:
    event_id: int
    revision_id: int
    evaluated_at: datetime


async def read_watermark(conn: AsyncConnection) -> Watermark | None:
    query = select(rule_watermarks.c.event_id, rule_watermarks.c.revision_id, rule_watermarks.c.evaluated_at)
    row = (await conn.execute(query.where(rule_watermarks.c.id == _WATERMARK_ID))).first()
    return Watermark(int(row[0]), int(row[1]), row[2]) if row is not None else None


async def write_watermark(conn: AsyncConnection, event_id: int, revision_id: int, now: datetime) -> None:
    """Never moves back: a slower evaluation that saw less cannot undo a newer one's mark."""
    found = await read_watermark(conn)
    if found is None:
        await conn.execute(
            rule_watermarks.insert().values(
                id=_WATERMARK_ID, event_id=event_id, revision_id=revision_id, evaluated_at=now
            )
        )
        return
    await conn.execute(
        rule_watermarks.update()
        .where(rule_watermarks.c.id == _WATERMARK_ID)
        .values(
            event_id=max(event_id, found.event_id),
            revision_id=max(revision_id, found.revision_id),
            evaluated_at=now,
        )
    )


async def load_open(conn: AsyncConnection, batch: Batch) -> dict[tuple[int, AnomalyKind], OpenRow]:
    a = anomalies.c
    query = select(a.id, a.shipment_id, a.kind, a.since, a.details, a.evidence).where(
        a.state == AnomalyState.OPEN.value, batch.where(conn, a.shipment_id)
    )
    found: dict[tuple[int, AnomalyKind], OpenRow] = {}
    for aid, sid, kind, since, details, evidence in (await conn.execute(query)).all():
        row = OpenRow(aid, sid, AnomalyKind(kind), since, details, evidence)
        found[(sid, row.kind)] = row
    return found


async def _allocate_ids(conn: AsyncConnection, n: int) -> list[int]:
    if n == 0:
        return []
    if conn.dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence('anomalies', 'id')) FROM generate_series(1, :n)")
        return [int(row[0]) for row in (await conn.execute(query, {"n": n})).all()]
    first = int((await conn.execute(select(func.coalesce(func.max(anomalies.c.id), 0)))).scalar_one()) + 1
    return list(range(first, first + n))


def _history(details: str, evidence: str) -> str:
    return f'{{"details":{details},"evidence":{evidence}}}'


async def write_changes(conn: AsyncConnection, changes: Changes, now: datetime) -> list[int]:
    """Record ``changes`` at ``now``; returns the ids of the anomalies opened."""
    as_time = bulk.time_param(conn.dialect)
    at = as_time(now)
    history: list[tuple[Any, ...]] = []
    ids = await _allocate_ids(conn, len(changes.opened))
    rows = []
    for aid, anomaly in zip(ids, changes.opened, strict=True):
        details, evidence = details_json(anomaly), evidence_json(anomaly)
        rows.append(
            (
                aid,
                anomaly.shipment_id,
                anomaly.kind.value,
                AnomalyState.OPEN.value,
                as_time(anomaly.since),
                at,
                at,
                details,
                evidence,
            )
        )
        history.append((aid, at, Change.OPENED, _history(details, evidence)))
    if rows:
        await bulk.insert_ignore_rows(conn, anomalies, ANOMALY_COLUMNS, rows)
    updates = []
    for row, anomaly in changes.updated:
        details, evidence = details_json(anomaly), evidence_json(anomaly)
        updates.append((as_time(anomaly.since), at, details, evidence, row.id))
        history.append((row.id, at, Change.UPDATED, _history(details, evidence)))
    if updates:
        await bulk.update_rows(conn, anomalies, ("since", "updated_at", "details", "evidence"), updates)
    # Columns in table order: the compiled UPDATE lists them so.
    resolved = [(AnomalyState.RESOLVED.value, at, at, row.id) for row in changes.resolved]
    history += [
        (row.id, at, Change.RESOLVED, _history(row.details, row.evidence)) for row in changes.resolved
    ]
    if resolved:
        await bulk.update_rows(conn, anomalies, ("state", "updated_at", "resolved_at"), resolved)
    if history:
        await bulk.insert_ignore_rows(conn, anomaly_changes, CHANGE_COLUMNS, history)
    return ids


async def set_due(conn: AsyncConnection, due: Sequence[tuple[datetime, int, Any]]) -> None:
    """Store each evaluated shipment's next recheck: (when, id, updated_at as read). A shipment
    edited since it was read keeps rules_due_at NULL (set by the edit): it is looked at again."""
    as_time = bulk.time_param(conn.dialect)
    rows = [(as_time(when), sid, seen) for when, sid, seen in due]
    if rows:
        await bulk.update_rows(conn, shipments, ("rules_due_at",), rows, keys=("id", "updated_at"))


def parse_details(raw: str) -> dict[str, str | int | None]:
    value = json.loads(raw)
    return value if isinstance(value, dict) else {}


def parse_evidence(raw: str) -> tuple[int, ...]:
    value = json.loads(raw)
    return tuple(int(i) for i in value) if isinstance(value, list) else ()
