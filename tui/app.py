"""The dashboard app: four modes (parcels, anomalies, claims, carriers), a feed worker that
writes to the store, and app-wide keys. Screens hold the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from tui.context import DashboardContext
from tui.feeds import Feed, FeedReport
from tui.messages import OpenShipment, StoreChanged
from tui.screens.add_shipment import AddShipmentScreen
from tui.screens.anomalies import AnomaliesScreen
from tui.screens.carriers import CarriersScreen
from tui.screens.claims import ClaimsScreen
from tui.screens.detail import DetailScreen
from tui.screens.parcels import ParcelsScreen
from tui.toasts import Toaster

DARK, LIGHT = "textual-dark", "textual-light"


class ParcelWatchApp(App[None]):
    TITLE = "parcel-watch"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "parcels": ParcelsScreen,
        "anomalies": AnomaliesScreen,
        "claims": ClaimsScreen,
        "carriers": CarriersScreen,
    }
    DEFAULT_MODE = "parcels"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "switch_mode('parcels')", "Parcels", id="mode.parcels", tooltip="Every shipment"),
        Binding("2", "switch_mode('anomalies')", "Anomalies", id="mode.anomalies", tooltip="Open problems"),
        Binding("3", "switch_mode('claims')", "Claims", id="mode.claims", tooltip="Claims by deadline"),
        Binding("4", "switch_mode('carriers')", "Carriers", id="mode.carriers", tooltip="Performance"),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Keys of this screen"),
        Binding("ctrl+t", "toggle_theme", "Theme", id="app.theme", tooltip="Light or dark"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave (the store keeps everything)"),
    ]

    # Each source's health; the sources bar of every screen watches it.
    sources: reactive[dict[str, dict[str, object]]] = reactive(dict, always_update=True)
    # Notifications whose last send failed (the sources bar shows them too).
    notifications_failing: reactive[int] = reactive(0)

    def __init__(
        self,
        ctx: DashboardContext | Callable[[], Awaitable[DashboardContext]],
        feed: Callable[[DashboardContext], Feed] | None = None,
    ) -> None:
        """``ctx`` may be a coroutine function: then the app opens (and closes) the store on
        its own event loop, as ``App.run()`` in snapshot tests needs. ``feed`` builds the
        feed from the context once it is open."""
        super().__init__()
        self._open_ctx = None if isinstance(ctx, DashboardContext) else ctx
        if isinstance(ctx, DashboardContext):
            self.ctx = ctx
        self._feed = feed
        self._wake: asyncio.Event | None = None
        self.toaster = Toaster(self)

    async def on_load(self) -> None:
        if self._open_ctx is not None:
            self.ctx = await self._open_ctx()

    async def on_unmount(self) -> None:
        if self._open_ctx is not None:
            await self.ctx.store.close()

    def on_mount(self) -> None:
        self.theme = DARK
        self.toaster.follow()
        if self._feed is not None:
            feed = self._feed(self.ctx)
            self.run_worker(self._run_feed(feed), name="feed", group="feed", exclusive=True)

    async def _run_feed(self, feed: Feed) -> None:
        self._wake = asyncio.Event()
        await feed(FeedReport(changed=self._store_changed, sources=self._sources_changed, wake=self._wake))

    def _store_changed(self, new_events: int) -> None:
        self.screen.post_message(StoreChanged(new_events))
        self.toaster.check_soon()

    def _sources_changed(self, sources: dict[str, dict[str, object]]) -> None:
        self.sources = sources

    def on_open_shipment(self, message: OpenShipment) -> None:
        self.push_screen(DetailScreen(message.shipment_id))

    def action_add_shipment(self) -> None:
        self.push_screen(AddShipmentScreen())

    def wake_feed(self) -> None:
        """Poll now what is due now (a shipment the user asked to refresh), not at the next tick."""
        if self._wake is not None:
            self._wake.set()

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        # Every key of the screen is in the palette too, so nothing needs the key remembered.
        seen = {"Theme", "Quit", "Keys"}
        for active in screen.active_bindings.values():
            binding = active.binding
            if (
                not binding.show
                or not binding.description
                or binding.description in seen
                or not active.enabled
            ):
                continue
            seen.add(binding.description)
            yield SystemCommand(
                binding.description,
                binding.tooltip or f"key: {binding.key_display or binding.key}",
                partial(self.run_action, binding.action, active.node),
            )
