"""One shipment's journey as the detail view shows it: timeline entries, the legs they make,
and what the carrier announced as the delivery estimate over time. Pure functions of
stored rows (no I/O), so the rules are tested on hand-built timelines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

from parcel_watch.detect import postal_operator
from parcel_watch.model import Location, Source, TzSource
from parcel_watch.status import Status

# Carrier times whose offset we worked out ourselves rather than read from the carrier.
GUESSED_OFFSETS = frozenset({TzSource.INFERRED_FROM_LOCATION, TzSource.ASSUMED_CARRIER_HOME_ZONE})


@dataclass(frozen=True)
class TimelineEntry:
    """One stored event. Text fields are the carrier's, untrusted: shown cleaned, never as markup."""

    id: int
    at: datetime  # the instant, UTC
    local_time: datetime | None  # the carrier's wall clock (naive), as it reported it
    utc_offset_minutes: int | None
    tz_source: TzSource
    status: Status
    substatus: str | None
    carrier_code: str | None
    description: str
    place: Location
    source: Source
    payload_sha256: str | None  # the raw payload that first brought this event

    def carrier_clock(self) -> datetime | None:
        """The carrier's local time with its UTC offset (aware), or its bare wall clock
        (naive) when the offset is unknown; None when the carrier gave no local time and
        no offset."""
        if self.utc_offset_minutes is not None:
            return self.at.astimezone(timezone(timedelta(minutes=self.utc_offset_minutes)))
        return self.local_time

    @property
    def offset_guessed(self) -> bool:
        return self.tz_source in GUESSED_OFFSETS


@dataclass(frozen=True)
class Leg:
    """A consecutive run of scans in one country: for a cross-border postal item, the origin
    post's part, then the destination post's (a return adds a leg back). Scans without a
    country belong to the run they fall in."""

    country: str | None
    operator: str | None  # the country's post, for postal (S10) items
    entries: tuple[TimelineEntry, ...]

    @property
    def first(self) -> TimelineEntry:
        return self.entries[0]

    @property
    def last(self) -> TimelineEntry:
        return self.entries[-1]

    @property
    def start_place(self) -> Location:
        return next((e.place for e in self.entries if e.place.city), self.first.place)

    @property
    def end_place(self) -> Location:
        return next((e.place for e in reversed(self.entries) if e.place.city), self.last.place)


@dataclass(frozen=True)
class EtaRevision:
    announced_at: datetime  # when we first saw this estimate
    estimate: datetime
    shift: timedelta | None  # later (+) or earlier (-) than the estimate before it


def legs(entries: Sequence[TimelineEntry], *, postal: bool) -> list[Leg]:
    """``entries`` (time order) cut where the country changes; ``postal`` names each leg's post.

    The store does not keep which provider (origin or destination post) reported a scan,
    so the country of the scan is what tells the legs apart."""
    runs: list[tuple[str | None, list[TimelineEntry]]] = []
    for entry in entries:
        country = entry.place.country
        if runs and (country is None or runs[-1][0] in (None, country)):
            if runs[-1][0] is None:
                runs[-1] = (country, runs[-1][1])
            runs[-1][1].append(entry)
        else:
            runs.append((country, [entry]))
    return [Leg(country, postal_operator(country) if postal else None, tuple(run)) for country, run in runs]


def route(journey: Sequence[Leg], origin: str | None, destination: str | None) -> list[str]:
    """Countries in the order the item passed them; before any scan, what the shipment says."""
    countries = [leg.country for leg in journey if leg.country]
    if countries:
        return countries
    return [c for c in (origin, destination) if c]


def eta_history(revisions: Iterable[tuple[datetime, datetime]]) -> list[EtaRevision]:
    """(announced at, estimate) pairs in the order announced, each with its shift."""
    history: list[EtaRevision] = []
    for announced_at, estimate in revisions:
        shift = estimate - history[-1].estimate if history else None
        history.append(EtaRevision(announced_at, estimate, shift))
    return history


def days_late(estimate: datetime | None, promised: date | None, zone: tzinfo) -> int | None:
    """Days the estimate falls after the promised date (negative: early), both read as
    calendar dates in ``zone``; None without both."""
    if estimate is None or promised is None:
        return None
    return (estimate.astimezone(zone).date() - promised).days
