"""The claim lifecycle in the store (SQLite and PostgreSQL): transitions, history, expiry, reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from claims import lifecycle
from claims.lifecycle import ClaimNotFound, InvalidTransition
from claims.model import ClaimStatus
from parcel_watch.store import Store
from tests.claims.builders import NOW, draft, other_policy, stored_shipment


async def test_a_new_draft_is_stored_as_a_draft_with_who_drafted_it(store: Store) -> None:
    sid = await stored_shipment(store)
    document = {"letter": "v1", "fields": {"tracking_number": "1Z", "carrier": "ups", "amount": "80"}}
    [claim] = await lifecycle.record_drafts(store, [(draft(sid), document)], by="alice", now=NOW)
    assert claim.status is ClaimStatus.DRAFT
    assert (str(claim.amount.amount) if claim.amount else None, claim.latest) == ("80.00", date(2026, 4, 30))
    assert claim.document == document
    assert list(claim.document["fields"]) == ["tracking_number", "carrier", "amount"]  # the form's order
    [created] = await lifecycle.history(store, claim.id)
    assert (created.from_status, created.to_status, created.by, created.at) == (
        None,
        ClaimStatus.DRAFT,
        "alice",
        NOW,
    )


async def test_a_claim_goes_through_its_whole_life_and_every_step_is_in_its_history(store: Store) -> None:
    sid = await stored_shipment(store)
    [claim] = await lifecycle.record_drafts(store, [(draft(sid), {})], by="alice", now=NOW)
    steps = [
        (ClaimStatus.READY, "bob", None),
        (ClaimStatus.FILED, "bob", "sent by e-mail to claims@carrier"),
        (ClaimStatus.ACKNOWLEDGED, "alice", "case 4711"),
        (ClaimStatus.PARTIALLY_PAID, "alice", "40 USD received"),
        (ClaimStatus.PAID, "alice", "rest received"),
    ]
    for hour, (status, by, note) in enumerate(steps, start=1):
        changed = await lifecycle.set_status(
            store, claim.id, status, by=by, now=NOW + timedelta(hours=hour), note=note
        )
        assert changed.status is status
    trail = await lifecycle.history(store, claim.id)
    assert [(c.from_status, c.to_status, c.by, c.note) for c in trail[1:]] == [
        (ClaimStatus.DRAFT, ClaimStatus.READY, "bob", None),
        (ClaimStatus.READY, ClaimStatus.FILED, "bob", "sent by e-mail to claims@carrier"),
        (ClaimStatus.FILED, ClaimStatus.ACKNOWLEDGED, "alice", "case 4711"),
        (ClaimStatus.ACKNOWLEDGED, ClaimStatus.PARTIALLY_PAID, "alice", "40 USD received"),
        (ClaimStatus.PARTIALLY_PAID, ClaimStatus.PAID, "alice", "rest received"),
    ]
    assert [c.at for c in trail] == [NOW + timedelta(hours=h) for h in range(6)]
    with pytest.raises(InvalidTransition, match="paid: that is final"):
        await lifecycle.set_status(store, claim.id, ClaimStatus.FILED, by="bob", now=NOW + timedelta(days=1))


async def test_an_invalid_transition_is_refused_and_changes_nothing(store: Store) -> None:
    sid = await stored_shipment(store)
    [claim] = await lifecycle.record_drafts(store, [(draft(sid), {})], by="alice", now=NOW)
    with pytest.raises(
        InvalidTransition, match="cannot go from draft to filed; .* can go to: expired, ready"
    ):
        await lifecycle.set_status(store, claim.id, ClaimStatus.FILED, by="bob", now=NOW)
    assert (await lifecycle.get(store, claim.id)).status is ClaimStatus.DRAFT
    assert len(await lifecycle.history(store, claim.id)) == 1
    with pytest.raises(ClaimNotFound):
        await lifecycle.set_status(store, claim.id + 99, ClaimStatus.READY, by="bob", now=NOW)


async def test_a_denied_claim_can_be_filed_again_on_appeal(store: Store) -> None:
    sid = await stored_shipment(store)
    [claim] = await lifecycle.record_drafts(store, [(draft(sid), {})], by="alice", now=NOW)
    for status in (ClaimStatus.READY, ClaimStatus.FILED, ClaimStatus.DENIED, ClaimStatus.FILED):
        await lifecycle.set_status(store, claim.id, status, by="alice", now=NOW)
    assert (await lifecycle.get(store, claim.id)).status is ClaimStatus.FILED


async def test_drafting_again_refreshes_an_unfiled_claim_but_never_a_filed_one(store: Store) -> None:
    sid = await stored_shipment(store)
    [first, second] = await lifecycle.record_drafts(
        store,
        [(draft(sid), {"v": 1}), (draft(sid, policy=other_policy("b")), {"v": 1})],
        by="alice",
        now=NOW,
    )
    await lifecycle.set_status(store, second.id, ClaimStatus.READY, by="alice", now=NOW)
    await lifecycle.set_status(store, second.id, ClaimStatus.FILED, by="alice", now=NOW)
    later = NOW + timedelta(days=2)
    again = await lifecycle.record_drafts(
        store,
        [
            (draft(sid, amount="95.00"), {"v": 2}),
            (draft(sid, policy=other_policy("b"), amount="95.00"), {"v": 2}),
        ],
        by="alice",
        now=later,
    )
    assert [c.id for c in again] == [first.id, second.id]  # the same claims, not new ones
    assert (again[0].document, str(again[0].amount.amount if again[0].amount else "")) == ({"v": 2}, "95.00")
    assert (again[1].document, again[1].status) == ({"v": 1}, ClaimStatus.FILED)
    assert len(await lifecycle.list_claims(store, shipment_id=sid)) == 2
    assert [c.id for c in await lifecycle.list_claims(store, status=ClaimStatus.FILED)] == [second.id]


async def test_a_claim_whose_window_closed_in_its_claimants_zone_expires(store: Store) -> None:
    sid = await stored_shipment(store)
    last_day = date(2026, 3, 10)
    # 20:00 UTC on the last day: already the 11th in Shanghai, still the 10th in Los Angeles.
    now = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)
    shanghai, los_angeles, filed = await lifecycle.record_drafts(
        store,
        [
            (draft(sid, policy=other_policy("sh"), latest=last_day, time_zone="Asia/Shanghai"), {}),
            (draft(sid, policy=other_policy("la"), latest=last_day, time_zone="America/Los_Angeles"), {}),
            (draft(sid, policy=other_policy("filed"), latest=date(2026, 3, 1)), {}),
        ],
        by="alice",
        now=now - timedelta(days=30),
    )
    for status in (ClaimStatus.READY, ClaimStatus.FILED):
        await lifecycle.set_status(store, filed.id, status, by="alice", now=now - timedelta(days=20))

    [expired] = await lifecycle.expire_closed(store, now)
    assert (expired.id, expired.status) == (shanghai.id, ClaimStatus.EXPIRED)
    last = (await lifecycle.history(store, shanghai.id))[-1]
    assert (last.by, last.note) == (lifecycle.SYSTEM_ACTOR, "the claim window closed on 2026-03-10")
    assert (await lifecycle.get(store, los_angeles.id)).status is ClaimStatus.DRAFT
    assert (await lifecycle.get(store, filed.id)).status is ClaimStatus.FILED  # filed in time: not expired
    assert await lifecycle.expire_closed(store, now) == []  # once
    with pytest.raises(InvalidTransition, match="expired: that is final"):
        await lifecycle.set_status(store, shanghai.id, ClaimStatus.READY, by="alice", now=now)


async def test_reminders_list_unfiled_claims_whose_last_day_is_near_soonest_first(store: Store) -> None:
    sid = await stored_shipment(store)
    today = NOW.date()
    recorded = await lifecycle.record_drafts(
        store,
        [
            (draft(sid, policy=other_policy(str(days)), latest=today + timedelta(days=days)), {})
            for days in (10, 5, 0, 2, -1)
        ],
        by="alice",
        now=NOW,
    )
    by_days = dict(zip((10, 5, 0, 2, -1), recorded, strict=True))
    await lifecycle.set_status(store, by_days[2].id, ClaimStatus.READY, by="alice", now=NOW)
    reminders = await lifecycle.due_within(store, NOW, 7)
    assert [(r.claim.id, r.days_left) for r in reminders] == [
        (by_days[0].id, 0),
        (by_days[2].id, 2),
        (by_days[5].id, 5),
    ]
    await lifecycle.set_status(store, by_days[5].id, ClaimStatus.READY, by="alice", now=NOW)
    await lifecycle.set_status(store, by_days[5].id, ClaimStatus.FILED, by="alice", now=NOW)
    assert by_days[5].id not in [r.claim.id for r in await lifecycle.due_within(store, NOW, 7)]


async def test_removing_a_shipment_removes_its_claims_and_their_history(store: Store) -> None:
    sid = await stored_shipment(store)
    [claim] = await lifecycle.record_drafts(store, [(draft(sid), {})], by="alice", now=NOW)
    assert await store.remove("1Z5R89390357567127") == 1
    assert await lifecycle.list_claims(store) == []
    assert await lifecycle.history(store, claim.id) == []
