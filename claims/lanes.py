"""Lane statistics: how a lane's recent delivered shipments travelled (pure).

A lane is (carrier, origin country, destination country). For each delivered shipment of
the sample: its longest silence, the most full business days (destination calendar) that
passed between two consecutive scans before delivery, and its transit, business days from
its first scan to its delivery. The lane's figures are the 90th percentiles (nearest rank).
The sample is the lane's ``lane_sample`` most recently delivered shipments, the same in a
full pass (from memory) and in an incremental one (read back from the store).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise

from claims.rules import LaneStats, RuleEvent, RuleShipment
from claims.rules.calendar import calendar_for
from parcel_watch.store.types import MICROSECOND, utc_to_micros

DAY_US = 86_400_000_000
UNIX_DAY_ONE = date(1970, 1, 1).toordinal()  # the proleptic ordinal of the epoch's day

Lane = tuple[str, str, str]


def lane_of(shipment: RuleShipment) -> Lane | None:
    if shipment.origin_country and shipment.destination_country:
        return (shipment.carrier, shipment.origin_country, shipment.destination_country)
    return None


def percentile(values: Sequence[int], fraction: float = 0.9) -> int:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def travel(
    shipment: RuleShipment, delivered: datetime, events: Sequence[RuleEvent]
) -> tuple[int, int] | None:
    """(longest silence, transit) in business days of a shipment delivered at ``delivered``."""
    calendar = calendar_for(shipment.destination_country)
    # Local days by the zone's offset at delivery: a DST change inside one journey moves a
    # scan across midnight at most once a year, not worth a zone conversion per scan.
    offset = delivered.astimezone(calendar.zone).utcoffset() or timedelta()
    shift = offset // MICROSECOND + UNIX_DAY_ONE * DAY_US
    until = utc_to_micros(delivered)
    # By position: events read from the store are plain row tuples in RuleEvent's order.
    ordinals = sorted({(e[1] + shift) // DAY_US for e in events if e[1] <= until})
    if not ordinals:
        return None
    days = [date.fromordinal(n) for n in ordinals]
    longest = max((calendar.business_days_between(a, b) for a, b in pairwise(days)), default=0)
    last_counts = days[-1] > days[0] and calendar.is_business_day(days[-1])
    transit = calendar.business_days_between(days[0], days[-1]) + last_counts
    return longest, transit


def lane_stats(samples: Iterable[tuple[int, int]]) -> LaneStats | None:
    found = list(samples)
    if not found:
        return None
    return LaneStats(
        delivered=len(found),
        gap_p90_business_days=percentile([gap for gap, _ in found]),
        transit_p90_business_days=percentile([transit for _, transit in found]),
    )


def stats_by_lane(
    delivered: Iterable[tuple[RuleShipment, datetime, datetime, Sequence[RuleEvent]]], per_lane: int
) -> dict[Lane, LaneStats]:
    """Statistics of every lane among ``delivered`` (shipment, delivered at, last scan at,
    events), each lane's ``per_lane`` most recently scanned only (as ``recent_delivered``)."""
    by_lane: dict[Lane, list[tuple[datetime, int, datetime, RuleShipment, Sequence[RuleEvent]]]] = {}
    for shipment, delivered_at, last, events in delivered:
        lane = lane_of(shipment)
        if lane is not None and events:
            by_lane.setdefault(lane, []).append((last, shipment.id, delivered_at, shipment, events))
    out: dict[Lane, LaneStats] = {}
    for lane, entries in by_lane.items():
        entries.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
        samples = (travel(shipment, at, events) for _, _, at, shipment, events in entries[:per_lane])
        stats = lane_stats(found for found in samples if found is not None)
        if stats is not None:
            out[lane] = stats
    return out


def lookup(stats: Mapping[Lane, LaneStats], shipment: RuleShipment) -> LaneStats | None:
    lane = lane_of(shipment)
    return stats.get(lane) if lane is not None else None
