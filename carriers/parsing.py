"""Small pieces every JSON parser shares: the never-raising entry point and value coercions.

A parser reports, it never raises: bad JSON and any shape it did not foresee become a
MalformedPayload error in the result, with the adapter's slug.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from carriers.base import ParseResult
from carriers.errors import MalformedPayload


def malformed_error(slug: str, message: str, number: str | None = None) -> MalformedPayload:
    return MalformedPayload(message, carrier=slug, tracking_number=number)


def malformed(slug: str, message: str, number: str | None = None) -> ParseResult:
    return ParseResult(errors=[malformed_error(slug, message, number)])


def parse_json(raw: bytes | str, slug: str, body: Callable[[Any], ParseResult]) -> ParseResult:
    try:
        doc = json.loads(raw)
    except RecursionError:  # nested deeper than the interpreter's stack: a hostile body
        return malformed(slug, "not valid JSON: nested too deeply")
    except ValueError as exc:
        return malformed(slug, f"not valid JSON: {exc}")
    try:
        return body(doc)
    except Exception as exc:  # noqa: BLE001 - a parser reports, it never raises
        return malformed(slug, f"unexpected payload shape ({type(exc).__name__})")


def fingerprint(value: Any) -> int:
    """A hash of a decoded JSON value, stable within this process (documents compared by it
    are only ever held in memory), telling an unchanged part of a payload in one call."""
    return hash(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def text(value: Any) -> str | None:
    """A non-empty, stripped string, or None for anything else."""
    return value.strip() or None if isinstance(value, str) else None


def nonblank(value: Any) -> str | None:
    """The string as given (verbatim) if it has any non-space character, else None."""
    return value if isinstance(value, str) and value.strip() else None


def array(value: Any) -> list[Any]:
    """The value if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def obj(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}
