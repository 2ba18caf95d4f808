"""Legs (origin post → destination post for a cross-border item) and the ETA's history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from parcel_watch.model import Location
from parcel_watch.views.journey import EtaRevision, Leg
from tui import detail_text as fmt


def legs_map(legs: Sequence[Leg], zone: tzinfo) -> RenderableType:
    """The legs drawn top to bottom, a line for who carried it and a line for when and where::

    ● DE  Deutsche Post · origin                                   3 scans
    │   31 Oct 03:42 LEIPZIG, DE  →  31 Oct 19:43 LEIPZIG, DE
    ▼
    ● US  United States Postal Service · destination               8 scans
        01 Nov 13:18 INDIANAPOLIS, US  →  09 Nov 09:40 DENVER, US
    """
    if not legs:
        return Text("No scans yet: the legs show once the carrier reports where the item is.", style="dim")
    lines = [Text("Legs", style="bold")]
    last = len(legs) - 1
    for n, leg in enumerate(legs):
        who = Text("● ", style="cyan")
        who.append(leg.country or "??", style="bold")
        if leg.operator:
            who.append(f"  {leg.operator}")
        if last:
            who.append(f" · {_role(legs, n)}", style="dim")
        who.append(f"  {len(leg.entries)} scan{'s' if len(leg.entries) != 1 else ''}", style="dim")
        span = Text("│   " if n < last else "    ", style="cyan")
        span.append_text(_end(leg.start_place, fmt.user_time(leg.first.at, zone)))
        span.append("  →  ", style="dim")
        span.append_text(_end(leg.end_place, fmt.user_time(leg.last.at, zone)))
        lines += [who, span] + ([Text("▼", style="cyan")] if n < last else [])
    for line in lines:
        line.no_wrap, line.overflow = True, "ellipsis"
    return Group(*lines)


def _role(legs: Sequence[Leg], n: int) -> str:
    if n == 0:
        return "origin"
    if n < len(legs) - 1:
        return "transit"
    # Runs differ from their neighbours, so a last leg in the first leg's country came back.
    return "back to origin" if legs[n].country == legs[0].country else "destination"


def _end(where: Location, when: str) -> Text:
    """``02 Nov 10:20 INDIANAPOLIS, US``: when the leg began or ended, and where."""
    text = Text(when, style="dim")
    if fmt.place(where):
        text.append(f" {fmt.place(where)}")
    return text


def eta_table(history: Sequence[EtaRevision], zone: tzinfo) -> RenderableType:
    if not history:
        return Text("The carrier has not announced a delivery estimate.", style="dim")
    table = Table(
        title=f"ETA history (your time, {fmt.zone_name(zone)})",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        expand=True,
        pad_edge=False,
    )
    table.add_column("Announced", no_wrap=True)
    table.add_column("Estimated delivery", no_wrap=True)
    table.add_column("Change", no_wrap=True)
    for revision in history:
        shift = revision.shift
        change = (
            Text("first estimate", style="dim")
            if shift is None
            else Text(fmt.signed_days(shift), style="red" if shift.total_seconds() > 0 else "green")
        )
        table.add_row(
            fmt.user_time(revision.announced_at, zone), fmt.user_time(revision.estimate, zone), change
        )
    return table


class JourneyPanel(Static):
    DEFAULT_CSS = """
    JourneyPanel {
        height: auto;
        padding: 0 1;
    }
    """

    def show(self, legs: Sequence[Leg], history: Sequence[EtaRevision], zone: tzinfo) -> None:
        self.update(Group(legs_map(legs, zone), Text(""), eta_table(history, zone)))
