"""Shared fixtures: real databases only — SQLite files and, where configured, PostgreSQL.

PostgreSQL tests read their server from PARCEL_WATCH_TEST_PG_URL (``.ci/run`` sets it).
Each test gets a database of its own, created on that server and dropped afterwards.
On CI a missing URL is an error, never a silent skip.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest

from parcel_watch.store import Store

PG_ENV = "PARCEL_WATCH_TEST_PG_URL"


def pg_admin_dsn() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            raise RuntimeError(f"{PG_ENV} must be set on CI: PostgreSQL tests never skip there")
        return None
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _admin(dsn: str, sql: str) -> None:
    """Run one admin statement on its own loop in its own thread (fixtures stay sync)."""

    async def run() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database (dropped after the test)."""
    dsn = pg_admin_dsn()
    if dsn is None:
        pytest.skip(f"{PG_ENV} not set")
    name = f"pw_test_{uuid.uuid4().hex[:12]}"
    _admin(dsn, f'CREATE DATABASE "{name}"')
    server = dsn.split("://", 1)[1].rsplit("/", 1)[0]
    try:
        yield f"postgresql+asyncpg://{server}/{name}"
    finally:
        _admin(dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Store tests run on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/store.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    s = await Store.open(db_url)
    try:
        yield s
    finally:
        await s.close()
