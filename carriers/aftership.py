"""AfterShip Tracking API v4 responses and webhook bodies (carrier-apis.md §7, §10.3 AfterShip).

Pure: ``parse(raw)`` turns one response or webhook body into a ``ParseResult``; it never raises.
Shapes: get/create/retrack (``data.tracking``), list (``data.trackings``), last_checkpoint
(``data.checkpoint``), error envelopes (``meta.code``) and webhooks (``{"event", "msg"}``).
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
from carriers.parsing import malformed, obj, parse_json, text
from carriers.timeutil import Resolved, from_aware, localize, parse_iso
from parcel_watch.model import Location, Source, TrackingEvent
from parcel_watch.status import Status

SLUG = "aftership"

Mapping = tuple[Status, str | None]

# subtag → normalized status (§10.3 AfterShip).
SUBTAGS: dict[str, Mapping] = {
    "InfoReceived_001": (Status.INFO_RECEIVED, None),
    "InTransit_001": (Status.IN_TRANSIT, None),
    "InTransit_002": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "InTransit_003": (Status.IN_TRANSIT, "in_transit.arrived"),
    "InTransit_004": (Status.IN_TRANSIT, "in_transit.at_destination_country"),
    "InTransit_005": (Status.IN_TRANSIT, "in_transit.customs_released"),
    "InTransit_006": (Status.IN_TRANSIT, "in_transit.customs_processing"),
    "InTransit_007": (Status.IN_TRANSIT, "in_transit.departed"),
    "InTransit_008": (Status.IN_TRANSIT, None),
    "InTransit_009": (Status.IN_TRANSIT, "in_transit.forwarded"),
    "AvailableForPickup_001": (Status.AVAILABLE_FOR_PICKUP, None),
    "AttemptFail_001": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.recipient_unavailable"),
    "AttemptFail_002": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.business_closed"),
    "AttemptFail_003": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.other"),
    "Delivered_001": (Status.DELIVERED, None),
    "Delivered_002": (Status.DELIVERED, "delivered.pickup_point"),
    "Delivered_003": (Status.DELIVERED, "delivered.signed"),
    "Delivered_004": (Status.DELIVERED, "delivered.cod_collected"),
    "Delivered_005": (Status.DELIVERED, "delivered.neighbour"),
    "Exception_001": (Status.EXCEPTION, "exception.other"),
    "Exception_002": (Status.EXCEPTION, "exception.address_problem"),
    "Exception_003": (Status.EXCEPTION, "exception.refused"),
    "Exception_004": (Status.EXCEPTION, "exception.customs_hold"),
    "Exception_005": (Status.EXCEPTION, "exception.delayed"),
    "Exception_006": (Status.EXCEPTION, "exception.held_for_payment"),
    "Exception_007": (Status.EXCEPTION, "exception.address_problem"),
    "Exception_008": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.other"),
    "Exception_009": (Status.EXCEPTION, "exception.rejected_by_carrier"),
    "Exception_010": (Status.RETURNING, "returning.to_sender"),
    "Exception_011": (Status.RETURNED, "returned.to_sender"),
    "Exception_012": (Status.EXCEPTION, "exception.damaged"),
    "Exception_013": (Status.EXCEPTION, "exception.lost"),
    "Expired_001": (Status.EXPIRED, "expired.no_updates"),
}
# tag → status, used when no subtag is given; tags in WILDCARD_TAGS also cover all their subtags
# (§10.3 ``Pending_*``, ``OutForDelivery_*``).
TAGS: dict[str, Mapping] = {
    "Pending": (Status.PENDING, "pending.no_data"),
    "InfoReceived": (Status.INFO_RECEIVED, None),
    "InTransit": (Status.IN_TRANSIT, None),
    "OutForDelivery": (Status.OUT_FOR_DELIVERY, None),
    "AttemptFail": (Status.DELIVERY_ATTEMPTED, None),
    "Delivered": (Status.DELIVERED, None),
    "AvailableForPickup": (Status.AVAILABLE_FOR_PICKUP, None),
    "Exception": (Status.EXCEPTION, None),
    "Expired": (Status.EXPIRED, "expired.no_updates"),
}
WILDCARD_TAGS = frozenset({"Pending", "OutForDelivery"})
# meta.code → error type (401, 4003, 4004 and 429 from the doc; 4005/4012 [unverified]).
META_ERRORS: dict[int, type[CarrierError]] = {
    401: AuthError,
    4004: NotFound,
    4005: InvalidNumber,
    4012: NotFound,
    429: RateLimited,
    500: CarrierUnavailable,
    502: CarrierUnavailable,
    503: CarrierUnavailable,
}
# ISO 3166 alpha-3 → alpha-2 for the countries we meet; anything else becomes None.
ISO3: dict[str, str] = {
    "USA": "US", "CAN": "CA", "MEX": "MX", "BRA": "BR", "GBR": "GB", "IRL": "IE", "NLD": "NL", "BEL": "BE",
    "LUX": "LU", "DEU": "DE", "FRA": "FR", "ESP": "ES", "PRT": "PT", "ITA": "IT", "CHE": "CH", "AUT": "AT",
    "POL": "PL", "CZE": "CZ", "SWE": "SE", "NOR": "NO", "DNK": "DK", "FIN": "FI", "CHN": "CN", "HKG": "HK",
    "TWN": "TW", "JPN": "JP", "KOR": "KR", "SGP": "SG", "IND": "IN", "AUS": "AU", "NZL": "NZ", "TUR": "TR",
}  # fmt: skip
# AfterShip slugs whose physical carrier has a different detection corpus code.
SLUG_ALIASES: dict[str, str] = {"canada-post": "canada_post"}


def parse(raw: bytes | str) -> ParseResult:
    return parse_json(raw, SLUG, _parse)


def _malformed(message: str, number: str | None = None) -> ParseResult:
    return malformed(SLUG, message, number)


_s, _d = text, obj


def _parse(doc: Any) -> ParseResult:
    if not isinstance(doc, dict):
        return _malformed("not an AfterShip object")
    if isinstance(doc.get("event"), str):  # webhook: msg is a tracking object
        if not isinstance(doc.get("msg"), dict):
            return _malformed("webhook without msg object")
        return _trackings([doc["msg"]], Source.WEBHOOK)
    meta, data = doc.get("meta"), doc.get("data")
    code = meta.get("code") if isinstance(meta, dict) else None
    if not isinstance(code, int) or isinstance(code, bool):
        return _malformed("AfterShip envelope without meta.code")
    if code not in (200, 201):
        return ParseResult(errors=[_meta_error(code, _d(meta), _d(data))])
    if not isinstance(data, dict):
        return _malformed("AfterShip envelope without data")
    if isinstance(data.get("tracking"), dict):
        return _trackings([data["tracking"]], Source.POLL)
    if isinstance(data.get("trackings"), list):
        return _trackings(data["trackings"], Source.POLL)
    if isinstance(data.get("checkpoint"), dict):  # GET /last_checkpoint
        return _trackings([{**data, "checkpoints": [data["checkpoint"]]}], Source.POLL)
    return _malformed("data has neither tracking, trackings nor checkpoint")


def _meta_error(code: int, meta: dict[str, Any], data: dict[str, Any]) -> CarrierError:
    tracking = _d(data.get("tracking"))
    number = _s(tracking.get("tracking_number")) or _s(data.get("tracking_number"))
    message = _s(meta.get("message")) or f"AfterShip error {code}"
    kind = META_ERRORS.get(code, CarrierUnavailable if code >= 500 and code < 600 else CarrierError)
    return kind(message, carrier=SLUG, code=str(code), tracking_number=number)


def _map(tag: str | None, subtag: str | None) -> Mapping:
    if subtag is not None:
        if subtag in SUBTAGS:
            return SUBTAGS[subtag]
        prefix = subtag.split("_", 1)[0]
        return TAGS[prefix] if prefix in WILDCARD_TAGS else (Status.UNKNOWN, None)
    return TAGS.get(tag or "", (Status.UNKNOWN, None))


def _country(iso3: Any) -> str | None:
    return ISO3.get((_s(iso3) or "").upper())


def _trackings(items: list[Any], source: Source) -> ParseResult:
    result = ParseResult()
    for item in items:
        number = _s(item.get("tracking_number")) if isinstance(item, dict) else None
        if number is None:
            result.errors.append(MalformedPayload("tracking without tracking_number", carrier=SLUG))
            continue
        assert isinstance(item, dict)
        slug = _s(item.get("slug")) or SLUG
        status, substatus = _map(_s(item.get("tag")), _s(item.get("subtag")))
        eta = _date(item.get("expected_delivery"), _country(item.get("destination_country_iso3")))
        if eta is None and _s(item.get("expected_delivery")) is not None:
            result.errors.append(
                MalformedPayload("expected_delivery: invalid date", carrier=SLUG, tracking_number=number)
            )
        events: list[TrackingEvent] = []
        checkpoints = item.get("checkpoints")
        for raw in checkpoints if isinstance(checkpoints, list) else []:
            event = _event(raw, number, source, result.errors)
            if event is not None:
                events.append(event)
        events.sort(key=lambda e: e.occurred_at)
        shipment = ParsedShipment(number, SLUG_ALIASES.get(slug, slug), status, substatus, eta, events)
        result.shipments.append(shipment)
    return result


def _date(value: Any, country: str | None, region: str | None = None) -> datetime | None:
    resolved = _resolve(value, country, region)
    return resolved.utc if resolved is not None else None


def _resolve(value: Any, country: str | None, region: str | None) -> Resolved | None:
    """checkpoint_time / expected_delivery: offset when present, else the location's zone."""
    text = _s(value)
    if text is None:
        return None
    try:
        when = parse_iso(text)
        return from_aware(when) if when.tzinfo is not None else localize(when, country, region)
    except (ValueError, OverflowError):
        return None


def _event(raw: Any, number: str, source: Source, errors: list[CarrierError]) -> TrackingEvent | None:
    if not isinstance(raw, dict):
        errors.append(MalformedPayload("checkpoints[]: not an object", carrier=SLUG, tracking_number=number))
        return None
    country, region = _country(raw.get("country_iso3")), _s(raw.get("state"))
    resolved = _resolve(raw.get("checkpoint_time"), country, region)
    if resolved is None:
        errors.append(
            MalformedPayload(
                f"checkpoints[].checkpoint_time: invalid date {raw.get('checkpoint_time')!r}",
                carrier=SLUG,
                tracking_number=number,
            )
        )
        return None
    subtag = _s(raw.get("subtag"))
    status, substatus = _map(_s(raw.get("tag")), subtag)
    try:
        return TrackingEvent(
            **resolved.event_time(),
            status=status,
            substatus=substatus,
            carrier_code=subtag or _s(raw.get("tag")),
            description=_s(raw.get("message")) or "",
            location=Location(
                city=_s(raw.get("city")), region=region, postal_code=_s(raw.get("zip")), country=country
            ),
            source=source,
        )
    except ValueError as exc:
        errors.append(MalformedPayload(f"checkpoints[]: {exc}", carrier=SLUG, tracking_number=number))
        return None


# -- fetch --

from collections.abc import Sequence

from carriers.fetching import CarrierClient, path_segment
from carriers.http import Response


class AftershipClient(CarrierClient):
    """AfterShip Tracking API v4, key in the ``aftership-api-key`` header, one number per
    request. A number given as ``"slug:number"`` (e.g. ``"postnl-3s:3SKAAG0000001"``) is read
    with ``GET /v4/trackings/{slug}/{number}``; a plain number with
    ``GET /v4/trackings?tracking_numbers={number}`` (a list page, which finds the tracking
    whatever its slug; an unknown number gives an empty page, hence no shipment and no error).
    The number is split on its first ``:`` only."""

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://api.aftership.com"
    max_batch = 1

    async def _send(self, batch: Sequence[str]) -> Response:
        (number,) = batch
        headers = {"aftership-api-key": self._api_key(), "Accept": "application/json"}
        slug, sep, tracking = number.partition(":")
        if sep and slug and tracking:
            path = f"/v4/trackings/{path_segment(slug)}/{path_segment(tracking)}"
            return await self.http.request("GET", self.url(path), headers=headers)
        return await self.http.request(
            "GET", self.url("/v4/trackings"), params={"tracking_numbers": number}, headers=headers
        )

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)
