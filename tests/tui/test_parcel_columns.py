"""The parcels table's columns without Textual: which columns a width keeps, and the cells
a user reads (ETA against the promise, the label's fallback, carrier text kept literal)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from parcel_watch.status import Status
from parcel_watch.views.parcels import ParcelRow
from tui.widgets.parcel_columns import COLUMNS, GAP, eta_text, layout, row_line

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
ROW = ParcelRow(
    id=1,
    label="Camera",
    number="1Z5R89390357567127",
    carrier="ups",
    status=Status.IN_TRANSIT,
    substatus="in_transit.arrived",
    description="Arrived at facility",
    city="LEIPZIG",
    country="DE",
    last_scan=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    estimated_delivery=None,
    promised_delivery=None,
    anomalies=(),
    archived=False,
)


def keys(width: int) -> list[str]:
    return [column.key for column, _ in layout(width)]


def test_narrow_terminals_drop_the_least_important_columns_first() -> None:
    assert keys(118) == ["label", "number", "carrier", "status", "event", "age", "eta", "anomalies"]
    assert keys(98) == ["label", "number", "status", "event", "age", "eta", "anomalies"]
    assert keys(78) == ["label", "status", "event", "age", "anomalies"]
    assert keys(58) == ["label", "status", "event", "age"]


@given(st.integers(60, 300))
def test_the_columns_fill_the_width_exactly_and_never_below_their_minimum(width: int) -> None:
    placed = layout(width)
    assert sum(w for _, w in placed) + GAP * (len(placed) - 1) == width
    assert all(w >= column.minimum for column, w in placed)
    kept = {column.key for column, _ in placed}
    dropped = [c for c in COLUMNS if c.key not in kept]
    # Nothing kept is less important than something dropped.
    assert all(c.rank >= max((k.rank for k, _ in placed), default=0) for c in dropped)
    assert row_line(ROW, placed, NOW, BERLIN).cell_len == width


def test_eta_against_the_promise() -> None:
    def eta(
        at: datetime | None, promised: date | None, status: Status = Status.IN_TRANSIT
    ) -> tuple[str, str]:
        text = eta_text(
            replace(ROW, estimated_delivery=at, promised_delivery=promised, status=status), NOW, BERLIN
        )
        return text.plain, str(text.style)

    assert eta(None, None) == ("", "")
    assert eta(datetime(2026, 12, 3, 10, tzinfo=UTC), date(2026, 12, 4)) == ("3 Dec · 4 Dec", "")
    # 23:30 UTC on the 3rd is the 4th in Berlin: one day past the promise.
    assert eta(datetime(2026, 12, 3, 23, 30, tzinfo=UTC), date(2026, 12, 3)) == (
        "! 4 Dec · 3 Dec",
        "bold red",
    )
    assert eta(None, date(2026, 12, 1)) == ("! — · 1 Dec", "bold red")  # promise passed
    assert eta(datetime(2026, 11, 30, 10, tzinfo=UTC), None) == ("! 30 Nov", "bold red")  # estimate passed
    assert eta(datetime(2026, 12, 5, 10, tzinfo=UTC), None) == ("5 Dec", "")
    done = eta(datetime(2026, 12, 5, 10, tzinfo=UTC), date(2026, 12, 1), Status.DELIVERED)
    assert done == ("5 Dec · 1 Dec", "dim")  # the story is over; anomalies tell if it was late


def test_a_row_without_label_shows_its_number_and_carrier_text_stays_literal() -> None:
    placed = layout(118)
    hostile = replace(ROW, label=None, description="[bold]x[/bold]\x1b]8;;http://e.vil\x07y", city="\x1b[2J")
    line = row_line(hostile, placed, NOW, BERLIN)
    assert line.plain.startswith("1Z5R89390357567…")  # the label column falls back to the number
    assert "[bold]x[/bold]y" in line.plain
    assert "\x1b" not in line.plain and "\x07" not in line.plain
    assert "· DE" in line.plain  # the escape-only city is gone, the country stays
    assert not any("bold" == str(span.style) for span in line.spans)
