"""Targets with a bug planted on purpose, so a test can see the harness find and record a
crash and a hang (a harness that cannot fail would pass silently)."""

from __future__ import annotations

import time

from hypothesis import strategies as st

from fuzzing.target import Errors, Run, Target


def _crash(data: bytes) -> None:
    if len(data) >= 2:
        raise ValueError("documented: fine")
    {b"x": 1}[data]  # KeyError on the empty and one-byte inputs: found at once by either engine


def _hang(data: bytes) -> None:
    if data:
        time.sleep(60)


def _planted(name: str, run: Run) -> Target:
    def load() -> tuple[Run, Errors]:
        return run, (ValueError,)

    return Target(name, load, lambda: [b"", b"ab"], lambda: st.binary(max_size=4), planted=True)


def planted_targets() -> list[Target]:
    return [_planted("planted-crash", _crash), _planted("planted-hang", _hang)]
