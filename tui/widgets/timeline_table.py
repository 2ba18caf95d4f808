"""A shipment's scans, oldest first: the carrier's clock with its offset beside the same
instant on the user's clock, then status, description and place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from parcel_watch.views.journey import TimelineEntry
from tui import detail_text as fmt
from tui.status import status_text

CARRIER_TIME, USER_TIME, STATUS, PLACE = 19, 12, 26, 18
WIDE = 110  # narrower than this, the place joins the description and the status is cut shorter
NARROW_STATUS = 14


class TimelineTable(DataTable[Text]):
    """Filled by ``show``; columns are sized to the width on each resize, so the free text
    (description) gets what is left instead of pushing the rest off screen."""

    DEFAULT_CSS = """
    TimelineTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._entries: Sequence[TimelineEntry] = ()
        self._zone: tzinfo | None = None
        self._laid_out_for = 0

    def show(self, entries: Sequence[TimelineEntry], zone: tzinfo) -> None:
        self._entries, self._zone = entries, zone
        self._fill()

    def on_resize(self, event: events.Resize) -> None:
        if self._zone is not None and event.size.width != self._laid_out_for:
            self._fill()

    def _fill(self) -> None:
        assert self._zone is not None
        width = self.size.width or self.app.size.width
        self._laid_out_for = width
        wide = width >= WIDE
        status_width = STATUS if wide else NARROW_STATUS
        fixed = CARRIER_TIME + USER_TIME + status_width + (PLACE if wide else 0)
        columns = 5 if wide else 4
        # Each column pads a cell on both sides; the vertical scrollbar takes two cells.
        description = max(12, width - fixed - 2 * columns - 2)
        row = self.cursor_row
        self.clear(columns=True)
        self.add_column("Carrier's time", width=CARRIER_TIME)
        self.add_column("Your time", width=USER_TIME)
        self.add_column("Status", width=status_width)
        self.add_column("Description" if wide else "Description · place", width=description)
        if wide:
            self.add_column("Place", width=PLACE)
        for entry in self._entries:
            what = fmt.carrier_text(entry.description)
            where = fmt.place(entry.place)
            if not wide and where:
                what.append(f" · {where}", style="dim")
            cells = [
                fmt.carrier_time(entry),
                Text(fmt.user_time(entry.at, self._zone)),
                status_text(entry.status, entry.substatus if wide else None),
                what,
            ]
            if wide:
                cells.append(Text(where))
            for cell in cells:
                cell.no_wrap, cell.overflow = True, "ellipsis"
            self.add_row(*cells, key=str(entry.id))
        if self.row_count:
            self.move_cursor(row=min(max(row, 0), self.row_count - 1), animate=False)
