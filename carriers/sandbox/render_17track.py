"""17TRACK v2.2 ``gettrackinfo`` bodies for sandbox journeys (carrier-apis.md §6): provider events
newest first with time_iso (local + offset) and time_utc; a number without data is a ``rejected``
item with -18019902 (HTTP 200, the envelope code stays 0)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from carriers.sandbox.journeys import Journey, Place, Scan
from carriers.sandbox.render_codes import (
    CODES_17TRACK,
    SEVENTEEN_STAGES,
    SEVENTEEN_SUB_STAGES,
    code_for,
    destination,
    dump,
    iso,
    local,
    utc_z,
)

PROVIDER = {"key": 0, "name": "Parcel Watch Sandbox", "alias": "SANDBOX", "country": "US"}


def _address(place: Place) -> dict[str, Any]:
    return {
        "country": place.country,
        "state": place.region,
        "city": place.city,
        "street": None,
        "postal_code": place.postal_code,
        "coordinates": {"longitude": None, "latitude": None},
    }


def _stage(scan: Scan) -> str | None:
    return SEVENTEEN_SUB_STAGES.get(scan.substatus or "") or SEVENTEEN_STAGES.get(scan.status)


def _event(scan: Scan) -> dict[str, Any]:
    code, at = code_for(CODES_17TRACK, scan), local(scan.occurred_at, scan.place)
    return {
        "time_iso": iso(at),
        "time_utc": utc_z(scan.occurred_at),
        "description": code.text,
        "location": f"{scan.place.city}, {scan.place.country}",
        "stage": _stage(scan),
        "sub_status": code.code,
        "address": _address(scan.place),
    }


def _accepted(journey: Journey, now: datetime) -> dict[str, Any]:
    scans, dest = journey.visible(now), destination(journey)
    events = [_event(scan) for scan in reversed(scans)]
    sub = events[0]["sub_status"] if events else "NotFound_Other"
    latest = {"status": sub.split("_", 1)[0], "sub_status": sub, "sub_status_descr": None}
    metrics: dict[str, Any] = {"estimated_delivery_date": {"source": None, "from": None, "to": None}}
    if (eta := journey.estimate(now)) is not None:
        stamp = iso(local(eta, dest))
        metrics["estimated_delivery_date"] = {"source": "Official", "from": stamp, "to": stamp}
    info = {
        "shipping_info": {
            "shipper_address": _address(journey.scans[0].place),
            "recipient_address": _address(dest),
        },
        "latest_status": latest,
        "latest_event": events[0] if events else None,
        "time_metrics": metrics,
        "milestone": [],
        "tracking": {
            "providers": [{"provider": PROVIDER, "latest_sync_status": "Success", "events": events}]
        },
    }
    return {"number": journey.tracking_number, "carrier": 0, "param": None, "tag": None, "track_info": info}


def _rejected(number: str) -> dict[str, Any]:
    message = f"The tracking number '{number}' does not register, please register first."
    return {"number": number, "error": {"code": -18019902, "message": message}}


def render_17track_many(journeys: Sequence[Journey], now: datetime, missing: Sequence[str] = ()) -> bytes:
    data = {"accepted": [_accepted(j, now) for j in journeys], "rejected": [_rejected(n) for n in missing]}
    return dump({"code": 0, "data": data})


def render_17track(journey: Journey, now: datetime) -> bytes:
    return render_17track_many([journey], now)


def render_17track_not_found(number: str) -> tuple[int, bytes]:
    return 200, dump({"code": 0, "data": {"accepted": [], "rejected": [_rejected(number)]}})
