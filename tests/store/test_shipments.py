"""Adding shipments: descriptive fields update, a chosen carrier is never demoted."""

from __future__ import annotations

from parcel_watch.model import CarrierSource, Shipment
from parcel_watch.store import Store


async def test_re_adding_updates_given_fields_and_keeps_the_rest(store: Store) -> None:
    first = await store.add(
        Shipment(tracking_number="1Z5R89390357567127", carrier="ups", label="shoes", order_ref="A1")
    )
    again = await store.add(Shipment(tracking_number="1Z5R89390357567127", carrier="ups", label="boots"))
    assert (first.created, again.created) == (True, False)
    assert (again.shipment.label, again.shipment.order_ref) == ("boots", "A1")
    assert await store.count() == (1, 0)


async def test_detection_never_demotes_a_users_carrier_choice(store: Store) -> None:
    number = "1Z5R89390357567127"
    await store.add(Shipment(tracking_number=number, carrier="ups", carrier_source=CarrierSource.USER))
    result = await store.add(
        Shipment(tracking_number=number, carrier="ups", carrier_source=CarrierSource.DETECTED)
    )
    assert result.shipment.carrier_source is CarrierSource.USER
    result = await store.add(
        Shipment(tracking_number=number, carrier="ups", carrier_source=CarrierSource.IMPORT)
    )
    assert result.shipment.carrier_source is CarrierSource.USER


async def test_an_archived_shipment_is_never_due_and_a_restored_one_is_due_at_once(store: Store) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    added = await store.add(Shipment(tracking_number="1Z5R89390357567127", carrier="ups"))
    assert added.shipment.id is not None
    sid = added.shipment.id
    assert [s.id for s in await store.due(now)] == [sid]
    assert await store.archive(sid, now) is True
    assert await store.due(now) == []
    assert await store.archive(sid, now, archived=False) is True
    assert [s.id for s in await store.due(now)] == [sid]
    assert await store.archive(sid + 1000, now) is False


async def test_poll_now_puts_a_scheduled_shipment_first_in_the_due_queue(store: Store) -> None:
    from datetime import UTC, datetime, timedelta

    from parcel_watch.store.schedule import PollRecord

    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    ids = []
    for number in ("1Z5R89390357567127", "1Z2R68465632122332"):
        added = await store.add(Shipment(tracking_number=number, carrier="ups"))
        assert added.shipment.id is not None
        ids.append(added.shipment.id)
    waiting, refreshed = ids
    await store.record_polls(
        now,
        [PollRecord(waiting, now - timedelta(minutes=5)), PollRecord(refreshed, now + timedelta(hours=6))],
    )
    assert [s.id for s in await store.due(now)] == [waiting]
    assert await store.poll_now(refreshed) is True
    assert [s.id for s in await store.due(now)] == [refreshed, waiting]
    # Archived shipments are not polled, refresh or not.
    await store.archive(refreshed, now)
    assert await store.poll_now(refreshed) is False
    assert [s.id for s in await store.due(now)] == [waiting]
    assert await store.poll_now(max(ids) + 1000) is False
