"""The demo's live view: a pure function from the demo's state to a Rich renderable.

The loop that drives it (``cli/commands_demo.py``) only builds a :class:`DemoState` after a
simulated step and hands the result of :func:`render` to ``rich.live.Live``; everything
shown is decided here, so it is tested on hand-built states.

Carrier text (descriptions, places, labels, errors) is untrusted: it goes through
``textsafe.clean`` into ``Text`` objects, never into markup strings, so Rich markup in it
stays literal and escape sequences never reach the terminal.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from parcel_watch.status import Status
from parcel_watch.textsafe import clean

STATUS_STYLES: dict[Status, str] = {
    Status.UNKNOWN: "dim",
    Status.PENDING: "dim",
    Status.INFO_RECEIVED: "bright_black",
    Status.IN_TRANSIT: "blue",
    Status.OUT_FOR_DELIVERY: "bold cyan",
    Status.AVAILABLE_FOR_PICKUP: "cyan",
    Status.DELIVERY_ATTEMPTED: "yellow",
    Status.DELIVERED: "green",
    Status.EXCEPTION: "bold red",
    Status.RETURNING: "magenta",
    Status.RETURNED: "magenta",
    Status.CANCELLED: "dim red",
    Status.EXPIRED: "dim red",
}
TABLE_HEAD = 2  # header and rule (box.SIMPLE_HEAD, no edges): the rest is one line a row
WIDE = 110  # narrower terminals drop the "Where" column
MIN_RECENT = 3  # the compact view never shows fewer rows, even if Live has to crop
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    """One shipment as the view shows it; text fields are raw carrier/user text."""

    number: str
    carrier: str
    status: Status
    label: str | None = None
    substatus: str | None = None
    description: str = ""
    place: str = ""
    last_scan: datetime | None = None
    changed_at: datetime | None = None  # simulated time the tracker last saw it change
    error: str | None = None  # the last poll's problem, if any


@dataclass(frozen=True)
class SourceState:
    """A source's health (from ``scheduler.Health``), as plain data."""

    slug: str
    failing_since: datetime | None = None
    retry_at: datetime | None = None
    last_error: str | None = None
    rate_limited: bool = False

    @property
    def ok(self) -> bool:
        return self.failing_since is None and not self.rate_limited


@dataclass(frozen=True)
class DemoState:
    now: datetime  # simulated
    step: int
    rows: tuple[Row, ...]
    events: int
    polls: int
    sources: tuple[SourceState, ...] = ()
    done: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.error)

    def by_status(self) -> dict[Status, int]:
        """Counts in taxonomy order (a stable layout as the counts change)."""
        counts = Counter(r.status for r in self.rows)
        return {s: counts[s] for s in Status if counts[s]}


def render(state: DemoState, *, width: int, height: int) -> RenderableType:
    """The view in at most ``height`` lines of ``width``: every shipment if they fit, else a
    summary by status and the most recently changed shipments.

    Every part but the table is built as whole one-line Texts, so the lines left for rows
    are known exactly and Live never has to crop."""
    title, footer = [_title(state)], _footer(state, width)
    room = height - len(title) - len(footer) - TABLE_HEAD
    if len(state.rows) <= room:
        return Group(*title, _table(state.rows, state.now, width), *footer)
    summary = _flow([_count(status_text(s), n) for s, n in state.by_status().items()], width)
    fit = max(MIN_RECENT, room - len(summary) - 1)
    recent = sorted(state.rows, key=_changed_key, reverse=True)[:fit]
    caption = Text(f"most recently changed ({len(recent)} of {len(state.rows)}):", style="dim")
    return Group(*title, *summary, caption, _table(tuple(recent), state.now, width), *footer)


def status_text(status: Status, substatus: str | None = None) -> Text:
    detail = f" ({substatus.split('.', 1)[-1]})" if substatus else ""
    return Text(status.value + detail, style=STATUS_STYLES.get(status, ""))


def age(since: datetime | None, now: datetime) -> str:
    """Compact age of a scan: ``45m``, ``5h``, ``3d 4h``."""
    if since is None:
        return ""
    delta = max(now - since, timedelta(0))
    if delta < timedelta(hours=1):
        return f"{delta.seconds // 60}m"
    if delta < timedelta(days=1):
        return f"{delta.seconds // 3600}h"
    return f"{delta.days}d {delta.seconds // 3600}h"


def source_text(source: SourceState, now: datetime) -> Text:
    if source.ok:
        return Text.assemble((source.slug, "bold"), " ", ("ok", "green"))
    if source.rate_limited and source.retry_at is not None:
        return Text.assemble(
            (source.slug, "bold"), " ", (f"rate-limited until {_when(source.retry_at)}", "yellow")
        )
    text = Text.assemble((source.slug, "bold"), " ", (f"failing since {_when(source.failing_since)}", "red"))
    if source.last_error:
        text.append(f" ({clean(source.last_error)})")
    if source.retry_at is not None and source.retry_at > now:
        text.append(f", retry at {_when(source.retry_at)}", style="dim")
    return text


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M}" if at is not None else "?"


def _changed_key(row: Row) -> datetime:
    return row.changed_at or row.last_scan or _NEVER


def _title(state: DemoState) -> Text:
    title = Text.assemble(
        ("parcel-watch demo", "bold"),
        f"  sandbox time {state.now:%Y-%m-%d %H:%M} UTC",
        no_wrap=True,
        overflow="ellipsis",
    )
    title.append(f"  step {state.step}", style="dim")
    if state.done:
        title.append("  done", style="bold green")
    return title


def _table(rows: tuple[Row, ...], now: datetime, width: int) -> Table:
    # One line per row whatever the width (no_wrap, ellipsis): the height budget relies on it.
    # Fixed columns are capped by the width (Status, whose content changes most, has a set
    # width) and the free text shares the rest, so the layout stays put from frame to frame;
    # Rich alone would squeeze the free text to nothing on a narrow terminal.
    wide = width >= WIDE
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), expand=True)
    table.add_column("Shipment", no_wrap=True, overflow="ellipsis", max_width=min(26, max(10, width // 6)))
    table.add_column("Carrier", no_wrap=True, overflow="ellipsis", max_width=10)
    table.add_column("Status", no_wrap=True, overflow="ellipsis", width=min(30, max(10, width // 4)))
    table.add_column("Last event", no_wrap=True, overflow="ellipsis", ratio=2)
    if wide:
        table.add_column("Where", no_wrap=True, overflow="ellipsis", ratio=1)
    table.add_column("Scan age", no_wrap=True, justify="right", min_width=8)
    for r in rows:
        status = status_text(r.status, r.substatus)
        if r.error:
            status.append(" !", style="bold red")
        fresh = r.changed_at is not None and r.changed_at >= now
        where = [Text(clean(r.place))] if wide else []
        table.add_row(
            Text(clean(r.label or r.number)),
            Text(clean(r.carrier)),
            status,
            Text(clean(r.description)),
            *where,
            Text(age(r.last_scan, now)),
            style="bold" if fresh else None,  # changed since the previous frame
        )
    return table


def _count(label: Text, n: int) -> Text:
    text = Text()  # the label keeps its colour, the count does not take it
    return text.append_text(label).append(f" {n}")


def _flow(items: list[Text], width: int, lead: str = "") -> list[Text]:
    """``items`` laid out on as many lines as needed: never cut, as one may be a warning."""
    lines = [Text(lead, no_wrap=True, overflow="ellipsis")]
    for item in items:
        line = lines[-1]
        if line.cell_len > len(lead):
            if line.cell_len + 2 + item.cell_len > width:
                line = Text(" " * len(lead), no_wrap=True, overflow="ellipsis")
                lines.append(line)
            else:
                line.append("  ")
        line.append_text(item)
    return lines


def _footer(state: DemoState, width: int) -> list[Text]:
    counts = Text(
        f"{len(state.rows)} shipments  {state.events} events  {state.polls} polls  ",
        no_wrap=True,
        overflow="ellipsis",
    )
    counts.append(f"{state.errors} errors", style="bold red" if state.errors else "green")
    badges = [Text.assemble((s.slug, "bold"), " ", _badge(s)) for s in state.sources]
    lines = [counts, *_flow(badges, width, lead="sources: ")]
    for source in state.sources:
        if not source.ok:
            detail = Text("  ", no_wrap=True, overflow="ellipsis")
            lines.append(detail.append_text(source_text(source, state.now)))
    return lines


def _badge(source: SourceState) -> tuple[str, str]:
    if source.rate_limited:
        return ("rate-limited", "yellow")
    return ("failing", "red") if source.failing_since is not None else ("ok", "green")
