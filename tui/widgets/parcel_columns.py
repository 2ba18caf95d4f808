"""The parcels table's columns: which fit a width, and each cell of a row as Rich ``Text``.

Pure functions of (row, now, user's zone, width), so the table widget only places lines.
Carrier and user text (label, number, carrier, description, place) goes through
``textsafe.clean`` into ``Text``: markup in it stays literal and escapes never reach the
terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from rich.text import Text

from parcel_watch.demoview import age
from parcel_watch.textsafe import clean
from parcel_watch.views.parcels import ParcelRow
from tui.status import status_text

GAP = 1  # blank cells between two columns

Cell = Callable[[ParcelRow, datetime, tzinfo], Text]


@dataclass(frozen=True)
class Column:
    """``rank``: 1 is kept longest; a narrow terminal drops the highest ranks first. A column
    gets ``minimum`` cells, then up to ``preferred`` in rank order, and the flexible column
    takes what is left."""

    key: str
    title: str
    minimum: int
    preferred: int
    rank: int
    cell: Cell
    flexible: bool = False
    right: bool = False


def _label(row: ParcelRow, now: datetime, zone: tzinfo) -> Text:
    # Without a label, the number (dim): narrow terminals drop the number column.
    return Text(clean(row.label)) if row.label else Text(clean(row.number), style="dim")


def _number(row: ParcelRow, now: datetime, zone: tzinfo) -> Text:
    return Text(clean(row.number))


def _carrier(row: ParcelRow, now: datetime, zone: tzinfo) -> Text:
    return Text(clean(row.carrier))


def _status(row: ParcelRow, now: datetime, zone: tzinfo) -> Text:
    return status_text(row.status, row.substatus)


def _event(row: ParcelRow, now: datetime, zone: tzinfo) -> Text:
    if row.description is None:
        return Text("no scan yet", style="dim")
    text = Text(clean(row.description))
    # Each part cleaned first: a city that is only an escape sequence leaves no stray comma.
    place = ", ".join(part for part in (clean(row.city).strip(), clean(row.country).strip()) if part)
    if place:
        text.append(f" · {place}", style="dim")
    return text


def _age(row: ParcelRow, now: datetime, zone: tzinfo) -> Text:
    return Text(age(row.last_scan, now))


def day(value: date) -> str:
    """``3 Dec``"""
    return f"{value.day} {value:%b}"


def eta_text(row: ParcelRow, now: datetime, zone: tzinfo) -> Text:
    """``3 Dec · 2 Dec``: the carrier's estimate, then the promise (``— · 2 Dec`` without an
    estimate). Flagged ``!`` in red while under way if the estimate misses the promise, or
    the estimate or the promise has passed; dim once the shipment is done. The user's dates."""
    eta = row.estimated_delivery.astimezone(zone).date() if row.estimated_delivery else None
    promised = row.promised_delivery
    if eta is None and promised is None:
        return Text()
    shown = day(eta) if eta else "—"
    if promised is not None:
        shown += f" · {day(promised)}"
    if row.status.is_terminal:
        return Text(shown, style="dim")
    today = now.astimezone(zone).date()
    late = (eta is not None and (eta < today or (promised is not None and eta > promised))) or (
        promised is not None and promised < today
    )
    return Text(f"! {shown}", style="bold red") if late else Text(shown)


def _anomalies(row: ParcelRow, now: datetime, zone: tzinfo) -> Text:
    return Text(", ".join(kind.replace("_", " ") for kind in row.anomalies), style="yellow")


COLUMNS: tuple[Column, ...] = (
    Column("label", "Label", 10, 16, 1, _label),
    Column("number", "Number", 18, 18, 4, _number),
    Column("carrier", "Carrier", 7, 9, 6, _carrier),
    Column("status", "Status", 12, 16, 1, _status),
    Column("event", "Last event · where", 20, 24, 1, _event, flexible=True),
    Column("age", "Age", 7, 7, 2, _age, right=True),
    Column("eta", "ETA · promise", 16, 16, 5, eta_text),
    Column("anomalies", "Anomalies", 9, 14, 3, _anomalies),
)


def layout(width: int, columns: Sequence[Column] = COLUMNS) -> list[tuple[Column, int]]:
    """The columns that fit ``width`` cells, in table order, with their widths."""
    kept = list(columns)

    def needed(cols: Sequence[Column]) -> int:
        return sum(c.minimum for c in cols) + GAP * (len(cols) - 1)

    while len(kept) > 1 and needed(kept) > width:
        kept.remove(max(kept, key=lambda c: c.rank))
    widths = {c.key: c.minimum for c in kept}
    spare = width - needed(kept)
    for column in sorted(kept, key=lambda c: c.rank):  # stable: table order within a rank
        grow = min(spare, column.preferred - column.minimum)
        widths[column.key] += max(grow, 0)
        spare -= max(grow, 0)
    flexible = [c for c in kept if c.flexible] or kept[-1:]
    widths[flexible[0].key] += max(spare, 0)
    return [(c, widths[c.key]) for c in kept]


def fit(text: Text, width: int, *, right: bool = False) -> Text:
    """``text`` in exactly ``width`` cells: cut with an ellipsis, or padded."""
    text = text.copy()
    text.no_wrap = True
    text.truncate(width, overflow="ellipsis")
    pad = width - text.cell_len
    if right:
        return Text(" " * pad).append_text(text)
    text.append(" " * pad)
    return text


def row_line(row: ParcelRow, columns: Sequence[tuple[Column, int]], now: datetime, zone: tzinfo) -> Text:
    line = Text(no_wrap=True, end="")
    for i, (column, width) in enumerate(columns):
        if i:
            line.append(" " * GAP)
        line.append_text(fit(column.cell(row, now, zone), width, right=column.right))
    return line


def header_line(columns: Sequence[tuple[Column, int]]) -> Text:
    line = Text(no_wrap=True, end="")
    for i, (column, width) in enumerate(columns):
        if i:
            line.append(" " * GAP)
        line.append_text(fit(Text(column.title), width, right=column.right))
    return line
