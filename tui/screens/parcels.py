"""Every shipment in one table: filter by status, carrier and open anomaly, search as you
type, cycle the sort order, open a shipment's detail, add one.

The table (``ParcelTable``) reads only the pages it shows, so this screen stays quick with
100,000 shipments; the data is ``parcel_watch.views.parcels``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Select, Static

from parcel_watch.status import TERMINAL, Status
from parcel_watch.textsafe import clean
from parcel_watch.views.parcels import ParcelFilter, SortOrder, carriers
from tui.screens.base import DashboardScreen
from tui.status import status_label
from tui.widgets.parcel_table import ParcelTable

SEARCH_DEBOUNCE_S = 0.25
ANY = "any"
# (option shown, value, statuses it keeps); empty: any status.
STATUS_CHOICES: tuple[tuple[str, str, frozenset[Status]], ...] = (
    ("Any status", ANY, frozenset()),
    ("Active", "active", frozenset(Status) - TERMINAL),
    (
        "Needs attention",
        "attention",
        frozenset(
            {Status.EXCEPTION, Status.DELIVERY_ATTEMPTED, Status.AVAILABLE_FOR_PICKUP, Status.RETURNING}
        ),
    ),
    *((status_label(s).capitalize(), s.value, frozenset({s})) for s in Status),
)
ANOMALY_CHOICES: tuple[tuple[str, str, bool | None], ...] = (
    ("Any anomaly", ANY, None),
    ("Open anomaly", "open", True),
    ("No anomaly", "none", False),
)
SORTS = list(SortOrder)


class ParcelsScreen(DashboardScreen):
    CSS_PATH = "../styles/parcels.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="parcels.search", tooltip="Find by number, label or order"),
        Binding(
            "escape", "clear_search", "Clear", id="parcels.clear", tooltip="Clear the search", show=False
        ),
        Binding("s", "cycle_sort", "Sort", id="parcels.sort", tooltip="Next sort order"),
        Binding(
            "f", "filters", "Filter", id="parcels.filters", tooltip="Status, carrier and anomaly filters"
        ),
        Binding("x", "toggle_archived", "Archived", id="parcels.archived", tooltip="Show archived ones too"),
        Binding("a", "app.add_shipment", "Add", id="parcels.add", tooltip="Track a new shipment"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = SortOrder.NEWEST_SCAN
        self.include_archived = False
        self._carriers: list[str] = []
        self._search_timer: Timer | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="parcels-filters"):
            yield Select(
                [(label, value) for label, value, _ in STATUS_CHOICES],
                value=ANY,
                allow_blank=False,
                id="parcels-status",
            )
            yield Select([("Any carrier", ANY)], value=ANY, allow_blank=False, id="parcels-carrier")
            yield Select(
                [(label, value) for label, value, _ in ANOMALY_CHOICES],
                value=ANY,
                allow_blank=False,
                id="parcels-anomaly",
            )
            yield Input(placeholder="/ search", id="parcels-search")
        yield Static(id="parcels-count")
        yield ParcelTable(self.ctx, id="parcels-table")

    def on_mount(self) -> None:
        self.title = "Parcels"
        self._show_sort()
        self.table.focus()

    @property
    def table(self) -> ParcelTable:
        return self.query_one(ParcelTable)

    @property
    def filter(self) -> ParcelFilter:
        status = self.query_one("#parcels-status", Select).value
        carrier = self.query_one("#parcels-carrier", Select).value
        anomaly = self.query_one("#parcels-anomaly", Select).value
        return ParcelFilter(
            statuses=next(keeps for _, value, keeps in STATUS_CHOICES if value == status),
            carrier=None if carrier == ANY else str(carrier),
            open_anomaly=next(has for _, value, has in ANOMALY_CHOICES if value == anomaly),
            search=self.query_one("#parcels-search", Input).value,
            include_archived=self.include_archived,
        )

    async def reload(self) -> None:
        """The store changed (or the screen is back): read the list again, the cursor on the
        same shipment if it is still listed."""
        table = self.table
        current = table.current
        table.show(self.filter, self.sort, keep=current.id if current else None, cursor=table.cursor)
        known = await carriers(self.ctx.store)
        if known != self._carriers:
            self._carriers = known
            select = self.query_one("#parcels-carrier", Select)
            chosen = select.value
            with select.prevent(Select.Changed):
                select.set_options([("Any carrier", ANY), *((clean(c), c) for c in known)])
                select.value = chosen if chosen in known else ANY

    def _apply_filter(self) -> None:
        if self.filter != self.table.asked_filter:  # e.g. a Select set to the value it had
            self.table.show(self.filter, self.sort)

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self._apply_filter()

    @on(Input.Changed, "#parcels-search")
    def _search_changed(self) -> None:
        # Results follow the typing, but one query per pause, not one per key.
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE_S, self._apply_filter)

    @on(Input.Submitted, "#parcels-search")
    def _search_done(self) -> None:
        self.table.focus()

    @on(ParcelTable.Counted)
    def _counted(self, message: ParcelTable.Counted) -> None:
        line = Text(f"{message.shown:,} of {message.everything:,} parcels")
        if self.include_archived:
            line.append("  archived shown (x)", style="dim")
        self.query_one("#parcels-count", Static).update(line)

    def action_search(self) -> None:
        self.query_one("#parcels-search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#parcels-search", Input)
        if search.value:
            with search.prevent(Input.Changed):
                search.value = ""
            self._apply_filter()
        self.table.focus()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._show_sort()
        self.table.show(self.filter, self.sort)  # from the top of the new order

    def action_filters(self) -> None:
        self.query_one("#parcels-status", Select).focus()

    def action_toggle_archived(self) -> None:
        self.include_archived = not self.include_archived
        self._apply_filter()

    def _show_sort(self) -> None:
        self.sub_title = f"sorted by {self.sort.caption} (s)"
