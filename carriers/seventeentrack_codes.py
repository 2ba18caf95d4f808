"""17TRACK API v2.2 vocabularies (carrier-apis.md §6, §10.3 17TRACK): status words, error codes,
carrier keys. Data only, shared by the parser and the fetch client in ``seventeentrack``."""

from __future__ import annotations

from carriers.errors import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    InvalidNumber,
    NotFound,
    RateLimited,
)
from parcel_watch.status import Status

Outcome = tuple[Status, str | None]

# One table for every 17TRACK status word: sub_status values, main statuses (used when no
# sub_status is given) and milestone stage keys (used for events without sub_status).
CODES: dict[str, Outcome] = {
    # main statuses
    "NotFound": (Status.PENDING, "pending.not_found"),
    "InfoReceived": (Status.INFO_RECEIVED, None),
    "InTransit": (Status.IN_TRANSIT, None),
    "Expired": (Status.EXPIRED, "expired.no_updates"),
    "AvailableForPickup": (Status.AVAILABLE_FOR_PICKUP, None),
    "OutForDelivery": (Status.OUT_FOR_DELIVERY, None),
    "DeliveryFailure": (Status.DELIVERY_ATTEMPTED, None),
    "Delivered": (Status.DELIVERED, None),
    "Exception": (Status.EXCEPTION, None),
    # sub statuses (§10.3)
    "NotFound_Other": (Status.PENDING, "pending.not_found"),
    "NotFound_InvalidCode": (Status.PENDING, "pending.invalid_number"),
    "InTransit_PickedUp": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "InTransit_Departure": (Status.IN_TRANSIT, "in_transit.departed"),
    "InTransit_Arrival": (Status.IN_TRANSIT, "in_transit.arrived"),
    "InTransit_CustomsProcessing": (Status.IN_TRANSIT, "in_transit.customs_processing"),
    "InTransit_CustomsReleased": (Status.IN_TRANSIT, "in_transit.customs_released"),
    "InTransit_CustomsRequiringInformation": (Status.EXCEPTION, "exception.customs_info_required"),
    "InTransit_Other": (Status.IN_TRANSIT, None),
    "OutForDelivery_Other": (Status.OUT_FOR_DELIVERY, None),
    "AvailableForPickup_Other": (Status.AVAILABLE_FOR_PICKUP, None),
    "DeliveryFailure_NoBody": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.recipient_unavailable"),
    "DeliveryFailure_Security": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.access_problem"),
    "DeliveryFailure_Rejected": (Status.EXCEPTION, "exception.refused"),
    "DeliveryFailure_InvalidAddress": (Status.EXCEPTION, "exception.address_problem"),
    "DeliveryFailure_Other": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.other"),
    "Delivered_Other": (Status.DELIVERED, None),
    "Exception_Returning": (Status.RETURNING, "returning.to_sender"),
    "Exception_Returned": (Status.RETURNED, "returned.to_sender"),
    "Exception_Damage": (Status.EXCEPTION, "exception.damaged"),
    "Exception_Lost": (Status.EXCEPTION, "exception.lost"),
    "Exception_Destroyed": (Status.EXCEPTION, "exception.destroyed"),
    "Exception_Rejected": (Status.EXCEPTION, "exception.refused"),
    "Exception_Delayed": (Status.EXCEPTION, "exception.delayed"),
    "Exception_NoBody": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.recipient_unavailable"),
    "Exception_Security": (Status.EXCEPTION, "exception.security"),
    "Exception_Cancel": (Status.CANCELLED, "cancelled.by_shipper"),
    "Exception_Other": (Status.EXCEPTION, "exception.other"),
    "Expired_Other": (Status.EXPIRED, "expired.no_updates"),
    # milestone stage keys not already above
    "PickedUp": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "Departure": (Status.IN_TRANSIT, "in_transit.departed"),
    "Arrival": (Status.IN_TRANSIT, "in_transit.arrived"),
    "Returning": (Status.RETURNING, "returning.to_sender"),
    "Returned": (Status.RETURNED, "returned.to_sender"),
}
# Item (and envelope) error codes → error type; unlisted codes stay a plain CarrierError.
ERROR_CODES: dict[int, type[CarrierError]] = {
    -18010001: AuthError,  # IP not whitelisted
    -18010002: AuthError,  # invalid key
    -18010012: InvalidNumber,  # invalid number format
    -18010013: InvalidNumber,  # invalid carrier for the number
    -18019902: NotFound,  # not registered
    -18019903: NotFound,  # carrier not detected
    -18019907: RateLimited,  # daily limit
    -18019908: RateLimited,  # quota exhausted
    -18019909: NotFound,  # no tracking info yet
    401: AuthError,
    429: RateLimited,
    500: CarrierUnavailable,
    503: CarrierUnavailable,
}
# 17TRACK carrier keys → physical carrier slugs (detection corpus codes where one exists).
CARRIER_KEYS: dict[int, str] = {
    21051: "usps",
    100002: "ups",
    7041: "dhl",
    3011: "china-post",
    190012: "yanwen",
    2151: "correios",
}
# Carrier home zones, for event times that carry neither offset nor UTC nor a known location zone.
HOME_ZONES: dict[int, str] = {3011: "Asia/Shanghai", 190012: "Asia/Shanghai", 2151: "America/Sao_Paulo"}

# Item error codes the fetch client acts on, as ``CarrierError.code`` holds them.
ALREADY_REGISTERED = "-18019901"
NOT_REGISTERED = "-18019902"
