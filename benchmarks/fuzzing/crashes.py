"""Recording crashes: one input file and one traceback per distinct (exception type, location).

A crash's location is the innermost frame in the project's own code (``carriers/``,
``parcel_watch/``, ``claims/``, ``benchmarks/fuzzing/planted``), else the innermost frame at all:
the same bug reached by a thousand inputs is one crash. Files, under ``<root>/<target>/``:
``<sha>.bin`` the input as given to the target, ``<sha>.txt`` the key line then the traceback.
"""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[2]
_PROJECT = tuple(str(ROOT / d) for d in ("carriers", "parcel_watch", "claims"))
KEY_PREFIX = "key: "


class HiddenByCatchAll(Exception):
    """An exception a parser's last-resort ``except Exception`` turned into a vague
    "unexpected payload shape" error: the parser did not foresee the shape (its cause is the bug)."""


def _is_project(filename: str) -> bool:
    return filename.startswith(_PROJECT) or filename.endswith("fuzzing/planted.py")


def location(tb: TracebackType | None) -> str:
    frames = traceback.extract_tb(tb)
    if not frames:
        return "?"
    ours = [f for f in frames if _is_project(f.filename)]
    frame = (ours or frames)[-1]
    where = Path(frame.filename)
    try:
        shown = str(where.relative_to(ROOT))
    except ValueError:
        shown = where.name
    return f"{shown}:{frame.lineno} in {frame.name}"


def crash_key(exc: BaseException) -> str:
    if isinstance(exc, HiddenByCatchAll) and exc.__cause__ is not None:
        cause = exc.__cause__
        return f"{type(cause).__name__} (hidden as 'unexpected payload shape') at {location(cause.__traceback__)}"
    return f"{type(exc).__name__} at {location(exc.__traceback__)}"


@dataclass
class CrashDir:
    """The crashes of one target: known keys (from earlier runs too) and new ones written."""

    path: Path

    def __post_init__(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self.keys: set[str] = set()
        for txt in self.path.glob("*.txt"):
            first = txt.read_text(encoding="utf-8", errors="replace").partition("\n")[0]
            if first.startswith(KEY_PREFIX):
                self.keys.add(first[len(KEY_PREFIX) :])
        self.found: set[str] = set()  # keys seen in this run (old or new)

    def record(self, key: str, data: bytes, report: str) -> str:
        """Write the crash unless its key is known; returns the key."""
        self.found.add(key)
        if key in self.keys:
            return key
        self.keys.add(key)
        sha = hashlib.sha256(data).hexdigest()[:16]
        (self.path / f"{sha}.bin").write_bytes(data)
        (self.path / f"{sha}.txt").write_text(f"{KEY_PREFIX}{key}\n\n{report}", encoding="utf-8")
        return key

    def record_exception(self, exc: BaseException, data: bytes) -> str:
        report = "".join(traceback.format_exception(exc))
        return self.record(crash_key(exc), data, report)
