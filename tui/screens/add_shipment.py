"""Placeholder: the add-a-shipment dialog is being built (issue 5)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import ModalScreen
from textual.widgets import Static


class AddShipmentScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "dismiss", "Cancel")]

    def compose(self) -> ComposeResult:
        yield Static("add a shipment")
