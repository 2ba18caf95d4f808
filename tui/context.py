"""What every screen of the dashboard needs: the store, the clock and the user's time zone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from parcel_watch.store import Store


def _local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class DashboardContext:
    """Injected into the app, so tests run it on a sample store with a frozen clock."""

    store: Store
    clock: Callable[[], datetime] = _utc_now
    user_zone: tzinfo = field(default_factory=_local_zone)
    page_size: int = 200  # rows fetched per query by the parcels table
