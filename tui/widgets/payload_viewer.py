"""The raw carrier payloads behind a shipment's events: a list to pick one, and its text.

Evidence to look at, never to interpret: the text is cleaned of escape sequences and control
characters and shown as literal characters (no markup, no highlighting)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from parcel_watch.textsafe import clean
from parcel_watch.views.detail import TEXT_CHARS, TEXT_LINES, RawText
from tui import detail_text as fmt


def payload_option(payload: RawText, zone: tzinfo) -> Text:
    """``31 Oct 03:28 poll 17track 88401410…  3,141 B  brought 1 event``."""
    text = Text(f"{fmt.user_time(payload.received_at, zone)}  ")
    text.append(f"{clean(payload.source)} {clean(payload.carrier)}  ", style="cyan")
    text.append(f"{payload.sha256[:12]}…  ", style="dim")
    text.append(fmt.size(payload.size))
    text.append(f"  brought {payload.events} event{'s' if payload.events != 1 else ''}", style="dim")
    return text


def payload_text(payload: RawText, zone: tzinfo) -> Group:
    head = Text(f"sha256 {payload.sha256}\n", style="bold")
    head.append(
        f"{clean(payload.content_type)} · {fmt.size(payload.size)} · received "
        f"{fmt.user_time(payload.received_at, zone, with_zone=True)} by {clean(payload.source)}",
        style="dim",
    )
    body = Text(clean(payload.text, keep_newlines=True))
    parts: list[Text] = [head, Text(""), body]
    if payload.truncated:
        parts.append(
            Text(
                f"… cut at {TEXT_LINES} lines / {TEXT_CHARS:,} characters; the store keeps all of it",
                style="italic yellow",
            )
        )
    return Group(*parts)


class PayloadViewer(Vertical):
    DEFAULT_CSS = """
    PayloadViewer {
        height: 1fr;
    }
    PayloadViewer > OptionList {
        height: auto;
        max-height: 7;
    }
    PayloadViewer > VerticalScroll {
        height: 1fr;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._payloads: Sequence[RawText] = ()
        self._zone: tzinfo | None = None

    def compose(self) -> ComposeResult:
        yield OptionList()
        with VerticalScroll():
            yield Static(id="payload-text")

    def show(self, payloads: Sequence[RawText], total: int, zone: tzinfo) -> None:
        self._payloads, self._zone = payloads, zone
        options = self.query_one(OptionList)
        kept = options.highlighted
        options.clear_options()
        options.add_options(Option(payload_option(p, zone), id=p.sha256) for p in reversed(payloads))
        if not payloads:
            self.query_one("#payload-text", Static).update(
                Text("No raw payload: these events came from an import, or none yet.", style="dim")
            )
            return
        if total > len(payloads):
            options.add_option(
                Option(Text(f"… and {total - len(payloads)} older payloads", style="dim"), disabled=True)
            )
        options.highlighted = kept if kept is not None and kept < len(payloads) else 0
        self._show(options.highlighted)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show(event.option_index)

    def _show(self, index: int | None) -> None:
        newest_first = list(reversed(self._payloads))
        if index is None or index >= len(newest_first) or self._zone is None:
            return
        self.query_one("#payload-text", Static).update(payload_text(newest_first[index], self._zone))
