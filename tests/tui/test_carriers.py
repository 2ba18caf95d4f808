"""The Carriers screen: grouping, the transit plot of the row under the cursor, the numbers
of ``views.performance`` on screen, carrier text shown literally; snapshots of the sample."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static

from parcel_watch.model import Shipment
from parcel_watch.store import Store
from parcel_watch.views.performance import Grouping, performance
from tests.tui.conftest import SIZE, sample_app, sqlite_url
from tests.views.performance_dataset import build
from tui.app import ParcelWatchApp
from tui.messages import StoreChanged
from tui.screens.carriers import CarriersScreen
from tui.widgets.performance_table import PerformanceTable
from tui.widgets.transit_plot import TransitPlot

SMALL = (80, 24)


async def show_carriers(pilot: Pilot[None]) -> None:
    await pilot.press("4")
    await settle(pilot)


async def settle(pilot: Pilot[None]) -> None:
    """Until the load worker's rows are in the table."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def table_of(app: ParcelWatchApp) -> PerformanceTable:
    return app.screen.query_one(PerformanceTable)


def cells(table: PerformanceTable) -> list[list[str]]:
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def headers(table: PerformanceTable) -> list[str]:
    return [str(column.label) for column in table.columns.values()]


async def test_g_cycles_carrier_service_lane_and_the_rows_follow(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await show_carriers(pilot)
        table = table_of(app)
        assert isinstance(app.screen, CarriersScreen)
        assert headers(table)[:2] == ["Carrier", "Ships"]
        assert [row[0] for row in cells(table)] == ["dhl", "fedex", "s10", "ups", "usps"]

        await pilot.press("g")
        await settle(pilot)
        assert headers(table)[:3] == ["Carrier", "Service", "Ships"]
        assert cells(table)[0][:2] == ["dhl", "—"]  # the demo names no services

        await pilot.press("g")
        await settle(pilot)
        assert headers(table)[:3] == ["Carrier", "Lane", "Ships"]
        # Only the S10 items know their origin; known lanes sort before unknown ones.
        assert [row[:2] for row in cells(table)] == [
            ["s10", "CN → ?"],
            ["dhl", "? → ?"],
            ["fedex", "? → ?"],
            ["ups", "? → ?"],
            ["usps", "? → ?"],
        ]
        assert app.screen.sub_title == "carriers by lane"

        await pilot.press("g")
        await settle(pilot)
        assert headers(table)[0:2] == ["Carrier", "Ships"]


async def test_the_plot_shows_the_transit_days_of_the_row_under_the_cursor(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await show_carriers(pilot)
        expected = {row.key.carrier: row.transit.day_histogram() for row in await performance(app.ctx.store)}
        plot = app.screen.query_one(TransitPlot)
        caption = app.screen.query_one("#transit-caption")

        seen = [plot.series]
        for _ in range(4):
            await pilot.press("down")
            await pilot.pause()
            seen.append(plot.series)
        assert seen == [expected[c] for c in ("dhl", "fedex", "s10", "ups", "usps")]
        assert len(set(seen)) == 5  # each carrier's own distribution
        assert str(caption.render()).startswith("usps  transit p50 3.5 d · p90 7.7 d (6 delivered)")

        await pilot.press("up")
        await pilot.pause()
        assert plot.series == expected["ups"]


async def test_the_cursor_stays_on_its_carrier_when_the_store_changes(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await show_carriers(pilot)
        await pilot.press("down", "down")  # s10
        await app.ctx.store.add(Shipment(tracking_number="NEW1", carrier="aaa"))
        app.screen.post_message(StoreChanged(1))
        await settle(pilot)

        table = table_of(app)
        assert cells(table)[0][:2] == ["aaa", "1"]  # the new carrier's row
        assert table.selected is not None and table.selected.key.carrier == "s10"


async def test_every_number_on_screen_is_the_query_modules(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await show_carriers(pilot)
        rows = await performance(app.ctx.store, Grouping.CARRIER)
        shown = cells(table_of(app))

    def pct(part: int, whole: int) -> str:
        return f"{round(100 * part / whole)}%"

    assert shown == [
        [
            r.key.carrier,
            str(r.shipments),
            str(r.delivered),
            pct(r.on_time, r.judged),
            f"{r.transit.percentile_hours(50) / 24:.1f}",  # type: ignore[operator]
            f"{r.transit.percentile_hours(90) / 24:.1f}",  # type: ignore[operator]
            pct(r.exceptions, r.shipments),
            str(r.open_claims),
            "—",  # the demo's claims have no amounts
        ]
        for r in rows
    ]
    # Spot-check against the sample itself: dhl, 8 shipments, 6 delivered, 1 of 6 on time.
    assert shown[0][:4] == ["dhl", "8", "6", "17%"]


def hand_built_store(path: Path, **services: str) -> str:
    url = sqlite_url(path)

    async def fill() -> None:
        async with await Store.open(url) as store:
            await build(store, service_of=services)

    asyncio.run(fill())
    return url


async def test_hand_computed_amounts_and_rates_on_screen(tmp_path: Path) -> None:
    app = sample_app(await asyncio.to_thread(hand_built_store, tmp_path / "hand.db"))
    async with app.run_test(size=SIZE) as pilot:
        await show_carriers(pilot)
        assert cells(table_of(app)) == [
            ["dhl", "3", "1", "—", "1.0", "1.0", "0%", "0", "—"],
            ["fedex", "4", "3", "50%", "2.6", "2.8", "50%", "2", "USD 112.50"],
            ["ups", "4", "2", "50%", "2.1", "4.2", "25%", "3", "EUR 32.10"],
        ]


async def test_markup_and_escapes_in_a_service_name_are_shown_literally(tmp_path: Path) -> None:
    hostile = "[bold red]x[/]\x1b[2J"
    url = await asyncio.to_thread(hand_built_store, tmp_path / "hostile.db", F1=hostile, F2=hostile)
    app = sample_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await show_carriers(pilot)
        await pilot.press("g")
        await settle(pilot)
        table = table_of(app)
        row = next(i for i, r in enumerate(cells(table)) if r[1].startswith("[bold"))
        table.move_cursor(row=row)
        await pilot.pause()

        service = table.get_row_at(row)[1]
        assert isinstance(service, Text)
        assert service.plain == "[bold red]x[/]"  # the escape sequence removed, the markup as typed
        assert not service.spans and not service.style
        caption = app.screen.query_one("#transit-caption", Static).render()
        assert isinstance(caption, Content)
        assert caption.plain.startswith("fedex · [bold red]x[/]  transit")
        assert all("red" not in str(span.style) for span in caption.spans)


async def test_readable_at_80x24_every_column_of_a_carrier_row_fits(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SMALL) as pilot:
        await show_carriers(pilot)
        table = table_of(app)
        plot = app.screen.query_one(TransitPlot)
        assert table.virtual_size.width <= SMALL[0]
        assert table.region.height == table.row_count + 1  # header and every row, no scrolling
        assert plot.region.height >= 6 and plot.region.bottom <= SMALL[1] - 1
        assert plot.series  # the plot below the table, drawn


def run_before_showing(*keys: str):  # type: ignore[no-untyped-def]
    async def run(pilot: Pilot[None]) -> None:
        await show_carriers(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_snapshot_by_carrier(snap_compare, sample_db: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(sample_app(sample_db), terminal_size=SIZE, run_before=run_before_showing("down"))


def test_snapshot_by_lane(snap_compare, sample_db: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(sample_app(sample_db), terminal_size=SIZE, run_before=run_before_showing("g", "g"))


def test_snapshot_at_80x24(snap_compare, sample_db: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(sample_app(sample_db), terminal_size=SMALL, run_before=run_before_showing())
