"""The selected claim: where it stands, its letter in the chosen language, its history.

The letter is rendered from the claim's stored draft by the claims templates
(``claims.outbox.letter_text``), the same text the evidence pack and a copy hold. Carrier
and user text reaches it (a service name, a seller): it is shown as ``Text``, cleaned,
never read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from claims.lifecycle import StatusChange, StoredClaim
from claims.outbox import letter_text
from parcel_watch.textsafe import clean
from tui.widgets.claim_table import days_style, left_words, status_text

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def deadline_line(claim: StoredClaim, days_left: int | None) -> Text:
    if claim.latest is None:
        return Text("No filing deadline counted yet", style="dim")
    line = Text(f"File by {claim.latest} ({clean(claim.time_zone)})")
    if days_left is not None:
        line.append(f" · {left_words(days_left)}", style=days_style(days_left))
    return line


def preview_text(
    claim: StoredClaim,
    days_left: int | None,
    history: Sequence[StatusChange],
    language: str,
    zone: tzinfo,
) -> Text:
    head = Text.assemble((f"Claim {claim.id} ", "bold"), status_text(claim.status))
    head.append(f" · {clean(claim.policy_id)} · letter in {LANGUAGE_NAMES.get(language, language)}")
    amount = Text("Amount: ")
    if claim.amount is not None:
        amount.append(f"{claim.amount.amount} {claim.amount.currency}", style="bold")
    else:
        amount.append("not computed yet (edit the facts: e)", style="dim")
    out = Text("\n").join([head, deadline_line(claim, days_left), amount])
    out.append("\n\n")
    out.append(clean(letter_text(claim, language), keep_newlines=True))
    out.append("\nHistory\n", style="bold")
    for change in history:
        at = change.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        was = f"{change.from_status.value} → " if change.from_status else ""
        out.append(f"  {at}  {was}{change.to_status.value}  by {clean(change.by)}")
        if change.note:
            out.append(f": {clean(change.note)}", style="italic")
        out.append("\n")
    out.rstrip()
    return out


class ClaimPreview(VerticalScroll):
    DEFAULT_CSS = """
    ClaimPreview {
        height: 1fr;
        padding: 0 1;
        border-top: solid $primary-darken-2;
    }
    ClaimPreview > Static {
        width: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text("No claim selected", style="dim"))

    def show(self, text: Text, *, from_top: bool) -> None:
        self.query_one(Static).update(text)
        if from_top:  # another claim or language: start at its beginning
            self.scroll_home(animate=False)

    def clear_claim(self, message: str) -> None:
        self.query_one(Static).update(Text(message, style="dim"))
