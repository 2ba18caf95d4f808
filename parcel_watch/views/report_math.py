"""The carrier report's arithmetic: confidence intervals, nearest-rank percentiles over
counted values, and transit in the destination's business days. Pure functions."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

from claims.rules.calendar import Calendar

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """Wilson score interval for a binomial proportion (E. B. Wilson, 1927, "Probable
    inference, the law of succession, and statistical inference", JASA 22:209-212).

    Unlike the normal approximation it stays inside [0, 1] and is not empty at 0 or n
    successes, which small carriers' groups often have. None without trials."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # At 0 or n successes a bound is exactly 0 or 1; the formula leaves rounding dust there.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def nearest_rank(counts: Mapping[int, int], percent: int) -> int | None:
    """The smallest value with at least ``percent`` % of the counted values at or below it
    (``counts``: value -> how many times it occurs). None when nothing was counted."""
    total = sum(counts.values())
    if not total:
        return None
    rank = max(1, -(-percent * total // 100))  # ceil, in integers
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable")


def business_days_in_transit(calendar: Calendar, first: date, delivered: date) -> int:
    """Business days after the first scan's day up to and including the delivery's day:
    scanned Friday and delivered Monday is one; delivered the day it was scanned, none."""
    if delivered <= first:
        return 0
    return calendar.business_days_between(first, delivered) + calendar.is_business_day(delivered)
