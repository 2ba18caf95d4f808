"""Open anomalies as a table, most urgent first (the nearest deadline of their claims)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from rich.text import Text

from claims.queue import QueuedAnomaly
from tui.widgets.claim_table import days_style, days_text, short
from tui.widgets.keyed_table import KeyedTable

COLUMNS = ("Left", "Anomaly", "Shipment", "Carrier", "Since", "Claims", "What")
SUMMARY_WIDTH = 60


def anomaly_cells(item: QueuedAnomaly, zone: tzinfo) -> list[Text]:
    kind = Text(item.anomaly.kind.value.replace("_", " "), style="dim" if item.resolved else "bold")
    if item.resolved:
        kind.append(" (resolved)", style="dim")
    return [
        Text(days_text(item.days_left), style=days_style(item.days_left), justify="right"),
        kind,
        short(item.shipment.name),
        short(item.shipment.carrier, 12),
        Text(item.anomaly.since.astimezone(zone).strftime("%Y-%m-%d")),
        Text(str(item.claims) if item.claims else "—", justify="right"),
        short(item.summary, SUMMARY_WIDTH),
    ]


class AnomalyTable(KeyedTable):
    """Row keys are anomaly ids."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(COLUMNS, id=id)

    def show(self, items: Sequence[QueuedAnomaly], zone: tzinfo) -> None:
        self.refill((str(item.anomaly.id), anomaly_cells(item, zone)) for item in items)

    @property
    def anomaly_id(self) -> int | None:
        key = self.current_key
        return int(key) if key is not None else None
