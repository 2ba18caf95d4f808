"""Leases and shared request slots in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

from parcel_watch.store import Store
from parcel_watch.store.schedule import PollRecord
from tests.workers.support import add_shipments

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


async def test_two_leases_take_different_shipments_and_leased_ones_are_not_due(store: Store) -> None:
    await add_shipments(store, {"ups": 10}, NOW)
    first = await store.lease(NOW, 4, "a", NOW + LEASE)
    second = await store.lease(NOW, 100, "b", NOW + LEASE)
    assert len(first) == 4 and len(second) == 6
    assert not {s.id for s in first} & {s.id for s in second}
    assert await store.lease(NOW, 100, "c", NOW + LEASE) == []
    assert await store.due(NOW) == []


async def test_a_dead_workers_lease_ends_and_the_shipments_are_due_again(store: Store) -> None:
    await add_shipments(store, {"ups": 3}, NOW)
    await store.lease(NOW, 3, "dead", NOW + LEASE)  # the worker never comes back
    assert await store.lease(NOW + LEASE - timedelta(seconds=1), 3, "b", NOW + 2 * LEASE) == []
    taken = await store.lease(NOW + LEASE, 3, "b", NOW + 2 * LEASE)
    assert len(taken) == 3


async def test_release_hands_back_only_what_the_owner_still_holds(store: Store) -> None:
    await add_shipments(store, {"ups": 3}, NOW)
    mine = await store.lease(NOW, 3, "a", NOW + LEASE)
    ids = [s.id or 0 for s in mine]
    # One poll is recorded (which ends the lease); the other two were never asked.
    await store.record_polls(NOW, [PollRecord(ids[0], NOW + timedelta(hours=4))])
    assert await store.release("someone-else", ids, NOW) == 0
    assert await store.release("a", ids, NOW) == 2
    due = await store.due(NOW)
    assert sorted(s.id for s in due) == sorted(ids[1:])
    assert [s.next_poll_at for s in await store.by_ids([ids[0]])] == [NOW + timedelta(hours=4)]


async def test_request_slots_are_handed_out_in_order_and_never_in_the_past(store: Store) -> None:
    t = 1_000_000.0
    assert await store.reserve_slots("dhl", t, 0.5, 2) == (t, 2)  # slots t, t+0.5
    assert await store.reserve_slots("dhl", t, 0.5, 1) == (t + 1.0, 1)
    assert await store.reserve_slots("ups", t, 0.5, 1) == (t, 1)  # each source on its own
    assert await store.reserve_slots("dhl", t + 60, 0.5, 1) == (t + 60, 1)  # idle: starts now
    await store.hold_source("dhl", t + 120)  # Retry-After
    assert await store.reserve_slots("dhl", t + 61, 0.5, 1) == (t + 120, 1)


async def test_slots_after_a_deadline_are_not_taken(store: Store) -> None:
    t = 1_000_000.0
    assert await store.reserve_slots("dhl", t, 1.0, 5, deadline=t + 2.5) == (t, 3)  # t, t+1, t+2
    assert await store.reserve_slots("dhl", t, 1.0, 2, deadline=t + 2.5) == (t + 3.0, 0)
    assert await store.reserve_slots("dhl", t, 1.0, 1) == (t + 3.0, 1)  # nothing was wasted


async def test_concurrent_leases_from_separate_connections_never_overlap(db_url: str) -> None:
    """Eight stores (eight engines, as eight processes have) lease at once."""
    stores = [await Store.open(db_url) for _ in range(8)]
    try:
        await add_shipments(stores[0], {"ups": 400}, NOW)

        async def drain(i: int, s: Store) -> list[int]:
            got: list[int] = []
            while batch := await s.lease(NOW, 7, f"w{i}", NOW + LEASE):
                got += [x.id or 0 for x in batch]
            return got

        taken = await asyncio.gather(*(drain(i, s) for i, s in enumerate(stores)))
        flat = [i for t in taken for i in t]
        assert len(flat) == len(set(flat)) == 400
    finally:
        for s in stores:
            await s.close()


async def test_concurrent_slot_reservations_never_share_a_slot(db_url: str) -> None:
    stores = [await Store.open(db_url) for _ in range(4)]
    try:
        t = 2_000_000.0

        async def reserve(s: Store) -> list[float]:
            return [(await s.reserve_slots("ups", t, 0.01, 3))[0] for _ in range(10)]

        starts = sorted(x for got in await asyncio.gather(*(reserve(s) for s in stores)) for x in got)
        gaps = [round(b - a, 6) for a, b in itertools.pairwise(starts)]
        assert starts[0] == t and set(gaps) == {0.03}  # 40 blocks of 3, back to back
    finally:
        for s in stores:
            await s.close()
