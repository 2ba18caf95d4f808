"""The normalized status taxonomy (docs: carrier-apis.md §10.2).

Carriers disagree on vocabulary; everything after the parser speaks only this one.
An unknown carrier code maps to ``UNKNOWN`` and keeps its raw code: it is never
guessed as "in transit".
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    UNKNOWN = "UNKNOWN"
    PENDING = "PENDING"
    INFO_RECEIVED = "INFO_RECEIVED"
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    AVAILABLE_FOR_PICKUP = "AVAILABLE_FOR_PICKUP"
    DELIVERY_ATTEMPTED = "DELIVERY_ATTEMPTED"
    DELIVERED = "DELIVERED"
    EXCEPTION = "EXCEPTION"
    RETURNING = "RETURNING"
    RETURNED = "RETURNED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({Status.DELIVERED, Status.RETURNED, Status.CANCELLED, Status.EXPIRED})

# After a terminal state only these clearly re-open a shipment (e.g. refused at the
# door after a "delivered" scan); a late hub scan must not un-deliver a parcel.
REOPENING = frozenset({Status.RETURNING, Status.RETURNED, Status.EXCEPTION, Status.DELIVERED})

SUBSTATUSES: dict[str, Status] = {
    name: Status[name.split(".", 1)[0].upper()]
    for name in (
        "pending.no_data",
        "pending.not_found",
        "pending.invalid_number",
        "in_transit.picked_up",
        "in_transit.departed",
        "in_transit.arrived",
        "in_transit.at_destination_country",
        "in_transit.customs_processing",
        "in_transit.customs_released",
        "in_transit.forwarded",
        "in_transit.handover",
        "in_transit.delayed",
        "delivery_attempted.recipient_unavailable",
        "delivery_attempted.business_closed",
        "delivery_attempted.access_problem",
        "delivery_attempted.other",
        "delivered.signed",
        "delivered.left_safe_place",
        "delivered.neighbour",
        "delivered.pickup_point",
        "delivered.mailbox_or_locker",
        "delivered.cod_collected",
        "exception.customs_hold",
        "exception.customs_info_required",
        "exception.damaged",
        "exception.lost",
        "exception.destroyed",
        "exception.refused",
        "exception.address_problem",
        "exception.held_for_payment",
        "exception.held_at_location",
        "exception.delayed",
        "exception.security",
        "exception.rejected_by_carrier",
        "exception.other",
        "returning.to_sender",
        "returned.to_sender",
        "cancelled.by_shipper",
        "expired.no_updates",
    )
}


def check_substatus(status: Status, substatus: str | None) -> str | None:
    """Return ``substatus`` if it belongs to ``status``; raise ValueError otherwise."""
    if substatus is None:
        return None
    owner = SUBSTATUSES.get(substatus)
    if owner is None:
        raise ValueError(f"unknown substatus {substatus!r}")
    if owner is not status:
        raise ValueError(f"substatus {substatus!r} belongs to {owner.value}, not {status.value}")
    return substatus


def supersedes(current: Status | None, new: Status) -> bool:
    """Whether a newer event with status ``new`` replaces the shipment's ``current`` status."""
    if current is None or not current.is_terminal:
        return True
    return new in REOPENING
