"""Targets with a bug planted on purpose, so a test can see the harness find and record a
crash, a hang and a KeyError a parser's catch-all hid (a harness that cannot fail would pass
silently)."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from hypothesis import strategies as st

from fuzzing.target import Errors, Run, Target


def _crash(data: bytes) -> None:
    if len(data) >= 2:
        raise ValueError("documented: fine")
    {b"x": 1}[data]  # KeyError on the empty and one-byte inputs: found at once by either engine


def _hang(data: bytes) -> None:
    if data:
        time.sleep(60)


def _shipments(doc: Any) -> Any:
    # A KeyError for most objects: the parser did not foresee them (other documents: no shipments).
    return doc["shipments"] if isinstance(doc, dict) else []


def _load_hidden() -> tuple[Run, Errors]:
    from carriers import parsing
    from carriers.base import ParseResult
    from fuzzing.carrier_targets import _parse_everything, _watch_catch_alls

    _watch_catch_alls(parsing)

    def parse(raw: bytes) -> ParseResult:
        return parsing.parse_json(raw, "planted", lambda doc: ParseResult(shipments=_shipments(doc)))

    return partial(_parse_everything, parse), ()


def _planted(name: str, run: Run) -> Target:
    def load() -> tuple[Run, Errors]:
        return run, (ValueError,)

    return Target(name, load, lambda: [b"", b"ab"], lambda: st.binary(max_size=4), planted=True)


def planted_targets() -> list[Target]:
    hidden = Target(
        "planted-hidden", _load_hidden, lambda: [b"{}"], lambda: st.just(b'{"a": 1}'), planted=True
    )
    return [_planted("planted-crash", _crash), _planted("planted-hang", _hang), hidden]
