"""Edit the facts a shipment's claims are drafted from (price paid, declared value…).

The form's fields and their parsing are ``claims.facts_form``; a value that does not parse
is named under the form and the dialog stays open. Saving returns the new facts; the
claims screen stores them and drafts the shipment's claims again.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from claims.facts import FactsError, checked
from claims.facts_form import FIELDS, facts_from_form, form_values
from claims.model import ClaimFacts
from parcel_watch.textsafe import clean


class ClaimFactsDialog(ModalScreen[ClaimFacts | None]):
    CSS_PATH = "../styles/claim_facts.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="claim_facts.save", tooltip="Store the facts and redraft"),
        Binding("escape", "cancel", "Cancel", id="claim_facts.cancel", tooltip="Close without saving"),
    ]

    def __init__(self, shipment_name: str, facts: ClaimFacts) -> None:
        super().__init__()
        self.shipment_name = shipment_name
        self.facts = facts

    def compose(self) -> ComposeResult:
        values = form_values(self.facts)
        with Vertical(id="facts-box"):
            yield Label(Text(f"Claim facts of {clean(self.shipment_name)}", style="bold"))
            with VerticalScroll(id="facts-fields"):
                for field in FIELDS:
                    with Horizontal(classes="facts-row"):
                        yield Label(field.label, classes="facts-label")
                        yield Input(
                            values[field.name],
                            placeholder=field.placeholder,
                            id=f"fact-{field.name}",
                            compact=True,
                        )
            yield Static(id="facts-error")
            with Horizontal(id="facts-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="facts-save", compact=True)
                yield Button("Cancel (esc)", id="facts-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def values(self) -> dict[str, str]:
        return {field.name: self.query_one(f"#fact-{field.name}", Input).value for field in FIELDS}

    def action_save(self) -> None:
        try:
            facts = checked(facts_from_form(self.facts, self.values()))
        except FactsError as exc:
            self.query_one("#facts-error", Static).update(Text(clean(str(exc)), style="bold red"))
            return
        self.dismiss(facts)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "facts-save":
            self.action_save()
        else:
            self.action_cancel()
