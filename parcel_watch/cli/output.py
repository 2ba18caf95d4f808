"""Where output goes: data to stdout (Rich tables or JSON), messages to stderr.

Every piece of stored or user-supplied text shown in a table goes through
``textsafe.for_terminal`` (escape sequences stripped, Rich markup escaped); messages on
stderr go through ``textsafe.clean``. JSON output keeps the verbatim text, ASCII-escaped.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from parcel_watch.detect import Candidate
from parcel_watch.exporter import local_time
from parcel_watch.model import Shipment, TrackingEvent
from parcel_watch.textsafe import clean, for_terminal

T = for_terminal


PIPE_WIDTH = 200  # tables written to a pipe or file: wide rather than wrapped at 80 columns


def console(*, stderr: bool = False) -> Console:
    # No emoji codes (":warning:" in carrier text stays text), no auto-highlighting.
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS") else PIPE_WIDTH
    return Console(stderr=stderr, emoji=False, highlight=False, soft_wrap=False, width=width)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=True, indent=2) + "\n")


def emit_line(text: str) -> None:
    """A plain line of data on stdout (cleaned: it may quote user text)."""
    sys.stdout.write(clean(text, keep_newlines=True) + "\n")


def message(text: str, *, prefix: str = "") -> None:
    sys.stderr.write(prefix + clean(text, keep_newlines=True) + "\n")


def error(text: str, hint: str | None = None) -> None:
    message(text, prefix="error: ")
    if hint:
        message(hint, prefix="hint: ")


def note(text: str) -> None:
    message(text, prefix="note: ")


# -- formatting --------------------------------------------------------------------------


def utc(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def local(event: TrackingEvent) -> str:
    when = local_time(event)
    if when is None:
        return ""
    text = when.strftime("%Y-%m-%d %H:%M")
    offset = when.strftime("%z")
    return f"{text} {offset[:3]}:{offset[3:]}" if offset else f"{text} (offset unknown)"


def status(value: str, substatus: str | None) -> str:
    return f"{value} ({substatus.split('.', 1)[-1]})" if substatus else value


def location(event: TrackingEvent) -> str:
    loc = event.location
    return ", ".join(p for p in (loc.city, loc.region, loc.postal_code, loc.country) if p)


def carrier_label(slug: str, names: dict[str, str]) -> str:
    name = names.get(slug)
    return f"{name} ({slug})" if name and name != slug else slug


# -- tables ------------------------------------------------------------------------------


def shipments_table(shipments: Iterable[Shipment]) -> Table:
    table = Table(show_lines=False)
    for column in ("Tracking number", "Carrier", "Status", "Last event", "Label"):
        table.add_column(column)
    for s in shipments:
        table.add_row(
            T(s.tracking_number),
            T(s.carrier),
            T(status(s.status.value, s.substatus)),
            T(utc(s.last_event_at)),
            T(s.label),
        )
    return table


def shipment_panel(s: Shipment, names: dict[str, str]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    money = s.declared_value
    route = " -> ".join(c or "?" for c in (s.origin_country, s.destination_country))
    fields: Sequence[tuple[str, str | None]] = [
        ("Tracking number", s.tracking_number),
        ("Carrier", f"{carrier_label(s.carrier, names)}, {s.carrier_source.value}"),
        ("Status", status(s.status.value, s.substatus)),
        ("Last event", utc(s.last_event_at)),
        ("Label", s.label),
        ("Order", s.order_ref),
        ("Service", s.service),
        ("Route", route if s.origin_country or s.destination_country else None),
        ("Shipped", s.ship_date.isoformat() if s.ship_date else None),
        ("Promised", s.promised_delivery.isoformat() if s.promised_delivery else None),
        ("Estimated", utc(s.estimated_delivery)),
        ("Value", f"{money.amount} {money.currency}" if money else None),
        ("Weight", f"{s.weight_kg:g} kg" if s.weight_kg is not None else None),
        ("Added", utc(s.created_at)),
    ]
    for key, value in fields:
        if value:
            grid.add_row(key, T(value))
    return grid


def timeline_table(events: Sequence[TrackingEvent]) -> Table:
    table = Table(title="Timeline (oldest first)", title_justify="left")
    for column in ("Time (UTC)", "Local time", "Status", "Code", "Description", "Location"):
        table.add_column(column)
    for e in events:
        table.add_row(
            T(utc(e.occurred_at)),
            T(local(e)),
            T(status(e.status.value, e.substatus)),
            T(e.carrier_code),
            T(e.description),
            T(location(e)),
        )
    return table


def candidates_table(candidates: Sequence[Candidate]) -> Table:
    table = Table()
    for column in ("#", "Carrier", "Format", "Check digit", "Confidence", "Service", "Origin"):
        table.add_column(column)
    for rank, c in enumerate(candidates, start=1):
        check = "valid" if c.valid_checksum else "FAILED" if c.has_checksum else "none"
        origin = ", ".join(p for p in (c.origin_country, c.origin_courier) if p)
        table.add_row(
            str(rank), T(c.carrier), T(c.name), check, f"{c.confidence:.2f}", T(c.service), T(origin)
        )
    return table
