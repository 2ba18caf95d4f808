"""Terminal safety: carrier text cannot drive the terminal or inject Rich markup."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.table import Table

from parcel_watch.textsafe import PLACEHOLDER, clean, export_row, for_export, for_terminal

P = PLACEHOLDER


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text", "plain text"),
        ("\x1b[2J\x1b]0;pwned\x07[bold]x[/bold]", "[bold]x[/bold]"),  # clear screen, set title
        ("\x1b[31mred\x1b[0m", "red"),  # colours
        ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),  # hyperlink
        ("\x1bPq#0;2;0;0;0\x1b\\after", "after"),  # DCS (sixel)
        ("\x9b2Jcsi8", "csi8"),  # 8-bit CSI
        ("\x1b7saved\x1b8", "saved"),  # two-character ESC sequences
        ("dangling \x1b", "dangling "),
        ("unterminated \x1b]0;title", "unterminated "),
        ("over\rwrite", "over write"),  # carriage return cannot overwrite the line
        ("a\tb\nc\r\nd", "a b c d"),
        ("bell\x07 back\x08 nul\x00 del\x7f", f"bell{P} back{P} nul{P} del{P}"),
        ("\u202eevil\u202c txt", f"{P}evil{P} txt"),  # bidi override
        ("zero\u200bwidth", f"zero{P}width"),
        ("Köln 東京 😀", "Köln 東京 😀"),
        ("", ""),
    ],
)
def test_clean(text: str, expected: str) -> None:
    assert clean(text) == expected


def test_clean_keeps_newlines_when_asked() -> None:
    assert clean("a\r\nb\rc\nd", keep_newlines=True) == "a\nb\nc\nd"
    assert clean(None) == ""


def _render(markup: str) -> str:
    out = io.StringIO()
    console = Console(
        file=out, width=200, emoji=False, highlight=False, color_system="truecolor", force_terminal=True
    )
    table = Table()
    table.add_column("c")
    table.add_row(markup)
    console.print(markup)
    console.print(table)
    return out.getvalue()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J\x1b]0;pwned\x07[bold]x[/bold]", "[bold]x[/bold]"),
        ("[link=https://evil.example]click[/link]", "[link=https://evil.example]click[/link]"),
        ("[/]", "[/]"),  # a closing tag alone would raise a MarkupError if not escaped
        ("[red]unclosed", "[red]unclosed"),
        (":warning: emoji code", ":warning: emoji code"),
        ("price [EUR] 12", "price [EUR] 12"),
    ],
)
def test_for_terminal_renders_exactly_the_text(text: str, shown: str) -> None:
    rendered = _render(for_terminal(text))
    assert rendered.count(shown) == 2  # as a line and in a table cell
    assert "\x1b]" not in rendered and "\x07" not in rendered and "pwned" not in rendered
    assert "\x1b[2J" not in rendered and "evil.example\x1b" not in rendered


def test_for_terminal_accepts_any_value() -> None:
    assert for_terminal(None) == ""
    assert for_terminal(12.5) == "12.5"


def test_export_text_loses_escapes_and_controls_but_keeps_line_breaks_and_tabs() -> None:
    raw = "Left at\r\ndoor\tB\x1b]0;pwned\x07 [bold]x[/]\x1b[2J\rover\x00"
    assert for_export(raw) == "Left at\r\ndoor\tB [bold]x[/]\nover\ufffd"
    assert export_row(["a\x1b[2J", 3, None]) == ["a", 3, None]
