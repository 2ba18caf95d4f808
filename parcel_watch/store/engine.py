"""Engine factory. Never at import time: every store owns the engine it creates."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from parcel_watch.config import ConfigError, sqlite_path

# Marks a connection whose transactions write: on SQLite they start with BEGIN IMMEDIATE,
# so two writers queue on the busy timeout instead of failing on a stale read snapshot.
WRITE_OPTION = "parcel_watch_write"
SQLITE_BUSY_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 10.0
# PostgreSQL connections per process: the pool keeps POOL_SIZE open and opens up to
# MAX_OVERFLOW more under load (SQLAlchemy's defaults, 5 and 10). See the README on workers.
ENV_POOL_SIZE = "PARCEL_WATCH_DB_POOL_SIZE"
ENV_MAX_OVERFLOW = "PARCEL_WATCH_DB_MAX_OVERFLOW"


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo=echo)
    # A server that drops packets must fail in seconds, not asyncpg's default minute.
    return create_async_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        connect_args={"timeout": CONNECT_TIMEOUT_S},
        pool_size=_env_int(ENV_POOL_SIZE, 5),
        max_overflow=_env_int(ENV_MAX_OVERFLOW, 10),
    )


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _sqlite_engine(url: str, *, echo: bool) -> AsyncEngine:
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
