"""The next status of a claim: only the moves its lifecycle allows are offered, with a note."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from claims.model import TRANSITIONS, ClaimStatus

# The usual next step first (forward), going back or giving up last.
CHOICE_ORDER = (
    ClaimStatus.READY,
    ClaimStatus.FILED,
    ClaimStatus.ACKNOWLEDGED,
    ClaimStatus.PAID,
    ClaimStatus.PARTIALLY_PAID,
    ClaimStatus.DENIED,
    ClaimStatus.DRAFT,
    ClaimStatus.EXPIRED,
)
MEANING = {
    ClaimStatus.DRAFT: "back to draft: still being worked on",
    ClaimStatus.READY: "checked, ready to send",
    ClaimStatus.FILED: "sent to the respondent",
    ClaimStatus.ACKNOWLEDGED: "the respondent confirmed receipt",
    ClaimStatus.PAID: "paid in full",
    ClaimStatus.PARTIALLY_PAID: "paid in part",
    ClaimStatus.DENIED: "refused by the respondent",
    ClaimStatus.EXPIRED: "given up: the window closed",
}


def next_statuses(current: ClaimStatus) -> list[ClaimStatus]:
    """The statuses ``current`` may move to (``claims.model.TRANSITIONS``), usual one first."""
    return [s for s in CHOICE_ORDER if s in TRANSITIONS[current]]


@dataclass(frozen=True)
class StatusChoice:
    status: ClaimStatus
    note: str | None


class ClaimStatusDialog(ModalScreen[StatusChoice | None]):
    CSS_PATH = "../styles/claim_status.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="claim_status.cancel", tooltip="Keep the status as it is"),
    ]

    def __init__(self, claim_id: int, current: ClaimStatus) -> None:
        super().__init__()
        self.claim_id = claim_id
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="status-box"):
            yield Label(Text(f"Claim {self.claim_id} is {self.current.value}. Move it to:"))
            yield OptionList(
                *(
                    Option(Text.assemble((s.value.replace("_", " "), "bold"), f"  {MEANING[s]}"), id=s.value)
                    for s in next_statuses(self.current)
                ),
                id="status-choices",
            )
            yield Label("Note (optional): a case number, an amount received…")
            yield Input(placeholder="note", id="status-note")
            yield Label(Text("enter: move · tab: note · escape: cancel", style="dim"))

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def _choose(self) -> None:
        choices = self.query_one(OptionList)
        if choices.highlighted is None:
            return
        option = choices.get_option_at_index(choices.highlighted)
        assert option.id is not None  # every option is given its status as id
        note = self.query_one(Input).value.strip() or None
        self.dismiss(StatusChoice(ClaimStatus(option.id), note))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()

    def action_cancel(self) -> None:
        self.dismiss(None)
