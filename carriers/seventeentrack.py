"""17TRACK API v2.2 responses and webhook bodies (carrier-apis.md §6, §10.3 17TRACK).

Pure: ``parse(raw)`` turns one response or webhook body into a ``ParseResult``; it never raises.
Handles ``gettrackinfo`` (accepted + rejected), ``register``, a ``gettracklist`` page and the
``TRACKING_UPDATED`` / ``TRACKING_STOPPED`` webhooks.
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
from carriers.timeutil import Resolved, from_aware, localize, parse_iso, with_utc
from parcel_watch.model import Location, Source, TrackingEvent, TzSource
from parcel_watch.status import Status

SLUG = "17track"

Mapping = tuple[Status, str | None]

# One table for every 17TRACK status word: sub_status values, main statuses (used when no
# sub_status is given) and milestone stage keys (used for events without sub_status).
CODES: dict[str, Mapping] = {
    # main statuses
    "NotFound": (Status.PENDING, "pending.not_found"),
    "InfoReceived": (Status.INFO_RECEIVED, None),
    "InTransit": (Status.IN_TRANSIT, None),
    "Expired": (Status.EXPIRED, "expired.no_updates"),
    "AvailableForPickup": (Status.AVAILABLE_FOR_PICKUP, None),
    "OutForDelivery": (Status.OUT_FOR_DELIVERY, None),
    "DeliveryFailure": (Status.DELIVERY_ATTEMPTED, None),
    "Delivered": (Status.DELIVERED, None),
    "Exception": (Status.EXCEPTION, None),
    # sub statuses (§10.3)
    "NotFound_Other": (Status.PENDING, "pending.not_found"),
    "NotFound_InvalidCode": (Status.PENDING, "pending.invalid_number"),
    "InTransit_PickedUp": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "InTransit_Departure": (Status.IN_TRANSIT, "in_transit.departed"),
    "InTransit_Arrival": (Status.IN_TRANSIT, "in_transit.arrived"),
    "InTransit_CustomsProcessing": (Status.IN_TRANSIT, "in_transit.customs_processing"),
    "InTransit_CustomsReleased": (Status.IN_TRANSIT, "in_transit.customs_released"),
    "InTransit_CustomsRequiringInformation": (Status.EXCEPTION, "exception.customs_info_required"),
    "InTransit_Other": (Status.IN_TRANSIT, None),
    "OutForDelivery_Other": (Status.OUT_FOR_DELIVERY, None),
    "AvailableForPickup_Other": (Status.AVAILABLE_FOR_PICKUP, None),
    "DeliveryFailure_NoBody": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.recipient_unavailable"),
    "DeliveryFailure_Security": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.access_problem"),
    "DeliveryFailure_Rejected": (Status.EXCEPTION, "exception.refused"),
    "DeliveryFailure_InvalidAddress": (Status.EXCEPTION, "exception.address_problem"),
    "DeliveryFailure_Other": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.other"),
    "Delivered_Other": (Status.DELIVERED, None),
    "Exception_Returning": (Status.RETURNING, "returning.to_sender"),
    "Exception_Returned": (Status.RETURNED, "returned.to_sender"),
    "Exception_Damage": (Status.EXCEPTION, "exception.damaged"),
    "Exception_Lost": (Status.EXCEPTION, "exception.lost"),
    "Exception_Destroyed": (Status.EXCEPTION, "exception.destroyed"),
    "Exception_Rejected": (Status.EXCEPTION, "exception.refused"),
    "Exception_Delayed": (Status.EXCEPTION, "exception.delayed"),
    "Exception_NoBody": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.recipient_unavailable"),
    "Exception_Security": (Status.EXCEPTION, "exception.security"),
    "Exception_Cancel": (Status.CANCELLED, "cancelled.by_shipper"),
    "Exception_Other": (Status.EXCEPTION, "exception.other"),
    "Expired_Other": (Status.EXPIRED, "expired.no_updates"),
    # milestone stage keys not already above
    "PickedUp": (Status.IN_TRANSIT, "in_transit.picked_up"),
    "Departure": (Status.IN_TRANSIT, "in_transit.departed"),
    "Arrival": (Status.IN_TRANSIT, "in_transit.arrived"),
    "Returning": (Status.RETURNING, "returning.to_sender"),
    "Returned": (Status.RETURNED, "returned.to_sender"),
}
# Item (and envelope) error codes → error type; unlisted codes stay a plain CarrierError.
ERROR_CODES: dict[int, type[CarrierError]] = {
    -18010001: AuthError,  # IP not whitelisted
    -18010002: AuthError,  # invalid key
    -18010012: InvalidNumber,  # invalid number format
    -18010013: InvalidNumber,  # invalid carrier for the number
    -18019902: NotFound,  # not registered
    -18019903: NotFound,  # carrier not detected
    -18019907: RateLimited,  # daily limit
    -18019908: RateLimited,  # quota exhausted
    -18019909: NotFound,  # no tracking info yet
    401: AuthError,
    429: RateLimited,
    500: CarrierUnavailable,
    503: CarrierUnavailable,
}
# 17TRACK carrier keys → physical carrier slugs (detection corpus codes where one exists).
CARRIER_KEYS: dict[int, str] = {
    21051: "usps",
    100002: "ups",
    7041: "dhl",
    3011: "china-post",
    190012: "yanwen",
    2151: "correios",
}
# Carrier home zones, for event times that carry neither offset nor UTC nor a known location zone.
HOME_ZONES: dict[int, str] = {3011: "Asia/Shanghai", 190012: "Asia/Shanghai", 2151: "America/Sao_Paulo"}
_ALPHA2 = re.compile(r"[A-Za-z]{2}")


def parse(raw: bytes | str) -> ParseResult:
    return parse_json(raw, SLUG, _parse)


def _malformed(message: str, number: str | None = None) -> ParseResult:
    return malformed(SLUG, message, number)


_s, _d = text, obj


def _parse(doc: Any) -> ParseResult:
    if not isinstance(doc, dict):
        return _malformed("not a 17TRACK object")
    event = doc.get("event")
    if isinstance(event, str):
        return _webhook(event, doc.get("data"))
    code, data = doc.get("code"), doc.get("data")
    if not isinstance(code, int) or isinstance(code, bool):
        return _malformed("17TRACK envelope without an integer code")
    if code != 0:
        return ParseResult(errors=_envelope_errors(code, data))
    if not isinstance(data, dict):
        return _malformed("17TRACK envelope without data")
    accepted, rejected = data.get("accepted"), data.get("rejected", [])
    if not isinstance(accepted, list) or not isinstance(rejected, list):
        return _malformed("data.accepted/rejected are not lists")
    result = ParseResult()
    for item in accepted:
        shipment = _item(item, Source.POLL, result.errors)
        if shipment is not None:
            result.shipments.append(shipment)
    for item in rejected:
        result.errors.append(_rejected(item))
    return result


def _envelope_errors(code: int, data: Any) -> list[CarrierError]:
    details = data.get("errors") if isinstance(data, dict) else None
    listed = details if isinstance(details, list) else []
    errors = [_error(e.get("code"), e.get("message")) for e in listed if isinstance(e, dict)]
    return errors or [_error(code, None)]


def _error(code: Any, message: Any, number: str | None = None) -> CarrierError:
    number_code = code if isinstance(code, int) and not isinstance(code, bool) else None
    kind = ERROR_CODES.get(number_code, CarrierError) if number_code is not None else CarrierError
    text = _s(message) or f"17TRACK error {code}"
    return kind(text, carrier=SLUG, code=str(code) if code is not None else None, tracking_number=number)


def _rejected(item: Any) -> CarrierError:
    if not isinstance(item, dict):
        return MalformedPayload("rejected item is not an object", carrier=SLUG)
    number = _s(item.get("number"))
    error = item.get("error")
    if not isinstance(error, dict):
        return MalformedPayload("rejected item without error", carrier=SLUG, tracking_number=number)
    return _error(error.get("code"), error.get("message"), number)


def _webhook(event: str, data: Any) -> ParseResult:
    if event == "TRACKING_UPDATED":
        result = ParseResult()
        shipment = _item(data, Source.WEBHOOK, result.errors)
        if shipment is not None:
            result.shipments.append(shipment)
        return result
    if event == "TRACKING_STOPPED":
        # §10.3: keep the status, the number is no longer tracked: an update without events.
        number = _s(data.get("number")) if isinstance(data, dict) else None
        if number is None:
            return _malformed("TRACKING_STOPPED without data.number")
        assert isinstance(data, dict)
        return ParseResult(shipments=[ParsedShipment(number, _carrier(data.get("carrier")))])
    return _malformed(f"unknown 17TRACK webhook event {event!r}")


def _carrier(key: Any) -> str:
    if isinstance(key, str) and key.strip().isdigit():
        key = int(key)
    if not isinstance(key, int) or isinstance(key, bool) or key == 0:
        return SLUG
    return CARRIER_KEYS.get(key, f"17track-{key}")


def _map(code: str | None) -> Mapping:
    return CODES.get(code or "", (Status.UNKNOWN, None))


def _item(item: Any, source: Source, errors: list[CarrierError]) -> ParsedShipment | None:
    number = _s(item.get("number")) if isinstance(item, dict) else None
    if number is None:
        errors.append(MalformedPayload("accepted item without number", carrier=SLUG))
        return None
    assert isinstance(item, dict)
    shipment = ParsedShipment(number, _carrier(item.get("carrier")))
    info = item.get("track_info")
    if isinstance(info, dict):
        latest = info.get("latest_status")
        latest = latest if isinstance(latest, dict) else {}
        shipment.status, shipment.substatus = _map(_s(latest.get("sub_status")) or _s(latest.get("status")))
        shipment.estimated_delivery = _eta(info, number, errors)
        shipment.events = _events(info, number, source, errors)
    elif "package_status" in item:  # gettracklist page entry: summary only
        shipment.status, shipment.substatus = _map(_s(item.get("package_status")))
    elif "track_info" in item:
        errors.append(MalformedPayload("track_info is not an object", carrier=SLUG, tracking_number=number))
    else:  # register: accepted, nothing known yet
        shipment.status = Status.PENDING
    return shipment


def _eta(info: dict[str, Any], number: str, errors: list[CarrierError]) -> datetime | None:
    metrics = info.get("time_metrics")
    window = metrics.get("estimated_delivery_date") if isinstance(metrics, dict) else None
    if not isinstance(window, dict):
        return None
    text = _s(window.get("to")) or _s(window.get("from"))  # the latest promised instant
    if text is None:
        return None
    try:
        when = parse_iso(text)
        return from_aware(when).utc if when.tzinfo else localize(when, None).utc
    except (ValueError, OverflowError) as exc:
        errors.append(
            MalformedPayload(f"estimated_delivery_date: {exc}", carrier=SLUG, tracking_number=number)
        )
        return None


def _events(
    info: dict[str, Any], number: str, source: Source, errors: list[CarrierError]
) -> list[TrackingEvent]:
    tracking = info.get("tracking")
    providers = tracking.get("providers") if isinstance(tracking, dict) else None
    events: dict[tuple[object, ...], TrackingEvent] = {}
    for provider in providers if isinstance(providers, list) else []:
        if not isinstance(provider, dict):
            continue
        meta = provider.get("provider")
        key = meta.get("key") if isinstance(meta, dict) else None
        home = HOME_ZONES.get(key) if isinstance(key, int) else None
        raw_events = provider.get("events")
        for raw in reversed(raw_events) if isinstance(raw_events, list) else []:  # newest first → oldest
            event = _event(raw, number, home, source, errors)
            if event is not None:  # legs overlap: same instant, code, text and place is one event
                dedup = (event.occurred_at, event.carrier_code, event.description, event.location)
                events.setdefault(dedup, event)
    return sorted(events.values(), key=lambda e: e.occurred_at)


def _event(
    raw: Any, number: str, home: str | None, source: Source, errors: list[CarrierError]
) -> TrackingEvent | None:
    if not isinstance(raw, dict):
        errors.append(MalformedPayload("events[]: not an object", carrier=SLUG, tracking_number=number))
        return None
    address = _d(raw.get("address"))
    country = _s(address.get("country"))
    country = country.upper() if country and _ALPHA2.fullmatch(country) else None
    region = _s(address.get("state"))
    try:
        resolved = _when(raw, country, region, home)
    except (ValueError, TypeError, OverflowError) as exc:
        errors.append(MalformedPayload(f"events[].time: {exc}", carrier=SLUG, tracking_number=number))
        return None
    code = _s(raw.get("sub_status")) or _s(raw.get("stage"))
    status, substatus = _map(code)
    try:
        return TrackingEvent(
            occurred_at=resolved.utc,
            local_time=resolved.local,
            utc_offset_minutes=resolved.offset_minutes,
            tz_source=resolved.source,
            status=status,
            substatus=substatus,
            carrier_code=code,
            description=_s(raw.get("description")) or "",
            location=Location(
                city=_s(address.get("city")),
                region=region,
                postal_code=_s(address.get("postal_code")),
                country=country,
            ),
            source=source,
        )
    except ValueError as exc:
        errors.append(MalformedPayload(f"events[]: {exc}", carrier=SLUG, tracking_number=number))
        return None


def _when(raw: dict[str, Any], country: str | None, region: str | None, home: str | None) -> Resolved:
    """time_iso (local + offset) > time_utc (+ time_raw wall clock) > time_raw localized."""
    iso, utc = _s(raw.get("time_iso")), _s(raw.get("time_utc"))
    if iso is not None:
        value = parse_iso(iso)
        if value.tzinfo is None:
            raise ValueError(f"time_iso without offset: {iso!r}")
        return from_aware(value)
    time_raw = _d(raw.get("time_raw"))
    raw_date, raw_time = _s(time_raw.get("date")), _s(time_raw.get("time"))
    local = parse_iso(f"{raw_date}T{raw_time}") if raw_date and raw_time else None
    if utc is not None:
        instant = parse_iso(utc)
        instant = instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
        if local is None:
            return Resolved(instant, instant.replace(tzinfo=None), None, TzSource.CARRIER_UTC_FIELD)
        resolved = with_utc(local, instant)
        offset = round((resolved.offset_minutes or 0) / 15) * 15  # zones are whole quarter hours
        return Resolved(resolved.utc, resolved.local, offset, resolved.source)
    if local is None:
        raise ValueError("time_iso and time_utc are null and time_raw has no date and time")
    zone = _s(time_raw.get("timezone"))
    if zone is not None:
        return from_aware(parse_iso(f"{raw_date}T{raw_time}{zone}"))
    return localize(local, country, region, home_zone=home)


# -- fetch --

from collections.abc import Sequence

from carriers.base import Fetched
from carriers.fetching import CarrierClient, fetch_in_batches
from carriers.http import Response


class SeventeenTrackClient(CarrierClient):
    """17TRACK API v2.2: every call is a ``POST`` of a JSON array (≤ 40 items) with the key in
    the ``17token`` header. ``fetch`` reads ``/gettrackinfo``; numbers must first be
    registered (``register``, 1 quota credit each)."""

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://api.17track.net"
    max_batch = 40

    async def register(self, numbers: Sequence[str]) -> list[Fetched]:
        """``POST /track/v2.2/register`` in batches; accepted/rejected items parse like fetch's."""
        return await fetch_in_batches(
            numbers, self.max_batch, lambda batch: self._post("/track/v2.2/register", batch), self._parse
        )

    async def _send(self, batch: Sequence[str]) -> Response:
        return await self._post("/track/v2.2/gettrackinfo", batch)

    async def _post(self, path: str, batch: Sequence[str]) -> Response:
        return await self.http.request(
            "POST", self.url(path), json=[{"number": n} for n in batch], headers={"17token": self._api_key()}
        )

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)
