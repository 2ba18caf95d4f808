"""The demo's live view: a pure function of hand-built states, rendered on a recording console."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from rich.console import Console, RenderableType
from rich.style import Style

from parcel_watch.demoview import DemoState, Row, SourceState, age, render
from parcel_watch.status import Status
from parcel_watch.textsafe import PLACEHOLDER

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
OK = (SourceState("dhl"), SourceState("ups"))
# Lines of the full view besides its rows: title, table header and rule, counts, sources.
FULL_OVERHEAD = 5


def console(width: int = 150, height: int = 50) -> Console:
    return Console(record=True, width=width, height=height, file=io.StringIO(), color_system="truecolor")


def text(renderable: RenderableType, width: int = 150, height: int = 50) -> str:
    c = console(width, height)
    c.print(renderable)
    return c.export_text()


def style_of(renderable: RenderableType, word: str) -> Style:
    """The style a word is drawn with (the first segment holding it)."""
    c = console()
    for segment in c.render(renderable):
        if segment.text.strip() == word:
            return segment.style or Style()
    raise AssertionError(f"{word!r} not rendered")


def row(i: int, status: Status = Status.IN_TRANSIT, **kw: object) -> Row:
    fields: dict[str, object] = {
        "number": f"1Z{i:016d}",
        "carrier": "ups",
        "status": status,
        "description": f"Arrived at facility {i}",
        "place": "LOUISVILLE, US",
        "last_scan": NOW - timedelta(hours=i),
        "changed_at": NOW - timedelta(hours=i),
    } | kw
    return Row(**fields)  # type: ignore[arg-type]


def state(rows: tuple[Row, ...], sources: tuple[SourceState, ...] = OK, **kw: object) -> DemoState:
    return DemoState(now=NOW, step=7, rows=rows, events=123, polls=456, sources=sources, **kw)  # type: ignore[arg-type]


def test_every_shipment_has_a_row_with_its_label_or_number_carrier_status_event_place_and_scan_age() -> None:
    rows = (
        row(1, Status.DELIVERED, label="gift for mum", substatus="delivered.left_safe_place"),
        row(30, Status.IN_TRANSIT, carrier="fedex", place="MEMPHIS, US", description="Departed"),
        row(2, Status.PENDING, label=None, description="", place="", last_scan=None),
    )
    out = text(render(state(rows), width=150, height=50))
    lines = out.splitlines()
    assert "sandbox time 2026-10-01 12:00 UTC" in lines[0]
    assert all(h in lines[1] for h in ("Shipment", "Carrier", "Status", "Last event", "Where", "Scan age"))
    gift = next(line for line in lines if "gift for mum" in line)
    assert "1Z" not in gift  # the label stands for the shipment
    assert "ups" in gift and "DELIVERED (left_safe_place)" in gift and "Arrived at facility 1" in gift
    assert "LOUISVILLE, US" in gift and gift.rstrip().endswith("1h")
    fedex = next(line for line in lines if "fedex" in line)
    assert "1Z0000000000000030" in fedex and "Departed" in fedex and "MEMPHIS, US" in fedex
    assert fedex.rstrip().endswith("1d 6h")
    assert any("1Z0000000000000002" in line and "PENDING" in line for line in lines)  # no scan yet
    assert "3 shipments  123 events  456 polls  0 errors" in out
    assert "sources: dhl ok  ups ok" in out


def test_status_colours() -> None:
    rows = (
        row(1, Status.DELIVERED),
        row(2, Status.EXCEPTION),
        row(3, Status.IN_TRANSIT),
        row(4, Status.DELIVERY_ATTEMPTED),
    )
    view = render(state(rows), width=150, height=50)
    assert style_of(view, "DELIVERED").color.name == "green"  # type: ignore[union-attr]
    exception = style_of(view, "EXCEPTION")
    assert exception.color.name == "red" and exception.bold  # type: ignore[union-attr]
    assert style_of(view, "IN_TRANSIT").color.name == "blue"  # type: ignore[union-attr]
    assert style_of(view, "DELIVERY_ATTEMPTED").color.name == "yellow"  # type: ignore[union-attr]


def test_carrier_text_is_shown_literally_never_as_markup_or_escape_sequences() -> None:
    evil = "Held [bold]x[/] \x1b[31mred\x1b[0m \x1b]0;pwned\x07bell\x07"
    rows = (row(1, description=evil, place="[red]ROISSY[/red]", label="[link=http://x]l[/link]"),)
    sources = (SourceState("ups", failing_since=NOW, retry_at=NOW, last_error="unavailable: [blink]\x1b[2J"),)
    view = render(state(rows, sources), width=150, height=50)
    c = console()
    c.print(view)
    styled = c.export_text(styles=True, clear=False)
    plain = c.export_text()
    assert f"Held [bold]x[/] red bell{PLACEHOLDER}" in plain
    assert "[red]ROISSY[/red]" in plain and "[link=http://x]l[/link]" in plain
    assert "unavailable: [blink]" in plain
    assert "\x1b" not in plain and "\x07" not in plain
    # The styled output has our own colours, but none of the carrier's sequences.
    assert "\x1b[31mred" not in styled
    for sequence in ("\x1b]0;", "\x1b[2J", "\x07"):
        assert sequence not in styled
    held = next(seg for seg in console().render(view) if "[bold]x[/]" in seg.text)
    assert not (held.style and held.style.bold)  # the carrier's "[bold]" styled nothing


def test_source_health_ok_failing_and_rate_limited() -> None:
    sources = (
        SourceState("dhl"),
        SourceState(
            "fedex",
            failing_since=NOW - timedelta(hours=2),
            retry_at=NOW + timedelta(minutes=5),
            last_error="unavailable: HTTP 503",
        ),
        SourceState(
            "17track",
            failing_since=NOW,
            retry_at=NOW + timedelta(minutes=30),
            last_error="rate_limited: slow down",
            rate_limited=True,
        ),
    )
    out = text(render(state((row(1),), sources), width=150, height=50))
    assert "sources: dhl ok  fedex failing  17track rate-limited" in out
    assert "fedex failing since 2026-10-01 10:00 (unavailable: HTTP 503), retry at 2026-10-01 12:05" in out
    assert "17track rate-limited until 2026-10-01 12:30" in out
    view = render(state((row(1),), sources), width=150, height=50)
    assert style_of(view, "failing").color.name == "red"  # type: ignore[union-attr]
    assert style_of(view, "rate-limited").color.name == "yellow"  # type: ignore[union-attr]


def test_many_sources_flow_onto_more_lines_rather_than_hiding_one() -> None:
    sources = tuple(SourceState(f"source{i}") for i in range(11)) + (
        SourceState("last", failing_since=NOW, last_error="auth: refused"),
    )
    out = text(render(state((row(1),), sources), width=80, height=50), width=80)
    lines = out.splitlines()
    assert lines[-4].startswith("sources: source0 ok  source1 ok")
    assert lines[-3].startswith("         source6 ok")  # continued under the first
    assert lines[-2].rstrip().endswith("last failing")
    assert lines[-1] == "  last failing since 2026-10-01 12:00 (auth: refused)"
    assert all(len(line) <= 80 for line in lines)


def test_a_poll_error_counts_and_marks_its_row() -> None:
    rows = (row(1), row(2, error="auth: key refused"))
    out = text(render(state(rows), width=150, height=50))
    assert "1 errors" in out
    assert any("1Z0000000000000002" in line and "IN_TRANSIT !" in line for line in out.splitlines())


def test_all_rows_when_they_fit_else_a_status_summary_and_the_most_recently_changed() -> None:
    statuses = [Status.DELIVERED] * 30 + [Status.EXCEPTION] * 3 + [Status.IN_TRANSIT] * 7
    rows = tuple(row(i, s, changed_at=NOW - timedelta(hours=(i * 7) % 40)) for i, s in enumerate(statuses))
    tall = 40 + FULL_OVERHEAD
    full = text(render(state(rows), width=150, height=tall), height=tall)
    assert len(full.splitlines()) == tall and all(f"1Z{i:016d}" in full for i in range(40))

    compact = text(render(state(rows), width=120, height=24), width=120, height=24)
    lines = compact.splitlines()
    assert len(lines) == 24
    assert lines[1] == "IN_TRANSIT 7  DELIVERED 30  EXCEPTION 3"  # taxonomy order
    shown = 24 - FULL_OVERHEAD - 2  # the status line and the caption
    assert f"most recently changed ({shown} of 40):" in lines[2]
    newest = sorted(rows, key=lambda r: r.changed_at or NOW, reverse=True)[:shown]
    listed = [line.split()[0] for line in lines if line.startswith("1Z")]
    assert listed == [r.number for r in newest]


def test_an_unhealthy_source_takes_a_line_from_the_rows() -> None:
    rows = tuple(row(i) for i in range(10))
    failing = (*OK, SourceState("usps", failing_since=NOW, last_error="auth: refused"))
    height = 10 + FULL_OVERHEAD
    assert "most recently changed" not in text(render(state(rows), width=150, height=height))
    out = text(render(state(rows, failing), width=150, height=height), height=height)
    assert "most recently changed" in out and len(out.splitlines()) <= height


def test_a_narrow_terminal_drops_the_place_and_keeps_rows_on_one_line() -> None:
    rows = (row(1, description="A very long description " * 5, label="a label long enough to be cut short"),)
    out = text(render(state(rows), width=80, height=30), width=80)
    assert "Where" not in out and "LOUISVILLE" not in out
    assert len(out.splitlines()) == 1 + FULL_OVERHEAD
    assert all(len(line) <= 80 for line in out.splitlines())


def test_done_and_fresh_rows() -> None:
    out = text(render(state((row(0),), done=True), width=150, height=50))
    assert out.splitlines()[0].rstrip().endswith("done")
    assert style_of(render(state((row(0, label="fresh"),)), width=150, height=50), "fresh").bold


def test_age() -> None:
    assert age(None, NOW) == ""
    assert age(NOW - timedelta(minutes=5), NOW) == "5m"
    assert age(NOW - timedelta(hours=5, minutes=59), NOW) == "5h"
    assert age(NOW - timedelta(days=3, hours=4), NOW) == "3d 4h"
    assert age(NOW + timedelta(hours=1), NOW) == "0m"  # a scan stamped ahead of the clock
