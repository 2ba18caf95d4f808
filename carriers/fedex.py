"""FedEx Track API: a pure parser of its response bodies (carrier-apis.md §4, §10.3).

Shapes: ``output.completeTrackResults[].trackResults[]`` (success; a per-number ``error`` such as
``TRACKING.TRACKINGNUMBER.NOTFOUND`` may sit next to successful numbers, HTTP 200) and top-level
``errors[]`` for request-level failures.

Time stamps carry the scan's offset (``from_aware``); the few without one are resolved with the
scan location's zone (``localize``). Status: ``eventType`` first, then ``delayDetail``, then
``derivedStatusCode`` (an ``RS`` event may say derived ``DL``). ``carrier_code`` is ``eventType``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from carriers.base import ParsedShipment, ParseResult
from carriers.errors import CarrierError, InvalidNumber, MalformedPayload, NotFound
from carriers.parsing import JsonLimitExceeded, array, fingerprint, load_json, malformed_error, nonblank, obj
from carriers.timeutil import Resolved, from_aware, localize, parse_iso
from parcel_watch.model import Location, Source, TrackingEvent
from parcel_watch.status import Status, supersedes

SLUG = "fedex"

Outcome = tuple[Status, str | None]
# A refinement rule: matches when the exceptionCode is listed or the text holds a keyword.
Rule = tuple[tuple[str, ...], tuple[str, ...], Status, str | None]

_TRANSIT: Outcome = (Status.IN_TRANSIT, None)
_ARRIVED: Outcome = (Status.IN_TRANSIT, "in_transit.arrived")
_DELAYED: Outcome = (Status.IN_TRANSIT, "in_transit.delayed")

# eventType -> outcome (§10.3). DL's substatus comes from deliveryDetails (see _delivered).
EVENT_TYPES: dict[str, Outcome] = {
    "OC": (Status.INFO_RECEIVED, None),
    "PU": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "PX": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "DP": (Status.IN_TRANSIT, "in_transit.departed"),
    "LO": (Status.IN_TRANSIT, "in_transit.departed"),
    "AR": _ARRIVED,  # arrived at location
    "AF": _ARRIVED,  # at FedEx facility
    "FD": _ARRIVED,  # at FedEx destination facility
    "AA": _ARRIVED,  # at airport
    "PL": _ARRIVED,  # plane landed
    "AO": _TRANSIT,  # shipment arriving on time: a forecast, not an arrival
    "IT": _TRANSIT,
    "EA": _TRANSIT,
    "PF": _TRANSIT,  # plane in flight
    "CC": (Status.IN_TRANSIT, "in_transit.customs_released"),
    "CD": (Status.EXCEPTION, "exception.customs_hold"),
    "OD": (Status.OUT_FOR_DELIVERY, None),
    "ED": (Status.OUT_FOR_DELIVERY, None),
    "HP": (Status.AVAILABLE_FOR_PICKUP, None),
    "HL": (Status.AVAILABLE_FOR_PICKUP, None),
    "DE": (Status.EXCEPTION, "exception.other"),
    "SE": (Status.EXCEPTION, "exception.other"),
    "DY": _DELAYED,
    "DD": _DELAYED,
    "PY": _DELAYED,
    "RS": (Status.RETURNING, "returning.to_sender"),
    "RT": (Status.RETURNING, "returning.to_sender"),
    "RR": (Status.IN_TRANSIT, "in_transit.forwarded"),
    "RC": (Status.IN_TRANSIT, "in_transit.forwarded"),
    "DL": (Status.DELIVERED, None),
    "CA": (Status.CANCELLED, "cancelled.by_shipper"),
}
# eventType -> rules over exceptionCode and the lower-cased event + exception descriptions, first
# match wins. "08" is the code FedEx sends with "Customer not available or business closed".
RULES: dict[str, tuple[Rule, ...]] = {
    "DE": (
        (
            ("007", "08", "A15"),
            ("customer not available", "business closed"),
            Status.DELIVERY_ATTEMPTED,
            "delivery_attempted.recipient_unavailable",
        ),
        ((), ("damaged",), Status.EXCEPTION, "exception.damaged"),
        ((), ("incorrect address",), Status.EXCEPTION, "exception.address_problem"),
        ((), ("refused",), Status.EXCEPTION, "exception.refused"),
    ),
    "SE": (((), ("damaged",), Status.EXCEPTION, "exception.damaged"),),
    "DL": (((), ("return", "shipper"), Status.RETURNED, "returned.to_sender"),),
}
# derivedStatusCode -> outcome, only for event types missing from EVENT_TYPES.
DERIVED_CODES: dict[str, Outcome] = {
    "IN": (Status.INFO_RECEIVED, None),
    "PU": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "IT": _TRANSIT,
    "DL": (Status.DELIVERED, None),
    "DE": (Status.EXCEPTION, "exception.other"),
    "DY": _DELAYED,
    "SE": (Status.EXCEPTION, "exception.other"),
    "CA": (Status.CANCELLED, "cancelled.by_shipper"),
    "HL": (Status.AVAILABLE_FOR_PICKUP, None),
    "RS": (Status.RETURNING, "returning.to_sender"),
}
# Error codes -> error type; other codes are plain CarrierErrors.
ERROR_CODES: dict[str, type[CarrierError]] = {
    "TRACKING.TRACKINGNUMBER.EMPTY": InvalidNumber,
    "TRACKING.TRACKINGNUMBER.NOTFOUND": NotFound,
}
# dateAndTimes types telling when a result's shipment was shipped, preferred first.
SHIP_DATE_TYPES = ("SHIP", "ACTUAL_PICKUP", "ACTUAL_TENDER")

_ALPHA2 = re.compile(r"[A-Za-z]{2}")


def map_status(event: dict[str, Any], delivered: str | None = None) -> Outcome:
    """One scan event (or ``latestStatusDetail``) -> normalized status; unknown codes give UNKNOWN."""
    texts = (event.get("eventDescription"), event.get("exceptionDescription"))
    return _outcome(
        _text(event.get("eventType", event.get("code"))),
        _text(event.get("derivedStatusCode", event.get("derivedCode"))),
        _text(event.get("exceptionCode")),
        " ".join(v.lower() for v in texts if isinstance(v, str)),
        _obj(event.get("delayDetail")).get("status") == "DELAYED",
        delivered,
    )


@lru_cache(maxsize=4096)  # a few codes and texts recur in every scan history
def _outcome(
    event_type: str | None,
    derived: str | None,
    exception_code: str | None,
    text: str,
    delayed: bool,
    delivered: str | None,
) -> Outcome:
    outcome: Outcome = (Status.UNKNOWN, None)
    if event_type in EVENT_TYPES:
        outcome = EVENT_TYPES[event_type]
        for codes, words, status, substatus in RULES.get(event_type, ()):
            if exception_code in codes or any(word in text for word in words):
                outcome = status, substatus
                break
    elif delayed:
        outcome = _DELAYED
    elif derived in DERIVED_CODES:
        outcome = DERIVED_CODES[derived]
    return (Status.DELIVERED, delivered) if outcome == (Status.DELIVERED, None) else outcome


def parse(raw: bytes | str, known: Mapping[str, int] | None = None) -> ParseResult:
    """Parse one FedEx Track response body; never raises. With ``known`` (number ->
    fingerprint), each shipment gets its fingerprint and an unchanged one is not parsed."""
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
    elif isinstance(doc.get("output"), dict):
        complete = doc["output"].get("completeTrackResults")
        if not isinstance(complete, list):
            result.errors.append(_malformed("output.completeTrackResults is not a list"))
            return result
        for index, item in enumerate(complete):
            _complete(item, f"output.completeTrackResults[{index}]", result, known)
    elif isinstance(doc.get("errors"), list) and doc["errors"]:
        result.errors.extend(_error(item, None) for item in doc["errors"])
    else:
        result.errors.append(_malformed("not a FedEx tracking response"))
    return result


def _malformed(message: str, tracking_number: str | None = None) -> MalformedPayload:
    return malformed_error(SLUG, message, tracking_number)


_obj = obj


_list = array


_text = nonblank


def _error(item: Any, number: str | None) -> CarrierError:
    item = _obj(item)
    code = _text(item.get("code"))
    message = _text(item.get("message")) or "FedEx error"
    kind = ERROR_CODES.get(code or "", CarrierError)
    return kind(message, carrier=SLUG, code=code, tracking_number=number)


def _has_data(result: dict[str, Any]) -> bool:
    return bool(_list(result.get("scanEvents")) or _obj(result.get("latestStatusDetail")))


def _complete(item: Any, path: str, out: ParseResult, known: Mapping[str, int] | None) -> None:
    item = _obj(item)
    results = [_obj(r) for r in _list(item.get("trackResults"))]
    number = _text(item.get("trackingNumber")) or next(
        (n for r in results if (n := _text(_obj(r.get("trackingNumberInfo")).get("trackingNumber")))), None
    )
    if number is None or not results:
        out.errors.append(_malformed(f"{path}: no tracking number or no trackResults", number))
        return
    found = [(index, r) for index, r in enumerate(results) if _has_data(r)]
    if not found:
        for r in results:
            error = r.get("error")
            out.errors.append(
                _error(error, number)
                if isinstance(error, dict)
                else _malformed(f"{path}: empty result", number)
            )
        return
    # A re-used number gives several results, told apart by trackingNumberUniqueId (§1.2). The
    # model keys shipments by number, so we keep the most recently shipped one (ship date, then
    # payload order); an ``error`` next to tracking data is an OpenAPI placeholder and not reported.
    fp = fingerprint(item) if known is not None else None
    if fp is not None and known is not None and known.get(number) == fp:
        out.shipments.append(ParsedShipment(number, SLUG, fingerprint=fp, unchanged=True))
        return
    index, chosen = max(found, key=lambda pair: (_ship_date(pair[1]), -pair[0]))
    shipment = _shipment(chosen, f"{path}.trackResults[{index}]", number, out.errors)
    shipment.fingerprint = fp
    out.shipments.append(shipment)


def _ship_date(result: dict[str, Any]) -> datetime:
    dates = {_text(d.get("type")): d.get("dateTime") for d in map(_obj, _list(result.get("dateAndTimes")))}
    for wanted in SHIP_DATE_TYPES:
        stamp = dates.get(wanted)
        try:
            when = parse_iso(stamp) if isinstance(stamp, str) else None
            if when is not None:
                return when.replace(tzinfo=None)  # the shipper's calendar day and time, as printed
        except ValueError:
            continue
    return datetime.min


def _shipment(result: dict[str, Any], path: str, number: str, errors: list[CarrierError]) -> ParsedShipment:
    details = _obj(result.get("deliveryDetails"))
    signed = _text(details.get("signedByName")) or _text(details.get("receivedByName"))
    delivered = "delivered.signed" if signed else "delivered.left_safe_place"
    events: list[TrackingEvent] = []
    for index, raw in enumerate(_list(result.get("scanEvents"))):
        event = _event(raw, f"{path}.scanEvents[{index}]", number, delivered, errors)
        if event is not None:
            events.append(event)
    events.reverse()  # FedEx lists newest first; the stable sort keeps ties in carrier order
    events.sort(key=lambda e: e.occurred_at)
    shipment = ParsedShipment(tracking_number=number, carrier=SLUG, events=events)
    outcome: Outcome | None = None
    for event in events:  # newest interpretable event; terminal states stay unless re-opened (§10.2)
        if event.status is not Status.UNKNOWN and supersedes(outcome[0] if outcome else None, event.status):
            outcome = event.status, event.substatus
    latest = _obj(result.get("latestStatusDetail"))
    shipment.status, shipment.substatus = outcome or map_status(latest, delivered)
    recipient = _obj(_obj(result.get("recipientInformation")).get("address"))
    place = _location(recipient, f"{path}.recipientInformation.address", number, errors)
    shipment.estimated_delivery = _estimate(result, place, path, number, errors)
    return shipment


def _estimate(
    result: dict[str, Any], place: Location, path: str, number: str, errors: list[CarrierError]
) -> datetime | None:
    """dateAndTimes ESTIMATED_DELIVERY, else the end (then start) of estimatedDeliveryTimeWindow."""
    candidates = [
        (f"dateAndTimes[{i}].dateTime", d.get("dateTime"))
        for i, d in enumerate(map(_obj, _list(result.get("dateAndTimes"))))
        if d.get("type") == "ESTIMATED_DELIVERY"
    ]
    window = _obj(_obj(result.get("estimatedDeliveryTimeWindow")).get("window"))
    candidates += [(f"estimatedDeliveryTimeWindow.window.{k}", window.get(k)) for k in ("ends", "begins")]
    for field, stamp in candidates:
        if stamp is not None:
            resolved = _resolve(stamp, place, f"{path}.{field}", number, errors)
            return resolved.utc if resolved else None
    return None


def _resolve(
    stamp: Any, place: Location, path: str, number: str, errors: list[CarrierError]
) -> Resolved | None:
    if isinstance(stamp, str):
        try:
            when = parse_iso(stamp)
            if when.utcoffset() is not None:
                return from_aware(when)
            return localize(when, place.country, place.region)
        except (ValueError, OverflowError):
            pass
    errors.append(_malformed(f"{path}: invalid date {str(stamp)[:40]!r}", number))
    return None


def _location(address: dict[str, Any], path: str, number: str, errors: list[CarrierError]) -> Location:
    country = address.get("countryCode")
    if country is not None and not (isinstance(country, str) and _ALPHA2.fullmatch(country.strip())):
        errors.append(_malformed(f"{path}.countryCode: not an ISO alpha-2 code", number))
        country = None
    return _place(
        _text(address.get("city")),
        _text(address.get("stateOrProvinceCode")),
        _text(address.get("postalCode")),
        _text(country),
    )


@lru_cache(maxsize=8192)  # the same hubs appear in thousands of histories
def _place(city: str | None, region: str | None, postal_code: str | None, country: str | None) -> Location:
    return Location(city=city, region=region, postal_code=postal_code, country=country)


def _event(
    raw: Any, path: str, number: str, delivered: str, errors: list[CarrierError]
) -> TrackingEvent | None:
    if not isinstance(raw, dict):
        errors.append(_malformed(f"{path} is not an object", number))
        return None
    location = _location(_obj(raw.get("scanLocation")), f"{path}.scanLocation", number, errors)
    resolved = _resolve(raw.get("date"), location, f"{path}.date", number, errors)
    if resolved is None:
        return None
    status, substatus = map_status(raw, delivered)
    description = raw.get("eventDescription")
    try:
        return TrackingEvent.trusted(
            **resolved.event_time(),
            status=status,
            substatus=substatus,
            carrier_code=_text(raw.get("eventType")),
            description=description if isinstance(description, str) else "",
            location=location,
            source=Source.POLL,
        )
    except (ValidationError, ValueError):
        errors.append(_malformed(f"{path}: event out of range (offset or instant)", number))
        return None


# -- fetch --

from carriers.fetching import OAuthClient
from carriers.http import Response


class FedexClient(OAuthClient):
    """FedEx Track API: ``POST /track/v1/trackingnumbers`` with up to 30 ``trackingInfo``
    entries and ``includeDetailedScans``; OAuth2 bearer from the form grant at ``/oauth/token``."""

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://apis.fedex.com"
    TOKEN_PATH = "/oauth/token"
    TOKEN_BASIC_AUTH = False
    max_batch = 30

    async def _send(self, batch: Sequence[str]) -> Response:
        body = {
            "includeDetailedScans": True,
            "trackingInfo": [{"trackingNumberInfo": {"trackingNumber": n}} for n in batch],
        }
        return await self._authorized("POST", "/track/v1/trackingnumbers", json=body)

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)

    def _parse_known(self, raw: bytes, known: Mapping[str, int]) -> ParseResult:
        return parse(raw, known)
