"""Claim documents rendered as letters: Jinja2 templates in English and Simplified Chinese,
as Markdown or plain text (``claims/templates/claim.<language>.j2``).

Carrier and user text in a document is untrusted: every value the templates print passes
through ``textsafe.clean`` (escape sequences removed, other control characters made
visible), so a seller name or a carrier description cannot rewrite the user's terminal or
hide text in a letter. A missing value in a template is an error, never an empty gap.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from parcel_watch.textsafe import clean

LANGUAGES = ("en", "zh")


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two (underlines of Chinese headings fit)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def _safe(value: object) -> str:
    return "" if value is None else clean(str(value), keep_newlines=True)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("claims", "templates"),
        autoescape=False,  # text and Markdown, not HTML; values are cleaned by finalize
        undefined=StrictUndefined,
        finalize=_safe,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )
    env.filters["display_width"] = display_width
    return env


def render(document: Mapping[str, Any], *, language: str, markdown: bool) -> str:
    """The claim in ``language`` ("en" or "zh"), Markdown or plain text."""
    if language not in LANGUAGES:
        raise ValueError(f"no claim template in {language!r}: {', '.join(LANGUAGES)}")
    colon = "：" if language == "zh" else ":"
    template = environment().get_template(f"claim.{language}.j2")
    text = template.render(doc=document, markdown=markdown, colon=colon)
    return text.rstrip("\n") + "\n"
