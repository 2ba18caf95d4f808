"""Placeholder: the claims screen is being built (issue 5)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.screens.base import DashboardScreen


class ClaimsScreen(DashboardScreen):
    def compose_body(self) -> ComposeResult:
        yield Static("claims")
