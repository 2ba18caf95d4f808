"""Realistic parcel journeys from scenarios (pure, seeded).

A journey is the list of scans a carrier would show over time; the sandbox reveals each
scan once its time has come on the sandbox clock. Scenarios cover what the claims side
must recognise: on time, late, stalled then lost, damaged, customs hold with duties,
failed delivery attempts, returned to sender, delivered to a pickup point.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from parcel_watch.status import Status


class Scenario(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    STALLED_LOST = "stalled_lost"
    DAMAGED = "damaged"
    CUSTOMS_HOLD = "customs_hold"
    FAILED_ATTEMPTS = "failed_attempts"
    RETURNED = "returned"
    PICKUP_POINT = "pickup_point"


@dataclass(frozen=True)
class Place:
    city: str
    region: str | None
    postal_code: str | None
    country: str


@dataclass(frozen=True)
class Scan:
    occurred_at: datetime  # aware UTC
    status: Status
    substatus: str | None
    text: str
    place: Place


@dataclass(frozen=True)
class Journey:
    tracking_number: str
    scenario: Scenario
    shipped_at: datetime
    promised: datetime  # the delivery date promised to the buyer
    estimates: tuple[tuple[datetime, datetime], ...]  # (announced at, estimated delivery)
    scans: tuple[Scan, ...]

    def visible(self, now: datetime) -> tuple[Scan, ...]:
        return tuple(s for s in self.scans if s.occurred_at <= now)

    def estimate(self, now: datetime) -> datetime | None:
        current = [eta for announced, eta in self.estimates if announced <= now]
        return current[-1] if current else None


ORIGINS = (
    Place("MEMPHIS", "TN", "38118", "US"),
    Place("LOUISVILLE", "KY", "40209", "US"),
    Place("SHENZHEN", "GD", "518000", "CN"),
    Place("LEIPZIG", None, "04435", "DE"),
)
HUBS = (
    Place("INDIANAPOLIS", "IN", "46241", "US"),
    Place("CHICAGO", "IL", "60666", "US"),
    Place("ROISSY", None, "95700", "FR"),
    Place("EAST MIDLANDS", None, "DE74 2SA", "GB"),
)
DESTINATIONS = (
    Place("AUSTIN", "TX", "78701", "US"),
    Place("BROOKLYN", "NY", "11201", "US"),
    Place("SEATTLE", "WA", "98101", "US"),
    Place("DENVER", "CO", "80202", "US"),
)


def generate(tracking_number: str, scenario: Scenario, shipped_at: datetime, seed: int) -> Journey:
    """The journey of one parcel; the same (number, scenario, start, seed) gives the same scans."""
    rng = random.Random(f"{seed}:{tracking_number}:{scenario.value}")
    origin, hub, dest = rng.choice(ORIGINS), rng.choice(HUBS), rng.choice(DESTINATIONS)
    t = shipped_at
    scans: list[Scan] = []

    def scan(hours: float, status: Status, sub: str | None, text: str, place: Place) -> None:
        nonlocal t
        t += timedelta(hours=hours * rng.uniform(0.7, 1.3))
        scans.append(Scan(t.replace(microsecond=0, second=0), status, sub, text, place))

    promised = shipped_at + timedelta(days=5)
    scan(0, Status.INFO_RECEIVED, None, "Shipment information sent to carrier", origin)
    scan(6, Status.IN_TRANSIT, "in_transit.picked_up", "Picked up", origin)
    scan(8, Status.IN_TRANSIT, "in_transit.departed", "Departed origin facility", origin)
    if origin.country != dest.country or scenario is Scenario.CUSTOMS_HOLD:
        scan(20, Status.IN_TRANSIT, "in_transit.customs_processing", "Clearance in progress", hub)
        if scenario is Scenario.CUSTOMS_HOLD:
            scan(6, Status.EXCEPTION, "exception.customs_hold", "Held by customs: import duties due", hub)
            scan(72, Status.IN_TRANSIT, "in_transit.customs_released", "Released by customs", hub)
        else:
            scan(4, Status.IN_TRANSIT, "in_transit.customs_released", "Released by customs", hub)
    scan(14, Status.IN_TRANSIT, "in_transit.arrived", "Arrived at hub", hub)
    if scenario is Scenario.STALLED_LOST:
        scan(30 * 24, Status.EXCEPTION, "exception.lost", "Package could not be located", hub)
        return _journey(tracking_number, scenario, shipped_at, promised, scans, rng)
    if scenario is Scenario.LATE:
        scan(120, Status.IN_TRANSIT, "in_transit.delayed", "Delayed: operational issue", hub)
    scan(10, Status.IN_TRANSIT, "in_transit.departed", "Departed hub", hub)
    scan(16, Status.IN_TRANSIT, "in_transit.arrived", "Arrived at local facility", dest)
    if scenario is Scenario.DAMAGED:
        scan(3, Status.EXCEPTION, "exception.damaged", "Package damaged in transit", dest)
    scan(4, Status.OUT_FOR_DELIVERY, None, "Out for delivery", dest)
    if scenario in (Scenario.FAILED_ATTEMPTS, Scenario.RETURNED):
        for _ in range(3 if scenario is Scenario.RETURNED else 2):
            scan(
                6,
                Status.DELIVERY_ATTEMPTED,
                "delivery_attempted.recipient_unavailable",
                "Recipient not available",
                dest,
            )
            scan(18, Status.OUT_FOR_DELIVERY, None, "Out for delivery", dest)
        if scenario is Scenario.RETURNED:
            scan(6, Status.RETURNING, "returning.to_sender", "Returning to sender", dest)
            scan(72, Status.RETURNED, "returned.to_sender", "Returned to sender", origin)
            return _journey(tracking_number, scenario, shipped_at, promised, scans, rng)
    if scenario is Scenario.PICKUP_POINT:
        scan(5, Status.AVAILABLE_FOR_PICKUP, None, "Ready for pickup at access point", dest)
        scan(26, Status.DELIVERED, "delivered.pickup_point", "Picked up by recipient at access point", dest)
    else:
        scan(5, Status.DELIVERED, "delivered.left_safe_place", "Delivered, left at front door", dest)
    return _journey(tracking_number, scenario, shipped_at, promised, scans, rng)


def _journey(
    number: str,
    scenario: Scenario,
    shipped_at: datetime,
    promised: datetime,
    scans: list[Scan],
    rng: random.Random,
) -> Journey:
    first_eta = shipped_at + timedelta(days=rng.choice((3, 4, 5)))
    estimates = [(scans[0].occurred_at, first_eta)]
    if scenario in (Scenario.LATE, Scenario.CUSTOMS_HOLD, Scenario.FAILED_ATTEMPTS):
        delay_scan = next(
            (s for s in scans if s.substatus in ("in_transit.delayed", "exception.customs_hold")), scans[-2]
        )
        estimates.append((delay_scan.occurred_at, first_eta + timedelta(days=rng.choice((2, 3, 4)))))
    return Journey(number, scenario, shipped_at, promised, tuple(estimates), tuple(scans))
