"""The selected anomaly: what the rule recorded, its claims, and its history.

Details can hold carrier text (the duties message a carrier wrote): every value is
cleaned and shown as ``Text``, never read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from claims.evaluation import AnomalyChange
from claims.queue import QueuedAnomaly
from parcel_watch.textsafe import clean
from tui.widgets.claim_table import days_style, left_words


def _local(at: datetime, zone: tzinfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def claims_line(item: QueuedAnomaly) -> Text:
    if not item.claims:
        return Text("No claim drafted for it (d drafts the shipment's claims)", style="dim")
    line = Text(f"Claims: {item.claims}")
    if item.nearest is None or item.days_left is None:
        line.append(" · none left to file", style="dim")
        return line
    line.append(f" · nearest last filing day {item.nearest} (")
    line.append(left_words(item.days_left), style=days_style(item.days_left))
    line.append(")")
    return line


def details_text(item: QueuedAnomaly, history: Sequence[AnomalyChange], zone: tzinfo) -> Text:
    anomaly, shipment = item.anomaly, item.shipment
    out = Text.assemble(
        (anomaly.kind.value.replace("_", " "), "bold"),
        " · ",
        (clean(shipment.name), "bold"),
        f" ({clean(shipment.tracking_number)}, {clean(shipment.carrier)})",
    )
    state = "resolved" if item.resolved else "open"
    out.append(f"\n{state.capitalize()} · since {_local(anomaly.since, zone)} (your time)")
    events = len(anomaly.evidence)
    out.append(f" · {events} {'event' if events == 1 else 'events'} as evidence\n")
    out.append(clean(item.summary) + "\n", style="italic")
    out.append_text(claims_line(item))
    if anomaly.details:
        out.append("\nDetails\n", style="bold")
        for key, value in anomaly.details.items():
            if value is None or value == "":
                continue
            out.append(f"  {clean(key)}: ", style="dim")
            out.append(clean(str(value)) + "\n")
    if history:
        out.append("\nHistory\n" if not anomaly.details else "History\n", style="bold")
        for change in history:
            out.append(f"  {_local(change.at, zone)}  {clean(change.change)}\n")
    out.rstrip()
    return out


class AnomalyDetails(VerticalScroll):
    DEFAULT_CSS = """
    AnomalyDetails {
        padding: 0 1;
        border-top: solid $primary-darken-2;
    }
    AnomalyDetails > Static {
        width: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text("No anomaly selected", style="dim"))

    def show(self, text: Text) -> None:
        self.query_one(Static).update(text)
        self.scroll_home(animate=False)
