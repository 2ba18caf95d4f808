"""Alembic migrations: an empty database and a previous-version database reach head."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from parcel_watch.store import Store, migrate
from parcel_watch.store.schema import Base
from parcel_watch.store.types import utc_to_micros
from tests.factories import JOURNEY, item, update


def test_head_constant_matches_the_migration_scripts() -> None:
    assert migrate.script_head() == migrate.HEAD


async def test_an_empty_database_migrates_to_a_schema_equal_to_the_models(db_url: str) -> None:
    store = await Store.open(db_url)
    try:
        assert await store.schema_revision() == migrate.HEAD

        def diff(conn: Connection) -> list[object]:
            return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))

        async with store.reading() as conn:
            assert await conn.run_sync(diff) == []
        await store.migrate()  # already at head: a no-op
        assert await store.schema_revision() == migrate.HEAD
    finally:
        await store.close()


async def test_a_previous_version_database_keeps_its_data(db_url: str) -> None:
    old = await Store.open(db_url, migrate_schema=False)
    try:
        await old.migrate("0001")
        async with old.reading() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert "estimate_revisions" not in tables
        # Data written by a 0.1 install, straight into the 0001 schema.
        eta = datetime(2026, 3, 9, 12, tzinfo=UTC)
        eta_param: object = utc_to_micros(eta) if db_url.startswith("sqlite") else eta
        now_param: object = (
            utc_to_micros(datetime.now(UTC)) if db_url.startswith("sqlite") else datetime.now(UTC)
        )
        async with old.writing() as conn:
            await conn.execute(
                text(
                    "INSERT INTO shipments (carrier, tracking_number, carrier_source, status, estimated_delivery,"
                    " created_at, updated_at) VALUES ('ups', '1Z5R89390357567127', 'user', 'IN_TRANSIT', :eta,"
                    " :now, :now)"
                ),
                {"eta": eta_param, "now": now_param},
            )
    finally:
        await old.close()

    store = await Store.open(db_url)  # opening migrates to head
    try:
        assert await store.schema_revision() == migrate.HEAD
        [shipment] = await store.find("1Z5R89390357567127")
        assert (shipment.carrier, shipment.status.value, shipment.estimated_delivery) == (
            "ups",
            "IN_TRANSIT",
            eta,
        )
        assert [r.estimated_delivery for r in shipment.estimate_revisions] == [eta]
        result = await store.ingest([item(update("1Z5R89390357567127", *JOURNEY, carrier="ups"))])
        assert result.new_events == 5
    finally:
        await store.close()
