"""Carriers: the carrier report per carrier, service, lane or ship month, with the details and
the transit times of the row under the cursor. The numbers are ``carrier_report``'s, the same
as ``parcel-watch report carriers``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from parcel_watch.textsafe import clean
from parcel_watch.views.carrier_report import By, CarrierRow, carrier_report
from tui.screens.base import DashboardScreen
from tui.widgets.performance_table import (
    HEADERS,
    NUMBER_COLUMNS,
    PerformanceTable,
    group_cells,
    whole,
)
from tui.widgets.transit_plot import TransitPlot

GROUPINGS = tuple(By)  # carrier → service → lane → month → carrier


def next_grouping(by: By) -> By:
    return GROUPINGS[(GROUPINGS.index(by) + 1) % len(GROUPINGS)]


def transit_histogram(row: CarrierRow | None) -> tuple[tuple[int, int], ...]:
    """(business days, delivered shipments) for every day from 0 to the longest."""
    if row is None or not row.transit_business_days.counts:
        return ()
    counts = dict(row.transit_business_days.counts)
    return tuple((day, counts.get(day, 0)) for day in range(max(counts) + 1))


def details(by: By, row: CarrierRow | None, dropped: Sequence[str] = ()) -> Text:
    """What the table does not show of the row: ``fedex  transit p50/p90/p99 2/3/3 bd (3
    delivered) · first-scan lag p50/p90 8/12 h · 2 open claims · exceptions: anomaly:lost 1,
    exception.delayed 1``; before the exceptions, the columns ``dropped`` for want of width
    (``2 open claims USD 112.50 · lost 25%``)."""
    if row is None:
        return Text("no shipment yet", style="dim")
    text = Text(" · ").join(group_cells(by, row))
    transit, lag = row.transit_business_days, row.first_scan_lag_hours
    delivered = sum(n for _, n in transit.counts)
    if delivered:
        text.append(
            "  transit p50/p90/p99 "
            + "/".join(whole(transit.percentile(p)) for p in (50, 90, 99))
            + f" bd ({delivered} delivered)"
        )
    else:
        text.append("  no delivered shipment with a first scan", style="dim")
    text.append(" · first-scan lag p50/p90 " + "/".join(whole(lag.percentile(p)) for p in (50, 90)) + " h")
    cells = dict(NUMBER_COLUMNS)
    claimed = f" {cells['Open claims'](row)}" if "Open claims" in dropped and row.open_claimed else ""
    text.append(f" · {row.open_claims} open claims{claimed}")
    for header in dropped:
        if header != "Open claims":
            text.append(f" · {header.lower()} {cells[header](row)}")
    if row.exceptions:  # last: the longest, cut first when the line has no room
        text.append(" · exceptions: ")
        text.append(", ".join(f"{clean(reason)} {n}" for reason, n in row.exceptions))
    return text


class CarriersScreen(DashboardScreen):
    CSS_PATH = "../styles/carriers.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "g",
            "cycle_grouping",
            "Group by",
            id="carriers.group",
            tooltip="Group by carrier, by carrier and service, by lane or by ship month",
        ),
    ]

    @dataclass
    class Loaded(Message):
        """A worker read the report of one grouping."""

        by: By
        rows: tuple[CarrierRow, ...]

    grouping: reactive[By] = reactive(By.CARRIER)

    def compose_body(self) -> ComposeResult:
        yield PerformanceTable(id="performance")
        yield Static(id="transit-caption")
        yield TransitPlot(id="transit")

    def watch_grouping(self, grouping: By) -> None:
        self.sub_title = f"carriers by {grouping.value}"

    async def reload(self) -> None:
        self._load(self.grouping)

    @work(group="carriers", exclusive=True)
    async def _load(self, by: By) -> None:
        report = await carrier_report(self.ctx.store, by)
        self.post_message(self.Loaded(by, report.rows))

    def on_carriers_screen_loaded(self, message: Loaded) -> None:
        if message.by is not self.grouping:
            return  # a load for the grouping before the last ``g``
        self.query_one(PerformanceTable).show(message.by, message.rows)

    def on_performance_table_refilled(self, message: PerformanceTable.Refilled) -> None:
        self._plot_selected()

    async def action_cycle_grouping(self) -> None:
        self.grouping = next_grouping(self.grouping)
        await self.reload()

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        self._plot_selected()

    def _plot_selected(self) -> None:
        table = self.query_one(PerformanceTable)
        row = table.selected
        dropped = HEADERS[table.columns_shown :]
        self.query_one("#transit-caption", Static).update(details(table.by, row, dropped))
        self.query_one(TransitPlot).plot(transit_histogram(row))
