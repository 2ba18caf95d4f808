"""Toasts: the facts notifications are about, shown in the dashboard as they arrive — once
each, carrier text as plain text — and failing notifications in the sources bar."""

from __future__ import annotations

import asyncio
import html
import re
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot

from parcel_watch import notify_log
from parcel_watch.model import Shipment
from parcel_watch.notify_config import Delivery, NotifySettings
from parcel_watch.notify_facts import Fact, FactKind, ShipmentRef
from parcel_watch.notify_scan import Marks
from parcel_watch.notify_schedule import Timing
from parcel_watch.status import Status
from parcel_watch.store import Store
from tests.cli.test_cli_notify import NUMBER as FEDEX_NUMBER
from tests.cli.test_cli_notify import ServerFactory, fedex
from tests.factories import T0, event, item, update
from tests.notify_receivers import JsonReceiver, receiver
from tests.tui.conftest import FROZEN, SIZE, opener, sample_app, sqlite_url
from tui.app import ParcelWatchApp
from tui.context import DashboardContext
from tui.feeds import FeedReport, poller_feed
from tui.widgets.sources_bar import SourcesBar

NUMBER = "771234567890"
HOSTILE = "[bold red]x[/]\x1b[2J\x1b]0;pwned\x07 at the depot"
SHOWN = "[bold red]x[/] at the depot"  # the markup as typed, the escapes gone
SMALL = (80, 24)
__all__ = ["receiver"]  # fixture
HALF_AN_HOUR_AGO = (FROZEN - timedelta(minutes=30) - T0).total_seconds() / 60


async def arrive(store: Store, status: Status = Status.OUT_FOR_DELIVERY, text: str = HOSTILE) -> None:
    scan = event(HALF_AN_HOUR_AGO, status, text=text, city="BERLIN", country="DE")
    await store.ingest([item(update(NUMBER, scan))])


async def toaster_started(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, ParcelWatchApp)
    for _ in range(200):
        if app.toaster.started:
            return
        await pilot.pause(0.02)
    raise AssertionError("the toaster never started")


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()  # the checks the feed's reports asked for
    await pilot.pause()


def screen_lines(app: ParcelWatchApp) -> list[str]:
    """What the terminal shows, a string per line (the text runs of its SVG screenshot)."""
    rows: dict[int, str] = defaultdict(str)
    for line, content in re.findall(
        r'clip-path="url\(#[^)]*-line-(\d+)\)">(.*?)</text>', app.export_screenshot()
    ):
        rows[int(line)] += html.unescape(content).replace("\xa0", " ")
    return [rows[n] for n in sorted(rows)]


def toasts(app: ParcelWatchApp) -> list[str]:
    return [str(t.render()) for t in app.screen.query("Toast")]


async def failing_notifications(url: str, n: int) -> None:
    """``n`` messages the notifier gave up on, in the store at ``url``."""
    async with await Store.open(url) as store:
        ship = ShipmentRef(1, "fedex", NUMBER)
        planned = [
            notify_log.Planned(
                Fact(f"k{i}", FactKind.DELIVERED, ship, FROZEN, "Delivered", "b"),
                Delivery("json://127.0.0.1:9/down", Timing()),
            )
            for i in range(n)
        ]
        await notify_log.record(store, planned, Marks(0, 0), FROZEN, FROZEN.tzinfo)  # type: ignore[arg-type]
        rows = await notify_log.claim_due(store, FROZEN)
        await notify_log.mark_failed(store, rows, FROZEN, "connection refused", final=True)


async def test_a_new_scan_from_the_feed_is_one_toast_with_the_carrier_text_as_typed(sample_db: str) -> None:
    go = asyncio.Event()

    def feed_of(ctx: object) -> object:
        store = ctx.store  # type: ignore[attr-defined]

        async def feed(report: FeedReport) -> None:
            await go.wait()
            await arrive(store)
            report.changed(1)
            await arrive(store)  # the same scan again (a webhook after the poll): nothing new
            report.changed(0)

        return feed

    app = ParcelWatchApp(opener(sample_db), feed_of)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await toaster_started(pilot)
        assert toasts(app) == []  # what the store held at start is not news
        go.set()
        await settle(pilot)
        [toast] = toasts(app)
        assert toast == f"Out for delivery: fedex {NUMBER}\n{SHOWN} — Berlin, DE — 30 Nov 11:30 UTC"
        assert all("\x1b" not in line for line in screen_lines(app))
        app.toaster.check_soon()  # looking again finds nothing new
        await settle(pilot)
        assert len(toasts(app)) == 1


async def test_many_facts_at_once_are_a_few_toasts_and_a_count(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await toaster_started(pilot)
        await settle(pilot)
        numbers = [f"77123456{n:04d}" for n in range(6)]
        scan = event(HALF_AN_HOUR_AGO, Status.DELIVERED, text="Delivered")
        await app.ctx.store.ingest([item(*(update(n, scan) for n in numbers))])
        app.toaster.check_soon()
        await settle(pilot)
        shown = toasts(app)
        assert len(shown) == 4
        assert shown[-1] == "parcel-watch\nand 3 more updates"
        await arrive(app.ctx.store)  # one more while the screen is full: counted for later
        app.toaster.check_soon()
        await settle(pilot)
        assert toasts(app) == shown


async def test_failing_notifications_show_in_the_sources_bar(sample_db: str) -> None:
    await failing_notifications(sample_db, 2)
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await toaster_started(pilot)
        await settle(pilot)
        bar = app.screen.query_one(SourcesBar)
        assert str(bar.render()) == "✉ 2 notifications failing  no carrier source is polling"
        await pilot.press("2")  # every screen's bar says so
        await settle(pilot)
        assert "✉ 2 notifications failing" in str(app.screen.query_one(SourcesBar).render())


async def test_readable_at_80x24_the_toast_and_the_failing_count(sample_db: str) -> None:
    await failing_notifications(sample_db, 1)
    app = sample_app(sample_db)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await toaster_started(pilot)
        await arrive(app.ctx.store, Status.DELIVERED, "Parcel handed to resident")
        app.toaster.check_soon()
        await settle(pilot)
        text = "\n".join(screen_lines(app))
        assert "✉ 1 notification failing" in text  # the bar's start, left of the toast
        assert f"Delivered: fedex {NUMBER}" in text and "Parcel handed to resident" in text
        [toast] = app.screen.query("Toast")
        assert toast.region.right <= SMALL[0] and toast.region.bottom <= SMALL[1]


def run_before_toast(pilot: Pilot[None]):  # type: ignore[no-untyped-def]
    async def run(pilot: Pilot[None]) -> None:
        await toaster_started(pilot)
        await arrive(pilot.app.ctx.store)  # type: ignore[attr-defined]
        pilot.app.toaster.check_soon()  # type: ignore[attr-defined]
        await settle(pilot)

    return run(pilot)


def test_snapshot_toast_with_hostile_carrier_text(snap_compare, sample_db: str) -> None:  # type: ignore[no-untyped-def]
    asyncio.run(failing_notifications(sample_db, 1))
    assert snap_compare(sample_app(sample_db), terminal_size=SIZE, run_before=run_before_toast)


async def test_the_dashboards_poller_sends_notifications_and_toasts_the_same_facts(
    tmp_path: Path, aiohttp_server: ServerFactory, receiver: JsonReceiver
) -> None:
    from carriers.credentials import load

    credentials = {"fedex": load("fedex", await fedex(aiohttp_server))}
    settings = NotifySettings.from_config({"notify": [receiver.url()]})
    async with await Store.open(sqlite_url(tmp_path / "live.db")) as store:
        await store.add(Shipment(tracking_number=FEDEX_NUMBER, carrier="fedex"))
        app = ParcelWatchApp(
            DashboardContext(store), lambda c: poller_feed(c.store, credentials, c.clock, notify=settings)
        )
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            for _ in range(100):
                if f"Delivered: fedex {FEDEX_NUMBER}" in receiver.titles and toasts(app):
                    break
                await pilot.pause(0.1)
            assert f"Delivered: fedex {FEDEX_NUMBER}" in receiver.titles
            shown = {t.splitlines()[0] for t in toasts(app)}
            assert f"Delivered: fedex {FEDEX_NUMBER}" in shown
            assert shown <= set(receiver.titles) | {"parcel-watch"}
