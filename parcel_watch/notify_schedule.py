"""When a message may go out: quiet hours, the daily digest, retries after a failed send.

All pure functions of instants (aware UTC) and a time zone. Wall-clock times are the
user's: "22:00-07:00" in Europe/Berlin stays 22:00 to 07:00 local on both sides of a
daylight-saving change. Quiet hours end at their end time or when a clock change takes the
wall clock out of them (a spring-forward gap that skips the end, an autumn change that
turns the clock back before the start); an end the autumn change repeats ends them the
first time (and the repeated hour is quiet again until its second end). A digest time in
the gap is read with the offset before the change (02:30 becomes 03:30); a repeated one is
taken once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

_CLOCK = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")

RETRY_FIRST = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 8  # about two and a half hours of trying, then the message is marked failed


class ScheduleError(ValueError):
    """A quiet-hours or digest setting that cannot be read; the message says how to write it."""


def parse_clock(text: str, what: str = "time") -> time:
    """``"07:30"`` -> 07:30."""
    match = _CLOCK.match(text) if isinstance(text, str) else None
    if match is None:
        raise ScheduleError(f'{what} must look like "08:00" (24-hour clock), not {text!r}')
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """``"22:00-07:00"`` (across midnight) or ``"12:00-14:00"``."""
        if not isinstance(text, str) or text.count("-") != 1:
            raise ScheduleError(f'quiet_hours must look like "22:00-07:00", not {text!r}')
        start, end = (parse_clock(part, "quiet_hours") for part in text.split("-"))
        if start == end:
            raise ScheduleError("quiet_hours starts and ends at the same time: it would never be quiet")
        return cls(start, end)

    def contains(self, wall: time) -> bool:
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end  # across midnight

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def _wall(at: datetime, zone: tzinfo) -> datetime:
    return at.astimezone(zone)


def _instants(at: datetime, wall: time, zone: tzinfo, *, both_folds: bool) -> list[datetime]:
    """The instants of ``wall`` on the local date of ``at`` and the two days after, in order
    (a wall time the autumn change repeats is two instants with ``both_folds``)."""
    local = _wall(at, zone)
    found = set()
    for days in range(3):
        day = (local + timedelta(days=days)).date()
        for fold in (0, 1) if both_folds else (0,):
            found.add(datetime.combine(day, wall, tzinfo=zone).replace(fold=fold).astimezone(UTC))
    return sorted(found)


def _offset(at: datetime, zone: tzinfo) -> timedelta | None:
    return _wall(at, zone).utcoffset()


def _clock_change(after: datetime, until: datetime, zone: tzinfo) -> datetime | None:
    """The first instant in (``after``, ``until``] with the offset ``until`` has, when the
    clocks change in between (at most once: they never change twice within two days)."""
    if _offset(after, zone) == _offset(until, zone):
        return None
    minute = timedelta(minutes=1)
    lo, hi = after, until  # offset(lo) is the old one, offset(hi) the new one
    while hi - lo > minute:
        mid = lo + (hi - lo) / 2
        lo, hi = (lo, mid) if _offset(mid, zone) == _offset(until, zone) else (mid, hi)
    # Clocks change on whole minutes: the first whole minute after ``lo`` has the new offset.
    return max(hi.replace(second=0, microsecond=0), after + timedelta(microseconds=1))


def in_quiet_hours(at: datetime, quiet: QuietHours, zone: tzinfo) -> bool:
    return quiet.contains(_wall(at, zone).time())


def quiet_release(at: datetime, quiet: QuietHours, zone: tzinfo) -> datetime | None:
    """When the quiet hours around ``at`` end; None when ``at`` is not in quiet hours.

    They end at their end time, or when the clocks change: a jump can skip the end (02:30
    on the spring-forward night) or move the clock back out of the quiet hours."""
    if not in_quiet_hours(at, quiet, zone):
        return None
    t = at
    for _ in range(8):  # each turn moves past an end time or a clock change
        end = next(e for e in _instants(t, quiet.end, zone, both_folds=True) if e > t)
        change = _clock_change(t, end, zone)
        if change is not None and change < end:
            if not in_quiet_hours(change, quiet, zone):
                return change
            t = change  # the clocks moved, still quiet: look again from there
        elif not in_quiet_hours(end, quiet, zone):
            return end
        else:
            t = end  # an end the clocks will show again (the autumn change), still quiet
    raise AssertionError(f"quiet hours {quiet} never end after {at}")  # pragma: no cover


def next_digest(at: datetime, digest: time, zone: tzinfo) -> datetime:
    """The first digest time strictly after ``at`` (once a day, even on the day the clocks
    go back and the time happens twice)."""
    return next(when for when in _instants(at, digest, zone, both_folds=False) if when > at)


@dataclass(frozen=True)
class Timing:
    """How one target receives its messages."""

    quiet_hours: QuietHours | None = None
    digest: time | None = None  # one message a day at this time, instead of one per fact


def send_after(at: datetime, timing: Timing, zone: tzinfo) -> tuple[datetime, str]:
    """When a message found at ``at`` may go out, and why then: ``now``, ``quiet`` (held
    until the quiet hours end) or ``digest`` (held for the next digest)."""
    mode, when = "now", at
    if timing.digest is not None:
        mode, when = "digest", next_digest(at, timing.digest, zone)
    if timing.quiet_hours is not None:
        released = quiet_release(when, timing.quiet_hours, zone)
        if released is not None:
            return released, mode if mode == "digest" else "quiet"
    return when, mode


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed send (1-based): 1, 2, 4 … minutes, at most an hour."""
    delay: timedelta = RETRY_FIRST * 2 ** max(0, min(attempts - 1, 16))
    return min(RETRY_CAP, delay)


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    notify_type: str


def merge(messages: Sequence[Message], *, digest: bool) -> Message:
    """Several held messages for one target as one: a title counting them, a line each."""
    if len(messages) == 1 and not digest:
        return messages[0]
    count = f"{len(messages)} update{'s' if len(messages) != 1 else ''}"
    title = f"parcel-watch daily digest: {count}" if digest else f"parcel-watch: {count}"
    lines = [f"• {m.title} — {m.body}" for m in messages]
    worst = "warning" if any(m.notify_type == "warning" for m in messages) else "info"
    return Message(title, "\n".join(lines), worst)
