"""Turning carrier time strings into aware UTC instants, recording how (carrier-apis.md §1.1).

Never treat a bare local time as UTC: prefer an explicit offset, then an explicit UTC
field, then the zone of the event's location, then the carrier's home zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from parcel_watch.model import TzSource

# One representative zone per country, for countries that have one (or one dominant) zone.
# Multi-zone countries (US, CA, RU, BR, AU, MX, ...) are resolved by region where given.
COUNTRY_ZONES = {
    "AT": "Europe/Vienna",
    "BE": "Europe/Brussels",
    "CH": "Europe/Zurich",
    "CN": "Asia/Shanghai",
    "CZ": "Europe/Prague",
    "DE": "Europe/Berlin",
    "DK": "Europe/Copenhagen",
    "ES": "Europe/Madrid",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "GR": "Europe/Athens",
    "HK": "Asia/Hong_Kong",
    "HU": "Europe/Budapest",
    "IE": "Europe/Dublin",
    "IN": "Asia/Kolkata",
    "IT": "Europe/Rome",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo",
    "NZ": "Pacific/Auckland",
    "PL": "Europe/Warsaw",
    "PT": "Europe/Lisbon",
    "RO": "Europe/Bucharest",
    "SE": "Europe/Stockholm",
    "SG": "Asia/Singapore",
    "SK": "Europe/Bratislava",
    "TR": "Europe/Istanbul",
    "TW": "Asia/Taipei",
    "UA": "Europe/Kyiv",
    "AE": "Asia/Dubai",
    "IL": "Asia/Jerusalem",
    "TH": "Asia/Bangkok",
    "VN": "Asia/Ho_Chi_Minh",
    "MY": "Asia/Kuala_Lumpur",
    "PH": "Asia/Manila",
    "ZA": "Africa/Johannesburg",
    "CO": "America/Bogota",
    "PE": "America/Lima",
    "CL": "America/Santiago",
    "AR": "America/Argentina/Buenos_Aires",
}
# US states to zones (the dominant zone of each state).
US_STATE_ZONES = {
    **dict.fromkeys(
        [
            "CT",
            "DE",
            "DC",
            "FL",
            "GA",
            "IN",
            "KY",
            "ME",
            "MD",
            "MA",
            "MI",
            "NH",
            "NJ",
            "NY",
            "NC",
            "OH",
            "PA",
            "RI",
            "SC",
            "VT",
            "VA",
            "WV",
        ],
        "America/New_York",
    ),
    **dict.fromkeys(
        ["AL", "AR", "IL", "IA", "KS", "LA", "MN", "MS", "MO", "NE", "ND", "OK", "SD", "TN", "TX", "WI"],
        "America/Chicago",
    ),
    **dict.fromkeys(["CO", "ID", "MT", "NM", "UT", "WY"], "America/Denver"),
    "AZ": "America/Phoenix",
    **dict.fromkeys(["CA", "NV", "OR", "WA"], "America/Los_Angeles"),
    "AK": "America/Anchorage",
    "HI": "Pacific/Honolulu",
    "PR": "America/Puerto_Rico",
}


class EventTime(TypedDict):
    """The TrackingEvent fields a resolved instant fills."""

    occurred_at: datetime
    local_time: datetime
    utc_offset_minutes: int | None
    tz_source: TzSource


@dataclass(frozen=True)
class Resolved:
    utc: datetime
    local: datetime  # naive wall-clock time as the carrier printed it
    offset_minutes: int | None
    source: TzSource

    def event_time(self) -> EventTime:
        return EventTime(
            occurred_at=self.utc,
            local_time=self.local,
            utc_offset_minutes=self.offset_minutes,
            tz_source=self.source,
        )


def from_aware(value: datetime, source: TzSource = TzSource.CARRIER_OFFSET) -> Resolved:
    offset = value.utcoffset()
    assert offset is not None
    return Resolved(
        value.astimezone(UTC), value.replace(tzinfo=None), int(offset.total_seconds() // 60), source
    )


def with_utc(local: datetime, utc: datetime) -> Resolved:
    """A local wall time plus the carrier's separate UTC instant: the offset follows."""
    utc = utc.replace(tzinfo=UTC) if utc.tzinfo is None else utc.astimezone(UTC)
    # Zone offsets are whole quarter hours; the two fields may differ in seconds precision
    # (USPS: local 13:58 vs UTC 18:58:40), so round rather than subtract exactly.
    offset = round((local.replace(tzinfo=None) - utc.replace(tzinfo=None)) / timedelta(minutes=15)) * 15
    return Resolved(utc, local.replace(tzinfo=None), offset, TzSource.CARRIER_UTC_FIELD)


def zone_for(country: str | None, region: str | None = None) -> str | None:
    if country == "US" and region:
        return US_STATE_ZONES.get(region.upper())
    return COUNTRY_ZONES.get(country or "")


def localize(
    local: datetime, country: str | None, region: str | None = None, *, home_zone: str | None = None
) -> Resolved:
    """A wall time with no offset: resolve it with the location's zone, else the carrier's home zone."""
    local = local.replace(tzinfo=None)
    zone = zone_for(country, region)
    source = TzSource.INFERRED_FROM_LOCATION
    if zone is None and home_zone is not None:
        zone, source = home_zone, TzSource.ASSUMED_CARRIER_HOME_ZONE
    if zone is None:
        return Resolved(local.replace(tzinfo=UTC), local, None, TzSource.UNKNOWN)
    aware = local.replace(tzinfo=ZoneInfo(zone))
    offset = aware.utcoffset()
    assert offset is not None
    return Resolved(aware.astimezone(UTC), local, int(offset.total_seconds() // 60), source)


def parse_iso(text: str) -> datetime:
    """ISO 8601 with or without offset ('Z' accepted); raises ValueError on nonsense."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)
