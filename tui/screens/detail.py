"""Placeholder: the detail screen is being built (issue 5)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.screens.base import DashboardScreen


class DetailScreen(DashboardScreen):
    def __init__(self, shipment_id: int) -> None:
        super().__init__()
        self.shipment_id = shipment_id

    def compose_body(self) -> ComposeResult:
        yield Static(f"shipment {self.shipment_id}")
