"""Carrier times to UTC: offsets kept, bare local times resolved by place, the guess recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from carriers.timeutil import from_aware, localize, parse_iso, with_utc
from parcel_watch.model import TzSource


def test_an_explicit_offset_is_kept() -> None:
    r = from_aware(parse_iso("2024-04-26T07:50:00-07:00"))
    assert (r.utc, r.offset_minutes, r.source) == (
        datetime(2024, 4, 26, 14, 50, tzinfo=UTC),
        -420,
        TzSource.CARRIER_OFFSET,
    )


def test_local_plus_utc_field_gives_a_quarter_hour_offset_despite_seconds() -> None:
    r = with_utc(datetime(2024, 1, 5, 13, 58), datetime(2024, 1, 5, 18, 58, 40, tzinfo=UTC))
    assert (r.offset_minutes, r.source) == (-300, TzSource.CARRIER_UTC_FIELD)
    assert (
        with_utc(datetime(2024, 1, 5, 23, 15), datetime(2024, 1, 5, 17, 30, tzinfo=UTC)).offset_minutes == 345
    )


def test_a_bare_local_time_is_resolved_with_the_location_zone_and_dst() -> None:
    summer = localize(datetime(2023, 7, 13, 9, 50), "DE")
    winter = localize(datetime(2023, 1, 13, 9, 50), "DE")
    assert (summer.utc, summer.offset_minutes) == (datetime(2023, 7, 13, 7, 50, tzinfo=UTC), 120)
    assert (winter.offset_minutes, winter.source) == (60, TzSource.INFERRED_FROM_LOCATION)
    assert localize(datetime(2024, 3, 1, 8, 0), "US", "CA").offset_minutes == -480


def test_home_zone_then_unknown_when_nothing_tells_the_zone() -> None:
    home = localize(datetime(2019, 5, 9, 10, 11), None, home_zone="Asia/Shanghai")
    assert (home.utc, home.source) == (
        datetime(2019, 5, 9, 2, 11, tzinfo=UTC),
        TzSource.ASSUMED_CARRIER_HOME_ZONE,
    )
    unknown = localize(datetime(2019, 5, 9, 10, 11), "ZZ")
    assert (unknown.offset_minutes, unknown.source) == (None, TzSource.UNKNOWN)


def test_parse_iso_accepts_z_and_keeps_offsets() -> None:
    assert parse_iso("2024-08-02T19:26:52Z") == datetime(2024, 8, 2, 19, 26, 52, tzinfo=UTC)
    assert parse_iso(" 2016-10-20T10:04:00+01:00 ").utcoffset() == timedelta(hours=1)
    assert parse_iso("2016-10-20T10:04:00+01:00").tzinfo == timezone(timedelta(hours=1))
