"""Royal Mail Tracking API v2: a pure parser of its response bodies (carrier-apis.md §9, §10.3).

Shapes: ``{"mailPieces": {...}}`` from ``GET /mailpieces/v2/{id}/events`` (one item, events newest
first), ``{"mailPieces": [...]}`` from the summary endpoint (an item may hold an ``error`` instead
of a summary) and the error envelope ``{"httpCode", "httpMessage", "moreInformation", "errors":
[{"errorCode", "errorDescription", ...}]}``.

The shipment's number is ``summary.oneDBarcode``, the printed barcode people track (the number the
poller asked about), else ``mailPieceId``. Times carry their offset; a bare one is UK local time.
Status: ``eventCode``; the shipment takes its newest readable event, and Royal Mail's own
``statusCategory`` when the newest event is one we cannot read (or there is none).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from carriers.base import ParsedShipment, ParseResult
from carriers.errors import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    MalformedPayload,
    NotFound,
    RateLimited,
)
from carriers.parsing import array, malformed, malformed_error, nonblank, obj, parse_json, text
from carriers.timeutil import Resolved, from_aware, localize, parse_iso
from parcel_watch.model import Location, Source, TrackingEvent
from parcel_watch.status import Status, supersedes

SLUG = "royalmail"
HOME_ZONE = "Europe/London"

Outcome = tuple[Status, str | None]
_UNKNOWN: Outcome = (Status.UNKNOWN, None)

# eventCode -> outcome. EVNMI is in the fixture; the others are the codes public clients of the API
# list with their names [secondary]. Any other code is UNKNOWN, never guessed.
EVENT_CODES: dict[str, Outcome] = {
    "EVAIE": (Status.INFO_RECEIVED, None),  # sender preparing item
    "EVAIP": (Status.INFO_RECEIVED, None),  # sender despatching item
    "EVPPA": (Status.IN_TRANSIT, "in_transit.picked_up"),  # accepted at a Parcelshop
    "EVDAV": (Status.IN_TRANSIT, None),  # item received (where is not in the code)
    "EVDAC": (Status.IN_TRANSIT, None),  # item received
    "EVIMC": (Status.IN_TRANSIT, None),  # item received
    "EVOAC": (Status.IN_TRANSIT, None),  # item received at …
    "EVOCO": (Status.IN_TRANSIT, None),  # received, being processed for delivery
    "EVORI": (Status.IN_TRANSIT, "in_transit.arrived"),  # arrived at …
    "EVODO": (Status.IN_TRANSIT, "in_transit.departed"),  # despatched to the delivery office
    "EVNMI": (Status.IN_TRANSIT, "in_transit.forwarded"),  # "Forwarded - Mis-sort": "being redirected"
    "EVGPD": (Status.OUT_FOR_DELIVERY, None),  # due to be delivered today
    "EVKNA": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.recipient_unavailable"),  # no answer
    "EVKNR": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.other"),  # delivery attempted
    "EVNDA": (Status.AVAILABLE_FOR_PICKUP, None),  # available for redelivery or collection
    "EVNRT": (Status.EXCEPTION, "exception.held_at_location"),  # item retention
    "EVKSP": (Status.DELIVERED, "delivered.signed"),  # delivered and signed
    "EVKSF": (Status.DELIVERED, "delivered.left_safe_place"),  # delivered to safeplace
    "EVKOP": (Status.DELIVERED, None),  # delivered by …
}
# summary.statusCategory -> outcome, by name (§10.3).
CATEGORIES: dict[str, Outcome] = {
    "PENDING": (Status.PENDING, "pending.no_data"),
    "IN TRANSIT": (Status.IN_TRANSIT, None),
    "DELIVERED": (Status.DELIVERED, None),
    "RETURNED TO SENDER": (Status.RETURNED, "returned.to_sender"),
}
# errorCode -> error type [fixture: E0004; secondary: the others]; otherwise httpCode decides.
ERROR_CODES: dict[str, type[CarrierError]] = {
    "E1142": NotFound,  # barcode reference not recognised
    "E1307": CarrierUnavailable,  # tracking temporarily unavailable
    "E0001": CarrierUnavailable,  # service unavailable
    "E0009": CarrierUnavailable,  # internal server error
    "E0010": RateLimited,  # too many requests
    "E0004": CarrierError,  # header validation failed: our request, not the number
}
HTTP_ERRORS: dict[int, type[CarrierError]] = {401: AuthError, 403: AuthError, 404: NotFound, 429: RateLimited}
END_OF_DAY = time(23, 59, 59)  # a date without a window means "by the end of that day"


def parse(raw: bytes | str) -> ParseResult:
    return parse_json(raw, SLUG, _parse)


def _parse(doc: Any) -> ParseResult:
    if not isinstance(doc, dict):
        return malformed(SLUG, "not a Royal Mail object")
    pieces = doc.get("mailPieces")
    if isinstance(pieces, dict | list):
        result = ParseResult()
        for piece in pieces if isinstance(pieces, list) else [pieces]:
            _piece(piece, result)
        return result
    if "errors" in doc or "httpCode" in doc:
        return ParseResult(errors=_envelope(doc))
    return malformed(SLUG, "neither mailPieces nor an error envelope")


def _envelope(doc: dict[str, Any]) -> list[CarrierError]:
    status = _http_code(doc.get("httpCode"))
    listed = [e for e in array(doc.get("errors")) if isinstance(e, dict)]
    if not listed:
        message = text(doc.get("moreInformation")) or text(doc.get("httpMessage")) or f"HTTP {status}"
        return [_error(None, message, status, None)]
    return [_error(text(e.get("errorCode")), text(e.get("errorDescription")), status, None) for e in listed]


def _http_code(value: Any) -> int | None:
    # ASCII digits only, few of them: int() refuses "²" (a digit to isdigit) and 4,300+ digits
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) <= 9:
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _error(code: str | None, message: str | None, status: int | None, number: str | None) -> CarrierError:
    kind = ERROR_CODES.get(code or "") or HTTP_ERRORS.get(status or 0)
    if kind is None:
        kind = CarrierUnavailable if status is not None and status >= 500 else CarrierError
    message = message or f"Royal Mail error {code or status}"
    return kind(message, carrier=SLUG, code=code or (str(status) if status else None), tracking_number=number)


def _piece(piece: Any, result: ParseResult) -> None:
    if not isinstance(piece, dict):
        result.errors.append(malformed_error(SLUG, "mailPieces item is not an object"))
        return
    summary = obj(piece.get("summary"))
    number = text(summary.get("oneDBarcode")) or text(piece.get("mailPieceId"))
    if number is None:
        result.errors.append(malformed_error(SLUG, "mailPieces item without oneDBarcode or mailPieceId"))
        return
    if isinstance(piece.get("error"), dict):  # summary endpoint: this number has no tracking
        error = piece["error"]
        code, message = text(error.get("errorCode")), text(error.get("errorDescription"))
        result.errors.append(_error(code, message, None, number))
        return
    events: list[TrackingEvent] = []
    for raw in array(piece.get("events")):
        event = _event(raw, number, result.errors)
        if event is not None:
            events.append(event)
    events.reverse()  # newest first on the wire; the stable sort keeps ties in carrier order
    events.sort(key=lambda e: e.occurred_at)
    category = CATEGORIES.get((text(summary.get("statusCategory")) or "").upper())
    status, substatus = _status(events, category)
    eta = _eta(piece.get("estimatedDelivery"), number, result.errors)
    result.shipments.append(ParsedShipment(number, SLUG, status, substatus, eta, events))


def _status(events: list[TrackingEvent], category: Outcome | None) -> Outcome:
    """The newest readable event (terminal states stay unless re-opened, §10.2); Royal Mail's
    category when the newest event is unreadable: it knows what that event meant."""
    if category is not None and (not events or events[-1].status is Status.UNKNOWN):
        return category
    outcome: Outcome | None = None
    for event in events:
        if event.status is not Status.UNKNOWN and supersedes(outcome[0] if outcome else None, event.status):
            outcome = event.status, event.substatus
    return outcome or category or _UNKNOWN


def _resolve(value: Any) -> Resolved | None:
    stamp = text(value)
    if stamp is None:
        return None
    try:
        when = parse_iso(stamp)
        return from_aware(when) if when.tzinfo is not None else localize(when, None, home_zone=HOME_ZONE)
    except (ValueError, OverflowError):
        return None


def _eta(value: Any, number: str, errors: list[CarrierError]) -> datetime | None:
    """``date`` plus the end of the window (a time with offset), else the end of that day."""
    window = obj(value)
    day, end = text(window.get("date")), text(window.get("endOfEstimatedWindow"))
    if day is None:
        return None
    try:
        when = datetime.combine(parse_iso(day).date(), time.fromisoformat(end) if end else END_OF_DAY)
        return (from_aware(when) if when.tzinfo else localize(when, None, home_zone=HOME_ZONE)).utc
    except (ValueError, OverflowError):
        errors.append(malformed_error(SLUG, f"estimatedDelivery: invalid date {day!r} {end!r}", number))
        return None


def _event(raw: Any, number: str, errors: list[CarrierError]) -> TrackingEvent | None:
    if not isinstance(raw, dict):
        errors.append(malformed_error(SLUG, "events[]: not an object", number))
        return None
    resolved = _resolve(raw.get("eventDateTime"))
    if resolved is None:
        stamp = str(raw.get("eventDateTime"))[:40]
        errors.append(malformed_error(SLUG, f"events[].eventDateTime: invalid date {stamp!r}", number))
        return None
    code = text(raw.get("eventCode"))
    status, substatus = EVENT_CODES.get(code or "", _UNKNOWN)
    try:
        return TrackingEvent(
            **resolved.event_time(),
            status=status,
            substatus=substatus,
            carrier_code=code,
            description=nonblank(raw.get("eventName")) or "",
            location=Location(city=text(raw.get("locationName"))),  # an office name ("Stafford DO")
            source=Source.POLL,
        )
    except ValueError as exc:
        errors.append(MalformedPayload(f"events[]: {exc}", carrier=SLUG, tracking_number=number))
        return None


# -- fetch --

from collections.abc import Sequence

from carriers.fetching import CarrierClient, path_segment
from carriers.http import Response


class RoyalMailClient(CarrierClient):
    """Royal Mail Tracking API v2 events: ``GET /mailpieces/v2/{id}/events``, one number per
    request, with the ``X-IBM-Client-Id`` / ``X-IBM-Client-Secret`` headers (``client_id`` and
    ``client_secret`` credentials) and ``X-Accept-RMG-Terms: yes`` (without it: E0004)."""

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://api.royalmail.net"
    max_batch = 1

    async def _send(self, batch: Sequence[str]) -> Response:
        (number,) = batch
        creds = self.credentials
        if not creds.client_id or not (creds.client_secret and creds.client_secret.get_secret_value()):
            raise AuthError(f"{SLUG}: no client id/secret configured", carrier=SLUG)
        headers = {
            "X-IBM-Client-Id": creds.client_id,
            "X-IBM-Client-Secret": creds.client_secret.get_secret_value(),
            "X-Accept-RMG-Terms": "yes",
            "Accept": "application/json",
        }
        path = f"/mailpieces/v2/{path_segment(number)}/events"
        return await self.http.request("GET", self.url(path), headers=headers)

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)
