"""Sample data on disk and a frozen clock for the dashboard's Pilot and snapshot tests.

The sample store is the demo's (every carrier and scenario, anomalies and drafted claims),
run once per session at a fixed instant; each test gets its own copy of the file."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from parcel_watch.demo import run_demo
from parcel_watch.store import Store
from tui.app import ParcelWatchApp
from tui.context import DashboardContext

FROZEN = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
USER_ZONE = ZoneInfo("Europe/Berlin")
SIZE = (120, 36)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def opener(url: str, **ctx: object) -> Callable[[], Awaitable[DashboardContext]]:
    """The app opens the store on its own loop (``App.run`` in snapshot tests makes one)."""

    async def open_ctx() -> DashboardContext:
        return DashboardContext(await Store.open(url), clock=lambda: FROZEN, user_zone=USER_ZONE, **ctx)  # type: ignore[arg-type]

    return open_ctx


def sample_app(url: str, **ctx: object) -> ParcelWatchApp:
    return ParcelWatchApp(opener(url, **ctx))


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample.db"

    async def build() -> None:
        async with await Store.open(sqlite_url(path)) as store:
            await run_demo(store, seed=7, now=FROZEN)

    asyncio.run(build())
    return path


@pytest.fixture
def sample_db(sample_db_file: Path, tmp_path: Path) -> str:
    """A fresh copy of the sample store, as a SQLite URL."""
    copy = tmp_path / "sample.db"
    shutil.copyfile(sample_db_file, copy)
    return sqlite_url(copy)
