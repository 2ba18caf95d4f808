"""Incremental evaluation over a real store: open once, update, resolve, with history; only
changed shipments are looked at again (SQLite file and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from claims import evaluation
from claims.evaluation import anomaly_history, evaluate, open_anomalies
from claims.model import AnomalyKind, AnomalyState
from parcel_watch.model import Shipment, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import Store
from tests.factories import JOURNEY, T0, event, item, update

DAY = 24 * 60  # minutes


def attempt(minutes: float) -> TrackingEvent:
    return event(
        minutes,
        Status.DELIVERY_ATTEMPTED,
        "DE",
        substatus="delivery_attempted.recipient_unavailable",
        text="Customer not available",
    )


async def test_an_anomaly_opens_once_updates_and_resolves_with_its_history(store: Store) -> None:
    picked_up = JOURNEY[:2]
    await store.ingest([item(update("A1", *picked_up, attempt(DAY), attempt(2 * DAY)))])
    now = T0 + timedelta(days=3)

    first = await evaluate(store, now)
    [found] = await open_anomalies(store)
    assert (first.opened, first.evaluated_shipments) == (1, 1)
    assert found.kind is AnomalyKind.DELIVERY_FAILED and found.details["attempts"] == 2
    assert found.since == T0 + timedelta(days=2)
    assert len(found.evidence) == 2

    again = await evaluate(store, now)  # nothing new: nothing looked at, nothing recorded
    assert (again.evaluated_shipments, again.opened, again.updated) == (0, 0, 0)

    await store.ingest([item(update("A1", attempt(3 * DAY)))])
    third = await evaluate(store, now + timedelta(days=1))
    [updated] = await open_anomalies(store)
    assert (third.opened, third.updated, updated.id) == (0, 1, found.id)
    assert updated.details["attempts"] == 3 and len(updated.evidence) == 3

    await store.ingest([item(update("A1", event(4 * DAY, Status.DELIVERED, "DL", text="Delivered")))])
    last = await evaluate(store, now + timedelta(days=2))
    assert last.resolved == 1
    assert await open_anomalies(store) == []
    [closed] = await open_anomalies(store, include_resolved=True)
    assert closed.state is AnomalyState.RESOLVED and closed.resolved_at == now + timedelta(days=2)
    history = await anomaly_history(store, found.id)
    assert [(h.change, h.at) for h in history] == [
        ("opened", now),
        ("updated", now + timedelta(days=1)),
        ("resolved", now + timedelta(days=2)),
    ]


async def test_only_shipments_with_new_events_edits_or_due_deadlines_are_evaluated(store: Store) -> None:
    numbers = [f"N{i}" for i in range(6)]
    await store.ingest([item(update(n, *JOURNEY[:3])) for n in numbers])
    # Monday 2 March, last scan 18:00 UTC; no destination: UTC days, Saturday-Sunday weekend.
    monday = datetime(2026, 3, 9, 12, tzinfo=UTC)
    assert (await evaluate(store, monday)).evaluated_shipments == 6
    assert (await evaluate(store, monday + timedelta(hours=1))).evaluated_shipments == 0

    await store.ingest([item(update("N1", event(6 * DAY, Status.IN_TRANSIT, "AR")))])
    await store.add(Shipment(tracking_number="N2", carrier="fedex", promised_delivery=monday.date()))
    result = await evaluate(store, monday + timedelta(hours=2))
    assert result.evaluated_shipments == 2

    # Five full business days after Monday 2 March end at midnight before Tuesday 10 March:
    # the four still silent are due then, and only they are looked at.
    stalled = await evaluate(store, datetime(2026, 3, 10, 0, 1, tzinfo=UTC))
    assert stalled.evaluated_shipments == 5  # N2's promise (9 March) also fell due
    kinds = sorted((a.tracking_number, a.kind.value) for a in await open_anomalies(store))
    assert kinds == [
        ("N0", "stalled"),
        ("N2", "late"),
        ("N2", "stalled"),
        ("N3", "stalled"),
        ("N4", "stalled"),
        ("N5", "stalled"),
    ]


async def test_a_full_pass_looks_at_everything_and_changes_nothing_already_recorded(store: Store) -> None:
    await store.ingest([item(update(f"F{i}", *JOURNEY[:3])) for i in range(3)])
    now = datetime(2026, 3, 20, tzinfo=UTC)
    assert (await evaluate(store, now)).opened == 3
    full = await evaluate(store, now, full=True)
    assert (full.evaluated_shipments, full.opened, full.updated, full.resolved) == (3, 0, 0, 0)


async def test_a_lane_with_enough_delivered_history_stalls_on_its_own_percentile(store: Store) -> None:
    # 30 delivered shipments from the US to Germany, scanned at least every business day.
    history = [item(update(f"L{i}", *JOURNEY)) for i in range(30)]
    slow = item(update("SLOW", *JOURNEY[:3]))  # last scan Monday 2 March, 18:00 UTC
    await store.ingest([*history, slow])
    for number in [f"L{i}" for i in range(30)] + ["SLOW"]:
        await store.add(
            Shipment(tracking_number=number, carrier="fedex", origin_country="US", destination_country="DE")
        )
    # The lane's delivered parcels were never silent a full business day: two days are enough.
    # Tue 3 and Wed 4 March end at midnight in Berlin, 23:00 UTC on Wednesday.
    assert await open_anomalies(store) == []
    await evaluate(store, datetime(2026, 3, 4, 22, 59, tzinfo=UTC))
    assert await open_anomalies(store) == []
    await evaluate(store, datetime(2026, 3, 4, 23, tzinfo=UTC))
    [stalled] = await open_anomalies(store)
    assert (stalled.tracking_number, stalled.details["business_days"], stalled.details["threshold"]) == (
        "SLOW",
        2,
        "lane_p90",
    )


async def test_a_full_pass_in_small_batches_finds_the_same(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.ingest([item(update(f"B{i}", *(JOURNEY[:3] if i % 2 else JOURNEY))) for i in range(7)])
    monkeypatch.setattr(evaluation, "BATCH_SHIPMENTS", 3)
    now = datetime(2026, 4, 1, tzinfo=UTC)  # silent since 2 March: stalled, and lost
    result = await evaluate(store, now)
    assert (result.evaluated_shipments, result.opened) == (7, 6)  # three stalled and lost
    assert sorted(a.tracking_number for a in await open_anomalies(store, kind=AnomalyKind.STALLED)) == [
        "B1",
        "B3",
        "B5",
    ]
    assert (await evaluate(store, now)).evaluated_shipments == 0  # all rechecks are in the future
