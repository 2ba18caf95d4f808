"""Open anomalies, most urgent first (the nearest deadline of their claims, then the oldest),
with the selected one's details and history; drafts its shipment's claims on request.

The data is ``claims.queue.anomaly_queue`` and ``claims.evaluation.anomaly_history``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from claims.claiming import draft_open_claims
from claims.evaluation import anomaly_history
from claims.queue import QueuedAnomaly, anomaly_queue
from parcel_watch.textsafe import clean
from tui.messages import OpenShipment
from tui.screens.base import DashboardScreen
from tui.widgets.anomaly_details import AnomalyDetails, details_text
from tui.widgets.anomaly_table import AnomalyTable


def counts_line(items: list[QueuedAnomaly], show_resolved: bool) -> Text:
    open_items = [i for i in items if not i.resolved]
    overdue = sum(1 for i in open_items if i.days_left is not None and i.days_left < 0)
    unclaimed = sum(1 for i in open_items if not i.claims)
    line = Text(f"{len(open_items)} open anomalies · {unclaimed} without claims")
    if overdue:
        line.append(f" · {overdue} with overdue claims", style="bold red")
    resolved = len(items) - len(open_items)
    shown = f"{resolved} resolved shown" if show_resolved else "resolved hidden"
    line.append(f"   {shown} (a)", style="dim")
    return line


class AnomaliesScreen(DashboardScreen):
    CSS_PATH = "../styles/anomalies.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "d", "draft_claims", "Draft claims", id="anomalies.draft", tooltip="Draft this shipment's claims"
        ),
        Binding(
            "a", "toggle_resolved", "Resolved", id="anomalies.resolved", tooltip="Show resolved ones too"
        ),
    ]

    show_resolved: reactive[bool] = reactive(False, init=False)

    @dataclass
    class QueueLoaded(Message):
        items: list[QueuedAnomaly]

    @dataclass
    class DetailsLoaded(Message):
        text: Text

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[int, QueuedAnomaly] = {}

    def compose_body(self) -> ComposeResult:
        yield Static(id="anomalies-counts")
        yield AnomalyTable(id="anomalies-table")
        yield AnomalyDetails(id="anomalies-details")

    async def reload(self) -> None:
        self._load_queue()

    @work(group="anomalies-queue", exclusive=True)
    async def _load_queue(self) -> None:
        items = await anomaly_queue(self.ctx.store, self.ctx.clock(), include_resolved=self.show_resolved)
        self.post_message(self.QueueLoaded(items))

    @on(QueueLoaded)
    def _queue_loaded(self, message: QueueLoaded) -> None:
        self._items = {item.anomaly.id: item for item in message.items}
        self.query_one(AnomalyTable).show(message.items, self.ctx.user_zone)
        self.query_one("#anomalies-counts", Static).update(counts_line(message.items, self.show_resolved))
        self._details()

    @property
    def selected(self) -> QueuedAnomaly | None:
        anomaly_id = self.query_one(AnomalyTable).anomaly_id
        return self._items.get(anomaly_id) if anomaly_id is not None else None

    def _details(self) -> None:
        item = self.selected
        if item is None:
            self.query_one(AnomalyDetails).show(Text("No open anomaly: nothing needs attention", style="dim"))
            return
        self._load_details(item)

    @work(group="anomalies-details", exclusive=True)
    async def _load_details(self, item: QueuedAnomaly) -> None:
        history = await anomaly_history(self.ctx.store, item.anomaly.id)
        self.post_message(self.DetailsLoaded(details_text(item, history, self.ctx.user_zone)))

    @on(DetailsLoaded)
    def _details_loaded(self, message: DetailsLoaded) -> None:
        self.query_one(AnomalyDetails).show(message.text)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._details()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        if (item := self.selected) is not None:
            self.post_message(OpenShipment(item.shipment.id))

    async def watch_show_resolved(self) -> None:
        await self.reload()

    def action_toggle_resolved(self) -> None:
        self.show_resolved = not self.show_resolved

    def action_draft_claims(self) -> None:
        if (item := self.selected) is not None:
            self._draft(item)

    @work(group="anomalies-write", exclusive=False)
    async def _draft(self, item: QueuedAnomaly) -> None:
        run = await draft_open_claims(
            self.ctx.store, self.ctx.clock(), by=self.ctx.user, shipment_id=item.shipment.id
        )
        name = clean(item.shipment.name)
        if run.claims:
            message = f"{len(run.claims)} claims drafted for {name} from {run.anomalies} open anomalies"
        else:
            message = f"No claim applies to {name}'s {run.anomalies} open anomalies"
        self.notify(message, title="Claims (3 shows them)", markup=False)
        await self.reload()
