"""Running a purge over the store (what goes and why: ``parcel_watch.purge``).

1. Plan, reading only: page through the qualifying shipments and hold back those a claim
   may still need (an open claim; an open anomaly whose claim could still be filed, which
   drafting it today tells).
2. Payloads, reading only: the ones referenced by the planned shipments' events and by no
   other shipment's (one pass over the events), plus the unreferenced ones older than the
   cutoff.
3. Write, one transaction per chunk of shipments; then the unreferenced payloads in chunks.
   A dry run reads what each chunk would change and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from claims import facts as claim_facts
from claims.drafting import Situation, draft_claims
from claims.evaluation import open_anomalies
from claims.lifecycle import claimant_today
from claims.model import ClaimFacts
from claims.sdr import SdrRates, bundled_rates
from parcel_watch.purge import Hold, PurgeReport, claim_open, window_open
from parcel_watch.store import Store
from parcel_watch.store import purge as sp

CHUNK = 500  # shipments per transaction: a short hold on SQLite's single writer


def _chunks(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def claim_hold(refs: Sequence[sp.ClaimRef], now: datetime) -> bool:
    return any(claim_open(r.status, r.latest, claimant_today(r.time_zone, now)) for r in refs)


async def window_hold(
    store: Store, shipment_id: int, refs: Sequence[sp.ClaimRef], now: datetime, rates: SdrRates
) -> bool:
    """Whether a claim not stored yet could still be filed for an open anomaly of the shipment."""
    found = await store.by_ids([shipment_id])
    exact = await store.find(found[0].tracking_number, found[0].carrier) if found else []
    if not exact:
        return False
    shipment = exact[0]
    facts = await claim_facts.load(store, shipment_id) or ClaimFacts()
    situation = Situation(shipment, await store.timeline(shipment_id), facts, now, rates)
    stored = {(r.anomaly, r.policy_id) for r in refs}
    for anomaly in await open_anomalies(store, shipment_id):
        for drafted in draft_claims(anomaly.as_anomaly(), situation):
            draft = drafted.draft
            if (draft.anomaly.value, draft.policy.id) in stored:
                continue  # that claim's own status decided
            if draft.deadline is None:
                if "deadline_unknown" in draft.warnings:
                    return True  # a fact is missing to count the window: it may be open
                continue  # the policy sets no window to meet
            if window_open(draft.deadline.latest, claimant_today(draft.deadline.time_zone, now)):
                return True
    return False


async def purge(
    store: Store,
    age: timedelta,
    now: datetime,
    *,
    dry_run: bool = False,
    chunk: int = CHUNK,
    rates: SdrRates | None = None,
) -> PurgeReport:
    cutoff = now - age
    report = PurgeReport(cutoff=cutoff, dry_run=dry_run)
    plan = await _plan(store, cutoff, now, chunk, rates or bundled_rates(), report)
    async with store.reading() as conn:
        referenced: set[int] = set()
        for part in _chunks(plan, chunk):
            referenced |= await sp.payloads_of(conn, part)
        kept = await sp.shared(conn, referenced, plan)
        orphans = await sp.old_orphans(conn, cutoff)
        deletable = (referenced - kept) | orphans
        report.payloads_shared = len(kept)
        report.payloads_deleted, report.bytes_freed = await sp.live_bytes(conn, deletable)
    for part in _chunks(plan, chunk):
        if dry_run:
            async with store.reading() as conn:
                changes = await sp.chunk_changes(conn, part, deletable)
        else:
            async with store.writing() as conn:
                await sp.secure_delete(conn)
                part = await sp.still_qualifying(conn, part, cutoff)
                changes = await sp.chunk_changes(conn, part, deletable)
                await sp.apply(conn, changes)
        report.purged += len(changes.touched)
        report.already_purged += len(part) - len(changes.touched)
        report.events_redacted += changes.events_redacted
    if not dry_run:
        for part in _chunks(sorted(orphans), chunk * 4):
            async with store.writing() as conn:
                await sp.secure_delete(conn)
                await sp.tombstone(conn, part)
        report.sqlite_wal_truncated = await sp.truncate_wal(store.engine)
    return report


async def _plan(
    store: Store, cutoff: datetime, now: datetime, chunk: int, rates: SdrRates, report: PurgeReport
) -> list[int]:
    plan: list[int] = []
    after = 0
    while True:
        async with store.reading() as conn:
            found = await sp.candidates(conn, cutoff, after, chunk)
            if not found:
                return plan
            ids = [c.id for c in found]
            refs = await sp.claims_of(conn, ids)
            anomalous = await sp.with_open_anomalies(conn, ids)
        after = ids[-1]
        for candidate in found:
            report.qualifying += 1
            mine = refs.get(candidate.id, [])
            if claim_hold(mine, now):
                report.hold(Hold.CLAIM_OPEN)
            elif candidate.id in anomalous and await window_hold(store, candidate.id, mine, now, rates):
                report.hold(Hold.CLAIM_WINDOW_OPEN)
            else:
                plan.append(candidate.id)
