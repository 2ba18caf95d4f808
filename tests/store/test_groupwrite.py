"""Group commit: batches finished while a write runs share the next transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from parcel_watch.model import ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, IngestResult, Store
from parcel_watch.store.groupwrite import GroupWriter, PolledWrite
from parcel_watch.store.schedule import PollRecord

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def entry(name: str) -> PolledWrite:
    return PolledWrite(
        [IngestItem([ShipmentUpdate(carrier="fedex", tracking_number=name)])], NOW, lambda _: []
    )


class SlowWrites:
    def __init__(self, fail_first: bool = False) -> None:
        self.groups: list[list[str]] = []
        self.fail_first = fail_first

    async def __call__(self, group: Sequence[PolledWrite]) -> IngestResult:
        self.groups.append([e.items[0].updates[0].tracking_number for e in group])
        await asyncio.sleep(0.01)
        if self.fail_first and len(self.groups) == 1:
            raise RuntimeError("disk full")
        return IngestResult(new_events=len(group))


async def submitted_during_a_write(writer: GroupWriter, names: list[str]) -> list[object]:
    """The first name's write starts alone; the others arrive while it runs."""
    first = asyncio.create_task(writer.submit(entry(names[0])))
    await asyncio.sleep(0.002)
    rest = [writer.submit(entry(n)) for n in names[1:]]
    return await asyncio.gather(first, *rest, return_exceptions=True)


async def test_writes_arriving_during_a_write_share_the_next_one() -> None:
    writes = SlowWrites()
    results = await submitted_during_a_write(GroupWriter(writes), ["n0", "n1", "n2", "n3", "n4"])
    assert writes.groups == [["n0"], ["n1", "n2", "n3", "n4"]]
    assert [r.new_events for r in results if isinstance(r, IngestResult)] == [1, 4, 4, 4, 4]


async def test_a_group_is_capped_by_its_number_of_events() -> None:
    writes = SlowWrites()
    await submitted_during_a_write(GroupWriter(writes, max_events=2), ["n0", "n1", "n2", "n3", "n4"])
    assert writes.groups == [["n0"], ["n1", "n2"], ["n3", "n4"]]


async def test_a_failed_write_fails_its_callers_and_the_next_group_still_runs() -> None:
    writes = SlowWrites(fail_first=True)
    first, second = await submitted_during_a_write(GroupWriter(writes), ["a", "b"])
    assert isinstance(first, RuntimeError) and isinstance(second, IngestResult)
    assert writes.groups == [["a"], ["b"]]


async def test_a_cancelled_caller_still_has_its_results_written() -> None:
    writes = SlowWrites()
    writer = GroupWriter(writes)
    task = asyncio.create_task(writer.submit(entry("a")))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await writer.idle()
    assert writes.groups == [["a"]]


async def test_polled_results_and_their_schedule_commit_together(store: Store) -> None:
    await store.ingest([IngestItem([ShipmentUpdate(carrier="fedex", tracking_number="1")])])
    [shipment] = await store.list()
    later = datetime(2026, 12, 2, tzinfo=UTC)

    def plan(result: IngestResult) -> list[PollRecord]:
        [known] = result.shipments.values()
        return [PollRecord(known.id, later)]

    def broken(result: IngestResult) -> list[PollRecord]:
        raise ValueError("bad plan")

    item = IngestItem([ShipmentUpdate(carrier="fedex", tracking_number="1")])
    await store.ingest_polled([item], NOW, plan)
    [after] = await store.list()
    assert after.next_poll_at == later and shipment.next_poll_at is None
    scan = TrackingEvent(occurred_at=NOW, status=Status.IN_TRANSIT, description="Departed")
    moved = IngestItem([ShipmentUpdate(carrier="fedex", tracking_number="1", events=(scan,))])
    with pytest.raises(ValueError, match="bad plan"):
        await store.ingest_polled([moved], NOW, broken)
    # Neither half landed: no event without its poll record.
    assert (await store.list())[0].next_poll_at == later and (await store.count())[1] == 0
