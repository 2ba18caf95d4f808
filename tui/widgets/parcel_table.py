"""A virtual table of parcels: it renders only the lines on screen and reads the pages under
them from the store, so 100,000 shipments scroll like 100.

Line 0 is the header; line ``i + 1`` is row ``i`` of the list. Rows live in a small cache of
pages (``ctx.page_size`` rows each). One worker reads from the store, one query at a time,
newest request first: a new list (filter, sort, reload) is read before missing pages, and a
page under the screen before one a screen away. Nothing is cancelled mid-query; what a
newer request made stale is dropped when it lands. ``rows_fetched`` counts every row read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from parcel_watch.views.parcels import ParcelFilter, ParcelRow, SortOrder, count, page, position
from tui.context import DashboardContext
from tui.messages import OpenShipment
from tui.widgets.parcel_columns import Column, header_line, layout, row_line

CACHED_PAGES = 8
AGE_REFRESH_S = 60.0  # ages of last scans move on even when the store does not


class ParcelTable(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    ParcelTable {
        height: 1fr;
        overflow-x: hidden;
        background: $surface;
        & > .parcel-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .parcel-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .parcel-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .parcel-table--note { color: $text-muted; text-style: italic; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "parcel-table--header",
        "parcel-table--cursor",
        "parcel-table--note",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="parcels.open", tooltip="Show this shipment's detail"),
        Binding("up", "cursor_up", "Up", id="parcels.up", tooltip="Previous parcel", show=False),
        Binding("down", "cursor_down", "Down", id="parcels.down", tooltip="Next parcel", show=False),
        Binding("pageup", "page_up", "Page up", id="parcels.page_up", tooltip="A screen up", show=False),
        Binding(
            "pagedown", "page_down", "Page down", id="parcels.page_down", tooltip="A screen down", show=False
        ),
        Binding("home", "first", "First", id="parcels.first", tooltip="First parcel", show=False),
        Binding("end", "last", "Last", id="parcels.last", tooltip="Last parcel", show=False),
    ]

    @dataclass(frozen=True)
    class Request:
        """A list to read: what ``show`` was asked."""

        filter: ParcelFilter
        sort: SortOrder
        keep: int | None  # the shipment the cursor should stay on, if it is still listed
        cursor: int  # else this row

    @dataclass
    class Counted(Message):
        """The list was read again: ``shown`` rows pass the filter, of ``everything`` (archived
        ones counted only when the filter lets them through)."""

        table: ParcelTable
        shown: int
        everything: int

    def __init__(self, ctx: DashboardContext, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ctx = ctx
        self.filter = ParcelFilter()
        self.sort = SortOrder.NEWEST_SCAN
        self.total: int | None = None  # None until the first list is read
        self.cursor = 0
        self.rows_fetched = 0
        self._pages: dict[int, tuple[ParcelRow, ...]] = {}
        self._generation = 0
        self._asked: ParcelTable.Request | None = None  # the newest list asked for
        self._request: ParcelTable.Request | None = None  # ... while not yet being read
        self._shown: ParcelTable.Request | None = None  # the list on screen
        self._loading = False
        self._columns: list[tuple[Column, int]] = []
        self._columns_width = -1

    # -- calls from the screen ----------------------------------------------------

    def show(self, flt: ParcelFilter, sort: SortOrder, *, keep: int | None = None, cursor: int = 0) -> None:
        """Read the list for ``flt`` in ``sort`` order; the cursor goes to the shipment ``keep``
        if it is in the new list, else to row ``cursor``."""
        self._asked = self._request = self.Request(flt, sort, keep, cursor)
        self._kick()

    @property
    def current(self) -> ParcelRow | None:
        """The row under the cursor, if it is loaded."""
        return self._row(self.cursor)

    @property
    def settled(self) -> bool:
        """The list is read, and the pages under the screen and around it are loaded."""
        return self._shown is not None and self._shown is self._asked and self._next_missing_page() is None

    @property
    def asked_filter(self) -> ParcelFilter:
        """The filter of the newest list asked for (read, or being read)."""
        return self._asked.filter if self._asked is not None else self.filter

    # -- loading --------------------------------------------------------------------

    def on_mount(self) -> None:
        self.set_interval(AGE_REFRESH_S, self.refresh)

    def _kick(self) -> None:
        if not self._loading:
            self._loading = True
            self.run_worker(self._load(), name="parcel pages", group="parcel-table", exclusive=True)

    async def _load(self) -> None:
        try:
            while True:
                if self._request is not None:
                    request, self._request = self._request, None
                    await self._open(request)
                    continue
                number = self._next_missing_page()
                if number is None:
                    break
                await self._fetch(number)
        finally:
            self._loading = False

    async def _open(self, request: ParcelTable.Request) -> None:
        store, size = self.ctx.store, self.ctx.page_size
        shown = await count(store, request.filter)
        everything = await count(store, ParcelFilter(include_archived=request.filter.include_archived))
        at = None
        if request.keep is not None:
            at = await position(store, request.filter, request.sort, request.keep)
        cursor = at if at is not None else min(request.cursor, max(shown - 1, 0))
        rows = await page(store, request.filter, request.sort, cursor // size * size, size)
        self.rows_fetched += len(rows)
        if self._request is not None:  # a newer list was asked for meanwhile
            return
        line = self.cursor - round(self.scroll_y)  # the cursor keeps its place on screen
        self._generation += 1
        self.filter, self.sort, self.total = request.filter, request.sort, shown
        self._shown = request
        self._pages = {cursor // size: tuple(rows)}
        self.cursor = cursor
        self.virtual_size = Size(self._width(), shown + 1)
        body = self._body_height()
        self.scroll_to(y=max(0, cursor - min(max(line, 0), body - 1)), animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Counted(self, shown, everything))

    async def _fetch(self, number: int) -> None:
        size, generation = self.ctx.page_size, self._generation
        rows = await page(self.ctx.store, self.filter, self.sort, number * size, size)
        self.rows_fetched += len(rows)
        if generation != self._generation:
            return
        self._pages[number] = tuple(rows)
        self._forget_far_pages()
        self.refresh()

    def _wanted_pages(self) -> Iterator[int]:
        """Pages under the screen first, then the cursor's, then a screen ahead and behind."""
        if not self.total:
            return
        size, body, top = self.ctx.page_size, self._body_height(), round(self.scroll_y)
        last = min(top + body - 1, self.total - 1)
        yield from range(top // size, last // size + 1)
        yield self.cursor // size
        yield min(last + body, self.total - 1) // size
        yield max(top - body, 0) // size

    def _next_missing_page(self) -> int | None:
        return next((n for n in self._wanted_pages() if n not in self._pages), None)

    def _forget_far_pages(self) -> None:
        here = round(self.scroll_y) // self.ctx.page_size
        while len(self._pages) > CACHED_PAGES:
            del self._pages[max(self._pages, key=lambda n: abs(n - here))]

    def _row(self, index: int) -> ParcelRow | None:
        rows = self._pages.get(index // self.ctx.page_size)
        offset = index % self.ctx.page_size
        return rows[offset] if rows is not None and offset < len(rows) else None

    # -- drawing --------------------------------------------------------------------

    def _width(self) -> int:
        return self.scrollable_content_region.width

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def on_resize(self, event: events.Resize) -> None:
        if self.total is not None:
            self.virtual_size = Size(self._width(), self.total + 1)
        self._kick()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._kick()

    def render_line(self, y: int) -> Strip:
        width = self._width()
        if width != self._columns_width:
            self._columns, self._columns_width = layout(width), width
        base = self.visual_style.rich_style
        if y == 0:
            return self._strip(
                header_line(self._columns), base, self.get_component_rich_style("parcel-table--header")
            )
        index = round(self.scroll_y) + y - 1
        note = self.get_component_rich_style("parcel-table--note")
        if self.total is None:
            return self._strip(Text("loading…") if y == 1 else Text(), base, note)
        if self.total == 0:
            return self._strip(Text("No parcel matches." if y == 1 else ""), base, note)
        if index >= self.total:
            return Strip.blank(width, base)
        row = self._row(index)
        cursor = self.get_component_rich_style("parcel-table--cursor") if index == self.cursor else None
        if row is None:
            self._kick()
            return self._strip(Text("…"), base, cursor or note)
        return self._strip(row_line(row, self._columns, self.ctx.clock(), self.ctx.user_zone), base, cursor)

    def _strip(self, text: Text, base: Style, over: Style | None) -> Strip:
        segments = Segment.apply_style(text.render(self.app.console), style=base, post_style=over)
        return Strip(segments).adjust_cell_length(self._width(), base + over if over else base)

    # -- cursor ---------------------------------------------------------------------

    def move_to(self, index: int) -> None:
        if not self.total:
            return
        index = max(0, min(index, self.total - 1))
        before, self.cursor = self.cursor, index
        body, top = self._body_height(), round(self.scroll_y)
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + body:
            self.scroll_to(y=index - body + 1, animate=False, immediate=True)
        self.refresh_line(before + 1)
        self.refresh_line(index + 1)
        self._kick()

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_page_down(self) -> None:
        body = self._body_height()
        self.scroll_to(y=round(self.scroll_y) + body, animate=False, immediate=True)
        self.move_to(self.cursor + body)

    def action_page_up(self) -> None:
        body = self._body_height()
        self.scroll_to(y=max(0, round(self.scroll_y) - body), animate=False, immediate=True)
        self.move_to(self.cursor - body)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to((self.total or 1) - 1)

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(OpenShipment(row.id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0 or not self.total:
            return
        index = round(self.scroll_y) + offset.y - 1
        if index >= self.total:
            return
        if index == self.cursor or event.chain > 1:
            self.move_to(index)
            self.action_open()
        else:
            self.move_to(index)
