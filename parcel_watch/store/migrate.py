"""Schema migrations with Alembic, run on the store's own connection."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

# The newest revision in migrations/versions; a test keeps the two in step. Knowing it
# lets an up-to-date database skip Alembic's start-up on every CLI call.
HEAD = "0010"


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(str(files("parcel_watch.store") / "migrations"))))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection, revision: str = "head") -> None:
    command.upgrade(_config(connection), revision)
