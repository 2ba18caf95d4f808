"""Alembic environment: migrations run on a connection the store hands over
(``config.attributes["connection"]``), inside the store's own transaction handling."""

from __future__ import annotations

from alembic import context

from parcel_watch.store.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `parcel-watch db upgrade` (parcel_watch.store.migrate)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
