"""Small pieces every JSON parser shares: the one loader of outside JSON, the never-raising
entry point and value coercions.

A parser reports, it never raises: bad JSON and any shape it did not foresee become a
MalformedPayload error in the result, with the adapter's slug.

Every JSON document from outside (carrier answers and pushes, OAuth token answers, JSON API
request bodies) is decoded by :func:`load_json`, which refuses it before decoding when it is
larger than a size limit or nested deeper than a depth limit: a few KB of ``[[[[…`` would
otherwise reach the interpreter's recursion limit in the decoder or in any code walking the
result (redaction, fingerprints), a RecursionError far from where the input came in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import accumulate
from typing import Any

from carriers.base import ParseResult
from carriers.errors import MalformedPayload

MAX_JSON_BYTES = 8 * 1024 * 1024  # as carriers.http.MAX_BODY_BYTES: no tracking answer is near it
MAX_JSON_DEPTH = 64  # real answers nest under 15 levels

# A complete JSON string (its brackets are text, not structure); unrolled, so linear.
_STRING_BYTES = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_STRING_TEXT = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET_TEXT = re.compile(r"[^\[\]{}]+")
_NOT_BRACKET_BYTES = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [{ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}.get(b, 0) for b in range(256)]


class JsonLimitExceeded(ValueError):
    """The document is refused undecoded: it is over the size or the depth limit (named)."""


def _brackets(raw: bytes | str) -> bytes:
    """The document's structural brackets, in order (those inside strings left out)."""
    if isinstance(raw, bytes):
        encoding = json.detect_encoding(raw)
        if not encoding.startswith("utf-8"):  # UTF-16/32: bytes of a character may look like '"'
            raw = raw.decode(encoding)
    if isinstance(raw, str):
        return _NOT_BRACKET_TEXT.sub("", _STRING_TEXT.sub("", raw)).encode("ascii")
    return _STRING_BYTES.sub(b"", raw).translate(None, _NOT_BRACKET_BYTES)


def exceeds_depth(raw: bytes | str, max_depth: int) -> bool:
    return max(accumulate(map(_STEP.__getitem__, _brackets(raw))), default=0) > max_depth


def load_json(raw: bytes | str, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` for outside input. Raises ValueError: JsonLimitExceeded (naming the
    limit) or the decoder's own error; never RecursionError."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise JsonLimitExceeded(f"JSON of {size} bytes refused: over the {max_bytes}-byte limit")
    if exceeds_depth(raw, max_depth):
        raise JsonLimitExceeded(f"JSON nested deeper than the {max_depth}-level limit refused")
    try:
        return json.loads(raw)
    except RecursionError:  # cannot happen under the depth limit; kept so the contract holds
        raise JsonLimitExceeded("JSON nested too deeply for the decoder") from None


def malformed_error(slug: str, message: str, number: str | None = None) -> MalformedPayload:
    return MalformedPayload(message, carrier=slug, tracking_number=number)


def malformed(slug: str, message: str, number: str | None = None) -> ParseResult:
    return ParseResult(errors=[malformed_error(slug, message, number)])


def parse_json(raw: bytes | str, slug: str, body: Callable[[Any], ParseResult]) -> ParseResult:
    try:
        doc = load_json(raw)
    except JsonLimitExceeded as exc:
        return malformed(slug, str(exc))
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
