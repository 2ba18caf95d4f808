"""Make untrusted text (carrier descriptions, labels, file contents) safe to show in a terminal.

Carrier text is data from strangers: it may hold ANSI/VT escape sequences (clear the screen,
retitle the window, fake hyperlinks), other control characters (``\\r`` to overwrite a line,
bidi overrides to reorder it) and Rich markup (``[bold red]``) that our own renderer would
interpret. Everything printed to a terminal goes through :func:`for_terminal`; plain
messages (stderr, no Rich markup) through :func:`clean`; plain-text export files (CSV,
letters), which are read with ``cat`` and ``less`` too, through :func:`for_export` or
:func:`export_row`. JSON output keeps the verbatim text: JSON string escaping already makes
it inert (and the raw payloads keep what the carrier sent).

Rules: a complete escape sequence (CSI, OSC, DCS/SOS/PM/APC strings, two-character ESC
sequences) is removed with its payload; any other control character becomes ``\\ufffd``
(visible, so tampering shows); a tab becomes a space; line breaks become a space unless
``keep_newlines``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.markup import escape

PLACEHOLDER = "\ufffd"

_SEQUENCE = re.compile(
    r"""
      (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?             # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) [^\x07\x1b\x9c]* (?:\x07|\x1b\\|\x9c)?
                                                                        # OSC/DCS/SOS/PM/APC
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                                    # other ESC sequences
    """,
    re.VERBOSE,
)
# C0 and C1 controls, DEL, and the invisible bidi/format marks that reorder or hide text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_NEWLINES = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85")


def clean(text: str | None, *, keep_newlines: bool = False) -> str:
    """``text`` without escape sequences and control characters (see the module rules)."""
    if not text:
        return ""
    text = _SEQUENCE.sub("", text)
    text = _NEWLINES.sub("\n" if keep_newlines else " ", text)
    text = text.replace("\t", " ")
    return _CONTROL.sub(PLACEHOLDER, text)


def for_terminal(text: object, *, keep_newlines: bool = False) -> str:
    """Untrusted text as a Rich markup string that renders as exactly its plain characters."""
    if text is None:
        return ""
    return escape(clean(str(text), keep_newlines=keep_newlines))


def for_export(text: str | None) -> str:
    """Untrusted text for a plain-text export file: as :func:`clean`, but CRLF, LF and tabs
    kept as they are (harmless in a file); a lone CR or other line separator becomes LF."""
    if not text:
        return ""
    lines = _SEQUENCE.sub("", text).split("\r\n")
    return "\r\n".join(_CONTROL.sub(PLACEHOLDER, _NEWLINES.sub("\n", line)) for line in lines)


def export_row(cells: Iterable[object]) -> list[object]:
    """A CSV row with every string cell through :func:`for_export` (numbers untouched)."""
    return [for_export(c) if isinstance(c, str) else c for c in cells]
