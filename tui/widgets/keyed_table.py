"""A row-cursor table whose rows have stable keys (ids), refilled without losing its place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable


class KeyedTable(DataTable[Text]):
    """Refilling keeps the cursor on the row with the same key (the same claim, the same
    anomaly) when it is still there, else near where it was; cells are ``Text`` only, so
    nothing in them is read as markup."""

    # Shown in the footer (DataTable's own enter is hidden): every row is about a shipment.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Shipment", id="table.open", tooltip="Show this row's shipment"),
    ]

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns = columns

    def on_mount(self) -> None:
        self.add_columns(*self._columns)

    @property
    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def refill(self, rows: Iterable[tuple[str, Sequence[Text]]]) -> None:
        kept, row = self.current_key, self.cursor_row
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        if not self.row_count:
            return
        if kept is not None and kept in self.rows:
            row = self.get_row_index(kept)
        self.move_cursor(row=min(max(row, 0), self.row_count - 1), animate=False)
