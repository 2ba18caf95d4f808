"""Notifications end to end, to real local receivers: an aiohttp server taking apprise's
``json://`` posts and an aiosmtpd server taking ``mailto://`` mail. Time is a hand-moved
clock; the store a real SQLite file (and PostgreSQL where the log's uniqueness is at stake)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from parcel_watch import notify_log
from parcel_watch.notify import Notifier, notifying
from parcel_watch.notify_config import NotifyConfigError, NotifySettings
from parcel_watch.notify_schedule import MAX_ATTEMPTS
from parcel_watch.poller import watch
from parcel_watch.scheduler import Scheduler
from parcel_watch.status import Status
from parcel_watch.store import Store
from tests.factories import JOURNEY, T0, event, item, update
from tests.notify_receivers import JsonReceiver, SmtpReceiver, plain_text, receiver, smtp

__all__ = ["receiver", "smtp"]  # fixtures

NUMBER = "123456789012"
AFTER_JOURNEY = T0 + timedelta(minutes=1560)  # an hour after the delivery scan


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def settings(*urls: str, **notify: Any) -> NotifySettings:
    return NotifySettings.from_config(
        {"notify": {"urls": list(urls), "time_zone": "Europe/Berlin", **notify}}
    )


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/notify.db"


@pytest.fixture
async def sqlite_store(db_file: str) -> AsyncIterator[Store]:
    async with await Store.open(db_file) as store:
        yield store


async def test_each_status_change_is_one_message_naming_the_shipment_with_the_carrier_text(
    sqlite_store: Store, receiver: JsonReceiver
) -> None:
    await sqlite_store.ingest([item(update(NUMBER, *JOURNEY))])
    notifier = Notifier(sqlite_store, settings(receiver.url()), clock=Clock(AFTER_JOURNEY))
    result = await notifier.run_once()
    assert (result.found, result.sent, result.failed) == (4, 4, 0)
    assert receiver.titles == [
        f"Info received: fedex {NUMBER}",
        f"In transit: fedex {NUMBER}",
        f"Out for delivery: fedex {NUMBER}",
        f"Delivered: fedex {NUMBER}",
    ]
    delivered = receiver.messages[-1]
    assert delivered["type"] == "success"
    assert delivered["message"] == "Delivered — Austin, US — 03 Mar 09:00 UTC"
    assert receiver.messages[2]["message"].startswith("On FedEx vehicle for delivery — Austin, US")
    # The second in-transit scan (departed) is no change of status: no message.
    assert sum("In transit" in t for t in receiver.titles) == 1


async def test_a_restart_never_sends_a_fact_twice(db_file: str, receiver: JsonReceiver) -> None:
    clock = Clock(AFTER_JOURNEY)
    async with await Store.open(db_file) as store:
        await store.ingest([item(update(NUMBER, *JOURNEY[:3]))])
        await Notifier(store, settings(receiver.url()), clock=clock).run_once()
    assert len(receiver.messages) == 2

    async with await Store.open(db_file) as store:  # a new process on the same store
        again = Notifier(store, settings(receiver.url()), clock=clock)
        assert (await again.run_once()).sent == 0
        await store.ingest([item(update(NUMBER, *JOURNEY))])  # the same scans again, and two new
        await again.run_once()
        await again.run_once()
    assert receiver.titles[2:] == [f"Out for delivery: fedex {NUMBER}", f"Delivered: fedex {NUMBER}"]
    assert len(receiver.messages) == 4


async def test_the_same_scan_from_a_poll_and_a_webhook_is_one_message(
    sqlite_store: Store, receiver: JsonReceiver
) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from carriers import easypost
    from parcel_watch.store import IngestItem, RawPayload
    from parcel_watch.webhooks import WebhookConfig, make_app
    from tests.test_webhooks import EASYPOST_PUSH, SECRET, signed

    clock = Clock(datetime(2024, 8, 1, 9, tzinfo=UTC))  # info received and picked up on 31 July
    notifier = Notifier(sqlite_store, settings(receiver.url()), clock=clock)
    polled = easypost.parse(EASYPOST_PUSH)  # the tracker as a poll fetched it
    await sqlite_store.ingest(
        [IngestItem([s.to_update() for s in polled.shipments], RawPayload("easypost", b"poll-body"))]
    )
    await notifier.run_once()
    by_poll = list(receiver.titles)
    assert by_poll == ["Info received: fedex 1", "In transit: fedex 1"]

    client = TestClient(TestServer(make_app(sqlite_store, WebhookConfig({"easypost": SECRET}))))
    await client.start_server()
    try:
        resp = await client.post(
            "/webhooks/easypost", data=EASYPOST_PUSH, headers=signed("easypost", EASYPOST_PUSH)
        )
        assert resp.status == 200
    finally:
        await client.close()
    await notifier.run_once()
    assert receiver.titles == by_poll


async def test_quiet_hours_hold_messages_and_send_them_merged_when_they_end(
    sqlite_store: Store, receiver: JsonReceiver
) -> None:
    # 22:30 in Berlin (21:30 UTC): quiet until 07:00 Berlin, 06:00 UTC.
    evening = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)
    clock = Clock(evening)
    notifier = Notifier(sqlite_store, settings(receiver.url(), quiet_hours="22:00-07:00"), clock=clock)
    late = [
        event(0, Status.IN_TRANSIT, text="Departed"),
        event(10, Status.DELIVERY_ATTEMPTED, text="Nobody home"),
    ]
    start = evening - timedelta(minutes=20) - T0
    scans = [e.model_copy(update={"occurred_at": e.occurred_at + start}) for e in late]
    await sqlite_store.ingest([item(update(NUMBER, *scans))])
    await notifier.run_once()
    clock.now = datetime(2026, 3, 3, 5, 59, tzinfo=UTC)
    await notifier.run_once()
    assert receiver.messages == []
    [row, _] = await notify_log.recent(sqlite_store)
    assert (row.state, row.mode, row.send_after) == ("pending", "quiet", datetime(2026, 3, 3, 6, tzinfo=UTC))

    clock.now = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
    assert (await notifier.run_once()).sent == 1
    [merged] = receiver.messages
    assert merged["title"] == "parcel-watch: 2 updates"
    assert merged["message"].splitlines() == [
        f"• In transit: fedex {NUMBER} — Departed — Memphis, US — 02 Mar 21:10 UTC",
        f"• Delivery attempted: fedex {NUMBER} — Nobody home — Memphis, US — 02 Mar 21:20 UTC",
    ]


async def test_a_digest_gathers_a_days_facts_into_one_message_at_its_time(
    sqlite_store: Store, receiver: JsonReceiver
) -> None:
    clock = Clock(datetime(2026, 3, 3, 8, tzinfo=UTC))  # 09:00 in Berlin
    notifier = Notifier(sqlite_store, settings(receiver.url(), digest="08:00"), clock=clock)
    for n, (hours, status) in enumerate(
        [(0, Status.IN_TRANSIT), (4, Status.OUT_FOR_DELIVERY), (9, Status.DELIVERED)]
    ):
        clock.now = datetime(2026, 3, 3, 8 + hours, tzinfo=UTC)
        scan = event(0, status, text=f"scan {n}").model_copy(update={"occurred_at": clock.now})
        await sqlite_store.ingest([item(update(NUMBER, scan))])
        await notifier.run_once()
    clock.now = datetime(2026, 3, 4, 6, 59, tzinfo=UTC)  # 07:59 in Berlin
    await notifier.run_once()
    assert receiver.messages == []
    clock.now = datetime(2026, 3, 4, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
    await notifier.run_once()
    [digest] = receiver.messages
    assert digest["title"] == "parcel-watch daily digest: 3 updates"
    assert [line.split(" — ")[0] for line in digest["message"].splitlines()] == [
        f"• In transit: fedex {NUMBER}",
        f"• Out for delivery: fedex {NUMBER}",
        f"• Delivered: fedex {NUMBER}",
    ]
    await notifier.run_once()
    assert len(receiver.messages) == 1


async def test_a_refused_send_is_retried_later_and_then_delivered(
    sqlite_store: Store, receiver: JsonReceiver
) -> None:
    clock = Clock(AFTER_JOURNEY)
    notifier = Notifier(sqlite_store, settings(receiver.url()), clock=clock)
    await sqlite_store.ingest([item(update(NUMBER, JOURNEY[-1]))])
    receiver.answers = [500]
    assert (await notifier.run_once()).failed == 1
    [row] = await notify_log.recent(sqlite_store)
    assert (row.state, row.attempts, row.send_after) == ("pending", 1, clock.now + timedelta(minutes=1))
    assert row.last_error and "500" in row.last_error
    assert await notify_log.failing(sqlite_store, clock.now) == 1

    await notifier.run_once()  # not yet time: the receiver is not asked again
    assert (receiver.refused, receiver.messages) == (1, [])
    clock.advance(minutes=1)
    assert (await notifier.run_once()).sent == 1
    assert receiver.titles == [f"Delivered: fedex {NUMBER}"]
    assert await notify_log.failing(sqlite_store, clock.now) == 0
    [row] = await notify_log.recent(sqlite_store)
    assert (row.state, row.attempts, row.sent_at) == ("sent", 1, clock.now)


async def test_a_receiver_that_keeps_refusing_is_given_up_and_counted_as_failing(
    sqlite_store: Store, receiver: JsonReceiver
) -> None:
    clock = Clock(AFTER_JOURNEY)
    notifier = Notifier(sqlite_store, settings(receiver.url()), clock=clock)
    await sqlite_store.ingest([item(update(NUMBER, JOURNEY[-1]))])
    receiver.answers = [503] * (MAX_ATTEMPTS + 2)
    for _ in range(MAX_ATTEMPTS + 2):
        await notifier.run_once()
        clock.advance(hours=1)
    assert receiver.refused == MAX_ATTEMPTS
    [row] = await notify_log.recent(sqlite_store)
    assert (row.state, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert await notify_log.failing(sqlite_store, clock.now) == 1
    assert await notify_log.failing(sqlite_store, clock.now + timedelta(days=2)) == 0


async def test_a_dead_receiver_never_delays_a_poll(sqlite_store: Store, receiver: JsonReceiver) -> None:
    receiver.hang = True  # takes the connection, never answers
    await sqlite_store.ingest([item(update(NUMBER, JOURNEY[-1]))])
    scheduler = Scheduler(sqlite_store, {}, route=lambda s: None, clock=Clock(AFTER_JOURNEY))
    polls: list[float] = []
    stop = asyncio.Event()
    async with notifying(
        sqlite_store, settings(receiver.url()), clock=Clock(AFTER_JOURNEY), send_timeout=3.0
    ) as loop:

        def after_poll(_: object) -> None:
            polls.append(time.monotonic())
            loop.kick()
            if len(polls) == 3:
                stop.set()

        started = time.monotonic()
        await watch(scheduler, stop, idle=timedelta(seconds=1), after_poll=after_poll)
        # Three polls, a second apart, while the message to the dead receiver is in flight.
        assert time.monotonic() - started < 2.9
        assert receiver.messages == []
    [row] = await notify_log.recent(sqlite_store)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "no answer within 3 s")


async def test_mail_goes_to_a_real_smtp_server(sqlite_store: Store, smtp: SmtpReceiver) -> None:
    await sqlite_store.ingest([item(update(NUMBER, *JOURNEY[-2:]))])
    result = await Notifier(sqlite_store, settings(smtp.url()), clock=Clock(AFTER_JOURNEY)).run_once()
    assert (result.sent, result.failed) == (2, 0)
    assert [m["Subject"] for m in smtp.mails] == [
        f"Out for delivery: fedex {NUMBER}",
        f"Delivered: fedex {NUMBER}",
    ]
    assert smtp.inbox.recipients == [["me@example.com"], ["me@example.com"]]
    assert "On FedEx vehicle for delivery — Austin, US" in plain_text(smtp.mails[0])


async def test_markup_and_escapes_in_carrier_text_reach_the_receiver_literally_without_escapes(
    sqlite_store: Store, receiver: JsonReceiver
) -> None:
    hostile = event(1500, Status.DELIVERED, text="[bold red]x[/] \x1b[2Jcleared \x07bell")
    await sqlite_store.ingest([item(update(NUMBER, hostile))])
    await Notifier(sqlite_store, settings(receiver.url()), clock=Clock(AFTER_JOURNEY)).run_once()
    [message] = receiver.messages
    assert message["message"].startswith("[bold red]x[/] cleared \ufffdbell — Memphis, US")
    assert "\x1b" not in message["message"]


async def test_routes_by_kind_and_watchers_of_one_shipment(
    sqlite_store: Store, receiver: JsonReceiver
) -> None:
    other = "998877665544"
    await sqlite_store.ingest([item(update(NUMBER, *JOURNEY[-2:]), update(other, *JOURNEY[-2:]))])
    [watched] = await sqlite_store.find(other)
    await notify_log.add_watcher(sqlite_store, watched.id or 0, receiver.url("watcher"), AFTER_JOURNEY)
    config = settings(
        receiver.url("everything"), route=[{"kinds": ["delivered"], "urls": [receiver.url("deliveries")]}]
    )
    await Notifier(sqlite_store, config, clock=Clock(AFTER_JOURNEY)).run_once()
    got = sorted((m["path"], m["title"].split(":")[0], m["title"].split()[-1]) for m in receiver.messages)
    assert got == sorted(
        [
            ("everything", kind, number)
            for kind in ("Out for delivery", "Delivered")
            for number in (NUMBER, other)
        ]
        + [("deliveries", "Delivered", NUMBER), ("deliveries", "Delivered", other)]
        + [("watcher", "Out for delivery", other), ("watcher", "Delivered", other)]
    )


async def test_duties_due_and_a_near_claim_deadline_are_told_once(
    sqlite_store: Store, receiver: JsonReceiver
) -> None:
    from claims import lifecycle
    from claims.evaluation import evaluate
    from tests.claims.builders import draft

    now = datetime(2026, 4, 27, 9, tzinfo=UTC)
    notice = event(0, Status.IN_TRANSIT, text="Import duties of EUR 23,50 due by 2026-05-02")
    await sqlite_store.ingest(
        [item(update(NUMBER, notice.model_copy(update={"occurred_at": now - timedelta(hours=3)})))]
    )
    [shipment] = await sqlite_store.find(NUMBER)
    await sqlite_store.add(shipment.model_copy(update={"destination_country": "DE"}))
    await evaluate(sqlite_store, now)
    # A drafted claim whose last day (30 April) is three days away.
    await lifecycle.record_drafts(sqlite_store, [(draft(shipment.id or 0), {})], by="alice", now=now)
    clock = Clock(now)
    notifier = Notifier(sqlite_store, settings(receiver.url()), clock=clock)
    await notifier.run_once()
    clock.advance(hours=1)
    await notifier.run_once()
    by_title = {m["title"]: m for m in receiver.messages}
    duties = by_title[f"Duties due: fedex {NUMBER}"]
    assert duties["message"].startswith("23.50 EUR to pay by 2026-05-02 — Import duties of EUR 23,50")
    assert duties["type"] == "warning"
    deadline = by_title[f"Claim deadline in 3 days: fedex {NUMBER}"]
    assert "the last day is 2026-04-30" in deadline["message"]
    assert len(receiver.messages) == 3  # and the in-transit scan; each once


async def test_two_notifiers_on_one_store_send_each_fact_once(db_url: str, receiver: JsonReceiver) -> None:
    """The log's unique (fact, target) key and claiming, on SQLite and PostgreSQL."""
    clock = Clock(AFTER_JOURNEY)
    async with await Store.open(db_url) as first, await Store.open(db_url) as second:
        a = Notifier(first, settings(receiver.url()), clock=clock)
        b = Notifier(second, settings(receiver.url()), clock=clock)
        for scans in (JOURNEY[:2], JOURNEY[:4], JOURNEY):
            await first.ingest([item(update(NUMBER, *scans))])
            await asyncio.gather(a.run_once(), b.run_once(), a.run_once(), b.run_once())
        rows = await notify_log.recent(first)
    assert sorted(receiver.titles) == sorted(
        f"{s}: fedex {NUMBER}" for s in ("Info received", "In transit", "Out for delivery", "Delivered")
    )
    assert len(rows) == 4 and {r.state for r in rows} == {"sent"}


async def test_the_log_keeps_one_row_per_fact_and_target(store: Store) -> None:
    from parcel_watch.notify_config import Delivery
    from parcel_watch.notify_facts import Fact, FactKind, ShipmentRef
    from parcel_watch.notify_scan import Marks
    from parcel_watch.notify_schedule import Timing

    fact = Fact("status:1:DELIVERED:0", FactKind.DELIVERED, ShipmentRef(1, "fedex", NUMBER), T0, "t", "b")
    planned = [
        notify_log.Planned(fact, Delivery(u, Timing())) for u in ("json://a/x", "json://b/y", "json://a/x")
    ]
    zone = UTC
    await notify_log.record(store, planned, Marks(0, 0), T0, zone)
    await notify_log.record(store, planned[:1], Marks(0, 0), T0, zone)
    rows = await notify_log.recent(store)
    assert sorted(r.target_label for r in rows) == ["json://a/x", "json://b/y"]


async def test_a_webhook_push_has_the_notifier_look_at_once(
    sqlite_store: Store, receiver: JsonReceiver
) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from parcel_watch.webhooks import WebhookConfig, make_app
    from tests.test_webhooks import EASYPOST_PUSH, SECRET, signed

    clock = Clock(datetime(2024, 8, 1, 9, tzinfo=UTC))
    async with notifying(sqlite_store, settings(receiver.url()), clock=clock) as loop:
        config = WebhookConfig({"easypost": SECRET}, on_new_events=loop.kick)
        client = TestClient(TestServer(make_app(sqlite_store, config)))
        await client.start_server()
        try:
            while loop.runs == 0:  # the first look, at start, finds nothing
                await asyncio.sleep(0.01)
            resp = await client.post(
                "/webhooks/easypost", data=EASYPOST_PUSH, headers=signed("easypost", EASYPOST_PUSH)
            )
            assert resp.status == 200
            started = time.monotonic()
            while len(receiver.messages) < 2 and time.monotonic() - started < 5:
                await asyncio.sleep(0.02)
        finally:
            await client.close()
    # Long before the loop's idle minute: the push itself had it look.
    assert receiver.titles == ["Info received: fedex 1", "In transit: fedex 1"]


async def test_a_new_shipments_history_is_not_told_only_its_latest_news(
    sqlite_store: Store, receiver: JsonReceiver
) -> None:
    now = datetime.now(UTC)  # the store stamps what it receives with the wall clock
    journey = [
        (now - timedelta(days=6), Status.INFO_RECEIVED),
        (now - timedelta(days=5), Status.IN_TRANSIT),
        (now - timedelta(hours=3), Status.OUT_FOR_DELIVERY),
        (now - timedelta(hours=1), Status.DELIVERED),
    ]
    scans = [event(0, status).model_copy(update={"occurred_at": at}) for at, status in journey]
    await sqlite_store.ingest([item(update(NUMBER, *scans))])
    await Notifier(sqlite_store, settings(receiver.url()), clock=Clock(now)).run_once()
    assert receiver.titles == [f"Out for delivery: fedex {NUMBER}", f"Delivered: fedex {NUMBER}"]


def test_a_config_file_with_an_integer_python_will_not_read_is_a_config_error(tmp_path: Path) -> None:
    # Found by benchmarks/fuzz.py: tomllib raises a plain ValueError (not TOMLDecodeError) for an
    # integer over 4,300 digits, which escaped the loader as a traceback.
    path = tmp_path / "config.toml"
    path.write_text(f"deadline = {'9' * 5000}\n")
    with pytest.raises(NotifyConfigError, match="Exceeds the limit"):
        NotifySettings.load(path, env={})
