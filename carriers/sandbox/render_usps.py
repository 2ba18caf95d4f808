"""USPS Tracking v3 bodies for sandbox journeys (carrier-apis.md §5): trackingEvents newest first,
eventTimestamp local to the minute, GMTTimestamp, GMTOffset; not found is the v3 error envelope
(HTTP 404, the number is not echoed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from carriers.sandbox.journeys import Journey
from carriers.sandbox.render_codes import CODES_USPS, code_for, destination, dump, iso, local, offset_text
from parcel_watch.status import Status

CATEGORIES = {
    Status.INFO_RECEIVED: "Pre-Shipment",
    Status.IN_TRANSIT: "In Transit",
    Status.OUT_FOR_DELIVERY: "Out for Delivery",
    Status.DELIVERY_ATTEMPTED: "Delivery Attempt",
    Status.AVAILABLE_FOR_PICKUP: "Available for Pickup",
    Status.DELIVERED: "Delivered",
    Status.EXCEPTION: "Alert",
    Status.RETURNING: "Alert",
    Status.RETURNED: "Alert",
}


def render_usps(journey: Journey, now: datetime) -> bytes:
    scans, dest = journey.visible(now), destination(journey)
    events = []
    for scan in reversed(scans):
        code, at = code_for(CODES_USPS, scan), local(scan.occurred_at, scan.place)
        events.append(
            {
                "eventType": code.text,
                "eventTimestamp": at.strftime("%Y-%m-%dT%H:%M:00"),
                "GMTTimestamp": scan.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "GMTOffset": offset_text(at),
                "eventCountry": None if scan.place.country == "US" else scan.place.country,
                "eventCity": scan.place.city,
                "eventState": scan.place.region,
                "eventZIP": scan.place.postal_code,
                "firm": None,
                "name": None,
                "authorizedAgent": "false",
                "eventCode": code.code,
                "additionalProp": None,
            }
        )
    latest = scans[-1] if scans else None
    doc: dict[str, Any] = {
        "trackingNumber": journey.tracking_number,
        "mailClass": "Priority Mail International<SUP>&#174;</SUP>",
        "mailType": "IN",
        "destinationCity": dest.city,
        "destinationState": dest.region,
        "destinationZIP": dest.postal_code,
        "status": code_for(CODES_USPS, latest).text if latest else "Pre-Shipment Info Sent to USPS",
        "statusCategory": CATEGORIES.get(latest.status, "In Transit") if latest else "Pre-Shipment",
        "statusSummary": f"Latest update: {code_for(CODES_USPS, latest).text}." if latest else "",
        "trackingEvents": events,
    }
    if (eta := journey.estimate(now)) is not None:
        at = local(eta, dest)
        doc["expectedDeliveryDate"] = iso(at)
        doc["expectedDeliveryTime"] = at.strftime("%I:%M %p").lstrip("0").lower()
    return dump(doc)


def render_usps_not_found(number: str) -> tuple[int, bytes]:
    detail = f"The tracking number {number} could not be found: not yet in system."
    error = {"status": "404", "code": "404", "title": "Not Found", "detail": detail}
    return 404, dump({"apiVersion": "v3", "error": {"code": "404", "message": detail, "errors": [error]}})
