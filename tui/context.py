"""What every screen of the dashboard needs: the store, the clock and the user's time zone."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from platformdirs import user_data_dir

from parcel_watch.config import APP_NAME
from parcel_watch.store import Store


def _local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except OSError:  # no login name in this environment (a container without USER)
        return "dashboard"


def _export_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "exports"


@dataclass
class DashboardContext:
    """Injected into the app, so tests run it on a sample store with a frozen clock."""

    store: Store
    clock: Callable[[], datetime] = _utc_now
    user_zone: tzinfo = field(default_factory=_local_zone)
    page_size: int = 200  # rows fetched per query by the parcels table
    user: str = field(default_factory=_login_name)  # who claim status changes are recorded as
    export_dir: Path = field(default_factory=_export_dir)  # evidence packs and copied letters
