"""Filing windows as calendar dates in the claimant's time zone.

The anchor instant (UTC) becomes the claimant's local date first: a parcel delivered at
23:30 UTC was delivered "tomorrow" in Shanghai, and the count starts there. Days are then
counted as the window says: calendar days; working days (Monday to Friday, not public
holidays of the policy's country, from the ``holidays`` package); or every day but Sundays
and public holidays (CMR Art. 30). "Within 9 months" adds calendar months, keeping the
day of the month or falling back to the month's last day (31 Jan + 1 month = 28 Feb).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from claims.anchors import ANCHOR_NAMES, AnchorDates, UnknownAnchor, anchor_instant
from claims.model import DayCount, Deadline, Incident, Policy, Window


class DeadlineError(ValueError):
    """A window, time zone or holiday country that cannot be counted with."""


@lru_cache(maxsize=64)
def _holiday_calendar(country: str) -> holidays.HolidayBase:
    code, _, subdivision = country.partition("-")
    try:
        return holidays.country_holidays(code.upper(), subdiv=subdivision.upper() or None)
    except NotImplementedError:
        raise DeadlineError(f"no public-holiday calendar for {country!r}") from None


def _zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DeadlineError(f"unknown time zone {time_zone!r}") from None


def local_date(anchor: datetime | date, time_zone: str) -> date:
    """The claimant's calendar date of an anchor: instants are converted, dates kept."""
    zone = _zone(time_zone)
    if isinstance(anchor, datetime):
        if anchor.utcoffset() is None:
            raise DeadlineError("an anchor instant must be timezone-aware (UTC)")
        return anchor.astimezone(zone).date()
    return anchor


def add_months(day: date, months: int) -> date:
    """Calendar-month arithmetic: the same day of the month, or that month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _counts(days: DayCount, holiday_country: str | None) -> Callable[[date], bool]:
    off = _holiday_calendar(holiday_country) if holiday_country else None

    def is_holiday(day: date) -> bool:
        return off is not None and day in off

    if days is DayCount.WORKING:
        return lambda day: day.weekday() < 5 and not is_holiday(day)
    if days is DayCount.EXCLUDING_SUNDAYS:
        return lambda day: day.weekday() != 6 and not is_holiday(day)
    return lambda day: True


def count_days(
    start: date, n: int, days: DayCount, holiday_country: str | None
) -> tuple[date, tuple[date, ...]]:
    """The ``n``-th counted day after ``start`` and the holidays skipped on the way.

    With ``n == 0`` a working-day count still lands on a counted day (rolls forward)."""
    if n < 0:
        raise DeadlineError(f"a window cannot count {n} days back")
    if days is DayCount.CALENDAR:
        return start + timedelta(days=n), ()
    counted = _counts(days, holiday_country)
    counted_but_for_holidays = _counts(days, None)
    skipped: list[date] = []

    def first_counted(day: date) -> date:
        while not counted(day):
            if counted_but_for_holidays(day):
                skipped.append(day)
            day += timedelta(days=1)
        return day

    day = first_counted(start) if n == 0 else start
    for _ in range(n):
        day = first_counted(day + timedelta(days=1))
    return day, tuple(skipped)


def _describe_count(n: int, months: int, days: DayCount, holiday_country: str | None) -> str:
    if days is DayCount.CALENDAR:
        unit = "calendar days"
    else:
        skipped = "Saturdays, Sundays" if days is DayCount.WORKING else "Sundays"
        holidays_part = (
            f" or {holiday_country} public holidays" if holiday_country else "; no holiday calendar given"
        )
        unit = f"{'working ' if days is DayCount.WORKING else ''}days (not counting {skipped}{holidays_part})"
    parts = [f"{months} calendar month{'s' if months != 1 else ''}"] if months else []
    if n or not months:
        parts.append(f"{n} {unit}")
    return " + ".join(parts)


def _holiday_names(skipped: tuple[date, ...], holiday_country: str | None) -> str:
    if not skipped or not holiday_country:
        return ""
    names = _holiday_calendar(holiday_country)
    return "; skipped " + ", ".join(f"{d.isoformat()} {names.get(d)}" for d in skipped)


def deadline(
    window: Window,
    anchor: datetime | date,
    time_zone: str,
    holiday_country: str | None = None,
    *,
    earliest_anchor: datetime | date | None = None,
) -> Deadline:
    """Earliest and latest filing dates of ``window`` counted from ``anchor``.

    ``earliest_anchor`` is required when the window's earliest day counts from another
    event (``window.earliest_anchor``). ``holiday_country`` ("GB", "GB-ENG", "DE") names
    the public holidays that working-day counts skip. If the earliest day would fall after
    the latest (a very late due date), the earliest is the latest: file by then."""
    if window.earliest_anchor is not None and earliest_anchor is None:
        raise UnknownAnchor(window.earliest_anchor)
    anchor_day = local_date(anchor, time_zone)
    start_day = local_date(earliest_anchor, time_zone) if earliest_anchor is not None else anchor_day
    basis = [f"Counted from {ANCHOR_NAMES[window.anchor]}: {anchor_day.isoformat()} ({time_zone})."]
    if earliest_anchor is not None and window.earliest_anchor is not None:
        basis.append(
            f"The earliest day counts from {ANCHOR_NAMES[window.earliest_anchor]}: {start_day.isoformat()}."
        )

    latest, skipped = count_days(
        add_months(anchor_day, window.months), window.latest, window.days, holiday_country
    )
    basis.append(
        f"Latest: {_describe_count(window.latest, window.months, window.days, holiday_country)}"
        f" -> {latest.isoformat()}{_holiday_names(skipped, holiday_country)}."
    )
    earliest_days = window.earliest_days or window.days
    earliest, skipped = count_days(start_day, window.earliest, earliest_days, holiday_country)
    if window.earliest or earliest_anchor is not None:
        basis.append(
            f"Earliest: {_describe_count(window.earliest, 0, earliest_days, holiday_country)}"
            f" -> {earliest.isoformat()}{_holiday_names(skipped, holiday_country)}."
        )
    if earliest > latest:
        if window.earliest_anchor is None:
            raise DeadlineError(
                f"window {window.name!r} opens after it closes ({window.earliest} > {window.latest})"
            )
        basis.append(f"The earliest day falls after the last one: file by {latest.isoformat()}.")
        earliest = latest
    return Deadline(
        window=window,
        anchor_date=anchor_day,
        earliest=earliest,
        latest=latest,
        time_zone=time_zone,
        holiday_country=holiday_country,
        basis=tuple(basis),
    )


def window_deadline(
    window: Window, dates: AnchorDates, time_zone: str, holiday_country: str | None
) -> Deadline:
    """The deadline of ``window`` from a shipment's anchors, using ``window.otherwise``
    when its own anchor is unknown; :class:`UnknownAnchor` if neither is known."""
    try:
        anchor = anchor_instant(window.anchor, dates)
    except UnknownAnchor:
        if window.otherwise is None:
            raise
        return window_deadline(window.otherwise, dates, time_zone, holiday_country)
    earliest_from = anchor_instant(window.earliest_anchor, dates) if window.earliest_anchor else None
    return deadline(window, anchor, time_zone, holiday_country, earliest_anchor=earliest_from)


@dataclass(frozen=True)
class PolicyDeadlines:
    """A policy's windows for one incident: those counted, and those whose start is unknown."""

    known: tuple[Deadline, ...]
    unknown: tuple[tuple[Window, str], ...]  # (window, what is missing)


def deadlines_for(
    policy: Policy, incident: Incident, dates: AnchorDates, time_zone: str, holiday_country: str | None = None
) -> PolicyDeadlines:
    """Every window of ``policy`` for ``incident``, counted in the claimant's zone.

    Working days skip the policy's holidays, else ``holiday_country`` (for conventions, the
    place of delivery). A window whose anchor is unknown (no delivery yet, no dispute opened)
    is listed in ``unknown`` with the reason, so the others still count."""
    country = policy.holiday_country or holiday_country
    known: list[Deadline] = []
    unknown: list[tuple[Window, str]] = []
    for window in policy.windows:
        if window.incidents and incident not in window.incidents:
            continue
        try:
            known.append(window_deadline(window, dates, time_zone, country))
        except UnknownAnchor as missing:
            unknown.append((window, str(missing)))
    return PolicyDeadlines(tuple(known), tuple(unknown))


def duty_deadline(
    policy: Policy, dates: AnchorDates, time_zone: str, holiday_country: str | None = None
) -> Deadline | None:
    """When the respondent's own period ends (deliver within 30 days, refund within 14),
    or None if the policy sets none. The claim arises once ``latest`` has passed."""
    if policy.duty is None:
        return None
    return window_deadline(policy.duty, dates, time_zone, policy.holiday_country or holiday_country)


def duty_passed(
    policy: Policy, dates: AnchorDates, today: date, time_zone: str, holiday_country: str | None = None
) -> bool:
    """Whether the respondent's period is over on ``today`` (always, if the policy sets none):
    e.g. a late parcel becomes a non-delivery for consumer law once the delivery period ends.
    Raises :class:`UnknownAnchor` when the period's start is unknown."""
    due = duty_deadline(policy, dates, time_zone, holiday_country)
    return due is None or due.expired(today)
