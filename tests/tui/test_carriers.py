"""The Carriers screen: the numbers of ``carrier_report`` (those of ``parcel-watch report
carriers``) on screen, grouping, the transit plot of the row under the cursor, carrier text
shown literally, 80×24; snapshots of the sample."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static

from parcel_watch.model import Shipment
from parcel_watch.store import Store
from parcel_watch.views.carrier_report import By, CarrierRow, carrier_report
from tests.tui.conftest import SIZE, sample_app, sqlite_url
from tests.views.performance_dataset import build
from tui.app import ParcelWatchApp
from tui.messages import StoreChanged
from tui.screens.carriers import CarriersScreen
from tui.widgets.performance_table import HEADERS, PerformanceTable
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


def caption_of(app: ParcelWatchApp) -> str:
    rendered = app.screen.query_one("#transit-caption", Static).render()
    assert isinstance(rendered, Content)
    return rendered.plain


def expected_cells(row: CarrierRow) -> list[str]:
    """A row as the screen should show it, written from the report's ``to_dict()`` (what the
    command line and the API give), not from the screen's own formatting."""
    d = row.to_dict()

    def pct(rate: float | None) -> str:
        return "—" if rate is None else f"{round(100 * rate)}%"

    def ci(rate: dict[str, Any]) -> str:
        if rate["rate"] is None:
            return "—"
        low, high = rate["ci95"]
        return f"{pct(rate['rate'])} ±{round(100 * (high - low) / 2)}"

    def days(value: int | None) -> str:
        return "—" if value is None else str(value)

    def money(amounts: dict[str, str]) -> str:
        return ", ".join(f"{currency} {amount}" for currency, amount in amounts.items()) or "—"

    transit = d["transit_business_days"]
    return [
        str(d["shipments"]),
        str(d["delivered"]),
        ci(d["on_time_vs_promise"]),
        days(transit["p50"]),
        days(transit["p90"]),
        pct(row.with_exceptions.rate),  # shipments with any of d["exceptions"]' reasons
        ci(d["on_time_vs_estimate"]),
        money(d["open_claimed"]),
        pct(d["lost_or_damaged"]["rate"]),
        pct(d["stalled"]["rate"]),
        money(d["recovered"]),
    ]


async def assert_screen_is_the_report(app: ParcelWatchApp, by: By) -> None:
    table = table_of(app)
    report = await carrier_report(app.ctx.store, by)
    shown = len(headers(table)) - (1 if by is By.CARRIER else 2)
    assert headers(table)[-shown:] == list(HEADERS[:shown])
    assert [row[-shown:] for row in cells(table)] == [expected_cells(r)[:shown] for r in report.rows]
    assert [row[0] for row in cells(table)] == [r.carrier for r in report.rows]


async def test_g_cycles_carrier_service_lane_month_and_the_rows_follow(sample_db: str) -> None:
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
        await assert_screen_is_the_report(app, By.SERVICE)

        await pilot.press("g")
        await settle(pilot)
        assert headers(table)[:3] == ["Carrier", "Lane", "Ships"]
        # Only the S10 items know their origin; the report orders by carrier first.
        assert [row[:2] for row in cells(table)] == [
            ["dhl", "? → ?"],
            ["fedex", "? → ?"],
            ["s10", "CN → ?"],
            ["ups", "? → ?"],
            ["usps", "? → ?"],
        ]
        assert app.screen.sub_title == "carriers by lane"
        await assert_screen_is_the_report(app, By.LANE)

        await pilot.press("g")
        await settle(pilot)
        assert headers(table)[:3] == ["Carrier", "Month", "Ships"]
        assert app.screen.sub_title == "carriers by month"
        months = [row[1] for row in cells(table)]
        assert months and all(len(m) == 7 and m[4] == "-" for m in months)  # YYYY-MM
        await assert_screen_is_the_report(app, By.MONTH)

        await pilot.press("g")
        await settle(pilot)
        assert headers(table)[0:2] == ["Carrier", "Ships"]
        assert app.screen.sub_title == "carriers by carrier"


async def test_the_plot_shows_the_business_days_of_the_row_under_the_cursor(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await show_carriers(pilot)
        report = await carrier_report(app.ctx.store)
        expected = {}
        for row in report.rows:
            counts = dict(row.transit_business_days.counts)
            expected[row.carrier] = tuple((day, counts.get(day, 0)) for day in range(max(counts) + 1))
        plot = app.screen.query_one(TransitPlot)

        seen = [plot.series]
        for _ in range(4):
            await pilot.press("down")
            await pilot.pause()
            seen.append(plot.series)
        assert seen == [expected[c] for c in ("dhl", "fedex", "s10", "ups", "usps")]
        assert len(set(seen)) > 1  # each carrier's own distribution
        usps = report.rows[-1].transit_business_days
        delivered = sum(n for _, n in usps.counts)
        p = [usps.percentile(q) for q in (50, 90, 99)]
        assert caption_of(app).startswith(
            f"usps  transit p50/p90/p99 {p[0]}/{p[1]}/{p[2]} bd ({delivered} delivered)"
        )

        await pilot.press("up")
        await pilot.pause()
        assert plot.series == expected["ups"]
        assert caption_of(app).startswith("ups  transit")


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
        assert table.selected is not None and table.selected.carrier == "s10"


async def test_every_number_on_screen_is_the_reports(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await show_carriers(pilot)
        await assert_screen_is_the_report(app, By.CARRIER)
        shown = cells(table_of(app))
        report = await carrier_report(app.ctx.store)
    assert len(shown[0]) >= 1 + 8  # at 120 columns: up to the open claims at least
    # Spot-check against the sample itself: dhl, 8 shipments, 6 delivered.
    assert shown[0][:3] == ["dhl", "8", "6"]
    assert report.rows[0].shipments == 8


def hand_built_store(path: Path, **services: str) -> str:
    url = sqlite_url(path)

    async def fill() -> None:
        async with await Store.open(url) as store:
            await build(store, service_of=services)

    asyncio.run(fill())
    return url


async def test_hand_computed_numbers_on_screen(tmp_path: Path) -> None:
    """``tests/views/performance_dataset.py``: fedex F1 on time against its promise (1 of 1),
    F2 late against its first estimate (0 of 1): 100 % and 0 %, each ±40 (Wilson of 1 is
    21–100 %); transit 2, 2 and 3 business days; lost F4's two cases USD 112.50, the paid
    USD 999.00 recovered."""
    app = sample_app(await asyncio.to_thread(hand_built_store, tmp_path / "hand.db"))
    async with app.run_test(size=(160, 36)) as pilot:
        await show_carriers(pilot)
        assert headers(table_of(app)) == ["Carrier", *HEADERS]  # wide enough for every column
        assert cells(table_of(app)) == [
            ["dhl", "3", "1", "—", "1", "1", "33%", "—", "—", "0%", "0%", "—"],
            [
                "fedex",
                "4",
                "3",
                "100% ±40",
                "2",
                "3",
                "50%",
                "0% ±40",
                "USD 112.50",
                "25%",
                "0%",
                "USD 999.00",
            ],
            ["ups", "4", "2", "0% ±40", "2", "4", "50%", "100% ±40", "EUR 32.10", "0%", "0%", "EUR 15.00"],
        ]
        await assert_screen_is_the_report(app, By.CARRIER)
        await pilot.press("down")
        await pilot.pause()
        assert app.screen.query_one(TransitPlot).series == ((0, 0), (1, 0), (2, 2), (3, 1))
        assert caption_of(app) == (
            "fedex  transit p50/p90/p99 2/3/3 bd (3 delivered)"
            " · first-scan lag p50/p90 8/12 h · 2 open claims"
            " · exceptions: anomaly:lost 1, exception.delayed 1"  # every column shown: none dropped
        )
        for by in (By.SERVICE, By.LANE, By.MONTH):
            await pilot.press("g")
            await settle(pilot)
            await assert_screen_is_the_report(app, by)


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


async def test_readable_at_80x24_the_least_important_columns_dropped(sample_db: str) -> None:
    app = sample_app(sample_db)
    async with app.run_test(size=SMALL) as pilot:
        await show_carriers(pilot)
        table = table_of(app)
        plot = app.screen.query_one(TransitPlot)
        assert table.virtual_size.width <= SMALL[0]
        shown = headers(table)[1:]
        assert 3 <= len(shown) < len(HEADERS) and shown == list(HEADERS[: len(shown)])
        assert "vs promise" in shown
        assert table.region.height == table.row_count + 1  # header and every row, no scrolling
        caption = app.screen.query_one("#transit-caption")
        assert caption.region.height >= 1 and caption.region.y >= table.region.bottom
        assert plot.region.height >= 6 and plot.region.bottom <= SMALL[1] - 1
        assert plot.series  # the plot below the table, drawn
        await assert_screen_is_the_report(app, By.CARRIER)
        dhl = (await carrier_report(app.ctx.store)).rows[0]
        # The dropped columns' numbers are in the details line.
        lost, stall = (round(100 * r.rate) for r in (dhl.lost_or_damaged, dhl.stalled) if r.rate is not None)
        assert (
            f" · 10 open claims · lost {lost}% · stall {stall}% · recovered — · exceptions: "
            in caption_of(app)
        )

        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        await pilot.pause()
        assert len(headers(table)) > len(shown) + 1  # wider: columns come back
        assert " · recovered" not in caption_of(app)


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
