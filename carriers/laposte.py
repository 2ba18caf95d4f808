"""La Poste Suivi v2 (Colissimo, Chronopost, Courrier): a pure parser of its response bodies
(carrier-apis.md §9, §10.3).

Shapes: one item ``{"lang", "scope", "returnCode", "shipment" | "returnMessage", "idShip"}`` or a
list of them (up to 10 numbers per call, HTTP 207 when some failed); a failed item names its
``idShip``, so one bad number never hides the others. The gateway's own refusals are
``{"code": "UNAUTHORIZED", "message"}``.

Times carry their offset; a bare one is French local time. Events have no place. Status:
``shipment.event[].code`` (newest first on the wire); the shipment takes its newest readable
event, else ``isFinal`` (delivered). Labels are French and kept verbatim.
"""

from __future__ import annotations

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
from carriers.parsing import array, malformed_error, nonblank, parse_json, text
from carriers.timeutil import Resolved, from_aware, localize, parse_iso
from parcel_watch.model import Location, Source, TrackingEvent
from parcel_watch.status import Status, supersedes

SLUG = "laposte"
HOME_ZONE = "Europe/Paris"

Outcome = tuple[Status, str | None]
_UNKNOWN: Outcome = (Status.UNKNOWN, None)

# event code -> outcome. [fixture]: DR1, PC1, ET1-ET3, MD2, DI1 (§10.3); the rest from La Poste's
# published code list [secondary]. Any other code is UNKNOWN, never guessed.
EVENT_CODES: dict[str, Outcome] = {
    "DR1": (Status.INFO_RECEIVED, None),  # déclaratif réceptionné: announced, not handed over yet
    "PC1": (Status.IN_TRANSIT, "in_transit.picked_up"),  # pris en charge
    "PC2": (Status.IN_TRANSIT, "in_transit.picked_up"),  # pris en charge dans le pays d'expédition
    "ET1": (Status.IN_TRANSIT, None),  # en cours de traitement
    "ET2": (Status.IN_TRANSIT, None),  # … dans le pays d'expédition
    "ET3": (Status.IN_TRANSIT, "in_transit.at_destination_country"),  # … dans le pays de destination
    "ET4": (Status.IN_TRANSIT, None),  # … dans un pays de transit
    "EP1": (Status.IN_TRANSIT, None),  # en attente de présentation
    "DO1": (Status.IN_TRANSIT, "in_transit.customs_processing"),  # entrée en douane
    "DO2": (Status.IN_TRANSIT, "in_transit.customs_released"),  # sortie de douane
    "DO3": (Status.EXCEPTION, "exception.customs_hold"),  # retenu en douane
    "PB1": (Status.EXCEPTION, "exception.other"),  # problème en cours
    "PB2": (Status.IN_TRANSIT, None),  # problème résolu
    "MD2": (Status.IN_TRANSIT, "in_transit.arrived"),  # mis en distribution: at the delivery site
    "ND1": (Status.EXCEPTION, "exception.other"),  # non distribuable (the code gives no reason)
    "AG1": (Status.AVAILABLE_FOR_PICKUP, None),  # en attente d'être retiré au guichet
    "RE1": (Status.RETURNING, "returning.to_sender"),  # retourné à l'expéditeur
    "DI1": (Status.DELIVERED, None),  # distribué
    "DI2": (Status.RETURNED, "returned.to_sender"),  # distribué à l'expéditeur
}
# returnCode of a failed item (or of the whole answer) -> error type [spec: 400, 401, 404 and the
# 104 example "Votre suivi n'est pas encore disponible"; unverified: 105]. Other codes: >= 500
# unavailable, else a plain CarrierError.
RETURN_CODES: dict[int, type[CarrierError]] = {
    104: NotFound,
    105: NotFound,
    400: InvalidNumber,
    401: AuthError,
    404: NotFound,
    429: RateLimited,
}
# The API gateway's refusals (``code``), observed live for a missing key.
GATEWAY_CODES: dict[str, type[CarrierError]] = {"UNAUTHORIZED": AuthError}


def parse(raw: bytes | str) -> ParseResult:
    return parse_json(raw, SLUG, _parse)


def _parse(doc: Any) -> ParseResult:
    result = ParseResult()
    for item in doc if isinstance(doc, list) else [doc]:
        _item(item, result)
    return result


def _item(item: Any, result: ParseResult) -> None:
    if not isinstance(item, dict):
        result.errors.append(malformed_error(SLUG, "not a La Poste Suivi item"))
        return
    code = item.get("returnCode")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    shipment = item.get("shipment")
    if isinstance(shipment, dict) and (code is None or 200 <= code < 300):
        _shipment(shipment, result)
    elif code is not None and not 200 <= code < 300:
        message = text(item.get("returnMessage")) or f"La Poste returnCode {code}"
        kind = RETURN_CODES.get(code, CarrierUnavailable if code >= 500 else CarrierError)
        result.errors.append(
            kind(message, carrier=SLUG, code=str(code), tracking_number=text(item.get("idShip")))
        )
    elif isinstance(item.get("code"), str) and "returnCode" not in item:
        gateway = item["code"]
        kind = GATEWAY_CODES.get(gateway, CarrierError)
        result.errors.append(kind(text(item.get("message")) or gateway, carrier=SLUG, code=gateway))
    else:
        result.errors.append(malformed_error(SLUG, "item without a shipment or a failed returnCode"))


def _shipment(shipment: dict[str, Any], result: ParseResult) -> None:
    number = text(shipment.get("idShip"))
    if number is None:
        result.errors.append(malformed_error(SLUG, "shipment without idShip"))
        return
    events: list[TrackingEvent] = []
    for raw in array(shipment.get("event")):
        event = _event(raw, number, result.errors)
        if event is not None:
            events.append(event)
    events.reverse()  # newest first on the wire; the stable sort keeps ties in carrier order
    events.sort(key=lambda e: e.occurred_at)
    status, substatus = _summary(events) or (
        (Status.DELIVERED, None) if shipment.get("isFinal") is True else _UNKNOWN
    )
    eta = _eta(shipment, number, result.errors)
    result.shipments.append(ParsedShipment(number, SLUG, status, substatus, eta, events))


def _summary(events: list[TrackingEvent]) -> Outcome | None:
    """Status of the newest readable event; terminal states stay unless re-opened (§10.2)."""
    outcome: Outcome | None = None
    for event in events:
        if event.status is not Status.UNKNOWN and supersedes(outcome[0] if outcome else None, event.status):
            outcome = event.status, event.substatus
    return outcome


def _resolve(value: Any) -> Resolved | None:
    stamp = text(value)
    if stamp is None:
        return None
    try:
        when = parse_iso(stamp)
        return from_aware(when) if when.tzinfo is not None else localize(when, None, home_zone=HOME_ZONE)
    except (ValueError, OverflowError):
        return None


def _eta(shipment: dict[str, Any], number: str, errors: list[CarrierError]) -> datetime | None:
    """``estimDate``, else the end of the estimated window (``estimHourMax``)."""
    for field in ("estimDate", "estimHourMax"):
        if text(shipment.get(field)) is not None:
            resolved = _resolve(shipment[field])
            if resolved is None:
                errors.append(malformed_error(SLUG, f"{field}: invalid date", number))
            return resolved.utc if resolved else None
    return None


def _event(raw: Any, number: str, errors: list[CarrierError]) -> TrackingEvent | None:
    if not isinstance(raw, dict):
        errors.append(malformed_error(SLUG, "event[]: not an object", number))
        return None
    resolved = _resolve(raw.get("date"))
    if resolved is None:
        stamp = str(raw.get("date"))[:40]
        errors.append(malformed_error(SLUG, f"event[].date: invalid date {stamp!r}", number))
        return None
    code = text(raw.get("code"))
    status, substatus = EVENT_CODES.get(code or "", _UNKNOWN)
    try:
        return TrackingEvent(
            **resolved.event_time(),
            status=status,
            substatus=substatus,
            carrier_code=code,
            description=nonblank(raw.get("label")) or "",
            location=Location(),
            source=Source.POLL,
        )
    except ValueError as exc:
        errors.append(MalformedPayload(f"event[]: {exc}", carrier=SLUG, tracking_number=number))
        return None


# -- fetch --

from collections.abc import Sequence

from carriers.fetching import CarrierClient, path_segment
from carriers.http import Response


class LaPosteClient(CarrierClient):
    """La Poste Suivi v2: ``GET /suivi/v2/idships/{id1},{id2},…?lang=fr_FR``, up to 10 numbers per
    request, API key in the ``X-Okapi-Key`` header."""

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://api.laposte.fr"
    max_batch = 10

    async def _send(self, batch: Sequence[str]) -> Response:
        ids = ",".join(path_segment(n) for n in batch)
        return await self.http.request(
            "GET",
            self.url(f"/suivi/v2/idships/{ids}"),
            params={"lang": "fr_FR"},
            headers={"X-Okapi-Key": self._api_key(), "Accept": "application/json"},
        )

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)
