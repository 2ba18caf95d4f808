"""What a fuzz target is: a function of bytes, the errors it documents, seeds and a strategy.

Project modules are imported only in ``load`` (and the seed and strategy factories read
files only when called), so the atheris worker can instrument them as they are imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"

Run = Callable[[bytes], Any]
Errors = tuple[type[BaseException], ...]


@dataclass(frozen=True)
class Target:
    name: str
    load: Callable[[], tuple[Run, Errors]]  # the function and the errors it documents
    seeds: Callable[[], list[bytes]]
    strategy: Callable[[], st.SearchStrategy[bytes]]
    about: str = ""
    planted: bool = False  # a harness self-test: run only when named


def text(data: bytes) -> str:
    """Bytes as the str a target reads. surrogateescape: command-line arguments, environment
    variables and HTTP header values reach Python like that, undecodable bytes and all."""
    return data.decode("utf-8", errors="surrogateescape")
