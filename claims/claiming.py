"""Drafting claims over the store: evaluate the rules, expire what closed, draft what is open.

``draft_open_claims`` is what ``parcel-watch claims draft`` runs: the anomaly rules look at
what changed (``claims.evaluation``); claims whose window has closed move to expired; then
every open anomaly (of one shipment, or all) is drafted with the shipment's timeline and the
facts the user gave, and the drafts are stored (``claims.lifecycle``: new ones as drafts,
unfiled ones refreshed, filed ones left as they were filed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from claims import facts as claim_facts
from claims import lifecycle
from claims.drafting import Drafted, Situation, draft_claims
from claims.evaluation import evaluate, open_anomalies
from claims.lifecycle import StoredClaim
from claims.model import ClaimFacts
from claims.sdr import SdrRates, bundled_rates
from parcel_watch.model import Shipment
from parcel_watch.store import Store


@dataclass(frozen=True)
class DraftRun:
    anomalies: int  # open anomalies looked at
    claims: tuple[StoredClaim, ...]  # drafted or refreshed (filed ones as they are)
    expired: tuple[StoredClaim, ...]  # moved to expired by this run


async def _with_revisions(store: Store, shipment_id: int) -> Shipment | None:
    """The shipment with its estimate history (an anchor of some deadlines)."""
    found = await store.by_ids([shipment_id])
    exact = await store.find(found[0].tracking_number, found[0].carrier) if found else []
    return exact[0] if exact else None


async def draft_open_claims(
    store: Store,
    now: datetime,
    *,
    by: str,
    shipment_id: int | None = None,
    rates: SdrRates | None = None,
) -> DraftRun:
    """Evaluate, expire closed claims, and draft every open anomaly's claims (see module)."""
    await evaluate(store, now)
    expired = await lifecycle.expire_closed(store, now)
    found = await open_anomalies(store, shipment_id)
    rates = rates or bundled_rates()
    drafted: list[Drafted] = []
    for stored in found:
        shipment = await _with_revisions(store, stored.shipment_id)
        if shipment is None or shipment.id is None:
            continue  # removed since the evaluation
        facts = await claim_facts.load(store, shipment.id) or ClaimFacts()
        events = await store.timeline(shipment.id)
        situation = Situation(shipment, events, facts, now, rates)
        drafted.extend(draft_claims(stored.as_anomaly(), situation))
    pairs = [(d.draft, d.document) for d in drafted]
    recorded = await lifecycle.record_drafts(store, list(pairs), by=by, now=now) if pairs else []
    # A claim recorded now whose window had already closed expires at once, not next run.
    expired_now = await lifecycle.expire_closed(store, now)
    if expired_now:
        closed = {c.id: c for c in expired_now}
        recorded = [closed.get(c.id, c) for c in recorded]
    return DraftRun(len(found), tuple(recorded), (*expired, *expired_now))
