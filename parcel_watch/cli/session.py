"""Opening the store for one command, with database failures turned into exit code 5."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from parcel_watch.cli.errors import DatabaseError
from parcel_watch.config import ConfigError, database_url

if TYPE_CHECKING:
    from parcel_watch.store import Store

R = TypeVar("R")


def _describe(url: str) -> str:
    """The URL without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}{':***' if ':' in creds else ''}@{host}"
    return url


def _reason(exc: BaseException) -> str:
    # SQLAlchemy appends a background link and the SQL to its messages: keep the first line.
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _database_errors() -> tuple[type[BaseException], ...]:
    from sqlalchemy.exc import SQLAlchemyError

    errors: list[type[BaseException]] = [SQLAlchemyError, OSError, TimeoutError, ConfigError]
    try:
        import asyncpg

        errors.append(asyncpg.PostgresError)
        errors.append(asyncpg.InterfaceError)
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        pass
    return tuple(errors)


@asynccontextmanager
async def open_store(db: str | None) -> AsyncIterator[Store]:
    """The store at ``--db``/PARCEL_WATCH_DB/default; any database failure is a DatabaseError."""
    try:
        url = database_url(db)
    except ConfigError as exc:
        raise DatabaseError(f"bad database setting: {exc}") from exc
    from parcel_watch.store import Store  # heavy (SQLAlchemy, Alembic): only for commands that need it

    errors = _database_errors()
    try:
        store = await Store.open(url)
    except errors as exc:
        raise DatabaseError(
            f"cannot open the database {_describe(url)}: {_reason(exc)}",
            hint="check --db or PARCEL_WATCH_DB (a SQLite file path or postgresql://user@host/db)",
        ) from exc
    try:
        yield store
    except BrokenPipeError:
        raise  # stdout closed by the reader (| head): not a database problem
    except errors as exc:
        # Commands turn their own file errors into CliErrors, so an OSError here is the database's.
        raise DatabaseError(f"database error on {_describe(url)}: {_reason(exc)}") from exc
    finally:
        try:
            await store.close()
        except errors:  # closing a broken connection must not hide the first error
            pass


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM (on the running loop): long-running commands finish
    what is in flight, then stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def run(coro: Coroutine[Any, Any, R]) -> R:
    """Run one command's coroutine on a fresh event loop."""
    return asyncio.run(coro)
