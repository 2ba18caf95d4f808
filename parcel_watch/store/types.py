"""Column types that keep the time invariant: stored instants are UTC, read back aware.

On SQLite an instant is an INTEGER of microseconds since the Unix epoch: exact, sortable,
compact, and several times cheaper to produce than the text form on the ingest hot path.
On PostgreSQL it is a ``timestamptz``. A carrier's wall-clock time (no zone) is stored the
same way, as if it were UTC, and read back naive.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.types import BigInteger, DateTime, TypeDecorator, TypeEngine

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NAIVE_EPOCH = datetime(1970, 1, 1)
MICROSECOND = timedelta(microseconds=1)


def utc_to_micros(value: datetime) -> int:
    return (value - EPOCH) // MICROSECOND


def micros_to_utc(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def wall_to_micros(value: datetime) -> int:
    return (value - NAIVE_EPOCH) // MICROSECOND


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC instant is required")
        return utc_to_micros(value) if dialect.name == "sqlite" else value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, int):
            return micros_to_utc(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class WallClock(TypeDecorator[datetime]):
    """A naive local time, as the carrier printed it."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime(timezone=False))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = value.replace(tzinfo=None)
        return wall_to_micros(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, int):
            return NAIVE_EPOCH + timedelta(microseconds=value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=None)
