"""A shipment's anomalies, open and resolved, each with what it is about and its history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from claims.anomaly_summary import summarize
from claims.model import AnomalyState
from parcel_watch.views.detail import AnomalyView
from tui import detail_text as fmt


def anomalies_table(found: Sequence[AnomalyView], zone: tzinfo) -> RenderableType:
    if not found:
        return Text("No anomaly: nothing unusual has happened to this shipment.", style="green")
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False)
    table.add_column("Kind", no_wrap=True)
    table.add_column("State", no_wrap=True)
    table.add_column("Since", no_wrap=True)
    table.add_column("What", ratio=3)
    table.add_column("History", ratio=2)
    for shown in found:
        a = shown.anomaly
        is_open = a.state is AnomalyState.OPEN
        history = Text()
        for change in shown.history:
            if history:
                history.append("\n")
            history.append(f"{change.change} ", style="bold" if change.change == "opened" else "")
            history.append(fmt.user_time(change.at, zone), style="dim")
        table.add_row(
            Text(a.kind.value.replace("_", " "), style="bold red" if is_open else "dim"),
            Text(a.state.value, style="red" if is_open else "green"),
            fmt.user_time(a.since, zone),
            # The details hold carrier text (a customs reason, a duties note): cleaned, literal.
            fmt.carrier_text(summarize(a.kind, a.details)),
            history,
        )
    return table


class ShipmentAnomalies(Static):
    DEFAULT_CSS = """
    ShipmentAnomalies {
        height: auto;
        padding: 0 1;
    }
    """

    def show(self, found: Sequence[AnomalyView], zone: tzinfo) -> None:
        self.update(anomalies_table(found, zone))
