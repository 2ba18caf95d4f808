"""Running the real command line in a subprocess against a temporary SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
DETECT_DATA = ROOT / "tests" / "detect" / "data"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    """``cli("add", "1Z...")`` runs ``python -m parcel_watch add 1Z...`` on this test's database."""

    def __init__(self, db: str) -> None:
        self.db = db

    def __call__(
        self, *args: str, stdin: str | None = None, db: str | None = None, timeout: float = 120
    ) -> Run:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")}
        env.update(PARCEL_WATCH_DB=db or self.db, COLUMNS="200", PYTHONIOENCODING="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "parcel_watch", *args],
            input=stdin,
            check=False,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=ROOT,
            timeout=timeout,
        )
        # No command ever shows a Python traceback to a user (only --debug does).
        assert "Traceback" not in proc.stderr, proc.stderr
        return Run(proc.returncode, proc.stdout, proc.stderr)

    def many(self, *commands: tuple[str, ...]) -> list[Run]:
        """Independent invocations, run concurrently (each CLI start costs ~1 s)."""
        with ThreadPoolExecutor(max_workers=3) as pool:
            return list(pool.map(lambda args: self(*args), commands))

    @property
    def url(self) -> str:
        return self.db if "://" in self.db else f"sqlite+aiosqlite:///{self.db}"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(str(tmp_path / "cli.db"))
