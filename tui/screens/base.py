"""What every top-level screen shares: header, body, the sources bar, the footer, and
reloading its data from the store when the feed reports a change or the screen returns."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header

from tui.context import DashboardContext
from tui.messages import StoreChanged
from tui.widgets.sources_bar import SourcesBar


class DashboardScreen(Screen[None]):
    """Subclasses give ``compose_body`` and ``reload``; ``reload`` is cheap to call often."""

    @property
    def ctx(self) -> DashboardContext:
        return self.app.ctx  # type: ignore[attr-defined,no-any-return]

    DEFAULT_CSS = """
    DashboardScreen #chrome-bottom {
        dock: bottom;
        height: auto;
    }
    DashboardScreen #chrome-bottom Footer {
        dock: none;
    }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        # Footer docks to the bottom on its own; two docked widgets would overlap, so the
        # sources bar and the footer share one docked container instead.
        with Vertical(id="chrome-bottom"):
            yield SourcesBar()
            yield Footer()
        yield from self.compose_body()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    async def reload(self) -> None:
        """Read what the screen shows from the store again."""

    async def on_store_changed(self, message: StoreChanged) -> None:
        await self.reload()

    async def on_screen_resume(self) -> None:
        await self.reload()
