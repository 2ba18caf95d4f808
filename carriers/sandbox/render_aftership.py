"""AfterShip Tracking v4 ``GET /trackings/{slug}/{number}`` bodies for sandbox journeys
(carrier-apis.md §7): checkpoints oldest first, checkpoint_time with offset, alpha-3 countries;
not found is meta.code 4004 (HTTP 404, the number is not echoed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from carriers.sandbox.journeys import Journey, Place
from carriers.sandbox.render_codes import CODES_AFTERSHIP, code_for, destination, dump, iso, local

SLUG = "sandbox"
ISO3 = {"US": "USA", "CN": "CHN", "DE": "DEU", "FR": "FRA", "GB": "GBR"}


def _place(place: Place) -> dict[str, Any]:
    return {
        "city": place.city,
        "state": place.region,
        "zip": place.postal_code,
        "country_iso3": ISO3.get(place.country, place.country),
        "location": f"{place.city}, {place.country}",
    }


def render_aftership(journey: Journey, now: datetime) -> bytes:
    scans, dest = journey.visible(now), destination(journey)
    checkpoints = []
    for scan in scans:
        code = code_for(CODES_AFTERSHIP, scan)
        checkpoints.append(
            {
                "slug": SLUG,
                "checkpoint_time": iso(local(scan.occurred_at, scan.place)),
                "message": code.text,
                "tag": code.code.split("_", 1)[0],
                "subtag": code.code,
                "subtag_message": code.text,
                **_place(scan.place),
            }
        )
    subtag = checkpoints[-1]["subtag"] if checkpoints else "Pending_001"
    eta = journey.estimate(now)
    tracking = {
        "id": f"sbx-{journey.tracking_number}",
        "slug": SLUG,
        "tracking_number": journey.tracking_number,
        "tag": subtag.split("_", 1)[0],
        "subtag": subtag,
        "origin_country_iso3": ISO3.get(journey.scans[0].place.country),
        "destination_country_iso3": ISO3.get(dest.country),
        "expected_delivery": iso(local(eta, dest)) if eta is not None else None,
        "checkpoints": checkpoints,
    }
    return dump({"meta": {"code": 200}, "data": {"tracking": tracking}})


def render_aftership_not_found(number: str) -> tuple[int, bytes]:
    return 404, dump(
        {"meta": {"code": 4004, "message": "Tracking does not exist.", "type": "NotFound"}, "data": {}}
    )
