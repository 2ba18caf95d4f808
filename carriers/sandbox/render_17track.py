"""17TRACK v2.2 ``gettrackinfo`` bodies for sandbox journeys (carrier-apis.md §6): provider events
newest first with time_iso (local + offset) and time_utc. An S10 postal item crossing borders has
two providers, as 17TRACK shows them: the origin post (named by the number's country suffix) up
to the handover scan, and the destination post from that scan on; both report the handover.
Rejected items (HTTP 200, the envelope code stays 0): -18019902 for a number not registered,
-18019909 for a registered one without tracking information yet.
"""

from __future__ import annotations

import re
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
S10 = re.compile(r"[A-Z]{2}\d{9}([A-Z]{2})")
# Posts by country, with their 17TRACK carrier keys (carrier-apis.md §6); others get key 0.
POSTS = {"CN": (3011, "China Post"), "US": (21051, "USPS"), "BR": (2151, "Correios")}


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


def _post(country: str) -> dict[str, Any]:
    key, name = POSTS.get(country, (0, f"Post {country}"))
    return {"key": key, "name": name, "alias": name, "country": country}


def _provider(provider: dict[str, Any], scans: Sequence[Scan]) -> dict[str, Any]:
    events = [_event(scan) for scan in reversed(scans)]
    return {"provider": provider, "latest_sync_status": "Success", "events": events}


def _providers(journey: Journey, scans: Sequence[Scan]) -> list[dict[str, Any]]:
    s10, dest = S10.fullmatch(journey.tracking_number), destination(journey).country
    if s10 is None or s10.group(1) == dest:
        return [_provider(PROVIDER, scans)]
    # The origin post hands over at the first scan away from the origin; the destination post
    # appears once that scan has happened.
    first = journey.scans[0].place
    handover = next((i for i, s in enumerate(journey.scans) if s.place != first), len(journey.scans))
    origin = _provider(_post(s10.group(1)), scans[: handover + 1])
    return [origin, _provider(_post(dest), scans[handover:])] if len(scans) > handover else [origin]


def _accepted(journey: Journey, now: datetime) -> dict[str, Any]:
    scans, dest = journey.visible(now), destination(journey)
    newest = _event(scans[-1]) if scans else None
    sub = newest["sub_status"] if newest else "NotFound_Other"
    latest = {"status": sub.split("_", 1)[0], "sub_status": sub, "sub_status_descr": None}
    metrics: dict[str, Any] = {"estimated_delivery_date": {"source": None, "from": None, "to": None}}
    if (eta := journey.estimate(now)) is not None:
        stamp = iso(local(eta, dest))
        metrics["estimated_delivery_date"] = {"source": "Official", "from": stamp, "to": stamp}
    providers = _providers(journey, scans)
    info = {
        "shipping_info": {
            "shipper_address": _address(journey.scans[0].place),
            "recipient_address": _address(dest),
        },
        "latest_status": latest,
        "latest_event": newest,
        "time_metrics": metrics,
        "milestone": [],
        "tracking": {"providers": providers},
    }
    carrier = providers[0]["provider"]["key"]  # 17TRACK names the item by its first carrier
    return {
        "number": journey.tracking_number,
        "carrier": carrier,
        "param": None,
        "tag": None,
        "track_info": info,
    }


def _rejected(number: str, registered: bool = True) -> dict[str, Any]:
    if registered:
        error = {"code": -18019909, "message": "No tracking information at this time."}
    else:
        message = f"The tracking number '{number}' does not register, please register first."
        error = {"code": -18019902, "message": message}
    return {"number": number, "error": error}


def render_17track_many(
    journeys: Sequence[Journey], now: datetime, missing: Sequence[str] = (), unregistered: Sequence[str] = ()
) -> bytes:
    """``missing``: registered numbers without data; ``unregistered``: numbers not registered."""
    rejected = [_rejected(n) for n in missing] + [_rejected(n, registered=False) for n in unregistered]
    data = {"accepted": [_accepted(j, now) for j in journeys], "rejected": rejected}
    return dump({"code": 0, "data": data})


def render_17track(journey: Journey, now: datetime) -> bytes:
    return render_17track_many([journey], now)


def render_17track_not_found(number: str) -> tuple[int, bytes]:
    return 200, dump({"code": 0, "data": {"accepted": [], "rejected": [_rejected(number)]}})
