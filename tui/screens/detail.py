"""One shipment: a header (what, where it stands, ETA vs promise, route) and tabs for its
timeline, legs and ETA history, raw carrier payloads, anomalies and claims. Keys refresh it
now (the feed polls it at once) and archive or bring it back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static, TabbedContent, TabPane, Tabs

from parcel_watch.views.detail import ShipmentDetail, load_detail
from tui import detail_text as fmt
from tui.screens.base import DashboardScreen
from tui.widgets.journey_panel import JourneyPanel
from tui.widgets.payload_viewer import PayloadViewer
from tui.widgets.shipment_anomalies import ShipmentAnomalies
from tui.widgets.shipment_claims import ShipmentClaims
from tui.widgets.shipment_header import ShipmentHeader
from tui.widgets.timeline_table import TimelineTable

if TYPE_CHECKING:  # the app imports this screen
    from tui.app import ParcelWatchApp


class DetailScreen(DashboardScreen):
    CSS_PATH = "../styles/detail.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh_now", "Refresh now", id="detail.refresh", tooltip="Poll this shipment at once"),
        Binding(
            "A",
            "archive",
            "Archive",
            id="detail.archive",
            tooltip="Hide it from the list and stop polling it",
        ),
        Binding(
            "A",
            "unarchive",
            "Unarchive",
            id="detail.unarchive",
            tooltip="Bring it back to the list and poll it again",
        ),
        Binding("right_square_bracket", "next_tab", "Next tab", id="detail.next_tab", tooltip="Next tab"),
        Binding(
            "left_square_bracket",
            "previous_tab",
            "Prev tab",
            id="detail.previous_tab",
            tooltip="Previous tab",
        ),
        Binding("escape", "back", "Back", id="detail.back", tooltip="Back to the list"),
    ]

    @dataclass
    class Loaded(Message):
        """The worker read the shipment (None: it is gone)."""

        detail: ShipmentDetail | None

    def __init__(self, shipment_id: int) -> None:
        super().__init__()
        self.shipment_id = shipment_id
        self.detail: ShipmentDetail | None = None

    def compose_body(self) -> ComposeResult:
        yield ShipmentHeader(Text("loading…", style="dim"), id="detail-header")
        with TabbedContent(id="detail-tabs"):
            with TabPane("Timeline", id="tab-timeline"):
                yield Static(id="timeline-legend")
                yield TimelineTable(id="timeline")
            with TabPane("Legs & ETA", id="tab-journey"), VerticalScroll():
                yield JourneyPanel(id="journey")
            with TabPane("Raw", id="tab-raw"):
                yield PayloadViewer(id="payloads")
            with TabPane("Anomalies", id="tab-anomalies"), VerticalScroll():
                yield ShipmentAnomalies(id="anomalies")
            with TabPane("Claims", id="tab-claims"), VerticalScroll():
                yield ShipmentClaims(id="claims")

    def on_mount(self) -> None:
        self.query_one(TimelineTable).focus()

    async def reload(self) -> None:
        self.run_worker(self._load(), name="detail", group="detail", exclusive=True)

    async def _load(self) -> None:
        detail = await load_detail(self.ctx.store, self.shipment_id, self.ctx.clock())
        self.post_message(self.Loaded(detail))

    def on_detail_screen_loaded(self, message: Loaded) -> None:
        self.detail = detail = message.detail
        self.refresh_bindings()  # archive or unarchive
        if detail is None:
            self.query_one(ShipmentHeader).update(
                Text(f"Shipment {self.shipment_id} is no longer in the store.", style="bold red")
            )
            return
        zone, now = self.ctx.user_zone, self.ctx.clock()
        self.query_one(ShipmentHeader).show(detail, now, zone)
        self.query_one("#timeline-legend", Static).update(
            Text.assemble(
                ("Your time: ", "dim"),
                fmt.zone_name(zone),
                (" · carrier's: its own clock and offset (≈ guessed)", "dim"),
                no_wrap=True,
                overflow="ellipsis",
            )
        )
        self.query_one(TimelineTable).show(detail.timeline, zone)
        self.query_one(JourneyPanel).show(detail.legs, detail.eta_history, zone)
        self.query_one(PayloadViewer).show(detail.payloads, detail.payloads_total, zone)
        self.query_one(ShipmentAnomalies).show(detail.anomalies, zone)
        self.query_one(ShipmentClaims).show(detail.claims, zone)
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("tab-timeline").label = f"Timeline ({len(detail.timeline)})"
        tabs.get_tab("tab-raw").label = f"Raw ({detail.payloads_total})"
        tabs.get_tab("tab-anomalies").label = f"Anomalies ({len(detail.open_anomalies)} open)"
        tabs.get_tab("tab-claims").label = f"Claims ({len(detail.claims)})"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("archive", "unarchive", "refresh_now") and self.detail is None:
            return None  # shown, greyed out, until the shipment is read
        if action == "archive":
            return self.detail is None or self.detail.archived_at is None
        if action == "unarchive":
            return self.detail is not None and self.detail.archived_at is not None
        return True

    async def action_refresh_now(self) -> None:
        if not await self.ctx.store.poll_now(self.shipment_id):
            self.notify(
                "An archived shipment is not polled: unarchive it (A) first.",
                title="Not refreshed",
                severity="warning",
                markup=False,
            )
            return
        cast("ParcelWatchApp", self.app).wake_feed()
        self.notify(f"{self._shown_name()} is polled now.", title="Refresh", markup=False)

    async def action_archive(self) -> None:
        await self._set_archived(True)

    async def action_unarchive(self) -> None:
        await self._set_archived(False)

    async def _set_archived(self, archived: bool) -> None:
        await self.ctx.store.archive(self.shipment_id, self.ctx.clock(), archived=archived)
        if archived:
            message = (
                f"{self._shown_name()} is archived: hidden from the list, no longer polled. A brings it back."
            )
        else:
            message = f"{self._shown_name()} is back in the list and polled again."
        self.notify(message, title="Archived" if archived else "Unarchived", markup=False)
        await self.reload()

    def _shown_name(self) -> str:
        """The shipment as a toast names it (label or number; the toast takes no markup)."""
        if self.detail is None:
            return f"Shipment {self.shipment_id}"
        s = self.detail.shipment
        return fmt.carrier_text(s.label or s.tracking_number).plain

    def action_next_tab(self) -> None:
        self.query_one(TabbedContent).query_one(Tabs).action_next_tab()

    def action_previous_tab(self) -> None:
        self.query_one(TabbedContent).query_one(Tabs).action_previous_tab()

    def action_back(self) -> None:
        self.dismiss()
