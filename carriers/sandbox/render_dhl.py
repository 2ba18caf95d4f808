"""DHL Shipment Tracking - Unified bodies for sandbox journeys (carrier-apis.md §2, express
service): events newest first, ISO with offset; not found is RFC 7807 problem JSON (HTTP 404)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from carriers.sandbox.journeys import Journey, Place
from carriers.sandbox.render_codes import CODES_DHL, code_for, destination, dump, iso, local


def _location(place: Place) -> dict[str, Any]:
    locality = f"{place.city}, {place.region}" if place.region else place.city
    return {
        "address": {
            "countryCode": place.country,
            "postalCode": place.postal_code,
            "addressLocality": locality,
        }
    }


def render_dhl(journey: Journey, now: datetime) -> bytes:
    scans, dest = journey.visible(now), destination(journey)
    events = []
    for scan in reversed(scans):
        code = code_for(CODES_DHL, scan)
        events.append(
            {
                "timestamp": iso(local(scan.occurred_at, scan.place)),
                "location": _location(scan.place),
                "statusCode": code.code,
                "status": code.text,
                "description": code.text,
            }
        )
    shipment: dict[str, Any] = {
        "id": journey.tracking_number,
        "service": "express",
        "origin": _location(journey.scans[0].place),
        "destination": _location(dest),
        "status": events[0] if events else {"statusCode": "unknown", "status": "", "description": ""},
        "details": {"product": {"productName": "EXPRESS WORLDWIDE"}},
        "events": events,
    }
    if (eta := journey.estimate(now)) is not None:
        shipment["estimatedTimeOfDelivery"] = iso(local(eta, dest))
        shipment["estimatedTimeOfDeliveryRemark"] = "By End of Day"
    return dump({"shipments": [shipment]})


def render_dhl_not_found(number: str) -> tuple[int, bytes]:
    return 404, dump(
        {
            "title": "No result found",
            "detail": "No shipment with given tracking number found.",
            "status": 404,
            "instance": f"/shipment/{number}",
        }
    )
