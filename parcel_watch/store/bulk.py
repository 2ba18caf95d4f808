"""The hot insert path: one compiled statement, plain tuples, the driver's executemany.

SQLAlchemy's per-row parameter processing costs more than SQLite's insert itself at a
million rows, so the hot inserts are compiled once per dialect and fed tuples whose
values are already in the driver's form (the form types.py writes, so reads through
the column types are unchanged).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, any_, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import ClauseElement as Executable
from sqlalchemy.sql.schema import Table

from parcel_watch.store.types import utc_to_micros, wall_to_micros


def insert_ignore(dialect: Dialect, table: Table) -> Insert:
    """INSERT that skips rows violating a unique constraint, on either backend."""
    if dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def time_param(dialect: Dialect) -> Callable[[datetime], Any]:
    """How an aware UTC datetime is passed to this dialect's driver (see types.py)."""
    return utc_to_micros if dialect.name == "sqlite" else _same


def wall_param(dialect: Dialect) -> Callable[[datetime], Any]:
    """How a naive wall-clock datetime is passed to this dialect's driver."""
    return wall_to_micros if dialect.name == "sqlite" else _same


def _same(value: datetime) -> datetime:
    return value


def member_of(dialect: Dialect, column: ColumnElement[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN values`` as one bound parameter, however many values: no 900-item
    IN lists to render and compile per chunk (json_each on SQLite, = ANY on PostgreSQL)."""
    if dialect.name == "sqlite":
        each = func.json_each(bindparam(None, json.dumps(list(values)), type_=String)).table_valued("value")
        return column.in_(select(each.c.value))
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))


_SQL_CACHE: dict[tuple[str, str], str] = {}


def _compiled(dialect: Dialect, key: str, build: Callable[[], Executable], names: tuple[str, ...]) -> str:
    sql = _SQL_CACHE.get((dialect.name, key))
    if sql is None:
        compiled = build().compile(dialect=dialect)
        order = tuple(getattr(compiled, "positiontup", None) or ())  # SQLCompiler's, for positional styles
        if order != names:
            raise RuntimeError(f"unexpected parameter order for {key}: {order}")
        sql = _SQL_CACHE[(dialect.name, key)] = str(compiled)
    return sql


async def insert_ignore_rows(
    conn: AsyncConnection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT … ON CONFLICT DO NOTHING of tuples in ``columns`` order."""

    def build() -> Executable:
        return insert_ignore(conn.dialect, table).values({name: bindparam(name) for name in columns})

    sql = _compiled(conn.dialect, f"insert:{table.name}:{','.join(columns)}", build, columns)
    await conn.exec_driver_sql(sql, list(rows))


async def update_rows(
    conn: AsyncConnection,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    *,
    keys: tuple[str, ...] = ("id",),
) -> None:
    """UPDATE ``columns`` of the rows matching ``keys`` (the primary key ``id`` unless told);
    each tuple is (*column values, *key values). A row whose keys match nothing is skipped."""

    def build() -> Executable:
        values: dict[str, Any] = {name: bindparam(f"v_{name}") for name in columns}
        match = [table.c[key] == bindparam(f"k_{key}") for key in keys]
        return update(table).where(*match).values(values)

    names = tuple(f"v_{name}" for name in columns) + tuple(f"k_{key}" for key in keys)
    key = f"update:{table.name}:{','.join(columns)}:{','.join(keys)}"
    sql = _compiled(conn.dialect, key, build, names)
    await conn.exec_driver_sql(sql, list(rows))
