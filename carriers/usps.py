"""USPS Tracking v3 JSON and legacy Web Tools TrackV2 XML (carrier-apis.md §5, §10.3 USPS).

Pure: ``parse(raw)`` turns one response body into a ``ParseResult``; it never raises.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from carriers.base import ParsedShipment, ParseResult
from carriers.errors import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    InvalidNumber,
    MalformedPayload,
    NotFound,
    RateLimited,
)
from carriers.parsing import load_json, malformed, text
from carriers.timeutil import Resolved, from_aware, localize, parse_iso, with_utc
from carriers.xmlapi import XmlError, parse_untrusted
from parcel_watch.model import Location, Source, TrackingEvent
from parcel_watch.status import Status

SLUG = "usps"
HOME_ZONE = "America/New_York"  # only for Web Tools events without a state

Mapping = tuple[Status, str | None]

# eventCode → normalized status (§10.3 USPS). "01" is refined by DELIVERED_KEYWORDS.
EVENT_CODES: dict[str, Mapping] = {
    "GX": (Status.INFO_RECEIVED, None),
    "MA": (Status.INFO_RECEIVED, None),
    "03": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "OA": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "10": (Status.IN_TRANSIT, "in_transit.arrived"),
    "A1": (Status.IN_TRANSIT, "in_transit.arrived"),
    "07": (Status.IN_TRANSIT, "in_transit.arrived"),
    "U1": (Status.IN_TRANSIT, "in_transit.arrived"),
    "SF": (Status.IN_TRANSIT, "in_transit.departed"),
    "T1": (Status.IN_TRANSIT, "in_transit.departed"),
    "L1": (Status.IN_TRANSIT, "in_transit.departed"),
    "TL": (Status.IN_TRANSIT, None),
    "OF": (Status.OUT_FOR_DELIVERY, None),
    "02": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.recipient_unavailable"),
    "52": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.recipient_unavailable"),
    "14": (Status.AVAILABLE_FOR_PICKUP, None),
    "16": (Status.AVAILABLE_FOR_PICKUP, None),
    "01": (Status.DELIVERED, None),
    "04": (Status.EXCEPTION, "exception.refused"),
    **{code: (Status.EXCEPTION, "exception.address_problem") for code in ("05", *map(str, range(21, 29)))},
    "09": (Status.RETURNING, "returning.to_sender"),
    "29": (Status.RETURNING, "returning.to_sender"),
}
# statusCategory (lower-cased) → normalized status; "alert" is refined by ALERT_KEYWORDS.
CATEGORIES: dict[str, Mapping] = {
    "pre-shipment": (Status.INFO_RECEIVED, None),
    "accepted": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "in transit": (Status.IN_TRANSIT, None),
    "out for delivery": (Status.OUT_FOR_DELIVERY, None),
    "delivery attempt": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.recipient_unavailable"),
    "available for pickup": (Status.AVAILABLE_FOR_PICKUP, None),
    "alert": (Status.EXCEPTION, "exception.other"),
    "delivered": (Status.DELIVERED, None),
}
DELIVERED_KEYWORDS = (
    ("parcel locker", "delivered.mailbox_or_locker"),
    ("mailbox", "delivered.mailbox_or_locker"),
    ("front door", "delivered.left_safe_place"),
    ("porch", "delivered.left_safe_place"),
    ("left with individual", "delivered.signed"),
)
ALERT_KEYWORDS = (
    ("damaged", "exception.damaged"),
    ("customs", "exception.customs_hold"),
    ("missing", "exception.lost"),
    ("lost", "exception.lost"),
)
PENDING_KEYWORDS = ("not yet in system", "could not locate")
# HTTP-style error codes of the v3 envelope → error type.
HTTP_ERRORS: dict[str, type[CarrierError]] = {
    "401": AuthError,
    "403": AuthError,
    "404": NotFound,
    "429": RateLimited,
    "500": CarrierUnavailable,
    "502": CarrierUnavailable,
    "503": CarrierUnavailable,
    "504": CarrierUnavailable,
}
WEBTOOLS_TIME_FORMATS = ("%B %d, %Y %I:%M %p", "%B %d, %Y %H:%M")
_ALPHA2 = re.compile(r"[A-Za-z]{2}")


def parse(raw: bytes | str) -> ParseResult:
    try:
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        if data.lstrip(b"\xef\xbb\xbf\xfe\xff\x00 \t\r\n").startswith(b"<"):  # any BOM, UTF-16 too
            return _parse_xml(data)
        return _parse_json(load_json(raw))
    except ValueError as exc:
        return _malformed(f"not valid JSON/XML: {exc}")
    except Exception as exc:  # noqa: BLE001 - a parser reports, it never raises
        return _malformed(f"unexpected payload shape ({type(exc).__name__})")


def _malformed(message: str, number: str | None = None) -> ParseResult:
    return malformed(SLUG, message, number)


_s = text


def _country(value: Any) -> str | None:
    text = _s(value)
    return text.upper() if text and _ALPHA2.fullmatch(text) else None


def _parse_json(doc: Any) -> ParseResult:
    if isinstance(doc, dict) and "error" in doc:
        return ParseResult(errors=[_json_error(doc)])
    items = doc if isinstance(doc, list) else [doc]
    result = ParseResult()
    for item in items:
        if not isinstance(item, dict) or not _s(item.get("trackingNumber")):
            result.errors.append(MalformedPayload("not a USPS tracking response", carrier=SLUG))
            continue
        result.shipments.append(_v3_shipment(item, result.errors))
    return result


def _json_error(doc: dict[str, Any]) -> CarrierError:
    error = doc["error"]
    if isinstance(error, str):  # RFC 6749 OAuth error from /oauth2/v3/token
        message = _s(doc.get("error_description")) or error
        return AuthError(message, carrier=SLUG, code=error)
    if not isinstance(error, dict):
        return MalformedPayload("error envelope without an error object", carrier=SLUG)
    listed = error.get("errors")
    details = [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []
    code = _s(error.get("code")) or (_s(details[0].get("status")) if details else None)
    message = _s(error.get("message")) or (_s(details[0].get("detail")) if details else None) or ""
    kind = HTTP_ERRORS.get(code or "")
    if kind is None:
        lowered = message.lower()
        if any(k in lowered for k in PENDING_KEYWORDS):
            kind = NotFound
        elif "invalid" in lowered and "tracking" in lowered:
            kind = InvalidNumber
        else:
            kind = CarrierError
    return kind(message or "USPS error", carrier=SLUG, code=code)


def _v3_shipment(item: dict[str, Any], errors: list[CarrierError]) -> ParsedShipment:
    number = str(item["trackingNumber"]).strip()
    events: list[TrackingEvent] = []
    raw_events = item.get("trackingEvents") or []
    if not isinstance(raw_events, list):
        errors.append(MalformedPayload("trackingEvents: not a list", carrier=SLUG, tracking_number=number))
        raw_events = []
    for raw_event in raw_events:
        event = _v3_event(raw_event, number, errors)
        if event is not None:
            events.append(event)
    events.sort(key=lambda e: e.occurred_at)
    status, substatus = _summary(item.get("statusCategory"), item.get("status"), item.get("statusSummary"))
    if status is Status.UNKNOWN and events and item.get("statusCategory") is None:
        status, substatus = events[-1].status, events[-1].substatus
    eta = _v3_eta(item, number, errors)
    return ParsedShipment(number, SLUG, status, substatus, eta, events)


def _v3_event(raw: Any, number: str, errors: list[CarrierError]) -> TrackingEvent | None:
    if not isinstance(raw, dict):
        errors.append(MalformedPayload("trackingEvents: not an object", carrier=SLUG, tracking_number=number))
        return None
    state = _s(raw.get("eventState"))
    country = _country(raw.get("eventCountry"))
    field = "eventTimestamp"
    try:
        local = parse_iso(str(raw.get("eventTimestamp")))
        field = "GMTTimestamp"
        gmt = _s(raw.get("GMTTimestamp"))
        if gmt:
            resolved = with_utc(local, parse_iso(gmt))
            offset = _gmt_offset(raw.get("GMTOffset"))
            # local times have no seconds while GMTTimestamp has: trust GMTOffset, else the nearest 15 min
            offset = offset if offset is not None else round((resolved.offset_minutes or 0) / 15) * 15
            resolved = Resolved(resolved.utc, resolved.local, offset, resolved.source)
        elif local.tzinfo is not None:
            resolved = from_aware(local)
        else:
            resolved = localize(local, country or "US", state)
        code = _s(raw.get("eventCode"))
        description = _s(raw.get("eventType")) or ""
        status, substatus = _event_status(code, description)
        field = "location"
        location = Location(
            city=_s(raw.get("eventCity")), region=state, postal_code=_s(raw.get("eventZIP")), country=country
        )
        return _event(resolved, status, substatus, code, description, location)
    except (ValueError, TypeError, OverflowError) as exc:
        errors.append(
            MalformedPayload(f"trackingEvents[].{field}: {exc}", carrier=SLUG, tracking_number=number)
        )
        return None


def _gmt_offset(value: Any) -> int | None:
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", _s(value) or "")
    if not match:
        return None
    minutes = int(match[2]) * 60 + int(match[3])
    return -minutes if match[1] == "-" else minutes


def _v3_eta(item: dict[str, Any], number: str, errors: list[CarrierError]) -> datetime | None:
    text = _s(item.get("expectedDeliveryDate"))
    if text is None:
        return None
    try:
        when = parse_iso(text)
        if when.tzinfo is not None:
            return from_aware(when).utc
        return localize(when, "US", _s(item.get("destinationState")), home_zone=HOME_ZONE).utc
    except (ValueError, OverflowError) as exc:
        errors.append(MalformedPayload(f"expectedDeliveryDate: {exc}", carrier=SLUG, tracking_number=number))
        return None


def _event_status(code: str | None, description: str) -> Mapping:
    status, substatus = EVENT_CODES.get(code or "", (Status.UNKNOWN, None))
    if status is Status.UNKNOWN and description.lower().startswith("alert"):
        # USPS prints problem scans as "Alert: …" (the shipment's category is then Alert);
        # the code itself is not in our table, the text says what kind of problem it is.
        status, substatus = CATEGORIES["alert"]
    return _refine(status, substatus, description)


def _summary(category: Any, status_text: Any, summary: Any) -> Mapping:
    texts = " ".join(t for t in (_s(status_text), _s(summary)) if t)
    if any(k in texts.lower() for k in PENDING_KEYWORDS):
        return Status.PENDING, "pending.not_found"
    status, substatus = CATEGORIES.get((_s(category) or "").lower(), (Status.UNKNOWN, None))
    return _refine(status, substatus, _s(status_text) or "")


def _refine(status: Status, substatus: str | None, text: str) -> Mapping:
    lowered = text.lower()
    if status is Status.DELIVERED and substatus is None:
        substatus = next((sub for key, sub in DELIVERED_KEYWORDS if key in lowered), None)
    elif status is Status.EXCEPTION and substatus == "exception.other":
        substatus = next((sub for key, sub in ALERT_KEYWORDS if key in lowered), substatus)
    return status, substatus


def _event(
    resolved: Resolved,
    status: Status,
    substatus: str | None,
    code: str | None,
    description: str,
    location: Location,
) -> TrackingEvent:
    return TrackingEvent(
        **resolved.event_time(),
        status=status,
        substatus=substatus,
        carrier_code=code,
        description=description,
        location=location,
        source=Source.POLL,
    )


def _parse_xml(data: bytes) -> ParseResult:
    try:
        root = parse_untrusted(data)
    except XmlError as exc:
        return _malformed(str(exc))
    if root.tag == "Error":
        return ParseResult(errors=[_xml_error(root, None)])
    if root.tag != "TrackResponse":
        return _malformed(f"unexpected XML root <{root.tag}>")
    result = ParseResult()
    for info in root.findall("TrackInfo"):
        number = (info.get("ID") or "").strip()
        error = info.find("Error")
        if error is not None:
            result.errors.append(_xml_error(error, number or None))
        elif not number:
            result.errors.append(MalformedPayload("TrackInfo without ID", carrier=SLUG))
        else:
            result.shipments.append(_xml_shipment(info, number, result.errors))
    if not result.shipments and not result.errors:
        result.errors.append(MalformedPayload("TrackResponse without TrackInfo", carrier=SLUG))
    return result


def _text(element: ET.Element, tag: str) -> str | None:
    child = element.find(tag)
    return _s(child.text) if child is not None else None


def _xml_error(error: ET.Element, number: str | None) -> CarrierError:
    code = _text(error, "Number")
    message = _text(error, "Description") or "USPS error"
    lowered = message.lower()
    kind: type[CarrierError] = CarrierError
    if "authoriz" in lowered:
        kind = AuthError
    elif any(k in lowered for k in PENDING_KEYWORDS) or "not found" in lowered:
        kind = NotFound
    elif "invalid" in lowered:
        kind = InvalidNumber
    return kind(message, carrier=SLUG, code=code, tracking_number=number)


def _xml_shipment(info: ET.Element, number: str, errors: list[CarrierError]) -> ParsedShipment:
    events: list[TrackingEvent] = []
    for element in [*info.findall("TrackSummary"), *info.findall("TrackDetail")]:
        event = _xml_event(element, number, errors)
        if event is not None:
            events.append(event)
    events.sort(key=lambda e: e.occurred_at)
    status, substatus = _summary(
        _text(info, "StatusCategory"), _text(info, "Status"), _text(info, "StatusSummary")
    )
    if status is Status.UNKNOWN and events and _text(info, "StatusCategory") is None:
        status, substatus = events[-1].status, events[-1].substatus
    return ParsedShipment(number, SLUG, status, substatus, None, events)


def _xml_event(element: ET.Element, number: str, errors: list[CarrierError]) -> TrackingEvent | None:
    date, time = _text(element, "EventDate"), _text(element, "EventTime")
    if date is None:  # free-text line (no Revision=1): no year, nothing to anchor it
        errors.append(
            MalformedPayload(f"{element.tag}.EventDate: missing", carrier=SLUG, tracking_number=number)
        )
        return None
    local = _webtools_time(date, time or "")
    if local is None:
        errors.append(
            MalformedPayload(
                f"{element.tag}.EventDate/EventTime: invalid date {date!r} {time!r}",
                carrier=SLUG,
                tracking_number=number,
            )
        )
        return None
    state, country = _text(element, "EventState"), _country(_text(element, "EventCountry"))
    try:
        resolved = localize(local, country or "US", state, home_zone=HOME_ZONE)
        code = _text(element, "EventCode")
        description = _text(element, "Event") or ""
        status, substatus = _event_status(code, description)
        location = Location(
            city=_text(element, "EventCity"),
            region=state,
            postal_code=_text(element, "EventZIPCode"),
            country=country,
        )
        return _event(resolved, status, substatus, code, description, location)
    except (ValueError, TypeError, OverflowError) as exc:
        errors.append(MalformedPayload(f"{element.tag}: {exc}", carrier=SLUG, tracking_number=number))
        return None


def _webtools_time(date: str, time: str) -> datetime | None:
    """'January 6, 2016' + '10:45 pm'; a missing time is not guessed."""
    for fmt in WEBTOOLS_TIME_FORMATS:
        try:
            return datetime.strptime(f"{date} {time}".strip(), fmt)
        except ValueError:
            continue
    return None


# -- fetch --

from collections.abc import Sequence

from carriers.fetching import OAuthClient, path_segment
from carriers.http import Response


class UspsClient(OAuthClient):
    """USPS Tracking v3: ``GET /tracking/v3/tracking/{n}?expand=DETAIL``, one number per
    request; OAuth2 bearer from the form grant at ``/oauth2/v3/token``."""

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://apis.usps.com"
    TOKEN_PATH = "/oauth2/v3/token"
    TOKEN_BASIC_AUTH = False
    max_batch = 1

    async def _send(self, batch: Sequence[str]) -> Response:
        (number,) = batch
        return await self._authorized(
            "GET", f"/tracking/v3/tracking/{path_segment(number)}", params={"expand": "DETAIL"}
        )

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)
