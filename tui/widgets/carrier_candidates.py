"""The carriers a number being typed could belong to, best first, one line each: the carrier,
how sure detection is and why, and whether the check digit holds.

Detection's pick is highlighted; the user's own pick (arrow keys from the number field, or
a click) is remembered apart from it, because a chosen carrier is stored as the user's
choice and a detected one as detection's (``parcel_watch.adding``)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from parcel_watch.adding import readings
from parcel_watch.detect import Candidate, acceptable


def candidate_line(c: Candidate, carrier_name: str) -> Text:
    """``FedEx (fedex)  95%  ✓ check digit · FedEx Express (12)``."""
    line = Text(f"{carrier_name} ", style="bold")
    line.append(f"({c.carrier})", style="dim")
    line.append(f"  {c.confidence:.0%}  ")
    if c.valid_checksum:
        line.append("✓ check digit", style="green")
    elif c.has_checksum:
        line.append("✗ check digit fails", style="red")
    else:
        line.append("no check digit", style="yellow")
    why = [c.name] + [part for part in (c.service, c.origin_courier and f"from {c.origin_courier}") if part]
    line.append(f" · {', '.join(why)}", style="dim")
    return line


class CarrierCandidates(OptionList):
    DEFAULT_CSS = """
    CarrierCandidates {
        height: auto;
        max-height: 6;
    }
    """

    def __init__(self, names: dict[str, str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.can_focus = False  # keys stay in the number field; arrows there move the pick
        self._names = names
        self.candidates: Sequence[Candidate] = ()
        self.detected: str | None = None  # detection's pick: the first acceptable reading
        self.chosen: str | None = None  # the user's pick, if they made one

    def show(self, raw: str) -> None:
        """Read ``raw`` again; the user's pick stays if the carrier is still offered."""
        self.candidates = readings(raw)
        self.detected = next((c.carrier for c in self.candidates if acceptable(c)), None)
        carriers = [c.carrier for c in self.candidates]
        if self.chosen not in carriers:
            self.chosen = None
        self.clear_options()
        self.add_options(
            Option(candidate_line(c, self._names.get(c.carrier, c.carrier)), id=c.carrier)
            for c in self.candidates
        )
        pick = self.chosen or self.detected
        self.highlighted = carriers.index(pick) if pick is not None else None

    def move(self, step: int) -> None:
        """The user moves the pick (wrapping around)."""
        if not self.candidates:
            return
        start = self.highlighted if self.highlighted is not None else -step
        self.highlighted = (start + step) % len(self.candidates)
        self.chosen = self.candidates[self.highlighted].carrier

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.chosen = event.option_id  # a click; the screen hears of it too (the event bubbles)
