"""The parcels screen in Pilot: the table, its filters, search, sort, opening a shipment,
adding one, keeping the cursor through a reload, 80×24, carrier text shown literally, and
a store of 100,000 shipments scrolled end to end without reading them all."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from rich.color import Color
from textual.pilot import Pilot
from textual.widgets import Select, Static

from parcel_watch.model import Shipment
from parcel_watch.status import Status
from parcel_watch.views.parcels import ParcelFilter, SortOrder, page
from tests.factories import event, item, update
from tests.many_shipments import fill
from tests.tui.conftest import FROZEN, SIZE, sample_app, sqlite_url
from tui.app import ParcelWatchApp
from tui.messages import StoreChanged
from tui.screens.add_shipment import AddShipmentScreen
from tui.screens.detail import DetailScreen
from tui.screens.parcels import ParcelsScreen
from tui.widgets.parcel_table import ParcelTable

BIG = 100_000


async def settle(pilot: Pilot[None]) -> None:
    """Until the table has read what it shows (debounced search included)."""
    await pilot.pause(0.3)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def table(app: ParcelWatchApp) -> ParcelTable:
    return app.screen.query_one(ParcelTable)


def lines(app: ParcelWatchApp) -> list[str]:
    """The table as the user reads it: the header line, then one line per visible row."""
    t = table(app)
    return ["".join(s.text for s in t.render_line(y)) for y in range(t.scrollable_content_region.height)]


def count_line(app: ParcelWatchApp) -> str:
    return str(app.screen.query_one("#parcels-count", Static).render())


async def loaded_rows(app: ParcelWatchApp) -> list[int]:
    """Ids of every row of the table's current list, read from the store."""
    t = table(app)
    return [r.id for r in await page(app.ctx.store, t.filter, t.sort, 0, 1000)]


async def test_the_table_shows_every_parcel_newest_scan_first(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ParcelsScreen)
        t = table(app)
        assert count_line(app) == f"{t.total} of {t.total} parcels"
        assert t.total == 40
        assert app.screen.sub_title == "sorted by last scan, newest first (s)"
        header, *rows = lines(app)
        for title in (
            "Label",
            "Number",
            "Carrier",
            "Status",
            "Last event · where",
            "Age",
            "ETA · promise",
            "Anomalies",
        ):
            assert title in header
        newest = (await page(app.ctx.store, ParcelFilter(), SortOrder.NEWEST_SCAN, 0, 1))[0]
        assert newest.number[:8] in rows[0]
        assert newest.description is not None and newest.description[:10] in rows[0]
        assert t.rows_fetched == 40  # one page: the demo store is smaller than a page


async def test_choosing_a_status_filter_keeps_only_those_parcels(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # f, then the dropdown: Any status, Active, Needs attention.
        await pilot.press("f", "enter", "down", "down", "enter")
        await settle(pilot)
        t = table(app)
        attention = {
            Status.EXCEPTION,
            Status.DELIVERY_ATTEMPTED,
            Status.AVAILABLE_FOR_PICKUP,
            Status.RETURNING,
        }
        assert t.filter.statuses == attention
        rows = await page(app.ctx.store, t.filter, t.sort, 0, 100)
        assert rows and all(r.status in attention for r in rows)
        assert count_line(app) == f"{len(rows)} of 40 parcels"
        assert 0 < len(rows) < 40


async def test_carrier_and_anomaly_filters(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#parcels-carrier", Select).value = "ups"
        await settle(pilot)
        ups = await page(app.ctx.store, table(app).filter, SortOrder.NEWEST_SCAN, 0, 100)
        assert ups and {r.carrier for r in ups} == {"ups"}
        assert count_line(app).startswith(f"{len(ups)} of 40")

        app.screen.query_one("#parcels-anomaly", Select).value = "open"
        await settle(pilot)
        troubled = await page(app.ctx.store, table(app).filter, SortOrder.NEWEST_SCAN, 0, 100)
        assert troubled and all(r.carrier == "ups" and r.anomalies for r in troubled)
        assert len(troubled) < len(ups)
        kinds = ", ".join(k.replace("_", " ") for k in troubled[0].anomalies)
        assert kinds[:6] in lines(app)[1]


async def test_search_narrows_as_you_type_and_escape_clears_it(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"stalled")
        await settle(pilot)
        t = table(app)
        assert t.filter.search == "stalled"
        rows = await page(app.ctx.store, t.filter, t.sort, 0, 100)
        assert rows and all("stalled" in (r.label or "") for r in rows)
        assert count_line(app) == f"{len(rows)} of 40 parcels"
        assert all("stalled" in line for line in lines(app)[1 : len(rows) + 1])

        await pilot.press("escape")
        await settle(pilot)
        assert table(app).filter.search == ""
        assert count_line(app) == "40 of 40 parcels"
        assert app.focused is table(app)


async def test_s_cycles_the_sort_order_from_the_top(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down", "s")
        await settle(pilot)
        t = table(app)
        assert t.sort is SortOrder.OLDEST_SCAN
        assert app.screen.sub_title == "sorted by last scan, oldest first (s)"
        rows = await page(app.ctx.store, t.filter, t.sort, 0, 100)
        assert t.cursor == 0 and t.current is not None and t.current.id == rows[0].id
        scans = [r.last_scan for r in rows if r.last_scan]
        assert scans == sorted(scans)
        await pilot.press("s")
        await settle(pilot)
        assert table(app).sort is SortOrder.STATUS
        assert "! exception" in lines(app)[1]  # exceptions first
        for _ in SortOrder:
            await pilot.press("s")
        await settle(pilot)
        assert table(app).sort is SortOrder.STATUS  # round and back


async def test_enter_opens_the_detail_of_the_parcel_under_the_cursor(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        chosen = table(app).current
        assert chosen is not None
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.shipment_id == chosen.id


async def test_clicking_a_row_moves_the_cursor_and_a_second_click_opens_it(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = await loaded_rows(app)
        await pilot.click(ParcelTable, offset=(5, 5))  # line 0 is the header: row 4
        assert table(app).cursor == 4
        assert isinstance(app.screen, ParcelsScreen)
        await pilot.click(ParcelTable, offset=(5, 5))
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.shipment_id == ids[4]


async def test_a_opens_the_add_shipment_dialog(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddShipmentScreen)


async def test_a_store_change_reloads_and_the_cursor_follows_its_parcel(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("end")
        chosen = table(app).current
        assert chosen is not None and table(app).cursor == 39
        # A fresh scan makes it the newest: the list moves it to the top, the cursor with it.
        scan = event(0, Status.IN_TRANSIT, "AR", text="Arrived at hub")
        scan = scan.model_copy(update={"occurred_at": FROZEN})
        await app.ctx.store.ingest([item(update(chosen.number, scan, carrier=chosen.carrier))])
        app.screen.post_message(StoreChanged(1))
        await settle(pilot)
        t = table(app)
        assert t.cursor == 0
        assert t.current is not None and t.current.id == chosen.id
        assert "Arrived at hub" in lines(app)[1]


async def test_x_shows_archived_parcels_too(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = table(app).current
        assert first is not None
        await app.ctx.store.archive(first.id, FROZEN)
        app.screen.post_message(StoreChanged(0))
        await settle(pilot)
        assert count_line(app) == "39 of 39 parcels"
        assert first.id not in await loaded_rows(app)
        await pilot.press("x")
        await settle(pilot)
        assert count_line(app).startswith("40 of 40 parcels")
        assert first.id in await loaded_rows(app)


async def test_at_80_by_24_the_least_important_columns_drop(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header, *rows = lines(app)
        for kept in ("Label", "Status", "Last event · where", "Age", "Anomalies"):
            assert kept in header
        for dropped in ("Number", "Carrier", "ETA"):
            assert dropped not in header
        assert all(len(line) <= 80 for line in [header, *rows])
        assert sum(1 for line in rows if line.strip()) >= 10  # still a useful table
        await pilot.press("pagedown")
        assert table(app).cursor > 10


async def test_carrier_text_with_markup_and_escapes_is_shown_literally(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        store = app.ctx.store
        hostile = "[bold red]x[/]\x1b[2J"
        await store.add(Shipment(tracking_number="794600000001", carrier="fedex", label=hostile), now=FROZEN)
        scan = event(0, Status.EXCEPTION, "SE", text=hostile, city="[link=http://e.vil]C[/link]")
        await store.ingest([item(update("794600000001", scan.model_copy(update={"occurred_at": FROZEN})))])
        app.screen.post_message(StoreChanged(1))
        await settle(pilot)
        await pilot.press("home", "down")  # off the first row: no cursor style on it
        strip = table(app).render_line(1)
        text = "".join(s.text for s in strip)
        assert text.startswith("[bold red]x[/] ")  # the label, literally
        assert text.count("[bold red]x[/]") == 2  # and the last event's description
        assert "\x1b" not in text and "[2J" not in text
        assert not any(s.style and s.style.link for s in strip)
        for segment in strip:
            if "x[/]" in segment.text:  # not bold red: the markup was not read
                assert segment.style is None or not (
                    segment.style.bold or segment.style.color == Color.parse("red")
                )


# -- snapshots -------------------------------------------------------------------------


def settled_after(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run


def test_snapshot_default_view(snap_compare, sample_db: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(sample_app(sample_db), terminal_size=SIZE, run_before=settled_after())


def test_snapshot_needs_attention_filter(snap_compare, sample_db: str) -> None:  # type: ignore[no-untyped-def]
    keys = ("f", "enter", "down", "down", "enter", "tab", "tab", "tab", "tab")  # then back to the table
    assert snap_compare(sample_app(sample_db), terminal_size=SIZE, run_before=settled_after(*keys))


def test_snapshot_at_80x24(snap_compare, sample_db: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        sample_app(sample_db), terminal_size=(80, 24), run_before=settled_after("down", "down")
    )


# -- 100,000 shipments ------------------------------------------------------------------


@pytest.fixture(scope="session")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.db"
    asyncio.run(fill(sqlite_url(path), BIG))
    return path


async def test_100000_parcels_open_and_scroll_to_the_end_reading_only_what_is_shown(big_store: Path) -> None:
    app = sample_app(sqlite_url(big_store))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = table(app)
        shown = BIG - BIG // 50  # one in fifty is archived
        assert count_line(app) == f"{shown:,} of {shown:,} parcels"
        assert t.rows_fetched <= app.ctx.page_size
        for _ in range(30):
            await pilot.press("pagedown")
        await settle(pilot)
        body = t.scrollable_content_region.height - 1
        assert t.cursor == 30 * body
        _, *rows = lines(app)
        assert all(row.strip() != "…" for row in rows)  # every visible row is loaded
        assert t.current is not None and t.current.number in rows[0]
        await pilot.press("end")
        await settle(pilot)
        assert t.cursor == shown - 1
        last = (await page(app.ctx.store, ParcelFilter(), SortOrder.NEWEST_SCAN, shown - 1, 1))[0]
        assert t.current is not None and t.current.id == last.id
        assert last.number in lines(app)[-1]
        await pilot.press("enter")  # the last of 98,000 opens like the first
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.screen.shipment_id == last.id
        app.pop_screen()
        await settle(pilot)
        await pilot.press("up", "pageup", "home")
        await settle(pilot)
        assert t.cursor == 0
        # What was scrolled past (about 1,000 rows), a page or two around each jump.
        assert t.rows_fetched <= 30 * body + 5 * app.ctx.page_size, t.rows_fetched
        assert t.rows_fetched < 2_000
