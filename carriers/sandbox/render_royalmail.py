"""Royal Mail Tracking API v2 bodies for sandbox journeys (carrier-apis.md §9): the events answer,
events newest first with the scan's offset; not found is the E1142 error envelope (HTTP 404).

Our sources name no Royal Mail code for a loss, damage, customs hold or return: those scans get
``SBX…`` codes (sandbox only), which the parser reads as UNKNOWN, as it would an unlisted real
code; ``statusCategory`` still says RETURNED TO SENDER for a return.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from carriers.sandbox.journeys import Journey, Scan
from carriers.sandbox.render_codes import (
    ARRIVED,
    ATTEMPT,
    CUSTOMS,
    DAMAGED,
    DELAYED,
    DEPARTED,
    HOLD,
    INFO,
    LOST,
    OFD,
    PICKED_UP,
    PICKUP,
    POINT,
    RELEASED,
    RETURNED,
    RETURNING,
    SAFE,
    Code,
    Key,
    code_for,
    destination,
    dump,
    iso,
    local,
    offset_text,
)
from parcel_watch.status import Status as S

_UNREAD: Key = (S.UNKNOWN, None)
_TRANSIT: Key = (S.IN_TRANSIT, None)

CODES_ROYALMAIL: dict[Key, Code] = {
    INFO: Code("EVAIP", "Sender despatching item", INFO),
    PICKED_UP: Code("EVPPA", "Accepted at Parcelshop", PICKED_UP),
    DEPARTED: Code("EVODO", "Item Despatched to Delivery Office", DEPARTED),
    ARRIVED: Code("EVORI", "Arrived at", ARRIVED),
    CUSTOMS: Code("EVOCO", "We've received your item and it's now being processed", _TRANSIT),
    RELEASED: Code("EVOCO", "We've received your item and it's now being processed", _TRANSIT),
    DELAYED: Code("EVNMI", "Forwarded - Mis-sort", (S.IN_TRANSIT, "in_transit.forwarded")),
    HOLD: Code("EVNRT", "Item Retention", (S.EXCEPTION, "exception.held_at_location")),
    LOST: Code("SBXLS", "Item could not be located", _UNREAD),
    DAMAGED: Code("SBXDM", "Item damaged", _UNREAD),
    OFD: Code("EVGPD", "Due to be delivered today", OFD),
    ATTEMPT: Code("EVKNA", "Delivery Attempted - No Answer", ATTEMPT),
    PICKUP: Code("EVNDA", "Available for Redelivery or Collection", PICKUP),
    SAFE: Code("EVKSF", "Delivered to Safeplace", SAFE),
    POINT: Code("EVKOP", "Delivered by Post Office", (S.DELIVERED, None)),
    RETURNING: Code("SBXRS", "Returning to sender", _UNREAD),
    RETURNED: Code("SBXRD", "Returned to sender", _UNREAD),
}
CATEGORIES = {S.DELIVERED: "DELIVERED", S.RETURNING: "RETURNED TO SENDER", S.RETURNED: "RETURNED TO SENDER"}


def _category(scans: tuple[Scan, ...]) -> str:
    return CATEGORIES.get(scans[-1].status, "IN TRANSIT") if scans else "PENDING"


def _estimate(eta: datetime, journey: Journey) -> dict[str, Any]:
    """A three-hour window ending at the estimate, on the destination's wall clock."""
    end = local(eta, destination(journey))
    start = max(end - timedelta(hours=3), end.replace(hour=0, minute=0, second=0))
    return {
        "date": end.date().isoformat(),
        "startOfEstimatedWindow": start.strftime("%H:%M:%S") + offset_text(start),
        "endOfEstimatedWindow": end.strftime("%H:%M:%S") + offset_text(end),
    }


def render_royalmail(journey: Journey, now: datetime) -> bytes:
    scans = journey.visible(now)
    events = []
    for scan in reversed(scans):
        code = code_for(CODES_ROYALMAIL, scan)
        at = iso(local(scan.occurred_at, scan.place))
        events.append(
            {
                "eventCode": code.code,
                "eventName": code.text,
                "eventDateTime": at,
                "locationName": scan.place.city,
            }
        )
    summary: dict[str, Any] = {
        "uniqueItemId": journey.tracking_number,
        "oneDBarcode": journey.tracking_number,
        "productName": "Tracked 48",
        "statusCategory": _category(scans),
    }
    if events:
        newest = events[0]
        summary |= {"lastEventCode": newest["eventCode"], "lastEventName": newest["eventName"]}
        summary |= {"lastEventDateTime": newest["eventDateTime"]}
    piece: dict[str, Any] = {
        "mailPieceId": journey.tracking_number,
        "carrierShortName": "RM",
        "carrierFullName": "Royal Mail Group Ltd",
        "summary": summary,
        "events": events,
    }
    if (eta := journey.estimate(now)) is not None:
        piece["estimatedDelivery"] = _estimate(eta, journey)
    return dump({"mailPieces": piece})


def _envelope(status: int, message: str, errors: list[dict[str, str]]) -> bytes:
    return dump({"httpCode": str(status), "httpMessage": message, "errors": errors})


def render_royalmail_not_found(number: str) -> tuple[int, bytes]:
    error = {
        "errorCode": "E1142",
        "errorDescription": f"Barcode reference {number} isn't recognised",
        "errorCause": "A mail item with that barcode cannot be located",
        "errorResolution": "Check barcode and resubmit",
    }
    return 404, _envelope(404, "Not Found", [error])


def render_royalmail_terms_refused() -> tuple[int, bytes]:
    """The answer without ``X-Accept-RMG-Terms: yes`` (the fixture ``error_header_E0004.json``)."""
    error = {
        "errorCode": "E0004",
        "errorDescription": "Failed header validation for X-Accept-RMG-Terms",
        "errorCause": "The submitted request was not valid against the required header definition",
        "errorResolution": "Please check the API request against the required header definition and re-submit",
    }
    return 400, _envelope(400, "Bad Request", [error])


def render_royalmail_unauthorized(message: str) -> tuple[int, bytes]:
    return 401, dump({"httpCode": "401", "httpMessage": "Unauthorized", "moreInformation": message})
