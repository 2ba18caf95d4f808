"""Add a shipment: type or paste the number, see the carriers it could belong to as you type,
take detection's pick or choose another (or type a carrier), give it a label, Enter.

Adding goes through ``parcel_watch.adding.add_number``, as ``parcel-watch add`` does: a
carrier the user chose is stored as theirs (detection never replaces it later), detection's
pick as detected. An invalid number is explained under the field and nothing is stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, OptionList, Static

from parcel_watch import importer
from parcel_watch.adding import Conflict, Outcome, add_number, alternatives
from parcel_watch.detect import Candidate, InvalidTrackingNumber, carriers
from parcel_watch.textsafe import clean
from tui.widgets.carrier_candidates import CarrierCandidates

if TYPE_CHECKING:  # the app imports this screen
    from tui.app import ParcelWatchApp


class AddShipmentScreen(ModalScreen[int | None]):
    """Dismissed with the stored shipment's id, or None when cancelled."""

    CSS_PATH = "../styles/add_shipment.tcss"
    # Priority: the fields would take these keys otherwise (an Input scrolls on ↑↓ and
    # submits on Enter without showing it in the footer).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "submit",
            "Add",
            id="add.submit",
            tooltip="Add the shipment with the carrier shown",
            priority=True,
        ),
        Binding(
            "down", "pick(1)", "Next carrier", id="add.next", tooltip="Choose the next carrier", priority=True
        ),
        Binding(
            "up",
            "pick(-1)",
            "Prev carrier",
            id="add.previous",
            tooltip="Choose the previous carrier",
            priority=True,
        ),
        Binding("escape", "cancel", "Cancel", id="add.cancel", tooltip="Close without adding"),
    ]

    @dataclass
    class Added(Message):
        outcome: Outcome
        candidate: Candidate
        detected: bool

    @dataclass
    class Refused(Message):
        reason: str

    def __init__(self) -> None:
        super().__init__()
        self._names = dict(carriers())

    def compose(self) -> ComposeResult:
        with Vertical(id="add-dialog") as dialog:
            dialog.border_title = "Add a shipment"
            number = Input(placeholder="type or paste it", id="add-number")
            number.border_title = "Tracking number"
            yield number
            yield CarrierCandidates(self._names, id="add-candidates")
            yield Static(id="add-pick")
            with Horizontal(id="add-fields"):
                label = Input(placeholder="optional", id="add-label")
                label.border_title = "Label"
                yield label
                carrier = Input(placeholder="e.g. fedex", id="add-carrier")
                carrier.border_title = "Or type a carrier"
                yield carrier
            yield Static(id="add-error")
            with Horizontal(id="add-buttons"):
                yield Button("Add", variant="primary", id="add-submit")
                yield Button("Cancel", id="add-cancel")
        yield Footer()

    def on_mount(self) -> None:
        self._show_pick()

    # -- as you type ------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "add-number":
            self.query_one(CarrierCandidates).show(event.value)
        self.query_one("#add-error", Static).update("")
        self._show_pick()

    def action_pick(self, step: int) -> None:
        self.query_one(CarrierCandidates).move(step)
        self._show_pick()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._show_pick()

    def _carrier(self) -> tuple[str | None, bool]:
        """The carrier to add under, and whether the user chose it (typed or picked)."""
        typed = self.query_one("#add-carrier", Input).value.strip().lower()
        if typed:
            return typed, True
        candidates = self.query_one(CarrierCandidates)
        if candidates.chosen is not None:
            return candidates.chosen, True
        return candidates.detected, False

    def _show_pick(self) -> None:
        raw = self.query_one("#add-number", Input).value
        carrier, chosen = self._carrier()
        line = Text()
        if not raw.strip():
            line.append("Type a number: the carriers it could be appear as you type.", style="dim")
        elif carrier is None:
            line.append("No carrier's format fits this number", style="yellow")
            if self.query_one(CarrierCandidates).candidates:
                line.append(" with a valid check digit; choose one with ↑↓ or type it", style="yellow")
        else:
            line.append("Adds as ", style="dim")
            line.append(clean(self._names.get(carrier, carrier)), style="bold")
            line.append(f" ({clean(carrier)}), ", style="dim")
            line.append("your choice" if chosen else "detected", style="cyan")
        self.query_one("#add-pick", Static).update(line)

    # -- adding -----------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "add-submit":
            self.action_add()
        else:
            self.action_cancel()

    def action_submit(self) -> None:
        if isinstance(self.focused, Button):  # Enter on a button is that button
            self.focused.press()
        else:
            self.action_add()

    def action_add(self) -> None:
        raw = self.query_one("#add-number", Input).value
        carrier, chosen = self._carrier()
        fields: dict[str, Any] = {}
        try:
            if chosen and carrier is not None:
                carrier = importer.parse_carrier(carrier)
            label = self.query_one("#add-label", Input).value.strip()
            if label:
                fields["label"] = importer.clean_text(label, "label")
        except ValueError as exc:
            self.post_message(self.Refused(str(exc)))
            return
        self.run_worker(
            self._add(raw, carrier if chosen else None, fields), group="add-shipment", exclusive=True
        )

    async def _add(self, raw: str, carrier: str | None, fields: dict[str, Any]) -> None:
        store = cast("ParcelWatchApp", self.app).ctx.store
        try:
            outcome, candidate = await add_number(store, raw, carrier, fields)
        except InvalidTrackingNumber as exc:
            self.post_message(self.Refused(str(exc) if raw.strip() else "Type a tracking number first."))
        except Conflict as exc:
            self.post_message(self.Refused(f"{exc}: choose the carrier."))
        else:
            self.post_message(self.Added(outcome, candidate, detected=carrier is None))

    def on_add_shipment_screen_refused(self, message: Refused) -> None:
        # The reason quotes what was typed: shown as text, never as markup.
        self.query_one("#add-error", Static).update(Text(clean(message.reason), style="bold red"))

    def on_add_shipment_screen_added(self, message: Added) -> None:
        s = message.outcome.shipment
        name = self._names.get(s.carrier, s.carrier)
        lines = [f"{s.tracking_number}: {name} ({s.carrier}), carrier {s.carrier_source.value}"]
        if s.label:
            lines.append(f"label: {s.label}")
        others = alternatives(message.candidate) if message.detected and message.outcome.created else []
        if others:
            listed = ", ".join(self._names.get(c.carrier, c.carrier) for c in others)
            lines.append(f"It could also be {listed}: add it again choosing that carrier if so.")
        if message.outcome.replaced:
            lines.append(f"Replaces the guess {', '.join(message.outcome.replaced)}.")
        app = cast("ParcelWatchApp", self.app)
        app.notify(
            clean("\n".join(lines), keep_newlines=True),
            title="Shipment added" if message.outcome.created else "Shipment updated",
            markup=False,
        )
        app.wake_feed()  # a new shipment is due at once: poll it now, not at the next tick
        self.dismiss(s.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
