"""UPS Track API bodies for sandbox journeys (carrier-apis.md §3): activity newest first, local
date/time plus gmtDate/gmtTime/gmtOffset; not found is the TW0001 warning (HTTP 200)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from carriers.sandbox.journeys import Journey, Place
from carriers.sandbox.render_codes import CODES_UPS, SAFE, code_for, destination, dump, local, offset_text


def _address(place: Place) -> dict[str, Any]:
    return {
        "city": place.city,
        "stateProvince": place.region or "",
        "postalCode": place.postal_code or "",
        "countryCode": place.country,
        "country": place.country,
    }


def _status(code_text: str, text: str) -> dict[str, str]:
    type_, _, code = code_text.partition("/")
    return {"type": type_, "code": code, "description": text, "statusCode": ""}


def render_ups(journey: Journey, now: datetime) -> bytes:
    scans, dest = journey.visible(now), destination(journey)
    activity = []
    for scan in reversed(scans):
        code = code_for(CODES_UPS, scan)
        at, utc = local(scan.occurred_at, scan.place), scan.occurred_at.astimezone(UTC)
        activity.append(
            {
                "location": {"address": _address(scan.place)},
                "status": _status(code.code, code.text),
                "date": at.strftime("%Y%m%d"),
                "time": at.strftime("%H%M%S"),
                "gmtDate": utc.strftime("%Y%m%d"),
                "gmtTime": utc.strftime("%H%M%S"),
                "gmtOffset": offset_text(at),
            }
        )
    package: dict[str, Any] = {
        "trackingNumber": journey.tracking_number,
        "activity": activity,
        "currentStatus": activity[0]["status"] if activity else _status("M/MP", "Label created"),
        "packageAddress": [{"type": "DESTINATION", "address": _address(dest)}],
        "deliveryDate": [],
        "packageCount": 1,
    }
    if any((s.status, s.substatus) == SAFE for s in scans):
        package["deliveryInformation"] = {"location": "Front Door"}
    eta = journey.estimate(now)
    if eta is not None:
        revised = sum(1 for announced, _ in journey.estimates if announced <= now) > 1
        at = local(eta, dest)
        package["deliveryDate"].append({"type": "RDD" if revised else "SDD", "date": at.strftime("%Y%m%d")})
        package["deliveryTime"] = {"type": "EOD", "startTime": "", "endTime": at.strftime("%H%M%S")}
    shipment = {"inquiryNumber": journey.tracking_number, "package": [package]}
    return dump({"trackResponse": {"shipment": [shipment]}})


def render_ups_not_found(number: str) -> tuple[int, bytes]:
    warning = {"code": "TW0001", "message": "Tracking Information Not Found"}
    return 200, dump({"trackResponse": {"shipment": [{"inquiryNumber": number, "warnings": [warning]}]}})
