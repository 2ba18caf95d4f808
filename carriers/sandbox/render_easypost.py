"""EasyPost Tracker bodies for sandbox journeys (carrier-apis.md §8): tracking_details oldest
first, datetime in UTC 'Z'; not found is the NOT_FOUND error (HTTP 404, the number is not echoed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from carriers.sandbox.journeys import Journey, Place
from carriers.sandbox.render_codes import CODES_EASYPOST, code_for, destination, dump, utc_z


def _place(place: Place) -> dict[str, Any]:
    return {
        "object": "TrackingLocation",
        "city": place.city,
        "state": place.region,
        "country": place.country,
        "zip": place.postal_code,
    }


def render_easypost(journey: Journey, now: datetime) -> bytes:
    scans, dest = journey.visible(now), destination(journey)
    details = []
    for scan in scans:
        code = code_for(CODES_EASYPOST, scan)
        status, _, detail = code.code.partition("/")
        details.append(
            {
                "object": "TrackingDetail",
                "message": code.text,
                "description": "",
                "status": status,
                "status_detail": detail,
                "datetime": utc_z(scan.occurred_at),
                "source": "Sandbox",
                "carrier_code": "",
                "tracking_location": _place(scan.place),
            }
        )
    eta = journey.estimate(now)
    tracker = {
        "id": f"trk_{journey.tracking_number.lower()}",
        "object": "Tracker",
        "mode": "test",
        "tracking_code": journey.tracking_number,
        "status": details[-1]["status"] if details else "unknown",
        "status_detail": details[-1]["status_detail"] if details else "unknown",
        "est_delivery_date": utc_z(eta) if eta is not None else None,
        "carrier": "Sandbox",
        "carrier_detail": {"object": "CarrierDetail", "destination_location": f"{dest.city} {dest.country}"},
        "tracking_details": details,
    }
    return dump(tracker)


def render_easypost_not_found(number: str) -> tuple[int, bytes]:
    message = f"The requested resource could not be found ({number})."
    return 404, dump({"error": {"code": "NOT_FOUND", "message": message, "errors": []}})
