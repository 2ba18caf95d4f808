"""EasyPost Tracker objects, list pages, Event/webhook bodies and error envelopes
(carrier-apis.md §8, §10.3 EasyPost).

Pure: ``parse(raw)`` turns one response or webhook body into a ``ParseResult``; it never raises.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
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
from carriers.parsing import malformed, obj, parse_json, text
from carriers.timeutil import from_aware, parse_iso
from parcel_watch.model import Location, Source, TrackingEvent, TzSource
from parcel_watch.status import Status

SLUG = "easypost"

Mapping = tuple[Status, str | None]

# status → normalized status (§10.3 EasyPost); DETAILS refines a (status, status_detail) pair.
STATUSES: dict[str, Mapping] = {
    "unknown": (Status.UNKNOWN, None),
    "pre_transit": (Status.INFO_RECEIVED, None),
    "in_transit": (Status.IN_TRANSIT, None),
    "out_for_delivery": (Status.OUT_FOR_DELIVERY, None),
    "available_for_pickup": (Status.AVAILABLE_FOR_PICKUP, None),
    "delivered": (Status.DELIVERED, None),
    "return_to_sender": (Status.RETURNING, "returning.to_sender"),
    "failure": (Status.EXCEPTION, "exception.other"),
    "cancelled": (Status.CANCELLED, "cancelled.by_shipper"),
    "error": (Status.UNKNOWN, None),
}
DETAILS: dict[tuple[str, str], Mapping] = {
    ("in_transit", "arrived_at_facility"): (Status.IN_TRANSIT, "in_transit.arrived"),
    ("in_transit", "departed_facility"): (Status.IN_TRANSIT, "in_transit.departed"),
    ("in_transit", "received_at_origin_facility"): (Status.IN_TRANSIT, "in_transit.picked_up"),
    ("in_transit", "weather_delay"): (Status.IN_TRANSIT, "in_transit.delayed"),
    ("in_transit", "delayed"): (Status.IN_TRANSIT, "in_transit.delayed"),
    ("in_transit", "transferred_to_destination_carrier"): (Status.IN_TRANSIT, "in_transit.handover"),
    ("failure", "damaged"): (Status.EXCEPTION, "exception.damaged"),
    ("failure", "lost"): (Status.EXCEPTION, "exception.lost"),
    ("failure", "refused"): (Status.EXCEPTION, "exception.refused"),
    ("failure", "address_correction"): (Status.EXCEPTION, "exception.address_problem"),
    ("failure", "delivery_exception"): (Status.DELIVERY_ATTEMPTED, "delivery_attempted.other"),
}
# error.code → error type; codes with one of PREFIX_ERRORS' prefixes follow it.
ERROR_CODES: dict[str, type[CarrierError]] = {
    "TRACKER.CREATE.ERROR": InvalidNumber,
    "PAYLOAD.NOT_FOUND": NotFound,
    "NOT_FOUND": NotFound,
    "UNAUTHORIZED": AuthError,
    "FORBIDDEN": AuthError,
    "RATE_LIMITED": RateLimited,
    "INTERNAL_SERVER_ERROR": CarrierUnavailable,
    "SERVICE_UNAVAILABLE": CarrierUnavailable,
}
PREFIX_ERRORS: dict[str, type[CarrierError]] = {"APIKEY.": AuthError, "MODE.": AuthError}
_ALPHA2 = re.compile(r"[A-Za-z]{2}")


def parse(raw: bytes | str) -> ParseResult:
    return parse_json(raw, SLUG, _parse)


def _malformed(message: str, number: str | None = None) -> ParseResult:
    return malformed(SLUG, message, number)


_s, _d = text, obj


def _parse(doc: Any) -> ParseResult:
    if not isinstance(doc, dict):
        return _malformed("not an EasyPost object")
    if "error" in doc:
        return ParseResult(errors=[_error(doc["error"])])
    kind = doc.get("object")
    result = ParseResult()
    if kind == "Tracker":
        _tracker(doc, Source.POLL, result)
    elif kind == "Event":  # webhook body (or GET /events/{id}): result is the object
        payload = doc.get("result")
        if isinstance(payload, dict) and payload.get("object") == "Tracker":
            _tracker(payload, Source.WEBHOOK, result)
        elif "result" in doc and not isinstance(payload, dict):
            result.errors.append(MalformedPayload("Event.result is not an object", carrier=SLUG))
        # events about other objects (batch.updated, ...) carry no tracking data
    elif isinstance(doc.get("trackers"), list):
        for tracker in doc["trackers"]:
            if isinstance(tracker, dict) and tracker.get("object", "Tracker") == "Tracker":
                _tracker(tracker, Source.POLL, result)
            else:
                result.errors.append(MalformedPayload("trackers[] item is not a Tracker", carrier=SLUG))
    elif isinstance(doc.get("events"), list):
        pass  # GET /events: summaries without result objects, nothing to track
    else:
        result.errors.append(MalformedPayload("not a Tracker, Event, list page or error", carrier=SLUG))
    return result


def _error(error: Any) -> CarrierError:
    if not isinstance(error, dict):
        return MalformedPayload("error envelope without an error object", carrier=SLUG)
    code = _s(error.get("code"))
    message = _s(error.get("message")) or f"EasyPost error {code}"
    kind = ERROR_CODES.get(code or "")
    if kind is None:
        kind = next(
            (k for prefix, k in PREFIX_ERRORS.items() if (code or "").startswith(prefix)), CarrierError
        )
    # TRACKER.CREATE.ERROR does not echo the rejected tracking code: tracking_number stays unknown.
    return kind(message, carrier=SLUG, code=code)


def _map(status: str | None, detail: str | None) -> Mapping:
    refined = DETAILS.get((status or "", detail or ""))
    return refined or STATUSES.get(status or "", (Status.UNKNOWN, None))


def _tracker(tracker: dict[str, Any], source: Source, result: ParseResult) -> None:
    number = _s(tracker.get("tracking_code"))
    if number is None:
        result.errors.append(MalformedPayload("Tracker without tracking_code", carrier=SLUG))
        return
    carrier = (_s(tracker.get("carrier")) or SLUG).lower()
    status_text, detail = _s(tracker.get("status")), _s(tracker.get("status_detail"))
    status, substatus = _map(status_text, detail)
    details = tracker.get("tracking_details")
    details = details if isinstance(details, list) else []
    if status_text == "unknown" and not details:
        status, substatus = Status.PENDING, None
    eta = _utc(tracker.get("est_delivery_date"))
    if eta is None and _s(tracker.get("est_delivery_date")) is not None:
        result.errors.append(
            MalformedPayload("est_delivery_date: invalid date", carrier=SLUG, tracking_number=number)
        )
    events: list[TrackingEvent] = []
    for raw in details:
        event = _event(raw, number, source, result.errors)
        if event is not None:
            events.append(event)
    events.sort(key=lambda e: e.occurred_at)
    result.shipments.append(ParsedShipment(number, carrier, status, substatus, eta, events))


def _utc(value: Any) -> datetime | None:
    """EasyPost times are UTC ('Z'); a value without offset is read as UTC too."""
    text = _s(value)
    if text is None:
        return None
    try:
        when = parse_iso(text)
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _event(raw: Any, number: str, source: Source, errors: list[CarrierError]) -> TrackingEvent | None:
    if not isinstance(raw, dict):
        errors.append(
            MalformedPayload("tracking_details[]: not an object", carrier=SLUG, tracking_number=number)
        )
        return None
    text = _s(raw.get("datetime"))
    try:
        when = parse_iso(text or "")
        utc = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except (ValueError, OverflowError):
        errors.append(
            MalformedPayload(
                f"tracking_details[].datetime: invalid date {text!r}", carrier=SLUG, tracking_number=number
            )
        )
        return None
    resolved = from_aware(utc, TzSource.CARRIER_UTC_FIELD)
    detail = _s(raw.get("status_detail"))
    status, substatus = _map(_s(raw.get("status")), detail)
    place = _d(raw.get("tracking_location"))
    country = _s(place.get("country"))
    try:
        return TrackingEvent(
            **resolved.event_time(),
            status=status,
            substatus=substatus,
            carrier_code=_s(raw.get("carrier_code")) or detail,
            description=_s(raw.get("message")) or _s(raw.get("description")) or "",
            location=Location(
                city=_s(place.get("city")),
                region=_s(place.get("state")),
                postal_code=_s(place.get("zip")),
                country=country.upper() if country and _ALPHA2.fullmatch(country) else None,
            ),
            source=source,
        )
    except ValueError as exc:
        errors.append(MalformedPayload(f"tracking_details[]: {exc}", carrier=SLUG, tracking_number=number))
        return None


# -- fetch --

import base64
from collections.abc import Sequence

from carriers.fetching import CarrierClient
from carriers.http import Response


class EasypostClient(CarrierClient):
    """EasyPost Trackers: ``POST /v2/trackers {"tracker": {"tracking_code": n}}`` (creates or
    returns the tracker), one number per request, HTTP Basic with the API key as user name."""

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://api.easypost.com"
    max_batch = 1

    async def _send(self, batch: Sequence[str]) -> Response:
        (number,) = batch
        return await self.http.request(
            "POST",
            self.url("/v2/trackers"),
            json={"tracker": {"tracking_code": number}},
            headers={"Authorization": self._basic()},
        )

    def _basic(self) -> str:
        return "Basic " + base64.b64encode(f"{self._api_key()}:".encode()).decode("ascii")

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)
