"""FedEx Track API bodies for sandbox journeys (carrier-apis.md §4): scanEvents newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from carriers.sandbox.journeys import Journey, Place
from carriers.sandbox.render_codes import CODES_FEDEX, code_for, destination, dump, iso, local


# FedEx: scanEvents newest first, ISO with offset; not-found is a per-number error (HTTP 200).
def _fedex_result(journey: Journey, now: datetime) -> dict[str, Any]:
    scans, dest = journey.visible(now), destination(journey)
    events = []
    for scan in reversed(scans):
        code, _, exception = code_for(CODES_FEDEX, scan).code.partition("/")
        event: dict[str, Any] = {
            "date": iso(local(scan.occurred_at, scan.place)),
            "eventType": code,
            "eventDescription": code_for(CODES_FEDEX, scan).text,
            "exceptionCode": exception,
            "exceptionDescription": "",
            "scanLocation": _fedex_place(scan.place),
            "derivedStatusCode": code,
        }
        events.append(event)
    result: dict[str, Any] = {
        "trackingNumberInfo": {"trackingNumber": journey.tracking_number, "carrierCode": "FDXG"},
        "latestStatusDetail": {
            "code": events[0]["eventType"] if events else "",
            "description": events[0]["eventDescription"] if events else "Label created",
            "scanLocation": events[0]["scanLocation"] if events else {},
        },
        "recipientInformation": {"address": _fedex_place(dest)},
        "dateAndTimes": [],
        "scanEvents": events,
    }
    if scans:
        result["dateAndTimes"].append(
            {"type": "SHIP", "dateTime": iso(local(scans[0].occurred_at, scans[0].place))}
        )
    if (eta := journey.estimate(now)) is not None:
        result["dateAndTimes"].append({"type": "ESTIMATED_DELIVERY", "dateTime": iso(local(eta, dest))})
    return {"trackingNumber": journey.tracking_number, "trackResults": [result]}


def _fedex_place(place: Place) -> dict[str, Any]:
    return {
        "city": place.city,
        "stateOrProvinceCode": place.region or "",
        "postalCode": place.postal_code or "",
        "countryCode": place.country,
    }


def _fedex_missing(number: str) -> dict[str, Any]:
    error = {
        "code": "TRACKING.TRACKINGNUMBER.NOTFOUND",
        "message": "Tracking number cannot be found. Please correct the tracking number and try again.",
    }
    info = {"trackingNumber": number, "trackingNumberUniqueId": "", "carrierCode": ""}
    return {"trackingNumber": number, "trackResults": [{"trackingNumberInfo": info, "error": error}]}


def render_fedex_many(journeys: Sequence[Journey], now: datetime, missing: Sequence[str] = ()) -> bytes:
    results = [_fedex_result(j, now) for j in journeys] + [_fedex_missing(n) for n in missing]
    return dump({"transactionId": "sandbox", "output": {"completeTrackResults": results}})


def render_fedex(journey: Journey, now: datetime) -> bytes:
    return render_fedex_many([journey], now)


def render_fedex_not_found(number: str) -> tuple[int, bytes]:
    return 200, render_fedex_many([], datetime.min.replace(tzinfo=UTC), [number])
