"""The carriers table: one row per carrier, service or lane, as ``views.performance`` gives them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from parcel_watch.textsafe import clean
from parcel_watch.views.performance import Grouping, GroupKey, Performance

SERVICE_WIDTH = 22  # a long service name is cut, not the numbers after it
NUMBER_COLUMNS = ("Ships", "Deliv.", "On time", "p50 d", "p90 d", "Exc.", "Claims", "Claimed")
GROUP_COLUMNS: dict[Grouping, tuple[str, ...]] = {
    Grouping.CARRIER: ("Carrier",),
    Grouping.SERVICE: ("Carrier", "Service"),
    Grouping.LANE: ("Carrier", "Lane"),
}


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


def lane_label(key: GroupKey) -> Text:
    return Text.assemble(
        _name(key.origin) if key.origin else _unknown(),
        " → ",
        _name(key.destination) if key.destination else _unknown(),
    )


def group_cells(grouping: Grouping, key: GroupKey) -> list[Text]:
    cells = [_name(key.carrier)]
    if grouping is Grouping.SERVICE:
        cells.append(_name(key.service, SERVICE_WIDTH))
    elif grouping is Grouping.LANE:
        cells.append(lane_label(key))
    return cells


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def claimed(row: Performance) -> str:
    return ", ".join(f"{currency} {amount:,.2f}" for currency, amount in row.claimed) or "—"


def number_cells(row: Performance) -> list[Text]:
    values = (
        str(row.shipments),
        str(row.delivered),
        percent(row.on_time_rate),
        days(row.transit.p50_days),
        days(row.transit.p90_days),
        percent(row.exception_rate),
        str(row.open_claims),
        claimed(row),
    )
    return [Text(value, justify="right") for value in values]


class PerformanceTable(DataTable[Text]):
    """Refilled whole on each load; the cursor stays on the same group when it is still there."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.grouping = Grouping.CARRIER
        self.rows_shown: list[Performance] = []

    def show(self, grouping: Grouping, rows: Sequence[Performance]) -> None:
        kept = self.selected.key if self.selected is not None and grouping is self.grouping else None
        self.clear(columns=True)
        self.add_columns(*GROUP_COLUMNS[grouping], *NUMBER_COLUMNS)
        self.grouping, self.rows_shown = grouping, list(rows)
        for index, row in enumerate(rows):
            self.add_row(*group_cells(grouping, row.key), *number_cells(row), key=str(index))
        where = next((i for i, row in enumerate(rows) if row.key == kept), 0)
        if rows:
            self.move_cursor(row=where, animate=False)

    @property
    def selected(self) -> Performance | None:
        if not self.rows_shown or not 0 <= self.cursor_row < len(self.rows_shown):
            return None
        return self.rows_shown[self.cursor_row]
