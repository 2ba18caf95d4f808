"""Revision 0004 (anomalies): a 0003 store gains it without losing data, and loses it again
on downgrade without losing its shipments and events (no table copies on SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from claims.evaluation import evaluate, open_anomalies
from parcel_watch.store import Store, migrate
from tests.factories import JOURNEY, item, update


def downgrade(conn: Connection, revision: str) -> None:
    command.downgrade(migrate._config(conn), revision)


def tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def test_0004_comes_and_goes_keeping_shipments_and_events(db_url: str) -> None:
    store = await Store.open(db_url, migrate_schema=False)
    try:
        await store.migrate("0003")
        await store.ingest([item(update("K1", *JOURNEY[:3]))])  # in 0003's schema
        await store.migrate()
        assert await store.schema_revision() == migrate.HEAD
        assert await store.count() == (1, 3)
        assert (await evaluate(store, datetime(2026, 4, 1, tzinfo=UTC))).opened == 2  # stalled, lost
        assert {a.kind.value for a in await open_anomalies(store)} == {"stalled", "lost"}

        async with store.writing() as conn:
            await conn.run_sync(downgrade, "0003")
        async with store.reading() as conn:
            assert {"anomalies", "anomaly_changes", "rule_watermarks"}.isdisjoint(await conn.run_sync(tables))
        assert await store.count() == (1, 3)
    finally:
        await store.close()
