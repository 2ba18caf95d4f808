"""The support queue over the store (SQLite and PostgreSQL): claims by deadline in the
claimant's zone, filters, and anomalies by the urgency of their claims."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from claims import lifecycle
from claims.claiming import draft_open_claims
from claims.evaluation import evaluate
from claims.model import AnomalyKind, ClaimStatus, Party
from claims.queue import Stage, anomaly_queue, claim_queue
from parcel_watch.model import Shipment
from parcel_watch.status import Status
from parcel_watch.store import Store
from tests.claims.builders import CARRIER_LOSS, draft, other_policy, stored_shipment
from tests.factories import T0, event, item, update

# 20:00 UTC: already the 21st in Shanghai, still the 20th in Los Angeles.
EVENING = datetime(2026, 3, 20, 20, 0, tzinfo=UTC)


async def _record(store: Store, shipment_id: int, name: str, latest: date, time_zone: str = "UTC") -> int:
    one = draft(shipment_id, policy=other_policy(name), latest=latest, time_zone=time_zone)
    [claim] = await lifecycle.record_drafts(store, [(one, {})], by="alice", now=EVENING)
    return claim.id


async def _move(store: Store, claim_id: int, *statuses: ClaimStatus) -> None:
    for status in statuses:
        await lifecycle.set_status(store, claim_id, status, by="bob", now=EVENING)


async def test_claims_come_by_days_left_in_the_claimants_zone_then_waiting_then_closed(store: Store) -> None:
    sid = await stored_shipment(store)
    los_angeles = await _record(store, sid, "la", latest=date(2026, 3, 22), time_zone="America/Los_Angeles")
    shanghai = await _record(store, sid, "sh", latest=date(2026, 3, 22), time_zone="Asia/Shanghai")
    later = await _record(store, sid, "later", latest=date(2026, 4, 30))
    overdue = await _record(store, sid, "overdue", latest=date(2026, 3, 19))
    filed_early = await _record(store, sid, "filed", latest=date(2026, 3, 21))
    paid = await _record(store, sid, "paid", latest=date(2026, 3, 20))
    expired = await _record(store, sid, "expired", latest=date(2026, 3, 1))
    [no_deadline] = await lifecycle.record_drafts(
        store,
        [(replace(draft(sid, policy=other_policy("none")), deadline=None), {})],
        by="alice",
        now=EVENING,
    )
    await _move(store, filed_early, ClaimStatus.READY, ClaimStatus.FILED)
    await _move(store, paid, ClaimStatus.READY, ClaimStatus.FILED, ClaimStatus.PAID)
    await _move(store, expired, ClaimStatus.EXPIRED)

    queue = await claim_queue(store, EVENING)

    assert [(q.claim.id, q.stage, q.days_left) for q in queue] == [
        (overdue, Stage.TO_FILE, -1),
        (shanghai, Stage.TO_FILE, 1),  # the same last day, but Shanghai's today is a day ahead
        (los_angeles, Stage.TO_FILE, 2),
        (later, Stage.TO_FILE, 41),
        (no_deadline.id, Stage.TO_FILE, None),
        (filed_early, Stage.WAITING, 1),
        (expired, Stage.CLOSED, -19),
        (paid, Stage.CLOSED, 0),
    ]
    assert [q.overdue for q in queue[:2]] == [True, False]
    assert not queue[-2].overdue  # expired: closed, not overdue


async def test_claims_filtered_by_status_and_respondent_keep_their_shipment(store: Store) -> None:
    labelled = (
        await store.add(Shipment(tracking_number="1Z5R89390357567127", carrier="ups", label="Boots"))
    ).shipment
    bare = await stored_shipment(store, "9400111899223100000000", "usps")
    seller_rule = replace(CARRIER_LOSS, id="test.seller", party=Party.SELLER)
    assert labelled.id is not None
    to_carrier, to_seller, other = (
        c.id
        for c in await lifecycle.record_drafts(
            store,
            [(draft(labelled.id), {}), (draft(labelled.id, policy=seller_rule), {}), (draft(bare), {})],
            by="alice",
            now=EVENING,
        )
    )
    await _move(store, other, ClaimStatus.READY)

    sellers = await claim_queue(store, EVENING, respondent=Party.SELLER)
    assert [(q.claim.id, q.shipment.name, q.shipment.carrier) for q in sellers] == [
        (to_seller, "Boots", "ups")
    ]
    ready = await claim_queue(store, EVENING, status=ClaimStatus.READY)
    assert [(q.claim.id, q.shipment.name) for q in ready] == [(other, "9400111899223100000000")]
    drafts_to_carriers = await claim_queue(store, EVENING, status=ClaimStatus.DRAFT, respondent=Party.CARRIER)
    assert [q.claim.id for q in drafts_to_carriers] == [to_carrier]


async def _tracked(store: Store) -> dict[str, int]:
    """Three real shipments whose events the rules judge: damaged (claims follow), duties and
    a stall at once, three failed delivery attempts."""
    await store.add(Shipment(tracking_number="819482199352", carrier="fedex", label="Camera"))
    await store.ingest(
        [
            item(
                update(
                    "819482199352",
                    event(0, Status.INFO_RECEIVED, "OC", text="Label created"),
                    event(600, Status.IN_TRANSIT, "AR", text="Package damaged, repacked"),
                    event(1500, Status.DELIVERED, "DL", city="AUSTIN", text="Delivered"),
                )
            ),
            item(
                update(
                    "1Z999AA10123456784",
                    event(0, Status.IN_TRANSIT, "PU", text="Picked up", city="KOELN", country="DE"),
                    event(600, Status.EXCEPTION, "X1", text="Import duties of EUR 23.50 due", country="DE"),
                    carrier="ups",
                ),
                carrier="ups",
            ),
            item(
                update(
                    "9400111899223100000000",
                    *(
                        event(m, Status.DELIVERY_ATTEMPTED, "AT", text="Attempted")
                        for m in (1000, 2500, 4000)
                    ),
                    carrier="usps",
                ),
                carrier="usps",
            ),
        ]
    )
    found = {s.tracking_number: s.id for s in await store.list()}
    return {k: v for k, v in found.items() if v is not None}


async def test_anomalies_with_claims_to_file_come_first_and_say_how_many_and_by_when(store: Store) -> None:
    ids = await _tracked(store)
    now = T0 + timedelta(days=20)
    await evaluate(store, now)
    run = await draft_open_claims(store, now, by="alice")
    camera = [c for c in run.claims if c.shipment_id == ids["819482199352"]]
    assert camera, "the damaged parcel has claims to file"

    queue = await anomaly_queue(store, now)

    first = queue[0]
    assert (first.anomaly.kind, first.shipment.name, first.claims) == (
        AnomalyKind.DAMAGED,
        "Camera",
        len(camera),
    )
    soonest = min(camera, key=lambda c: lifecycle.days_left(c, now) or 0)
    assert (first.nearest, first.days_left) == (soonest.latest, lifecycle.days_left(soonest, now))
    rest = queue[1:]
    assert all(q.claims == 0 and q.nearest is None for q in rest)
    assert [q.anomaly.since for q in rest] == sorted(q.anomaly.since for q in rest)  # oldest first
    summaries = {q.anomaly.kind: q.summary for q in queue}
    assert summaries[AnomalyKind.DUTIES_DUE] == "duties EUR 23.50 to pay"
    assert summaries[AnomalyKind.DELIVERY_FAILED] == "3 delivery attempts failed"

    # Once every claim is filed, none is left to file: the anomaly has no deadline any more.
    for claim in camera:
        await _move(store, claim.id, ClaimStatus.READY, ClaimStatus.FILED)
    after = {q.anomaly.id: q for q in await anomaly_queue(store, now)}
    assert (after[first.anomaly.id].claims, after[first.anomaly.id].nearest) == (len(camera), None)


async def test_resolved_anomalies_are_shown_only_when_asked_and_come_last(store: Store) -> None:
    ids = await _tracked(store)
    now = T0 + timedelta(days=20)
    await evaluate(store, now)
    # The failed parcel is delivered after all: its anomaly resolves.
    await store.ingest(
        [
            item(
                update(
                    "9400111899223100000000",
                    event(5000, Status.DELIVERED, "DL", text="Delivered"),
                    carrier="usps",
                )
            )
        ]
    )
    await evaluate(store, now + timedelta(hours=1))

    open_only = await anomaly_queue(store, now)
    everything = await anomaly_queue(store, now, include_resolved=True)

    assert ids["9400111899223100000000"] not in {q.shipment.id for q in open_only}
    assert everything[-1].resolved
    assert (everything[-1].shipment.id, everything[-1].anomaly.kind) == (
        ids["9400111899223100000000"],
        AnomalyKind.DELIVERY_FAILED,
    )
    assert not any(q.resolved for q in everything[:-1])
    assert len(everything) == len(open_only) + 1
