"""Canada Post tracking-detail bodies for sandbox journeys (carrier-apis.md §9): occurrences newest
first, local date and time plus a zone abbreviation; not found is message 004 (HTTP 404, the PIN is
not echoed).

A Canadian scan names its province; any other scan is printed at its own zone when that zone has a
North American abbreviation (the sandbox's US places), else at Canada Post's home zone: the parser
reads the abbreviation, so every instant comes back exact.
"""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from carriers.canadapost import HOME_ZONE, PROVINCE_ZONES, ZONE_ABBREVIATIONS
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
    local,
)
from parcel_watch.status import Status as S

TRACK_NS = "http://www.canadapost.ca/ws/track"
MESSAGES_NS = "http://www.canadapost.ca/ws/messages"
CONTENT_TYPE = "application/vnd.cpc.track-v2+xml"
_UNKNOWN: Key = (S.UNKNOWN, None)
_HELD: Key = (S.EXCEPTION, "exception.other")
_PROCESSED = Code("0100", "Item processed at postal facility", PICKED_UP)  # §10.3 reads 100 as picked up

# event-identifier per journey key; codes from carriers.canadapost.EVENT_CODES where one fits. The
# adapter knows no pre-shipment or return code: those scans read back as UNKNOWN (never guessed).
CODES_CANADAPOST: dict[Key, Code] = {
    INFO: Code("3000", "Electronic information submitted by shipper", _UNKNOWN),
    PICKED_UP: Code("0101", "Item picked up by Canada Post", PICKED_UP),
    DEPARTED: _PROCESSED,
    ARRIVED: _PROCESSED,
    CUSTOMS: _PROCESSED,
    RELEASED: _PROCESSED,
    DELAYED: Code("0160", "Delivery delayed due to adverse weather", DELAYED),
    HOLD: Code("0117", "Item held: customs documentation required", _HELD),
    LOST: Code("1414", "Item held at postal facility for investigation", _HELD),
    DAMAGED: Code("4700", "Item held: damaged in transit", _HELD),
    OFD: Code("0174", "Item out for delivery", OFD),
    ATTEMPT: Code(
        "0167",
        "Attempted delivery: recipient not at home. Notice card left",
        (S.DELIVERY_ATTEMPTED, "delivery_attempted.other"),
    ),
    PICKUP: Code("1410", "Item available for pickup at Post Office", PICKUP),
    SAFE: Code("1496", "Item successfully delivered", (S.DELIVERED, None)),
    POINT: Code("1409", "Item picked up by the recipient at the Post Office", (S.DELIVERED, None)),
    RETURNING: Code("2100", "Item being returned to sender", _UNKNOWN),
    RETURNED: Code("2101", "Item returned to sender", _UNKNOWN),
}


def _when(scan: Scan) -> datetime:
    """The scan's wall time as Canada Post prints it (see the module docstring)."""
    if scan.place.country == "CA" and scan.place.region in PROVINCE_ZONES:
        return scan.occurred_at.astimezone(ZoneInfo(PROVINCE_ZONES[scan.place.region]))
    at = local(scan.occurred_at, scan.place)
    offset = at.utcoffset()
    # Shanghai's "CST" is not Chicago's: only an abbreviation the parser reads as this offset will do.
    minutes = ZONE_ABBREVIATIONS.get(at.tzname() or "")
    if offset is not None and minutes is not None and offset.total_seconds() == minutes * 60:
        return at
    return scan.occurred_at.astimezone(ZoneInfo(HOME_ZONE))


def _occurrence(scan: Scan) -> str:
    code, at = code_for(CODES_CANADAPOST, scan), _when(scan)
    province = scan.place.region if scan.place.country == "CA" else ""
    return (
        f"<occurrence><event-identifier>{code.code}</event-identifier>"
        f"<event-date>{at:%Y-%m-%d}</event-date><event-time>{at:%H:%M:%S}</event-time>"
        f"<event-time-zone>{at.tzname()}</event-time-zone>"
        f"<event-description>{escape(code.text)}</event-description><signatory-name/>"
        f"<event-site>{escape(scan.place.city)}</event-site><event-province>{province}</event-province>"
        "<event-retail-location-id/><event-retail-name/></occurrence>"
    )


def render_canadapost(journey: Journey, now: datetime) -> bytes:
    scans, dest = journey.visible(now), destination(journey)
    eta = journey.estimate(now)
    expected = f"{local(eta, dest):%Y-%m-%d}" if eta is not None else ""
    occurrences = "".join(_occurrence(scan) for scan in reversed(scans))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><tracking-detail xmlns="{TRACK_NS}">'
        f"<pin>{escape(journey.tracking_number)}</pin><active-exists>1</active-exists><archive-exists/>"
        f"<changed-expected-date/><destination-postal-id>{escape(dest.postal_code or '')}</destination-postal-id>"
        f"<expected-delivery-date>{expected}</expected-delivery-date>"
        "<service-name>Expedited Parcels</service-name>"
        f"<significant-events>{occurrences}</significant-events></tracking-detail>"
    ).encode()


def render_canadapost_message(code: str, description: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><messages xmlns="{MESSAGES_NS}"><message>'
        f"<code>{code}</code><description>{escape(description)}</description></message></messages>"
    ).encode()


def render_canadapost_not_found(number: str) -> tuple[int, bytes]:
    return 404, render_canadapost_message("004", "No Pin History")
