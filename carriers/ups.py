"""UPS Track API and Track Alert: a pure parser of their response bodies (carrier-apis.md §3, §10.3).

Shapes: ``trackResponse.shipment[].package[]`` (success; TW0001 warning = not found, HTTP 200),
``response.errors[]`` (request errors), a Track Alert webhook ``TrackingEvent`` body and the
Track Alert subscription answer (``validTrackingNumbers``/``invalidTrackingNumbers``).

Time stamps: ``date``+``time`` are scan-local; ``gmtDate``/``gmtTime`` (Track Alert:
``gmtActivityDate``/``Time``) give the instant when present (``with_utc``), else the scan's
country/state zone (``localize``). ``carrier_code`` is ``"<status.type>/<status.code>"`` (e.g. ``"I/DP"``),
or just whichever of the two is present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from carriers.base import ParsedShipment, ParseResult
from carriers.errors import AuthError, CarrierError, InvalidNumber, MalformedPayload, NotFound
from carriers.parsing import JsonLimitExceeded, array, load_json, malformed_error, nonblank, obj
from carriers.timeutil import Resolved, localize, with_utc
from parcel_watch.model import Location, Source, TrackingEvent
from parcel_watch.status import Status, supersedes

SLUG = "ups"

Outcome = tuple[Status, str | None]
# A refinement rule: matches when the activity code is listed or the description holds a keyword.
Rule = tuple[tuple[str, ...], tuple[str, ...], Status, str | None]

# status.type -> outcome when no rule of that type matches. ``U`` (Track Alert "updated delivery
# date") has none: it keeps the previous status and only moves the estimate, so it makes no event.
TYPES: dict[str, Outcome | None] = {
    "M": (Status.INFO_RECEIVED, None),
    "MV": (Status.CANCELLED, "cancelled.by_shipper"),
    "P": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "I": (Status.IN_TRANSIT, None),
    "X": (Status.EXCEPTION, "exception.other"),
    "D": (Status.DELIVERED, None),
    "U": None,
}
# Codes meaning "picked up" whatever the type (after the M/MV rows of §10.3).
PICKUP_CODES = frozenset({"OR", "PU"})
# status.type -> rules in the order of §10.3, first match wins.
RULES: dict[str, tuple[Rule, ...]] = {
    "I": (
        (("OT", "OF", "OD"), (), Status.OUT_FOR_DELIVERY, None),
        (("DP",), (), Status.IN_TRANSIT, "in_transit.departed"),
        (("AR", "AF", "AA"), (), Status.IN_TRANSIT, "in_transit.arrived"),
    ),
    "X": (
        (("SR",), (), Status.IN_TRANSIT, "in_transit.customs_released"),
        ((), ("held in customs", "clearance"), Status.EXCEPTION, "exception.customs_hold"),
        (("DY",), ("delay", "weather"), Status.IN_TRANSIT, "in_transit.delayed"),
        (
            (),
            ("receiver was not available",),
            Status.DELIVERY_ATTEMPTED,
            "delivery_attempted.recipient_unavailable",
        ),
        ((), ("business was closed",), Status.DELIVERY_ATTEMPTED, "delivery_attempted.business_closed"),
        ((), ("the address is incorrect",), Status.EXCEPTION, "exception.address_problem"),
        ((), ("damage",), Status.EXCEPTION, "exception.damaged"),
        ((), ("refused",), Status.EXCEPTION, "exception.refused"),
        (("RS", "RT"), ("returning to the sender",), Status.RETURNING, "returning.to_sender"),
        (("RP",), ("ready for pickup at ups access point",), Status.AVAILABLE_FOR_PICKUP, None),
    ),
    "D": (((), ("returned to shipper",), Status.RETURNED, "returned.to_sender"),),
}
# Error and warning codes -> error type; other codes are plain CarrierErrors.
ERROR_CODES: dict[str, type[CarrierError]] = {
    "250003": AuthError,  # invalid access license
    "TV1002": InvalidNumber,  # invalid inquiry number
    "TW0001": NotFound,  # "Tracking Information Not Found" (HTTP 200 warning)
}
# deliveryDate types that are estimates, preferred first (rescheduled over scheduled; DEL is actual).
ESTIMATE_TYPES = ("RDD", "SDD")
END_OF_DAY = "235959"  # a date-only estimate means "by end of day" (Track Alert: "end of day")

_DATE = re.compile(r"\d{8}")
_TIME = re.compile(r"\d{6}")
_ALPHA2 = re.compile(r"[A-Za-z]{2}")


@dataclass(frozen=True)
class _Fields:
    """Where one body shape keeps an activity's parts."""

    status: str
    date: str
    time: str
    gmt_date: str
    gmt_time: str
    source: Source


_TRACK = _Fields("status", "date", "time", "gmtDate", "gmtTime", Source.POLL)
_ALERT = _Fields(
    "activityStatus",
    "localActivityDate",
    "localActivityTime",
    "gmtActivityDate",
    "gmtActivityTime",
    Source.WEBHOOK,
)


def map_status(type_: str | None, code: str | None, description: str) -> Outcome | None:
    """UPS ``status.type``/``code``/description -> normalized status (None: type U, no status)."""
    if type_ not in TYPES:
        return Status.UNKNOWN, None
    default = TYPES[type_]
    if default is None or type_ in ("M", "MV"):
        return default
    if code in PICKUP_CODES:
        return Status.IN_TRANSIT, "in_transit.picked_up"
    text = description.lower()
    for codes, words, status, substatus in RULES.get(type_, ()):
        if code in codes or any(word in text for word in words):
            return status, substatus
    return default


def parse(raw: bytes | str) -> ParseResult:
    """Parse one UPS Track / Track Alert body; never raises."""
    result = ParseResult()
    try:
        doc = load_json(raw)
    except JsonLimitExceeded as exc:
        result.errors.append(_malformed(str(exc)))
        return result
    except ValueError as exc:
        result.errors.append(_malformed(f"body is not JSON: {type(exc).__name__}"))
        return result
    if not isinstance(doc, dict):
        result.errors.append(_malformed("body is not a JSON object"))
    elif "trackResponse" in doc:
        shipments = _obj(doc["trackResponse"]).get("shipment")
        if not isinstance(shipments, list):
            result.errors.append(_malformed("trackResponse.shipment is not a list"))
            return result
        for index, item in enumerate(shipments):
            _shipment(item, f"trackResponse.shipment[{index}]", result)
    elif "response" in doc:
        problems = _obj(doc["response"]).get("errors")
        if not isinstance(problems, list) or not problems:
            result.errors.append(_malformed("response.errors is not a list of errors"))
            return result
        result.errors.extend(_error(item, None) for item in problems)
    elif "activityStatus" in doc:
        _webhook(doc, result)
    elif "validTrackingNumbers" in doc or "invalidTrackingNumbers" in doc:
        invalid = doc.get("invalidTrackingNumbers") or []
        if not isinstance(invalid, list):
            result.errors.append(_malformed("invalidTrackingNumbers is not a list"))
            return result
        for number in invalid:
            result.errors.append(
                InvalidNumber(
                    "rejected by the Track Alert subscription",
                    carrier=SLUG,
                    tracking_number=number if isinstance(number, str) else None,
                )
            )
    else:
        result.errors.append(_malformed("not a UPS tracking response"))
    return result


def _malformed(message: str, tracking_number: str | None = None) -> MalformedPayload:
    return malformed_error(SLUG, message, tracking_number)


_obj = obj


_list = array


_text = nonblank


def _error(item: Any, number: str | None) -> CarrierError:
    item = _obj(item)
    code = _text(item.get("code"))
    message = _text(item.get("message")) or "UPS error"
    kind = ERROR_CODES.get(code or "", CarrierError)
    return kind(message, carrier=SLUG, code=code, tracking_number=number)


def _shipment(item: Any, path: str, result: ParseResult) -> None:
    if not isinstance(item, dict):
        result.errors.append(_malformed(f"{path} is not an object"))
        return
    inquiry = _text(item.get("inquiryNumber"))
    packages = _list(item.get("package"))
    if not packages:
        # Warnings explain an empty answer (TW0001 = not found). Next to package data they are
        # informational (the OpenAPI examples put placeholders there) and are not reported.
        warnings = _list(item.get("warnings"))
        result.errors.extend(_error(w, inquiry) for w in warnings)
        if not warnings:
            result.errors.append(_malformed(f"{path}: neither package nor warning", inquiry))
    for index, package in enumerate(packages):
        parsed = _package(package, f"{path}.package[{index}]", inquiry, result.errors)
        if parsed is not None:
            result.shipments.append(parsed)


def _package(
    package: Any, path: str, inquiry: str | None, errors: list[CarrierError]
) -> ParsedShipment | None:
    package = _obj(package)
    number = _text(package.get("trackingNumber")) or inquiry
    if number is None:
        errors.append(_malformed(f"{path}: no tracking number"))
        return None
    delivered = _delivered_substatus(_obj(package.get("deliveryInformation")))
    events: list[TrackingEvent] = []
    for index, activity in enumerate(_list(package.get("activity"))):
        activity = _obj(activity)
        address = _obj(_obj(activity.get("location")).get("address"))
        event = _event(activity, address, _TRACK, f"{path}.activity[{index}]", number, delivered, errors)
        if event is not None:
            events.append(event)
    shipment = _assemble(number, events, package.get("currentStatus"), delivered)
    estimate = _estimate_date(_list(package.get("deliveryDate")))
    if estimate is not None:
        field, day = estimate
        window = _obj(package.get("deliveryTime"))
        end = window.get("endTime")
        clock = end if isinstance(end, str) and _TIME.fullmatch(end) and window.get("type") != "DEL" else None
        destination = next(
            (
                _obj(a.get("address"))
                for a in map(_obj, _list(package.get("packageAddress")))
                if a.get("type") == "DESTINATION"
            ),
            None,
        )
        place = _location(destination, path, number, errors) if destination is not None else None
        place = place or (shipment.events[-1].location if shipment.events else Location())
        shipment.estimated_delivery = _eta(day, clock, place, f"{path}.{field}", number, errors)
    return shipment


def _estimate_date(dates: list[Any]) -> tuple[str, Any] | None:
    for wanted in ESTIMATE_TYPES:
        for index, entry in enumerate(map(_obj, dates)):
            if entry.get("type") == wanted:
                return f"deliveryDate[{index}].date", entry.get("date")
    return None


def _eta(
    day: Any, clock: str | None, place: Location, path: str, number: str, errors: list[CarrierError]
) -> datetime | None:
    local = _local(day, clock or END_OF_DAY)
    if local is not None:
        try:
            return localize(local, place.country, place.region).utc
        except (ValueError, OverflowError):
            pass
    errors.append(_malformed(f"{path}: invalid date {str(day)[:40]!r}", number))
    return None


def _delivered_substatus(info: dict[str, Any]) -> str | None:
    location = info.get("location")
    if isinstance(location, str) and "front door" in location.lower():
        return "delivered.left_safe_place"
    if _text(_obj(info.get("signature")).get("image")):
        return "delivered.signed"
    return None


def _webhook(doc: dict[str, Any], result: ParseResult) -> None:
    number = _text(doc.get("trackingNumber"))
    if number is None:
        result.errors.append(_malformed("trackingNumber: missing"))
        return
    address = _obj(doc.get("activityLocation"))
    event = _event(doc, address, _ALERT, "activity", number, None, result.errors)
    shipment = _assemble(number, [event] if event else [], None, None)
    scheduled = doc.get("scheduledDeliveryDate")
    if scheduled is not None:
        place = _location(address, "activityLocation", number, result.errors)
        shipment.estimated_delivery = _eta(
            scheduled, None, place, "scheduledDeliveryDate", number, result.errors
        )
    result.shipments.append(shipment)


def _assemble(
    number: str, events: list[TrackingEvent], current: Any, delivered: str | None
) -> ParsedShipment:
    events.reverse()  # UPS lists newest first; the stable sort keeps ties in carrier order
    events.sort(key=lambda e: e.occurred_at)
    shipment = ParsedShipment(tracking_number=number, carrier=SLUG, events=events)
    outcome: Outcome | None = None
    for event in events:  # newest interpretable event; terminal states stay unless re-opened (§10.2)
        if event.status is not Status.UNKNOWN and supersedes(outcome[0] if outcome else None, event.status):
            outcome = event.status, event.substatus
    if outcome is None and isinstance(current, dict):
        outcome = _outcome(current, delivered)
    shipment.status, shipment.substatus = outcome or (Status.UNKNOWN, None)
    return shipment


def _outcome(status: dict[str, Any], delivered: str | None) -> Outcome | None:
    type_, code = _text(status.get("type")), _text(status.get("code"))
    description = status.get("description")
    outcome = map_status(type_, code, description if isinstance(description, str) else "")
    if outcome == (Status.DELIVERED, None):
        return Status.DELIVERED, delivered
    return outcome


def _local(day: Any, clock: Any) -> datetime | None:
    if not (
        isinstance(day, str) and _DATE.fullmatch(day) and isinstance(clock, str) and _TIME.fullmatch(clock)
    ):
        return None
    try:  # digits checked above: ints are faster than strptime, which showed in worker profiles
        return datetime(
            int(day[:4]), int(day[4:6]), int(day[6:8]), int(clock[:2]), int(clock[2:4]), int(clock[4:6])
        )
    except ValueError:
        return None


def _location(address: dict[str, Any], path: str, number: str, errors: list[CarrierError]) -> Location:
    country = address.get("countryCode", address.get("country"))
    if country is not None and not (isinstance(country, str) and _ALPHA2.fullmatch(country.strip())):
        errors.append(_malformed(f"{path}: country is not an ISO alpha-2 code", number))
        country = None
    return Location(
        city=_text(address.get("city")),
        region=_text(address.get("stateProvince")),
        postal_code=_text(address.get("postalCode")),
        country=country,
    )


def _event(
    activity: dict[str, Any],
    address: dict[str, Any],
    fields: _Fields,
    path: str,
    number: str,
    delivered: str | None,
    errors: list[CarrierError],
) -> TrackingEvent | None:
    status = _obj(activity.get(fields.status))
    outcome = _outcome(status, delivered)
    if outcome is None:  # type U: an estimate update, not a scan
        return None
    location = _location(address, f"{path}.location", number, errors)
    local = _local(activity.get(fields.date), activity.get(fields.time))
    if local is None:
        errors.append(_malformed(f"{path}.{fields.date}/{fields.time}: invalid date", number))
        return None
    resolved: Resolved
    if fields.gmt_date in activity or fields.gmt_time in activity:
        utc = _local(activity.get(fields.gmt_date), activity.get(fields.gmt_time))
        if utc is None:
            errors.append(_malformed(f"{path}.{fields.gmt_date}/{fields.gmt_time}: invalid date", number))
            return None
        resolved = with_utc(local, utc)
    else:
        try:
            resolved = localize(local, location.country, location.region)
        except (ValueError, OverflowError):
            errors.append(_malformed(f"{path}.{fields.date}: date out of range", number))
            return None
    type_, code = _text(status.get("type")), _text(status.get("code"))
    description = status.get("description")
    try:
        return TrackingEvent(
            **resolved.event_time(),
            status=outcome[0],
            substatus=outcome[1],
            carrier_code="/".join(part for part in (type_, code) if part) or None,
            description=description if isinstance(description, str) else "",
            location=location,
            source=fields.source,
        )
    except ValidationError:
        errors.append(_malformed(f"{path}: event out of range (offset or instant)", number))
        return None


# -- fetch --

import uuid
from collections.abc import Sequence

from carriers.fetching import OAuthClient, path_segment
from carriers.http import Response


class UpsClient(OAuthClient):
    """UPS Track API: ``GET /api/track/v1/details/{inquiryNumber}``, one number per request,
    OAuth2 bearer (client-credentials with HTTP Basic at ``/security/v1/oauth/token``) plus the
    required ``transId`` (a fresh uuid4) and ``transactionSrc`` headers."""

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://onlinetools.ups.com"
    TOKEN_PATH = "/security/v1/oauth/token"
    TOKEN_BASIC_AUTH = True
    max_batch = 1

    async def _send(self, batch: Sequence[str]) -> Response:
        (number,) = batch
        return await self._authorized(
            "GET",
            f"/api/track/v1/details/{path_segment(number)}",
            params={"locale": "en_US"},
            headers={"transId": str(uuid.uuid4()), "transactionSrc": "parcel-watch"},
        )

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)
