"""Text for the detail screen's widgets: times in the carrier's and the user's zone, places,
money, sizes. Pure functions; carrier text goes through ``textsafe.clean`` into ``Text``."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from rich.text import Text

from parcel_watch.model import Location, Money
from parcel_watch.textsafe import clean
from parcel_watch.views.journey import TimelineEntry

NO_TIME = "—"


def offset_label(minutes: int) -> str:
    """``-300`` -> ``-05:00``."""
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def carrier_time(entry: TimelineEntry) -> Text:
    """``31 Oct 03:42 +01:00``: the carrier's own clock and offset. ``≈`` marks an offset we
    worked out from the place (the carrier gave none); ``?`` a wall clock without one."""
    clock = entry.carrier_clock()
    if clock is None:
        return Text(NO_TIME, style="dim")
    text = Text(f"{clock:%d %b %H:%M}")
    offset = clock.utcoffset()
    if offset is None:
        text.append(" ?", style="dim")
        return text
    text.append(f" {offset_label(int(offset.total_seconds() // 60))}", style="dim")
    if entry.offset_guessed:
        text.append("≈", style="yellow")
    return text


def user_time(at: datetime, zone: tzinfo, *, with_zone: bool = False) -> str:
    """The instant on the user's clock: ``31 Oct 03:42`` (``CET`` appended when asked)."""
    local = at.astimezone(zone)
    return f"{local:%d %b %H:%M %Z}" if with_zone else f"{local:%d %b %H:%M}"


def zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


def day(value: date) -> str:
    return f"{value:%a %d %b}"


def place(location: Location) -> str:
    """``LEIPZIG, DE`` (cleaned: places are carrier text)."""
    return clean(", ".join(p for p in (location.city, location.country) if p))


def signed_days(delta: timedelta) -> str:
    """A shift of an estimate: ``+2 d``, ``-1 d 4 h``."""
    sign = "-" if delta < timedelta(0) else "+"
    whole = abs(delta)
    hours = whole.seconds // 3600
    parts = ([f"{whole.days} d"] if whole.days else []) + ([f"{hours} h"] if hours or not whole.days else [])
    return sign + " ".join(parts)


def money(value: Money | None) -> str:
    return f"{value.amount:,.2f} {value.currency}" if value is not None else "no amount"


def size(n: int) -> str:
    return f"{n:,} B" if n < 10_000 else f"{n / 1024:,.1f} KiB"


def carrier_text(value: str | None, style: str = "") -> Text:
    """Carrier or user text as literal characters: escapes removed, markup never read."""
    return Text(clean(value), style=style)
