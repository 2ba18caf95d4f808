"""The parcels list's data, on SQLite and PostgreSQL: what a row says, which rows a filter
keeps, the sort orders, and paging (a property: any filter, any order, any page size)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert

from parcel_watch.model import Shipment
from parcel_watch.status import Status
from parcel_watch.store import Store
from parcel_watch.store.schema import anomalies
from parcel_watch.views.parcels import ParcelFilter, SortOrder, carriers, count, page, position
from tests.factories import JOURNEY, T0, event, item, update

NOW = T0 + timedelta(days=3)
ANY = ParcelFilter()


async def open_anomaly(store: Store, shipment_id: int, kind: str, state: str = "open") -> None:
    async with store.writing() as conn:
        await conn.execute(
            insert(anomalies).values(
                shipment_id=shipment_id,
                kind=kind,
                state=state,
                since=NOW,
                opened_at=NOW,
                updated_at=NOW,
                details="{}",
                evidence="[]",
            )
        )


async def add(store: Store, number: str, carrier: str = "fedex", **fields: object) -> int:
    result = await store.add(Shipment(tracking_number=number, carrier=carrier, **fields), now=T0)  # type: ignore[arg-type]
    assert result.shipment.id is not None
    return result.shipment.id


async def everything(store: Store, flt: ParcelFilter = ANY, sort: SortOrder = SortOrder.ADDED) -> list[str]:
    return [r.number for r in await page(store, flt, sort, 0, 1000)]


async def test_a_row_tells_the_last_event_where_it_happened_and_the_open_anomalies(store: Store) -> None:
    sid = await add(store, "794600000001", label="Camera", promised_delivery=date(2026, 3, 4))
    eta = T0 + timedelta(days=2)
    await store.ingest([item(update("794600000001", *JOURNEY[:4], eta=eta))])
    await open_anomaly(store, sid, "stalled")
    await open_anomaly(store, sid, "late")
    await open_anomaly(store, sid, "damaged", state="resolved")

    [row] = await page(store, ParcelFilter(), SortOrder.NEWEST_SCAN, 0, 10)

    assert (row.id, row.label, row.number, row.carrier) == (sid, "Camera", "794600000001", "fedex")
    assert (row.status, row.substatus) == (Status.OUT_FOR_DELIVERY, None)
    assert (row.description, row.place) == ("On FedEx vehicle for delivery", "AUSTIN, US")
    assert row.last_scan == JOURNEY[3].occurred_at
    assert (row.estimated_delivery, row.promised_delivery) == (eta, date(2026, 3, 4))
    assert row.anomalies == ("late", "stalled")  # the resolved one is not shown
    assert not row.archived


async def test_a_shipment_never_scanned_has_no_last_event(store: Store) -> None:
    await add(store, "794600000002")
    [row] = await page(store, ParcelFilter(), SortOrder.NEWEST_SCAN, 0, 10)
    assert (row.status, row.description, row.place, row.last_scan, row.anomalies) == (
        Status.PENDING,
        None,
        "",
        None,
        (),
    )


async def test_filters_by_status_carrier_and_open_anomaly(store: Store) -> None:
    await store.ingest(
        [
            item(update("794600000011", *JOURNEY)),  # delivered
            item(update("794600000012", *JOURNEY[:2])),  # in transit
            item(update("1Z5R89390357567127", *JOURNEY[:3], carrier="ups")),  # in transit
        ]
    )
    [stuck] = await store.find("794600000012")
    assert stuck.id is not None
    await open_anomaly(store, stuck.id, "stalled")
    await open_anomaly(store, stuck.id, "late", state="resolved")

    assert await everything(store, ParcelFilter(statuses=frozenset({Status.IN_TRANSIT}))) == [
        "1Z5R89390357567127",
        "794600000012",
    ]
    both = frozenset({Status.IN_TRANSIT, Status.DELIVERED})
    assert len(await everything(store, ParcelFilter(statuses=both))) == 3
    assert await everything(store, ParcelFilter(carrier="ups")) == ["1Z5R89390357567127"]
    assert await everything(store, ParcelFilter(open_anomaly=True)) == ["794600000012"]
    assert await everything(store, ParcelFilter(open_anomaly=False)) == ["1Z5R89390357567127", "794600000011"]
    assert await count(store, ParcelFilter(carrier="fedex", open_anomaly=False)) == 1
    assert await carriers(store) == ["fedex", "ups"]


async def test_search_matches_number_label_and_order_reference_in_any_case(store: Store) -> None:
    await add(store, "1Z5R89390357567127", "ups", label="Blue kettle")
    await add(store, "794600000021", order_ref="SHOP-4471")
    await add(store, "794600000022", label="100% wool_socks")

    assert await everything(store, ParcelFilter(search="kettle")) == ["1Z5R89390357567127"]
    assert await everything(store, ParcelFilter(search="1z5r 8939")) == ["1Z5R89390357567127"]  # printed form
    assert await everything(store, ParcelFilter(search="shop-44")) == ["794600000021"]
    assert await everything(store, ParcelFilter(search="  0000002 ")) == ["794600000022", "794600000021"]
    # LIKE wildcards in the search are plain characters.
    assert await everything(store, ParcelFilter(search="%")) == ["794600000022"]
    assert await everything(store, ParcelFilter(search="l_s")) == ["794600000022"]
    assert await everything(store, ParcelFilter(search="o_k")) == []
    assert await count(store, ParcelFilter(search="nothing like it")) == 0


async def test_archived_shipments_are_hidden_unless_asked_for(store: Store) -> None:
    kept = await add(store, "794600000031")
    gone = await add(store, "794600000032")
    await store.archive(gone, NOW)

    assert await everything(store) == ["794600000031"]
    rows = await page(store, ParcelFilter(include_archived=True), SortOrder.ADDED, 0, 10)
    assert [(r.id, r.archived) for r in rows] == [(gone, True), (kept, False)]
    assert await position(store, ParcelFilter(), SortOrder.ADDED, gone) is None


async def test_sort_orders(store: Store) -> None:
    await add(store, "794600000041", label="banana", promised_delivery=date(2026, 3, 9))
    await add(store, "794600000042", label="Apple")
    await add(store, "1Z5R89390357567127", "ups", label="cherry")
    await add(store, "794600000044")  # never scanned, no label
    await store.ingest(
        [
            item(update("794600000041", *JOURNEY[:2], eta=T0 + timedelta(days=5))),
            item(update("794600000042", event(0, Status.EXCEPTION, "SE", substatus="exception.damaged"))),
            item(update("1Z5R89390357567127", *JOURNEY, carrier="ups", eta=T0 + timedelta(days=1))),
        ]
    )

    async def numbers(sort: SortOrder) -> list[str]:
        return [n[-2:] for n in await everything(store, sort=sort)]

    assert await numbers(SortOrder.NEWEST_SCAN) == ["44", "27", "41", "42"]  # never scanned first
    assert await numbers(SortOrder.OLDEST_SCAN) == ["42", "41", "27", "44"]
    assert await numbers(SortOrder.STATUS) == [
        "42",
        "41",
        "44",
        "27",
    ]  # exception, in transit, pending, delivered
    assert await numbers(SortOrder.CARRIER) == ["41", "42", "44", "27"]
    assert await numbers(SortOrder.LABEL) == ["42", "41", "27", "44"]  # any case; no label last
    assert await numbers(SortOrder.ETA) == ["27", "41", "42", "44"]
    assert await numbers(SortOrder.ADDED) == ["44", "27", "42", "41"]


async def test_pages_follow_each_other_and_position_finds_a_shipment(store: Store) -> None:
    for i in range(7):
        await add(store, f"79460000010{i}")
    rows = [r.number for r in await page(store, ParcelFilter(), SortOrder.ADDED, 0, 3)]
    rows += [r.number for r in await page(store, ParcelFilter(), SortOrder.ADDED, 3, 3)]
    rows += [r.number for r in await page(store, ParcelFilter(), SortOrder.ADDED, 6, 3)]
    assert rows == [f"79460000010{i}" for i in reversed(range(7))]
    assert await page(store, ParcelFilter(), SortOrder.ADDED, 7, 3) == []
    [fifth] = await store.find("794600000102")
    assert fifth.id is not None
    assert await position(store, ParcelFilter(), SortOrder.ADDED, fifth.id) == 4
    assert await position(store, ParcelFilter(search="0101"), SortOrder.ADDED, fifth.id) is None
    assert await position(store, ParcelFilter(), SortOrder.ADDED, 10_000) is None


def test_sort_orders_have_captions() -> None:
    assert SortOrder.NEWEST_SCAN.caption == "last scan, newest first"
    assert len({s.caption for s in SortOrder}) == len(SortOrder)
