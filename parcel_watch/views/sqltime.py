"""Time arithmetic inside SQL, the same on SQLite and PostgreSQL.

Stored times differ by backend (``store.types``): an instant or a carrier's wall-clock time
is integer microseconds since the epoch on SQLite and a timestamp on PostgreSQL; a date is
ISO text on SQLite and a DATE on PostgreSQL. Each is turned into integer microseconds since
the epoch (a wall-clock time or a date as if it were UTC), so day numbers and durations are
integer arithmetic, exact on both: no float seconds whose rounding would move a value that
falls on a whole hour into the hour before.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, cast, extract, func, type_coerce
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.elements import ColumnElement

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
UNIX_EPOCH_JULIAN_DAY = 2440587.5  # julianday('1970-01-01') on SQLite


class SqlTime:
    """Expressions for one dialect. Non-negative values only: integer division truncates,
    which is the floor only from the epoch on (every stored time is after it)."""

    def __init__(self, dialect: Dialect) -> None:
        self.sqlite = dialect.name == "sqlite"

    def micros(self, value: ColumnElement[Any]) -> ColumnElement[int]:
        """An instant (``UTCDateTime``) or a wall-clock time (``WallClock``) column."""
        if self.sqlite:
            return type_coerce(value, BigInteger)
        # EXTRACT(EPOCH) is exact numeric on PostgreSQL 14+; a timestamp without zone counts as UTC.
        return cast(extract("epoch", value) * 1_000_000, BigInteger)

    def date_micros(self, value: ColumnElement[Any]) -> ColumnElement[int]:
        """A ``Date`` column at its midnight."""
        if self.sqlite:
            days = func.julianday(value) - UNIX_EPOCH_JULIAN_DAY  # exact: a whole number of days
            return cast(days * DAY_US, BigInteger)
        return cast(extract("epoch", value) * 1_000_000, BigInteger)

    @staticmethod
    def day(micros: ColumnElement[int]) -> ColumnElement[int]:
        """Day number since 1970-01-01 of a time in microseconds."""
        return micros // DAY_US

    @staticmethod
    def whole_hours(micros: ColumnElement[int]) -> ColumnElement[int]:
        return micros // HOUR_US


def day_number(day: date) -> int:
    """The day number :meth:`SqlTime.day` gives for ``day``."""
    return (day - date(1970, 1, 1)).days
