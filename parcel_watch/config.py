"""Where things live: the database URL and the data directory.

Precedence: ``--db`` on the command line, then ``PARCEL_WATCH_DB``, then a SQLite file in
the user's data directory. A bare path is a SQLite file; sync driver names are upgraded to
the async drivers the store uses.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

ENV_DB = "PARCEL_WATCH_DB"
ENV_CONFIG = "PARCEL_WATCH_CONFIG"
APP_NAME = "parcel-watch"


class ConfigError(ValueError):
    """A setting the user gave cannot be used; the message says which and why."""


def default_database_path() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "parcel-watch.db"


def config_file_path() -> Path:
    """The optional TOML settings file (e.g. anomaly-rule thresholds, ``[rules]``):
    ``PARCEL_WATCH_CONFIG``, else ``config.toml`` in the user config directory."""
    raw = os.environ.get(ENV_CONFIG)
    if raw:
        path = Path(raw).expanduser()
    else:
        path = Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"
    refuse_if_readable_by_others(path)
    return path


def refuse_if_readable_by_others(path: Path) -> None:
    """The config file may hold notification URLs with passwords and tokens, so one that
    other users can read is refused outright rather than trusted (POSIX modes only)."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # missing or unreadable: the loader reports it (or uses the defaults)
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        raise ConfigError(
            f"{path} is readable by other users (mode {stat.filemode(mode)}, {mode & 0o777:03o}) "
            f"and may hold secrets; make it private: chmod 600 {path}"
        )


def database_url(cli_value: str | None = None) -> str:
    raw = cli_value or os.environ.get(ENV_DB) or str(default_database_path())
    return normalize_database_url(raw)


def normalize_database_url(raw: str) -> str:
    raw = raw.strip()
    if not raw:
        raise ConfigError("empty database URL")
    if "://" not in raw:
        try:
            path = Path(raw).expanduser().resolve()
        except (ValueError, RuntimeError, OSError) as exc:  # a NUL byte, "~nosuchuser"
            raise ConfigError(f"the database path {raw!r} cannot be used: {exc}") from None
        return f"sqlite+aiosqlite:///{path}"
    scheme, rest = raw.split("://", 1)
    if scheme in ("sqlite", "sqlite+pysqlite", "sqlite+aiosqlite"):
        return f"sqlite+aiosqlite://{rest}"
    if scheme in (
        "postgres",
        "postgresql",
        "postgresql+psycopg2",
        "postgresql+psycopg",
        "postgresql+asyncpg",
    ):
        return f"postgresql+asyncpg://{rest}"
    raise ConfigError(f"unsupported database URL scheme {scheme!r}: use a SQLite path or postgresql://…")


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL (None for in-memory or other databases)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path == ":memory:":
        return None
    return Path(path)
