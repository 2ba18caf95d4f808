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
from datetime import datetime
from itertools import pairwise

from claims.rules import LaneStats, RuleEvent, RuleShipment
from claims.rules.calendar import calendar_for, local_day

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
    zone = calendar.zone
    days = sorted({local_day(e.occurred_at, zone) for e in events if e.occurred_at <= delivered})
    if not days:
        return None
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
    delivered: Iterable[tuple[RuleShipment, datetime, Sequence[RuleEvent]]], per_lane: int
) -> dict[Lane, LaneStats]:
    """Statistics of every lane among ``delivered`` (shipment, delivered at, events), each
    lane's ``per_lane`` most recent deliveries (by last scan) only."""
    by_lane: dict[Lane, list[tuple[float, int, tuple[int, int]]]] = {}
    for shipment, delivered_at, events in delivered:
        lane = lane_of(shipment)
        if lane is None or not events:
            continue
        found = travel(shipment, delivered_at, events)
        if found is not None:
            last = max(e.occurred_at for e in events).timestamp()
            by_lane.setdefault(lane, []).append((last, shipment.id, found))
    out: dict[Lane, LaneStats] = {}
    for lane, entries in by_lane.items():
        entries.sort(reverse=True)
        stats = lane_stats(found for _, _, found in entries[:per_lane])
        if stats is not None:
            out[lane] = stats
    return out


def lookup(stats: Mapping[Lane, LaneStats], shipment: RuleShipment) -> LaneStats | None:
    lane = lane_of(shipment)
    return stats.get(lane) if lane is not None else None
