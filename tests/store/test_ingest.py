"""Idempotent ingest on SQLite and PostgreSQL: what a user sees in the timeline and state."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

from parcel_watch.model import Source
from parcel_watch.status import Status
from parcel_watch.store import Store
from tests.factories import JOURNEY, T0, event, item, update

NUMBER = "123456789012"


async def test_same_events_twice_give_the_same_rows(store: Store) -> None:
    first = await store.ingest([item(update(NUMBER, *JOURNEY), body=b'{"poll": 1}')])
    again = await store.ingest([item(update(NUMBER, *JOURNEY), body=b'{"poll": 1}')])
    assert (first.new_events, first.duplicate_events, first.shipments_created) == (5, 0, 1)
    assert (again.new_events, again.duplicate_events, again.shipments_created, again.payloads_stored) == (
        0,
        5,
        0,
        0,
    )
    assert again.changes == []
    [shipment] = await store.find(NUMBER)
    assert shipment.status is Status.DELIVERED
    assert len(await store.timeline(shipment.id or 0)) == 5
    assert await store.count() == (1, 5)


async def test_duplicates_inside_one_batch_are_stored_once(store: Store) -> None:
    result = await store.ingest([item(update(NUMBER, *JOURNEY, *JOURNEY)), item(update(NUMBER, JOURNEY[0]))])
    assert (result.new_events, result.duplicate_events) == (5, 6)


async def test_poll_and_webhook_of_the_same_scan_are_one_event(store: Store) -> None:
    polled = event(90, code="AR", text="Arrived at FedEx location")
    # The webhook reports the same scan 20 s later within the minute, with other spacing and case.
    pushed = polled.model_copy(
        update={
            "occurred_at": polled.occurred_at + timedelta(seconds=20),
            "source": Source.WEBHOOK,
            "description": "Arrived at FedEx location ",
        }
    )
    await store.ingest([item(update(NUMBER, polled))])
    result = await store.ingest([item(update(NUMBER, pushed))])
    assert (result.new_events, result.duplicate_events) == (0, 1)
    [shipment] = await store.find(NUMBER)
    [stored] = await store.timeline(shipment.id or 0)
    assert stored.source is Source.POLL


async def test_state_follows_the_latest_event_by_time_not_arrival(store: Store) -> None:
    delivered, out_for_delivery = JOURNEY[4], JOURNEY[3]
    await store.ingest([item(update(NUMBER, delivered))])
    result = await store.ingest([item(update(NUMBER, JOURNEY[0], out_for_delivery))])
    [shipment] = await store.find(NUMBER)
    assert shipment.status is Status.DELIVERED
    assert shipment.last_event_at == delivered.occurred_at
    assert result.new_events == 2 and result.changes == []
    timeline = await store.timeline(shipment.id or 0)
    assert [e.carrier_code for e in timeline] == ["OC", "OD", "DL"]


async def test_out_of_order_arrival_ends_in_the_same_state_as_in_order(store: Store) -> None:
    for ev in reversed(JOURNEY):
        await store.ingest([item(update("A" + NUMBER, ev))])
    await store.ingest([item(update("B" + NUMBER, *JOURNEY))])
    [a], [b] = await store.find("A" + NUMBER), await store.find("B" + NUMBER)
    assert (a.status, a.substatus, a.last_event_at) == (b.status, b.substatus, b.last_event_at)


async def test_a_late_hub_scan_does_not_undeliver_but_a_return_reopens(store: Store) -> None:
    await store.ingest([item(update(NUMBER, *JOURNEY))])
    await store.ingest([item(update(NUMBER, event(1600, Status.IN_TRANSIT, "AR", text="Arrived")))])
    assert (await store.find(NUMBER))[0].status is Status.DELIVERED
    refused = event(
        1700, Status.RETURNING, "RS", substatus="returning.to_sender", text="Returning to shipper"
    )
    result = await store.ingest([item(update(NUMBER, refused))])
    [shipment] = await store.find(NUMBER)
    assert (shipment.status, shipment.substatus) == (Status.RETURNING, "returning.to_sender")
    assert [(c.old, c.new) for c in result.changes] == [(Status.DELIVERED, Status.RETURNING)]


async def test_an_unknown_code_is_kept_but_does_not_hide_a_known_state(store: Store) -> None:
    odd = event(700, Status.UNKNOWN, "ZZ9", text="Statut inconnu")
    await store.ingest([item(update(NUMBER, *JOURNEY[:3], odd))])
    [shipment] = await store.find(NUMBER)
    assert shipment.status is Status.IN_TRANSIT
    timeline = await store.timeline(shipment.id or 0)
    assert (timeline[-1].status, timeline[-1].carrier_code) == (Status.UNKNOWN, "ZZ9")


async def test_raw_payload_is_kept_compressed_with_its_hash_and_linked(store: Store) -> None:
    body = b'{"output": {"completeTrackResults": [{"trackingNumber": "123456789012"}]}}' * 20
    await store.ingest([item(update(NUMBER, *JOURNEY), body=body)])
    await store.ingest([item(update(NUMBER, *JOURNEY), body=body)])  # same bytes again: stored once
    [shipment] = await store.find(NUMBER)
    [sha] = await store.payload_of_events(shipment.id or 0)
    assert sha == hashlib.sha256(body).hexdigest()
    stored = await store.payload(sha)
    assert stored is not None and stored.body == body and stored.carrier == "fedex"


async def test_estimate_revisions_are_recorded_once_each(store: Store) -> None:
    eta1, eta2 = T0 + timedelta(days=3), T0 + timedelta(days=5)
    for eta in (eta1, eta1, eta2, eta2):
        await store.ingest([item(update(NUMBER, JOURNEY[0], eta=eta))])
    [shipment] = await store.find(NUMBER)
    assert shipment.estimated_delivery == eta2
    assert [r.estimated_delivery for r in shipment.estimate_revisions] == [eta1, eta2]


async def test_two_concurrent_writers_lose_nothing(db_url: str) -> None:
    numbers = [f"{n:012d}" for n in range(40)]
    a, b = await Store.open(db_url), await Store.open(db_url)
    try:

        async def write(s: Store, offset: int) -> int:
            total = 0
            for n in numbers:  # both writers touch every shipment, in interleaved transactions
                result = await s.ingest([item(update(n, *JOURNEY[offset::2]), update(n, JOURNEY[2]))])
                total += result.new_events
            return total

        new_a, new_b = await asyncio.gather(write(a, 0), write(b, 1))
        assert await a.count() == (40, 40 * 5)
        assert new_a + new_b == 40 * 5
        assert {s.status for s in await a.list()} == {Status.DELIVERED}
    finally:
        await a.close()
        await b.close()


async def test_remove_deletes_the_shipment_and_its_events(store: Store) -> None:
    await store.ingest([item(update(NUMBER, *JOURNEY)), item(update("999999999999", JOURNEY[0]))])
    assert await store.remove(NUMBER) == 1
    assert await store.find(NUMBER) == []
    assert await store.count() == (1, 1)
    assert await store.remove(NUMBER) == 0


async def test_a_scan_in_the_same_instant_as_the_newest_is_ordered_by_lifecycle(store: Store) -> None:
    # Found by the arrival-order property: a tie must not let an earlier stage win late.
    out = event(60, Status.OUT_FOR_DELIVERY, "OD", text="Out for delivery")
    hub = event(60, Status.IN_TRANSIT, "AR", text="Arrived at facility")
    await store.ingest([item(update(NUMBER, JOURNEY[0], out))])
    await store.ingest([item(update(NUMBER, hub))])
    [shipment] = await store.find(NUMBER)
    assert shipment.status is Status.OUT_FOR_DELIVERY


async def test_timelines_of_many_shipments_in_one_read(store: Store) -> None:
    await store.ingest([item(update(NUMBER, *JOURNEY)), item(update("999999999999", JOURNEY[0], JOURNEY[1]))])
    ships = {s.tracking_number: s.id or 0 for s in await store.list()}
    timelines = await store.timelines([ships[NUMBER], ships["999999999999"], 12345])
    assert [e.carrier_code for e in timelines[ships[NUMBER]]] == ["OC", "PU", "DP", "OD", "DL"]
    assert [e.carrier_code for e in timelines[ships["999999999999"]]] == ["OC", "PU"]
    assert timelines[12345] == []
    assert timelines[ships[NUMBER]] == await store.timeline(ships[NUMBER])
