"""The detail screen on the sample store: opening it, the two clocks of the timeline, tabs,
refresh now, archive, reloading on store changes, carrier text shown literally."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import timedelta
from typing import Any

from rich.text import Text
from sqlalchemy import update
from textual.pilot import Pilot
from textual.widgets import TabbedContent
from textual.worker import WorkerCancelled

from parcel_watch.model import Location, ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, RawPayload, Store
from parcel_watch.store.schema import events, shipments
from tests.tui.conftest import FROZEN, SIZE, opener, sample_app
from tests.tui.pilot_tools import screen_text
from tui.app import ParcelWatchApp
from tui.context import DashboardContext
from tui.feeds import Feed, FeedReport
from tui.messages import OpenShipment, StoreChanged
from tui.screens.detail import DetailScreen
from tui.widgets.shipment_header import ShipmentHeader
from tui.widgets.timeline_table import TimelineTable

# The demo's S10 item "late" (seed 7): Leipzig (Deutsche Post) → Indianapolis → Denver (USPS).
CROSS_BORDER = 30


async def settle(pilot: Pilot[None]) -> None:
    """Let the screens' loads land. Not the feed's worker: it runs until the app ends (and
    ``wait_for_complete([])`` would wait for it). A load replaced by a newer one is cancelled."""
    for _ in range(2):
        await pilot.pause()
        for worker in [w for w in pilot.app.workers if w.group != "feed"]:
            with suppress(WorkerCancelled):
                await worker.wait()
    await pilot.pause()


async def opened(pilot: Pilot[None], shipment_id: int = CROSS_BORDER) -> DetailScreen:
    pilot.app.screen.post_message(OpenShipment(shipment_id))  # as the parcels list does
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DetailScreen)
    return screen


def cells(table: TimelineTable, row: int) -> list[str]:
    return [cell.plain for cell in table.get_row_at(row)]


def header_text(app: ParcelWatchApp) -> str:
    """The header block as the user reads it (the lines between the title bar and the tabs)."""
    return "\n".join(screen_text(app).splitlines()[1:5])


async def test_opening_a_shipment_shows_its_header_and_timeline(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        assert screen.shipment_id == CROSS_BORDER
        head = header_text(app)
        assert "RB390955846CN" in head and "S10 International Standard" in head
        assert "✓ delivered" in head and "Route DE → US" in head
        assert "Deutsche Post → United States Postal Service" in head
        assert screen.query_one(TimelineTable).row_count == 11


async def test_timeline_shows_the_carriers_clock_and_the_users_for_the_same_instant(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        table = (await opened(pilot)).query_one(TimelineTable)
        # Stored: 12:18 UTC on 1 November, reported by USPS as 07:18 at -05:00 (Indianapolis).
        # The user's zone is Berlin, at +01:00 in November: 13:18.
        carrier_time, user_time, status, description, place = cells(table, 3)
        assert (carrier_time, user_time) == ("01 Nov 07:18 -05:00", "01 Nov 13:18")
        assert (description, place) == ("Clearance in progress", "INDIANAPOLIS, US")
        assert status.startswith("→ in transit")
        # In Leipzig the carrier's clock and Berlin's agree.
        assert cells(table, 0)[:2] == ["31 Oct 03:42 +01:00", "31 Oct 03:42"]


async def test_brackets_and_clicks_switch_tabs(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        tabs = screen.query_one(TabbedContent)
        assert tabs.active == "tab-timeline"
        seen = []
        for _ in range(5):
            await pilot.press("right_square_bracket")
            seen.append(tabs.active)
        assert seen == ["tab-journey", "tab-raw", "tab-anomalies", "tab-claims", "tab-timeline"]
        await pilot.press("left_square_bracket")
        assert tabs.active == "tab-claims"
        await pilot.click("#--content-tab-tab-raw")
        assert tabs.active == "tab-raw"
        assert str(tabs.get_tab("tab-anomalies").label) == "Anomalies (2 open)"


def recording_feed(wakes: list[int]) -> Callable[[DashboardContext], Feed]:
    """A feed that only counts how often the app woke it (a real one would poll then)."""

    def build(ctx: DashboardContext) -> Feed:
        async def run(report: FeedReport) -> None:
            while True:
                await report.wake.wait()
                report.wake.clear()
                wakes.append(1)

        return run

    return build


async def test_refresh_now_makes_the_shipment_due_and_wakes_the_feed(sample_db: str) -> None:
    wakes: list[int] = []
    app = ParcelWatchApp(opener(sample_db), feed=recording_feed(wakes))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(pilot)
        store = app.ctx.store
        assert CROSS_BORDER not in [s.id for s in await store.due(FROZEN)]  # delivered: not polled
        await pilot.press("r")
        await pilot.pause()
        assert (await store.due(FROZEN))[0].id == CROSS_BORDER
        assert wakes == [1]
        await pilot.pause()
        assert toasts(app) == ["Refresh\ndemo: late is polled now."]


async def test_archive_hides_it_from_polling_and_unarchive_brings_it_back(sample_db: str) -> None:
    wakes: list[int] = []
    app = ParcelWatchApp(opener(sample_db), feed=recording_feed(wakes))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await opened(pilot)
        store = app.ctx.store
        assert "detail.archive" in _footer_ids(screen)
        await pilot.press("A")
        await settle(pilot)
        assert screen.detail is not None and screen.detail.archived_at == FROZEN
        assert "archived 30 Nov 13:00" in header_text(app) and "detail.unarchive" in _footer_ids(screen)
        # Archived shipments are never due, not even when asked to refresh.
        await pilot.press("r")
        await pilot.pause()
        assert CROSS_BORDER not in [s.id for s in await store.due(FROZEN + timedelta(days=365))]
        await pilot.pause()
        assert wakes == [] and "Not refreshed\nAn archived shipment is not polled" in toasts(app)[-1]
        await pilot.press("A")
        await settle(pilot)
        assert screen.detail is not None and screen.detail.archived_at is None
        assert (await store.due(FROZEN))[0].id == CROSS_BORDER  # back, and catching up at once
        assert "detail.archive" in _footer_ids(screen)


def toasts(app: ParcelWatchApp) -> list[str]:
    return [str(t.render()) for t in app.screen.query("Toast")]


def _footer_ids(screen: DetailScreen) -> set[str | None]:
    return {active.binding.id for active in screen.active_bindings.values()}


async def test_escape_goes_back_to_the_list(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("escape")
        assert type(app.screen).__name__ == "ParcelsScreen"


async def test_a_new_scan_in_the_store_appears_after_a_store_change(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        table = screen.query_one(TimelineTable)
        scan = TrackingEvent(
            occurred_at=FROZEN - timedelta(hours=1),
            local_time=(FROZEN - timedelta(hours=8)).replace(tzinfo=None),
            utc_offset_minutes=-7 * 60,
            status=Status.DELIVERED,
            description="Handed to a neighbour",
            location=Location(city="DENVER", country="US"),
        )
        update_ = ShipmentUpdate(carrier="s10", tracking_number="RB390955846CN", events=(scan,))
        await app.ctx.store.ingest([IngestItem([update_])])
        screen.post_message(StoreChanged(1))
        await settle(pilot)
        assert table.row_count == 12
        assert cells(table, 11)[:2] == ["30 Nov 04:00 -07:00", "30 Nov 12:00"]


async def _inject(url: str) -> None:
    """Carrier text with Rich markup and a terminal escape (clear screen) in the sample store."""
    async with await Store.open(url) as store, store.writing() as conn:
        await conn.execute(
            update(events)
            .where(events.c.shipment_id == CROSS_BORDER, events.c.status == "DELIVERED")
            .values(description="Left at [bold red]x[/] door\x1b[2J", city="[link=http://x]DENVER[/link]")
        )
        await conn.execute(
            update(shipments)
            .where(shipments.c.id == CROSS_BORDER)
            .values(label="[reverse]boxed[/]\x1b]0;pwn\x07")
        )


async def test_markup_and_escapes_in_carrier_text_are_shown_literally(sample_db: str) -> None:
    await _inject(sample_db)
    app = sample_app(sample_db)
    async with app.run_test(size=(160, 36)) as pilot:
        screen = await opened(pilot)
        table = screen.query_one(TimelineTable)
        description: Text = table.get_row_at(10)[3]
        assert description.plain == "Left at [bold red]x[/] door"  # the escape sequence is gone
        assert all(span.style != "bold red" for span in description.spans)
        assert cells(table, 10)[4] == "[link=http://x]DENVER[/link], US"
        assert header_text(app).startswith(" [reverse]boxed[/]  RB390955846CN")
        shown = screen_text(app)
        assert "Left at [bold red]x[/] door" in shown and "\x1b" not in shown and "pwn" not in shown


async def test_a_raw_payload_is_shown_as_received_text_never_interpreted(sample_db: str) -> None:
    hostile = RawPayload(
        "17track",
        b'{"note": "[bold red]x[/] \x1b[2J\x1b]0;pwn\x07 done", "events": []}',
        received_at=FROZEN - timedelta(minutes=5),
    )
    scan = TrackingEvent(
        occurred_at=FROZEN - timedelta(minutes=30),
        status=Status.DELIVERED,
        description="Delivered again",
        location=Location(city="DENVER", country="US"),
    )
    async with await Store.open(sample_db) as store:
        update_ = ShipmentUpdate(carrier="s10", tracking_number="RB390955846CN", events=(scan,))
        await store.ingest([IngestItem([update_], hostile)])
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.click("#--content-tab-tab-raw")
        await settle(pilot)
        shown = screen_text(app)
        assert f"sha256 {hostile.sha256}" in shown  # the newest payload, shown first
        # Raw control bytes make it invalid JSON: shown as received, less the escape sequences.
        assert '{"note": "[bold red]x[/]  done", "events": []}' in shown and "pwn" not in shown


async def test_readable_at_80_by_24(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        table = screen.query_one(TimelineTable)
        # Four columns: the place joins the description, all within the screen.
        assert [str(c.label) for c in table.columns.values()] == [
            "Carrier's time",
            "Your time",
            "Status",
            "Description · place",
        ]
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 80
        assert cells(table, 3)[3].startswith("Clearance in progress")
        assert screen.query_one(ShipmentHeader).size.height == 4


async def test_a_shipment_gone_from_the_store_says_so(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, 4242)
        assert "Shipment 4242 is no longer in the store." in header_text(app)
        assert "detail.refresh" not in {a.binding.id for a in screen.active_bindings.values() if a.enabled}


# -- snapshots ----------------------------------------------------------------------------

# The demo's S10 item "returned" (seed 7): China Post → Royal Mail → USPS → back to China.
RETURNED_S10 = 37


def _detail(shipment_id: int, *keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await opened(pilot, shipment_id)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_snapshot_timeline_of_a_cross_border_s10_item(snap_compare: Any, sample_db: str) -> None:
    assert snap_compare(sample_app(sample_db), terminal_size=SIZE, run_before=_detail(RETURNED_S10))


def test_snapshot_legs_and_eta_history(snap_compare: Any, sample_db: str) -> None:
    run_before = _detail(RETURNED_S10, "right_square_bracket")
    assert snap_compare(sample_app(sample_db), terminal_size=SIZE, run_before=run_before)


def test_snapshot_detail_at_80_by_24(snap_compare: Any, sample_db: str) -> None:
    assert snap_compare(sample_app(sample_db), terminal_size=(80, 24), run_before=_detail(CROSS_BORDER))
