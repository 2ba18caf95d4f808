"""The carrier report's rows (:mod:`parcel_watch.views.carrier_report` computes them):
frozen dataclasses, each with a ``to_dict()`` that ``json.dumps`` takes as it is (amounts as
exact decimal strings, rates as floats with their Wilson 95 % interval)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from parcel_watch.views.report_math import nearest_rank, wilson_interval


class By(StrEnum):
    CARRIER = "carrier"
    SERVICE = "service"
    LANE = "lane"
    MONTH = "month"  # carrier and the month it shipped in


@dataclass(frozen=True)
class Rate:
    """``count`` of ``of`` shipments, with a Wilson 95 % interval (None of none)."""

    count: int
    of: int

    @property
    def rate(self) -> float | None:
        return self.count / self.of if self.of else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.count, self.of)

    def to_dict(self) -> dict[str, Any]:
        low_high = self.interval
        return {
            "count": self.count,
            "of": self.of,
            "rate": self.rate,
            "ci95": list(low_high) if low_high else None,
        }


@dataclass(frozen=True)
class Distribution:
    """Counted whole values (value -> shipments) and their nearest-rank percentiles."""

    counts: tuple[tuple[int, int], ...] = ()

    def percentile(self, percent: int) -> int | None:
        return nearest_rank(dict(self.counts), percent)

    def to_dict(self, *percents: int) -> dict[str, int | None]:
        return {f"p{p}": self.percentile(p) for p in percents}


@dataclass(frozen=True)
class CarrierRow:
    carrier: str
    service: str | None
    origin: str | None
    destination: str | None
    month: str | None  # YYYY-MM
    shipments: int
    delivered: int
    on_time_vs_promise: Rate
    on_time_vs_estimate: Rate
    transit_business_days: Distribution
    first_scan_lag_hours: Distribution
    stalled: Rate
    lost_or_damaged: Rate
    exceptions: tuple[tuple[str, int], ...]  # reason -> shipments, by reason
    open_claims: int
    open_claimed: tuple[tuple[str, Decimal], ...]  # (currency, amount)
    recovered: tuple[tuple[str, Decimal], ...]
    # Shipments with at least one of the reasons in ``exceptions`` (one shipment may have
    # several): the dashboard's exception rate. Not in ``to_dict()``, which stays as it was.
    with_exceptions: Rate = Rate(0, 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier,
            "service": self.service,
            "origin": self.origin,
            "destination": self.destination,
            "month": self.month,
            "shipments": self.shipments,
            "delivered": self.delivered,
            "on_time_vs_promise": self.on_time_vs_promise.to_dict(),
            "on_time_vs_estimate": self.on_time_vs_estimate.to_dict(),
            "transit_business_days": self.transit_business_days.to_dict(50, 90, 99),
            "first_scan_lag_hours": self.first_scan_lag_hours.to_dict(50, 90),
            "stalled": self.stalled.to_dict(),
            "lost_or_damaged": self.lost_or_damaged.to_dict(),
            "exceptions": {reason: n for reason, n in self.exceptions},
            "exception_rates": {reason: n / self.shipments for reason, n in self.exceptions},
            "open_claims": self.open_claims,
            "open_claimed": {currency: str(amount) for currency, amount in self.open_claimed},
            "recovered": {currency: str(amount) for currency, amount in self.recovered},
        }


@dataclass(frozen=True)
class CarrierReport:
    by: By
    since: date | None
    rows: tuple[CarrierRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by.value,
            "since": self.since.isoformat() if self.since else None,
            "rows": [row.to_dict() for row in self.rows],
        }
