"""The carriers table: one row per carrier, service, lane or month, as ``carrier_report`` gives
them (the numbers of ``parcel-watch report carriers``). Columns that do not fit the width are
dropped, least important first; the details line under the table still has their numbers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from rich.text import Text
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable

from parcel_watch.textsafe import clean
from parcel_watch.views.carrier_report import By, CarrierRow, Rate

SERVICE_WIDTH = 22  # a long service name is cut, not the numbers after it
CELL_PADDING = 2  # DataTable's default: one column of padding each side of a cell
GROUP_COLUMNS: dict[By, tuple[str, ...]] = {
    By.CARRIER: ("Carrier",),
    By.SERVICE: ("Carrier", "Service"),
    By.LANE: ("Carrier", "Lane"),
    By.MONTH: ("Carrier", "Month"),
}
GroupKey = tuple[str, str | None, str | None, str | None, str | None]


def _unknown(text: str = "?") -> Text:
    return Text(text, style="dim")


def _name(value: str | None, width: int | None = None) -> Text:
    """Carrier-given text (a service name): cleaned, never read as markup."""
    if not value:
        return _unknown("—")
    text = clean(value)
    if width is not None and len(text) > width:
        text = text[: width - 1] + "…"
    return Text(text)


def lane_label(row: CarrierRow) -> Text:
    return Text.assemble(
        _name(row.origin) if row.origin else _unknown(),
        " → ",
        _name(row.destination) if row.destination else _unknown(),
    )


def group_cells(by: By, row: CarrierRow) -> list[Text]:
    cells = [_name(row.carrier)]
    if by is By.SERVICE:
        cells.append(_name(row.service, SERVICE_WIDTH))
    elif by is By.LANE:
        cells.append(lane_label(row))
    elif by is By.MONTH:
        cells.append(_name(row.month))
    return cells


def group_key(row: CarrierRow) -> GroupKey:
    return (row.carrier, row.service, row.origin, row.destination, row.month)


def percent(rate: Rate) -> str:
    """``67%`` of the rate, or ``—`` of nothing judged."""
    return "—" if rate.rate is None else f"{rate.rate:.0%}"


def percent_ci(rate: Rate) -> str:
    """``67% ±21``: the rate and half the width of its Wilson 95 % interval, in points."""
    interval = rate.interval
    if rate.rate is None or interval is None:
        return "—"
    low, high = interval
    return f"{rate.rate:.0%} ±{round(100 * (high - low) / 2)}"


def whole(value: int | None) -> str:
    return "—" if value is None else str(value)


def amounts(values: Iterable[tuple[str, Decimal]]) -> str:
    """``USD 112.50, EUR 3.00``: each currency's exact amount, as the report prints it."""
    return ", ".join(f"{currency} {amount}" for currency, amount in values) or "—"


# (header, cell) from most to least important: the last ones are dropped first.
NUMBER_COLUMNS: tuple[tuple[str, Callable[[CarrierRow], str]], ...] = (
    ("Ships", lambda r: str(r.shipments)),
    ("Deliv.", lambda r: str(r.delivered)),
    ("vs promise", lambda r: percent_ci(r.on_time_vs_promise)),
    ("p50 bd", lambda r: whole(r.transit_business_days.percentile(50))),
    ("p90 bd", lambda r: whole(r.transit_business_days.percentile(90))),
    ("Exc.", lambda r: percent(r.with_exceptions)),
    ("vs estimate", lambda r: percent_ci(r.on_time_vs_estimate)),
    ("Open claims", lambda r: amounts(r.open_claimed)),
    ("Lost", lambda r: percent(r.lost_or_damaged)),
    ("Stall", lambda r: percent(r.stalled)),
    ("Recovered", lambda r: amounts(r.recovered)),
)
HEADERS = tuple(header for header, _ in NUMBER_COLUMNS)


def fitting(by: By, rows: Sequence[CarrierRow], width: int) -> int:
    """How many of ``NUMBER_COLUMNS`` fit ``width`` after the group columns (at least three)."""

    def column_width(header: str, cells: Iterable[Text]) -> int:
        return max([len(header), *(cell.cell_len for cell in cells)]) + CELL_PADDING

    group = [group_cells(by, row) for row in rows]
    used = sum(column_width(h, (g[i] for g in group)) for i, h in enumerate(GROUP_COLUMNS[by]))
    count = 0
    for header, cell in NUMBER_COLUMNS:
        used += column_width(header, (Text(cell(row)) for row in rows))
        if used > width and count >= 3:
            break
        count += 1
    return count


class PerformanceTable(DataTable[Text]):
    """Refilled whole on each load; the cursor stays on the same group when it is still there."""

    class Refilled(Message):
        """The rows or the columns shown changed (a load, or a resize dropped columns)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.by = By.CARRIER
        self.rows_shown: list[CarrierRow] = []
        self.columns_shown = 0

    def show(self, by: By, rows: Sequence[CarrierRow]) -> None:
        kept = group_key(self.selected) if self.selected is not None and by is self.by else None
        width = self.size.width or self.app.size.width
        shown = fitting(by, rows, width - 1)  # a column spare for the scrollbar's edge
        self.clear(columns=True)
        self.add_columns(*GROUP_COLUMNS[by], *HEADERS[:shown])
        self.by, self.rows_shown, self.columns_shown = by, list(rows), shown
        for index, row in enumerate(rows):
            numbers = [Text(cell(row), justify="right") for _, cell in NUMBER_COLUMNS[:shown]]
            self.add_row(*group_cells(by, row), *numbers, key=str(index))
        where = next((i for i, row in enumerate(rows) if group_key(row) == kept), 0)
        if rows:
            self.move_cursor(row=where, animate=False)
        self.post_message(self.Refilled())

    def on_resize(self, event: Resize) -> None:
        width = event.size.width
        if self.rows_shown and fitting(self.by, self.rows_shown, width - 1) != self.columns_shown:
            self.show(self.by, self.rows_shown)

    @property
    def selected(self) -> CarrierRow | None:
        if not self.rows_shown or not 0 <= self.cursor_row < len(self.rows_shown):
            return None
        return self.rows_shown[self.cursor_row]
