"""Carriers: performance per carrier, service or lane, and the transit times of the one under
the cursor. The numbers come from ``parcel_watch.views.performance``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from parcel_watch.views.performance import Grouping, Performance, performance
from tui.screens.base import DashboardScreen
from tui.widgets.performance_table import PerformanceTable, days, group_cells
from tui.widgets.transit_plot import TransitPlot


def caption(grouping: Grouping, row: Performance | None) -> Text:
    """What the plot shows: ``fedex · Priority  transit p50 2.6 d · p90 2.8 d (3 delivered)``."""
    if row is None:
        return Text("no shipment yet", style="dim")
    text = Text(" · ").join(group_cells(grouping, row.key))
    transit = row.transit
    if not transit.count:
        return text.append("  no delivered shipment with a first scan", style="dim")
    return text.append(
        f"  transit p50 {days(transit.p50_days)} d · p90 {days(transit.p90_days)} d"
        f" ({transit.count} delivered)"
    )


class CarriersScreen(DashboardScreen):
    CSS_PATH = "../styles/carriers.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "g",
            "cycle_grouping",
            "Group by",
            id="carriers.group",
            tooltip="Group by carrier, by carrier and service, or by lane",
        ),
    ]

    @dataclass
    class Loaded(Message):
        """A worker read the performance of one grouping."""

        grouping: Grouping
        rows: list[Performance]

    grouping: reactive[Grouping] = reactive(Grouping.CARRIER)

    def compose_body(self) -> ComposeResult:
        yield PerformanceTable(id="performance")
        yield Static(id="transit-caption")
        yield TransitPlot(id="transit")

    def watch_grouping(self, grouping: Grouping) -> None:
        self.sub_title = f"carriers by {grouping.value}"

    async def reload(self) -> None:
        self._load(self.grouping)

    @work(group="carriers", exclusive=True)
    async def _load(self, grouping: Grouping) -> None:
        self.post_message(self.Loaded(grouping, await performance(self.ctx.store, grouping)))

    def on_carriers_screen_loaded(self, message: Loaded) -> None:
        if message.grouping is not self.grouping:
            return  # a load for the grouping before the last ``g``
        self.query_one(PerformanceTable).show(message.grouping, message.rows)
        self._plot_selected()

    async def action_cycle_grouping(self) -> None:
        self.grouping = self.grouping.next()
        await self.reload()

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        self._plot_selected()

    def _plot_selected(self) -> None:
        table = self.query_one(PerformanceTable)
        row = table.selected
        self.query_one("#transit-caption", Static).update(caption(table.grouping, row))
        self.query_one(TransitPlot).plot(row.transit.day_histogram() if row is not None else ())
