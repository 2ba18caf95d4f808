"""The destination's calendar: its local day, its business days (weekends, public holidays).

Rules compare dates in the destination's local day. Where a scan at the destination gave
its UTC offset, that offset is the local time; otherwise the destination country's zone is
taken from the tz database's country table, and for a country with several zones the
westernmost one, whose day ends last, so that no zone sees a deadline pass before it has
passed locally. Business days skip the country's weekend and public holidays (the
``holidays`` package, including its substituted working weekend days, e.g. China's).
Everything here is cached: the rules ask the same questions for thousands of shipments.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import holidays

ONE_DAY = timedelta(days=1)
# Instants at which a country's zones are compared (winter and summer offsets both count).
_PROBES = (datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC))


def _zone_table_text() -> str | None:
    for base in zoneinfo.TZPATH:
        path = Path(base) / "zone.tab"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:  # the tzdata wheel ships the same table where there is no system database
        return resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None


@cache
def country_zones() -> dict[str, tuple[str, ...]]:
    """ISO 3166 country -> its zone names, from the tz database's ``zone.tab``."""
    found: dict[str, list[str]] = {}
    for line in (_zone_table_text() or "").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            found.setdefault(fields[0], []).append(fields[2])
    return {country: tuple(zones) for country, zones in found.items()}


# Countries with one legal time whose tz entries also list a customary local time.
_LEGAL_ZONE = {"CN": "Asia/Shanghai"}  # Beijing time; Asia/Urumqi is Xinjiang's customary time


def _zones(country: str | None) -> list[tzinfo]:
    zones: list[tzinfo] = []
    names = (_LEGAL_ZONE[country],) if country in _LEGAL_ZONE else country_zones().get(country or "", ())
    for name in names:
        try:
            zones.append(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return zones


def _westernmost(country: str | None) -> tzinfo:
    zones = _zones(country)
    if not zones:
        return UTC  # unknown country: UTC, the same for every rule and every shipment
    return min(
        zones, key=lambda z: sum((p.astimezone(z).utcoffset() or timedelta() for p in _PROBES), timedelta())
    )


@cache
def fixed_zone(offset_minutes: int) -> tzinfo:
    return UTC if offset_minutes == 0 else timezone(timedelta(minutes=offset_minutes))


@dataclass(frozen=True, eq=False)
class Calendar:
    """One country's local day and business days (``country`` None: UTC, Monday to Friday)."""

    country: str | None
    zone: tzinfo
    weekend: frozenset[int]
    _holidays: holidays.HolidayBase | None

    def is_business_day(self, day: date) -> bool:
        off = self._holidays
        if off is None:
            return day.weekday() not in self.weekend
        if day.weekday() in self.weekend and day not in off.weekend_workdays:
            return False
        return day not in off

    @lru_cache(maxsize=8192)  # noqa: B019 - calendars live for the process (see calendar_for)
    def nth_business_day_after(self, day: date, n: int) -> date:
        """The ``n``-th business day strictly after ``day`` (``day`` itself when n <= 0)."""
        while n > 0:
            day += ONE_DAY
            if self.is_business_day(day):
                n -= 1
        return day

    @lru_cache(maxsize=8192)  # noqa: B019 - see above
    def business_days_between(self, first: date, last: date) -> int:
        """Business days strictly after ``first`` and strictly before ``last``."""
        count, day = 0, first + ONE_DAY
        while day < last:
            count += self.is_business_day(day)
            day += ONE_DAY
        return count

    @lru_cache(maxsize=4096)  # noqa: B019 - see above
    def zone_with_offset(self, offset_minutes: int, epoch_day: int) -> tzinfo:
        """The country's zone that had this UTC offset on that day (a scan there said so):
        it then follows daylight saving time, which a fixed offset would not. An offset no
        zone of the country had is not believed (a carrier printing its home time): the
        country's zone. A fixed offset only for a country whose zones are unknown."""
        zones = _zones(self.country)
        if not zones:
            return fixed_zone(offset_minutes)
        noon = datetime(1970, 1, 1, 12, tzinfo=UTC) + timedelta(days=epoch_day)
        wanted = timedelta(minutes=offset_minutes)
        return next((zone for zone in zones if noon.astimezone(zone).utcoffset() == wanted), self.zone)

    def end_of_business_days(self, day: date, n: int, zone: tzinfo | None = None) -> datetime:
        """When the ``n``-th business day after ``day`` is over, local midnight as UTC."""
        return start_of(self.nth_business_day_after(day, n) + ONE_DAY, zone or self.zone)


@lru_cache(maxsize=65536)
def start_of(day: date, zone: tzinfo) -> datetime:
    """Local midnight of ``day`` in ``zone``, as a UTC instant."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def end_of(day: date, zone: tzinfo) -> datetime:
    """The instant ``day`` ends in ``zone`` (the next local midnight), as UTC."""
    return start_of(day + ONE_DAY, zone)


def local_day(at: datetime, zone: tzinfo) -> date:
    return at.astimezone(zone).date()


@cache
def calendar_for(country: str | None) -> Calendar:
    """The calendar of ``country`` (ISO 3166 alpha-2); one object per country per process."""
    off: holidays.HolidayBase | None = None
    if country:
        try:
            off = holidays.country_holidays(country)
        except NotImplementedError:  # no public-holiday data for this country: weekends only
            off = None
    weekend = frozenset(off.weekend) if off is not None else frozenset({5, 6})
    return Calendar(country, _westernmost(country), weekend, off)
