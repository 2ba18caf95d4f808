"""Property: whatever the order and batching of arrival, the store ends in one state."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcel_watch.model import Location, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import Store
from parcel_watch.store.dedupe import event_key
from parcel_watch.store.eventrows import NewEvents
from parcel_watch.store.types import utc_to_micros, wall_to_micros
from tests.factories import T0, item, update

# As in a real parser, a carrier code always means the same status: the dedupe key
# treats (time, code, place) as the identity of a scan.
CODES = {
    "AR": Status.IN_TRANSIT,
    "DP": Status.IN_TRANSIT,
    "OD": Status.OUT_FOR_DELIVERY,
    "DL": Status.DELIVERED,
    "RS": Status.RETURNING,
    "XX1": Status.UNKNOWN,
}


@st.composite
def events(draw: st.DrawFn) -> TrackingEvent:
    code = draw(st.sampled_from([*CODES, None]))
    status = CODES[code] if code else draw(st.sampled_from(list(Status)))
    return TrackingEvent(
        occurred_at=T0 + timedelta(minutes=draw(st.integers(0, 60 * 24 * 20))),
        status=status,
        substatus=None,
        carrier_code=code,
        description=draw(st.sampled_from(["Arrived", "Departed", "Zugestellt", "签收", ""])),
        location=Location(city=draw(st.sampled_from(["MEMPHIS", "Leipzig", None])), country="US"),
    )


async def _final_state(batches: list[list[TrackingEvent]]) -> tuple[object, ...]:
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(f"sqlite+aiosqlite:///{Path(tmp) / 's.db'}")
        try:
            for batch in batches:
                await store.ingest([item(update("123456789012", *batch))])
            found = await store.find("123456789012")
            if not found:
                return ()
            [s] = found
            timeline = await store.timeline(s.id or 0)
            return (
                s.status,
                s.substatus,
                s.last_event_at,
                sorted((e.occurred_at, e.carrier_code or "", e.status) for e in timeline),
            )
        finally:
            await store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(evs=st.lists(events(), min_size=1, max_size=12), data=st.data())
def test_order_and_batching_of_arrival_do_not_change_the_result(
    evs: list[TrackingEvent], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(evs))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(shuffled)), max_size=4)))
    batches, start = [], 0
    for cut in [*cuts, len(shuffled)]:
        batches.append(shuffled[start:cut])
        start = cut
    batches = [b for b in batches if b]
    all_at_once = asyncio.run(_final_state([evs]))
    piecewise = asyncio.run(_final_state(batches + batches[:1]))  # and one batch re-delivered
    assert piecewise == all_at_once


@settings(max_examples=200)
@given(evs=st.lists(events(), min_size=1, max_size=5), number=st.text(min_size=1, max_size=20))
def test_the_ingest_loop_computes_the_reference_dedupe_key(evs: list[TrackingEvent], number: str) -> None:
    finder = NewEvents(
        ids={("fedex", number): 1},
        existing={},
        payload_ids={},
        received=0,
        as_time=utc_to_micros,
        as_wall=wall_to_micros,
    )
    rows = finder.rows([item(update(number, *evs))])
    expected = list(dict.fromkeys(event_key("fedex", number, e) for e in evs))
    assert [row[1] for row in rows] == expected
