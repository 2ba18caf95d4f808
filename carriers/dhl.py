"""DHL Shipment Tracking - Unified: a pure parser of its response bodies (carrier-apis.md §2, §10.3).

Shapes: ``{"shipments": [...]}`` (success, one element per business-unit shipment) and RFC 7807
problem JSON (``{"title", "status", "detail", "instance"}``) for 400/401/404/429/5xx.

Time stamps: an explicit offset wins (``from_aware``); a bare time is the event's local wall clock,
resolved with the event's country (``parcel-de``/``post-de`` events carry no location: Germany).
Status: ``statusCode`` gives the bucket, keyword rules over the description refine it (English and
German, §10.3). ``carrier_code`` is ``statusCode`` verbatim.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

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
from carriers.parsing import JsonLimitExceeded, load_json, malformed_error, nonblank, obj
from carriers.timeutil import Resolved, from_aware, localize, parse_iso
from parcel_watch.model import Location, Source, TrackingEvent
from parcel_watch.status import Status, supersedes

SLUG = "dhl"

Outcome = tuple[Status, str | None]
# A keyword rule: every group must share at least one keyword with the lower-cased description.
Rule = tuple[tuple[tuple[str, ...], ...], Status, str | None]

# statusCode -> outcome when no keyword rule of that code matches.
STATUS_CODES: dict[str, Outcome] = {
    "pre-transit": (Status.INFO_RECEIVED, None),
    "transit": (Status.IN_TRANSIT, None),
    "delivered": (Status.DELIVERED, None),
    "failure": (Status.EXCEPTION, "exception.other"),
    "unknown": (Status.UNKNOWN, None),
}

# statusCode -> keyword rules, most specific first (first match wins), English and German.
KEYWORD_RULES: dict[str, tuple[Rule, ...]] = {
    "transit": (
        (
            (
                (
                    "out for delivery",
                    "loaded onto the delivery vehicle",
                    "in das zustellfahrzeug geladen",
                    "with courier for delivery",
                ),
            ),
            Status.OUT_FOR_DELIVERY,
            None,
        ),
        (
            (("customs", "zoll"), ("released", "cleared", "freigegeben")),
            Status.IN_TRANSIT,
            "in_transit.customs_released",
        ),
        (
            (("pending completion of customs inspection", "customs clearance", "verzollung"),),
            Status.IN_TRANSIT,
            "in_transit.customs_processing",
        ),
        ((("zurückgestellt", "deferred", "delay", "verzögert"),), Status.IN_TRANSIT, "in_transit.delayed"),
        ((("ready for pick-up", "ready for pickup", "zur abholung"),), Status.AVAILABLE_FOR_PICKUP, None),
        ((("picked up", "eingeliefert"),), Status.IN_TRANSIT, "in_transit.picked_up"),
    ),
    "delivered": (
        ((("neighbour", "neighbor", "nachbar"),), Status.DELIVERED, "delivered.neighbour"),
        ((("packstation",),), Status.DELIVERED, "delivered.mailbox_or_locker"),
        ((("signed by",),), Status.DELIVERED, "delivered.signed"),
    ),
    "failure": (
        ((("return", "rücksendung", "zurück an den absender"),), Status.RETURNING, "returning.to_sender"),
        ((("damaged", "beschädigt"),), Status.EXCEPTION, "exception.damaged"),
        (
            (("recipient not found", "not at home", "nicht angetroffen"),),
            Status.DELIVERY_ATTEMPTED,
            "delivery_attempted.recipient_unavailable",
        ),
        ((("refused", "verweigert"),), Status.EXCEPTION, "exception.refused"),
    ),
}

# Problem JSON HTTP status -> error type (§2 "Errors"); anything else 5xx is "unavailable".
PROBLEM_ERRORS: dict[int, type[CarrierError]] = {
    400: InvalidNumber,  # "Invalid input": the tracking number is missing or unusable
    401: AuthError,
    403: AuthError,
    404: NotFound,
    429: RateLimited,
}

# Services whose bare time stamps are German local time and whose events carry no location.
GERMAN_SERVICES = frozenset({"parcel-de", "post-de"})
_ALPHA2 = re.compile(r"[A-Za-z]{2}")


def map_status(code: str | None, description: str) -> Outcome:
    """``statusCode`` + description -> normalized status; unknown codes give UNKNOWN."""
    if code is None or code not in STATUS_CODES:
        return Status.UNKNOWN, None
    text = description.lower()
    for groups, status, substatus in KEYWORD_RULES.get(code, ()):
        if all(any(word in text for word in group) for group in groups):
            return status, substatus
    return STATUS_CODES[code]


def parse(raw: bytes | str) -> ParseResult:
    """Parse one DHL Unified response body; never raises."""
    result = ParseResult()
    try:
        doc = load_json(raw)
    except JsonLimitExceeded as exc:
        result.errors.append(_malformed(str(exc)))
        return result
    except ValueError as exc:
        result.errors.append(_malformed(f"body is not JSON: {type(exc).__name__}"))
        return result
    if isinstance(doc, dict) and "shipments" in doc:
        shipments = doc["shipments"]
        if not isinstance(shipments, list):
            result.errors.append(_malformed("shipments is not a list"))
            return result
        for index, item in enumerate(shipments):
            shipment = _shipment(item, f"shipments[{index}]", result.errors)
            if shipment is not None:
                result.shipments.append(shipment)
    elif isinstance(doc, dict) and _is_problem(doc):
        result.errors.append(_problem(doc))
    else:
        result.errors.append(_malformed("not a DHL tracking response (no shipments, no problem JSON)"))
    return result


def _malformed(message: str, tracking_number: str | None = None) -> MalformedPayload:
    return malformed_error(SLUG, message, tracking_number)


_obj = obj


_text = nonblank


def _is_problem(doc: dict[str, Any]) -> bool:
    status = doc.get("status")
    return isinstance(status, int) and not isinstance(status, bool) and ("title" in doc or "detail" in doc)


def _problem(doc: dict[str, Any]) -> CarrierError:
    status: int = doc["status"]
    message = _text(doc.get("detail")) or _text(doc.get("title")) or f"HTTP {status}"
    instance = _text(doc.get("instance"))  # e.g. "/shipment/8264715546"
    number = instance.rstrip("/").rsplit("/", 1)[-1] if instance else None
    kind = PROBLEM_ERRORS.get(status, CarrierUnavailable if status >= 500 else CarrierError)
    return kind(message, carrier=SLUG, code=str(status), tracking_number=number)


def _shipment(item: Any, path: str, errors: list[CarrierError]) -> ParsedShipment | None:
    if not isinstance(item, dict):
        errors.append(_malformed(f"{path} is not an object"))
        return None
    ident = item.get("id")
    if isinstance(ident, int) and not isinstance(ident, bool):
        ident = str(ident)
    number = _text(ident)
    if number is None:
        errors.append(_malformed(f"{path}.id: missing tracking number"))
        return None
    german = _text(item.get("service")) in GERMAN_SERVICES
    default_country = "DE" if german else None
    raw_events = item.get("events", [])
    if not isinstance(raw_events, list):
        errors.append(_malformed(f"{path}.events is not a list", number))
        raw_events = []
    events: list[TrackingEvent] = []
    for index, raw in enumerate(raw_events):
        event = _event(raw, f"{path}.events[{index}]", number, default_country, errors)
        if event is not None:
            events.append(event)
    events.reverse()  # DHL lists newest first; the stable sort keeps ties in carrier order
    events.sort(key=lambda e: e.occurred_at)
    shipment = ParsedShipment(tracking_number=number, carrier=SLUG, events=events)
    shipment.status, shipment.substatus = _summary(events) or _current(item.get("status"))
    destination = _obj(_obj(item.get("destination")).get("address")).get("countryCode")
    country = destination if isinstance(destination, str) else default_country
    frame = _obj(item.get("estimatedDeliveryTimeFrame"))
    for field, stamp in (
        ("estimatedTimeOfDelivery", item.get("estimatedTimeOfDelivery")),
        ("estimatedDeliveryTimeFrame.estimatedThrough", frame.get("estimatedThrough")),
    ):
        if stamp is not None:
            resolved = _resolve(stamp, country, f"{path}.{field}", number, errors)
            shipment.estimated_delivery = resolved.utc if resolved else None
            break
    return shipment


def _summary(events: list[TrackingEvent]) -> Outcome | None:
    """Status of the newest interpretable event; terminal states stay unless re-opened (§10.2)."""
    outcome: Outcome | None = None
    for event in events:
        current = outcome[0] if outcome else None
        if event.status is not Status.UNKNOWN and supersedes(current, event.status):
            outcome = event.status, event.substatus
    return outcome


def _current(status: Any) -> Outcome:
    """The shipment's own ``status`` object, used when no event could be read."""
    status = _obj(status)
    code = status.get("statusCode")
    return map_status(code if isinstance(code, str) else None, _description(status))


def _description(item: dict[str, Any]) -> str:
    # ``status`` repeats or abbreviates the description; it stands in only when description is absent.
    for key in ("description", "status"):
        value = item.get(key)
        if isinstance(value, str):
            return value
    return ""


def _resolve(
    stamp: Any, country: str | None, path: str, number: str, errors: list[CarrierError]
) -> Resolved | None:
    if isinstance(stamp, str):
        try:
            when = parse_iso(stamp)
            return from_aware(when) if when.utcoffset() is not None else localize(when, country)
        except (ValueError, OverflowError):
            pass
    errors.append(_malformed(f"{path}: invalid date {str(stamp)[:40]!r}", number))
    return None


def _location(address: dict[str, Any], path: str, number: str, errors: list[CarrierError]) -> Location:
    country = address.get("countryCode")
    if country is not None and not (isinstance(country, str) and _ALPHA2.fullmatch(country.strip())):
        errors.append(_malformed(f"{path}.countryCode: not an ISO alpha-2 code", number))
        country = None
    return Location(
        city=_text(address.get("addressLocality")),  # free text ("Oderweg 2, AMSTERDAM"), kept as printed
        postal_code=_text(address.get("postalCode")),
        country=country,
    )


def _event(
    raw: Any, path: str, number: str, default_country: str | None, errors: list[CarrierError]
) -> TrackingEvent | None:
    if not isinstance(raw, dict):
        errors.append(_malformed(f"{path} is not an object", number))
        return None
    location = _location(
        _obj(_obj(raw.get("location")).get("address")), f"{path}.location.address", number, errors
    )
    resolved = _resolve(
        raw.get("timestamp"), location.country or default_country, f"{path}.timestamp", number, errors
    )
    if resolved is None:
        return None
    code = raw.get("statusCode")
    code = code if isinstance(code, str) else None
    description = _description(raw)
    status, substatus = map_status(code, description)
    try:
        return TrackingEvent(
            **resolved.event_time(),
            status=status,
            substatus=substatus,
            carrier_code=code,
            description=description,
            location=location,
            source=Source.POLL,
        )
    except ValidationError:
        errors.append(_malformed(f"{path}: event out of range", number))
        return None


# -- fetch --

from collections.abc import Sequence

from carriers.fetching import CarrierClient
from carriers.http import Response


class DhlClient(CarrierClient):
    """DHL Shipment Tracking – Unified: ``GET /track/shipments?trackingNumber=…``, one number
    per request, API key in the ``DHL-API-Key`` header."""

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://api-eu.dhl.com"
    max_batch = 1

    async def _send(self, batch: Sequence[str]) -> Response:
        (number,) = batch
        return await self.http.request(
            "GET",
            self.url("/track/shipments"),
            params={"trackingNumber": number},
            headers={"DHL-API-Key": self._api_key(), "Accept": "application/json"},
        )

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)
