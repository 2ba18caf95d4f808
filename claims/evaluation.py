"""Incremental anomaly evaluation over the store, and the anomalies it keeps.

API (what the claims code and the CLI call)::

    result = await evaluate(store, now)            # EvaluationResult(opened, updated, resolved,
                                                   #   evaluated_shipments, opened_ids)
    found = await open_anomalies(store)            # [StoredAnomaly(id, shipment_id, kind, since,
    found = await open_anomalies(store, shipment_id=7)  #   details, evidence (event ids), ...)]
    changes = await anomaly_history(store, anomaly_id)  # [AnomalyChange(at, change, details)]

``evaluate`` looks only at shipments that changed since the last evaluation: those with
events or estimated deliveries newer than its watermarks (ids only grow), those whose facts
were edited (``rules_due_at`` NULL), and those whose stored recheck time (the earliest
deadline crossing any rule reported) has come. The first evaluation, or ``full=True``,
looks at every shipment. Each shipment's events are summarised once and every rule reads
the summary (``claims.rules``); the results are reconciled with the open anomalies
(``claims.reconcile``): opened once per (shipment, kind), updated when what they say
changes, resolved when no longer found, each change recorded with its time in
``anomaly_changes``. ``now`` is the evaluation's clock (the demo's is simulated).

Concurrency: on SQLite the pass is one write transaction (SQLite's single writer; a full
pass over a large store holds the write lock for its duration, an incremental one briefly). On
PostgreSQL evaluations queue on an advisory lock, and the event watermark is read while
briefly holding SHARE locks on the event tables, so no event with a smaller id can still
be uncommitted when the watermark moves past it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.util import LRUCache

from claims import lanes
from claims.anomaly_store import (
    load_open,
    parse_details,
    parse_evidence,
    read_watermark,
    set_due,
    write_changes,
    write_watermark,
)
from claims.model import Anomaly, AnomalyKind, AnomalyState
from claims.reconcile import reconcile
from claims.rule_inputs import (
    Batch,
    LoadedShipment,
    batches,
    dirty_shipment_ids,
    load_events,
    load_shipments,
    max_ids,
    recent_delivered,
)
from claims.rules import (
    LaneStats,
    RuleEvent,
    Summary,
    ThresholdTable,
    context_for,
    evaluate_shipment,
    summarize,
)
from claims.rules.base import is_moving
from parcel_watch.store import Store
from parcel_watch.store.eventrows import gc_paused
from parcel_watch.store.schedule import NEVER
from parcel_watch.store.schema import anomalies, anomaly_changes, shipments

log = logging.getLogger(__name__)
# The pass's statements compiled once per process, not once per engine: a CLI run opens a
# new engine each time, and compiling a dozen statements costs more than a small pass.
BATCH_SHIPMENTS = 20_000  # a full pass holds one batch's events in memory at a time
_COMPILED: LRUCache[Any, Any] = LRUCache(200)
_LOCK_KEY = 0x70_77_72_75  # pg_advisory_xact_lock key of rule evaluations ("pwru")


@dataclass(frozen=True)
class EvaluationResult:
    opened: int
    updated: int
    resolved: int
    evaluated_shipments: int
    opened_ids: tuple[int, ...] = field(default=(), repr=False)


_NOTHING = EvaluationResult(0, 0, 0, 0)


@dataclass(frozen=True)
class StoredAnomaly:
    id: int
    shipment_id: int
    kind: AnomalyKind
    state: AnomalyState
    since: datetime
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    details: dict[str, str | int | None]
    evidence: tuple[int, ...]  # event ids
    tracking_number: str
    carrier: str
    label: str | None

    def as_anomaly(self) -> Anomaly:
        return Anomaly(self.kind, self.shipment_id, self.since, self.evidence, dict(self.details))


@dataclass(frozen=True)
class AnomalyChange:
    at: datetime
    change: str  # "opened", "updated", "resolved"
    details: dict[str, object]


async def _postgres_watermarks(store: Store) -> tuple[int, int]:
    async with store.engine.connect() as conn, conn.begin():
        # SHARE waits for every open transaction that inserted events and admits no new one
        # until this commits: every id at or below the maximum read here is committed.
        await conn.execute(text("LOCK TABLE events, estimate_revisions IN SHARE MODE"))
        return await max_ids(conn)


async def evaluate(
    store: Store, now: datetime, *, thresholds: ThresholdTable | None = None, full: bool = False
) -> EvaluationResult:
    """Evaluate the rules on every shipment that changed (all with ``full``) at ``now``."""
    table = thresholds or ThresholdTable()
    clock = _PhaseClock()
    postgres = store.engine.dialect.name == "postgresql"
    marks = await _postgres_watermarks(store) if postgres else None
    async with store.writing() as conn:
        conn = await conn.execution_options(compiled_cache=_COMPILED)
        if postgres:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        else:
            marks = await max_ids(conn)
        assert marks is not None
        mark = await read_watermark(conn)
        ids = (
            None
            if full or mark is None
            else await dirty_shipment_ids(conn, mark.event_id, mark.revision_id, now)
        )
        clock.done("select")
        with gc_paused():  # a full pass holds a million small objects: no GC walks over them
            result = await _evaluate(conn, ids, now, table, clock) if ids is None or ids else _NOTHING
        await write_watermark(conn, *marks, now)
    clock.done("commit")
    log.debug("evaluated %d shipments: %s", result.evaluated_shipments, clock)
    return result


async def _evaluate(
    conn: AsyncConnection,
    ids: Collection[int] | None,
    now: datetime,
    table: ThresholdTable,
    clock: _PhaseClock,
) -> EvaluationResult:
    """The pass, one batch of shipments at a time: memory stays bounded by the batch."""
    if ids is None and conn.dialect.name == "sqlite":
        # Every shipment is evaluated by this, SQLite's only writer: "nothing to recheck"
        # for all in one statement; the batches then set the shipments that have a recheck.
        await conn.execute(shipments.update().values(rules_due_at=NEVER))
    lane_stats: dict[lanes.Lane, LaneStats | None] = {}
    total = _Totals()
    for batch in await batches(conn, ids, BATCH_SHIPMENTS):
        await _evaluate_batch(
            conn,
            batch,
            now,
            table,
            lane_stats,
            total,
            clock,
            set_never=ids is not None or conn.dialect.name != "sqlite",
        )
    return EvaluationResult(
        total.opened, total.updated, total.resolved, total.evaluated, tuple(total.opened_ids)
    )


@dataclass
class _Totals:
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    evaluated: int = 0
    opened_ids: list[int] = field(default_factory=list)


async def _evaluate_batch(
    conn: AsyncConnection,
    batch: Batch,
    now: datetime,
    table: ThresholdTable,
    lane_stats: dict[lanes.Lane, LaneStats | None],
    total: _Totals,
    clock: _PhaseClock,
    *,
    set_never: bool,
) -> None:
    loaded = await load_shipments(conn, batch)
    timelines = await load_events(conn, batch)
    clock.done("read")
    no_events: list[RuleEvent] = []
    summaries = {
        item.shipment.id: summarize(
            timelines.get(item.shipment.id, no_events), item.shipment.destination_country
        )
        for item in loaded
    }
    del timelines  # the summaries are all the rules need
    clock.done("summarise")
    await _add_lane_stats(conn, loaded, summaries, now, table, lane_stats)
    clock.done("lanes")
    found: list[Anomaly] = []
    due: list[tuple[datetime, int, object]] = []
    lookup = table.lookup
    for item in loaded:
        shipment = item.shipment
        summary = summaries[shipment.id]
        th = lookup(shipment.carrier, shipment.service, shipment.origin_country, shipment.destination_country)
        lane = lanes.lane_of(shipment)
        ctx = context_for(shipment, summary, now, th, lane_stats.get(lane) if lane is not None else None)
        verdict = evaluate_shipment(shipment, summary, ctx)
        found.extend(verdict.anomalies)
        if verdict.recheck_at is not None or set_never:
            due.append((verdict.recheck_at or NEVER, shipment.id, item.seen_updated_at))
    clock.done("rules")
    changes = reconcile({item.shipment.id for item in loaded}, found, await load_open(conn, batch))
    clock.done("reconcile")
    total.opened_ids += await write_changes(conn, changes, now)
    await set_due(conn, due)
    clock.done("write")
    total.opened += len(changes.opened)
    total.updated += len(changes.updated)
    total.resolved += len(changes.resolved)
    total.evaluated += len(loaded)


async def _add_lane_stats(
    conn: AsyncConnection,
    loaded: list[LoadedShipment],
    summaries: dict[int, Summary],
    now: datetime,
    table: ThresholdTable,
    lane_stats: dict[lanes.Lane, LaneStats | None],
) -> None:
    """Statistics of the lanes of shipments that could be stalled and whose lane is not
    known yet; the others need none (scanned less than the floor of days ago, a shipment
    cannot be stalled). From each lane's most recent deliveries, read back from the store."""
    needed: set[lanes.Lane] = set()
    for item in loaded:
        shipment, summary = item.shipment, summaries[item.shipment.id]
        lane = lanes.lane_of(shipment)
        if lane is None or lane in lane_stats or summary.last_scan_at is None or not is_moving(summary):
            continue
        th = table.lookup(
            shipment.carrier, shipment.service, shipment.origin_country, shipment.destination_country
        )
        if now - summary.last_scan_at >= timedelta(days=th.stalled_min_business_days):
            needed.add(lane)
    if not needed:
        return
    sample = Batch(ids=await recent_delivered(conn, sorted(needed), table.defaults.lane_sample))
    timelines = await load_events(conn, sample)
    delivered = []
    for item in await load_shipments(conn, sample):
        events = timelines.get(item.shipment.id, [])
        summary = summarize(events, item.shipment.destination_country)
        if summary.delivered_at is not None and summary.last_scan_at is not None:
            delivered.append((item.shipment, summary.delivered_at, summary.last_scan_at, events))
    found = lanes.stats_by_lane(delivered, table.defaults.lane_sample)
    for lane in needed:
        lane_stats[lane] = found.get(lane)


class _PhaseClock:
    """Seconds spent in each phase of a pass (summed over batches), for the debug log."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._last = time.perf_counter()

    def done(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self._last
        self._last = now

    def __str__(self) -> str:
        return ", ".join(f"{name} {seconds:.3f} s" for name, seconds in self.phases.items())


async def open_anomalies(
    store: Store,
    shipment_id: int | None = None,
    *,
    kind: AnomalyKind | None = None,
    include_resolved: bool = False,
) -> list[StoredAnomaly]:
    """Stored anomalies (open ones unless ``include_resolved``), oldest first."""
    a, s = anomalies.c, shipments.c
    query = (
        select(
            a.id,
            a.shipment_id,
            a.kind,
            a.state,
            a.since,
            a.opened_at,
            a.updated_at,
            a.resolved_at,
            a.details,
            a.evidence,
            s.tracking_number,
            s.carrier,
            s.label,
        )
        .join(shipments, shipments.c.id == a.shipment_id)
        .order_by(a.since, a.id)
    )
    if not include_resolved:
        query = query.where(a.state == AnomalyState.OPEN.value)
    if shipment_id is not None:
        query = query.where(a.shipment_id == shipment_id)
    if kind is not None:
        query = query.where(a.kind == kind.value)
    async with store.reading() as conn:
        rows = (await conn.execute(query)).all()
    return [
        StoredAnomaly(
            id=r[0],
            shipment_id=r[1],
            kind=AnomalyKind(r[2]),
            state=AnomalyState(r[3]),
            since=r[4],
            opened_at=r[5],
            updated_at=r[6],
            resolved_at=r[7],
            details=parse_details(r[8]),
            evidence=parse_evidence(r[9]),
            tracking_number=r[10],
            carrier=r[11],
            label=r[12],
        )
        for r in rows
    ]


async def anomaly_history(store: Store, anomaly_id: int) -> list[AnomalyChange]:
    """Every recorded change of one anomaly, oldest first."""
    c = anomaly_changes.c
    query = select(c.at, c.change, c.details).where(c.anomaly_id == anomaly_id).order_by(c.at, c.id)
    async with store.reading() as conn:
        rows = (await conn.execute(query)).all()
    return [AnomalyChange(at, change, dict(parse_details(details))) for at, change, details in rows]
