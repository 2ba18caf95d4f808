"""A shipment's claims: who they go to, where each stands, the filing window, and every
status it took (who set it, when, with what note)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from parcel_watch.views.detail import ClaimView
from tui import detail_text as fmt


def deadline(shown: ClaimView) -> Text:
    claim = shown.claim
    if claim.latest is None:
        return Text("no deadline", style="dim")
    text = Text(f"by {fmt.day(claim.latest)}")
    left = shown.days_left
    if left is not None and left < 0:
        text.append(" (closed)", style="dim red")
    elif left is not None:
        text.append(f" ({left} d left)", style="bold red" if left <= 7 else "dim")
    return text


def claims_table(found: Sequence[ClaimView], zone: tzinfo) -> RenderableType:
    if not found:
        return Text("No claim drafted for this shipment.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Claim", ratio=2)
    table.add_column("Status", no_wrap=True)
    table.add_column("Amount", justify="right", no_wrap=True)
    table.add_column("Window", no_wrap=True)
    table.add_column("History", ratio=3)
    for shown in found:
        claim = shown.claim
        what = Text(claim.anomaly.value.replace("_", " "), style="bold")
        what.append(
            f" → {claim.respondent.value.replace('_', ' ')}, {claim.incident.value.replace('_', ' ')}"
        )
        history = Text()
        for change in shown.history:
            if history:
                history.append("\n")
            history.append(f"{change.to_status.value} ", style="bold")
            history.append(fmt.user_time(change.at, zone), style="dim")
            # Who and the note are typed by people: literal text, never markup.
            history.append_text(fmt.carrier_text(f" by {change.by}", "dim"))
            if change.note:
                history.append_text(fmt.carrier_text(f" — {change.note}", "italic"))
        table.add_row(
            str(claim.id),
            what,
            Text(claim.status.value.replace("_", " ")),
            fmt.money(claim.amount),
            deadline(shown),
            history,
        )
    return table


class ShipmentClaims(Static):
    DEFAULT_CSS = """
    ShipmentClaims {
        height: auto;
        padding: 0 1;
    }
    """

    def show(self, found: Sequence[ClaimView], zone: tzinfo) -> None:
        self.update(claims_table(found, zone))
