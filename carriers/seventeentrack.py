"""17TRACK API v2.2 responses and webhook bodies (carrier-apis.md §6, §10.3 17TRACK).

Pure: ``parse(raw)`` turns one response or webhook body into a ``ParseResult``; it never raises.
Handles ``gettrackinfo`` (accepted + rejected), ``register``, a ``gettracklist`` page and the
``TRACKING_UPDATED`` / ``TRACKING_STOPPED`` webhooks. A postal item's providers (origin post,
then destination post) are merged into one timeline. ``SeventeenTrackClient`` fetches, and
registers the numbers 17TRACK does not track yet.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from carriers.base import Fetched, ParsedShipment, ParseResult
from carriers.credentials import Credentials
from carriers.errors import AuthError, CarrierError, InvalidNumber, MalformedPayload, RateLimited
from carriers.fetching import CarrierClient, batches, fetch_in_batches, per_number
from carriers.http import CarrierHttp, Response
from carriers.parsing import malformed, obj, parse_json, text
from carriers.seventeentrack_codes import (
    ALREADY_REGISTERED,
    CARRIER_KEYS,
    CODES,
    ERROR_CODES,
    HOME_ZONES,
    NOT_REGISTERED,
    Outcome,
)
from carriers.timeutil import Resolved, from_aware, localize, parse_iso, with_utc
from parcel_watch.model import Location, Source, TrackingEvent, TzSource
from parcel_watch.status import Status

SLUG = "17track"

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
    # ASCII digits only, few of them: int() refuses "²" (a digit to isdigit) and 4,300+ digits
    if isinstance(key, str) and key.strip().isascii() and key.strip().isdigit() and len(key) <= 9:
        key = int(key)
    if not isinstance(key, int) or isinstance(key, bool) or key == 0:
        return SLUG
    return CARRIER_KEYS.get(key, f"17track-{key}")


def _map(code: str | None) -> Outcome:
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
        shipment.estimated_delivery = _eta(info, number, errors)
        shipment.events = _events(info, number, source, errors)
        # The newest scan of either leg decides (an unreadable one does not hide a known state);
        # latest_status speaks only when no scan could be read.
        newest = next((e for e in reversed(shipment.events) if e.status is not Status.UNKNOWN), None)
        shipment.status, shipment.substatus = (
            (newest.status, newest.substatus)
            if newest is not None
            else _map(_s(latest.get("sub_status")) or _s(latest.get("status")))
        )
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
    """Every provider's events (origin post first, then the destination post) in one timeline,
    oldest first; a scan both legs report is kept once, as the first provider gave it."""
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
            if event is not None:
                events.setdefault(_same_scan(event), event)
    return sorted(events.values(), key=lambda e: (e.occurred_at, _RANK[e.status]))


def _same_scan(event: TrackingEvent) -> tuple[object, ...]:
    """What makes two reports one scan: the store's dedupe grain (UTC minute, place without
    region), but the normalized status instead of the text, which each post words its own way.
    An unreadable scan has no status to compare: its raw code, else its text, tells it apart."""
    loc = event.location
    what: object = (event.status, event.substatus)
    if event.status is Status.UNKNOWN:
        what = event.carrier_code or _fold(event.description)
    place = (loc.country, _fold(loc.city), _fold(loc.postal_code))
    return (int(event.occurred_at.timestamp()) // 60, what, place)


def _fold(value: str | None) -> str:
    return " ".join(value.split()).casefold() if value else ""


_RANK = {status: rank for rank, status in enumerate(Status)}  # same instant: the later stage last


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
            **resolved.event_time(),
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

REGISTER, GETTRACKINFO = "/track/v2.2/register", "/track/v2.2/gettrackinfo"
Call = Callable[[Sequence[str]], Awaitable[list[Fetched]]]


class SeventeenTrackClient(CarrierClient):
    """17TRACK API v2.2: every call is a ``POST`` of a JSON array (≤ 40 items) with the key in
    the ``17token`` header. ``fetch`` reads ``/gettrackinfo`` and registers the numbers 17TRACK
    does not track yet (``register``, 1 quota credit each).

    ``registered``: numbers this client knows 17TRACK tracks; ``refused``: numbers register
    refused as invalid, with the refusal. Neither is sent to ``register`` again (in memory, per
    client): quota is spent once per number, and a bad number costs no request per poll.
    """

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://api.17track.net"
    max_batch = 40

    def __init__(self, http: CarrierHttp, credentials: Credentials, *, base_url: str | None = None) -> None:
        super().__init__(http, credentials, base_url=base_url)
        self.registered: set[str] = set()
        self.refused: dict[str, CarrierError] = {}

    async def register(self, numbers: Sequence[str]) -> list[Fetched]:
        """``POST /track/v2.2/register`` in batches; accepted/rejected items parse like fetch's.
        Accepted numbers and "already registered" refusals are remembered as registered."""
        answers = await fetch_in_batches(
            numbers, self.max_batch, lambda batch: self._post(REGISTER, batch), self._parse
        )
        asked = set(numbers)
        for answer in answers:
            self.registered.update(
                s.tracking_number for s in answer.result.shipments if s.tracking_number in asked
            )
            for error in answer.result.errors:
                number = error.tracking_number
                if number not in asked or number is None:
                    continue
                if error.code == ALREADY_REGISTERED:
                    self.registered.add(number)
                elif isinstance(error, InvalidNumber):
                    self.refused[number] = error
        return answers

    async def fetch(self, numbers: Sequence[str], known: Mapping[str, int] | None = None) -> list[Fetched]:
        """``gettrackinfo`` for ``numbers`` (``known`` is unused: 17TRACK gives no fingerprints).

        A number rejected as not registered (-18019902) is registered and asked again in this
        call: the new answer replaces the rejection, or register's refusal does (a per-number
        error). Numbers already registered or refused are not sent to register again. The
        partial-failure rule of ``carriers.fetching`` holds: auth and rate-limit failures raise,
        other failures of the extra calls become errors of the numbers they were for.
        """
        answers = await self._gettrackinfo(numbers)
        asked = set(numbers)
        rejected = dict.fromkeys(
            e.tracking_number
            for a in answers
            for e in a.result.errors
            if e.code == NOT_REGISTERED and e.tracking_number in asked
        )
        fresh = [n for n in rejected if n is not None and n not in self.registered and n not in self.refused]
        instead = await self._register_refusals(fresh) if fresh else {}
        again = [n for n in fresh if n in self.registered]
        instead.update((n, []) for n in again)
        instead.update(
            (n, per_number(self.refused[n], [n])) for n in rejected if n in self.refused and n not in fresh
        )
        refetched = await _kept(self._gettrackinfo, again) if again else []
        return [_instead(a, instead) for a in answers] + refetched

    async def _register_refusals(self, numbers: Sequence[str]) -> dict[str, list[CarrierError]]:
        """Register ``numbers``; the errors of each one left unregistered, by number."""
        answers = await _kept(self.register, numbers)
        refusals: dict[str, list[CarrierError]] = {}
        for error in (e for a in answers for e in a.result.errors if e.tracking_number is not None):
            refusals.setdefault(str(error.tracking_number), []).append(error)
        # A request-level error (a bad envelope, quota) refuses every number of its batch.
        for answer, chunk in zip(answers, batches(numbers, self.max_batch), strict=False):
            general = [e for e in answer.result.errors if e.tracking_number is None]
            for n in chunk:
                refusals.setdefault(n, [copy for e in general for copy in per_number(e, [n])])
        return {n: errors for n, errors in refusals.items() if errors and n not in self.registered}

    async def _gettrackinfo(self, numbers: Sequence[str]) -> list[Fetched]:
        return await fetch_in_batches(numbers, self.max_batch, self._send, self._parse)

    async def _send(self, batch: Sequence[str]) -> Response:
        return await self._post(GETTRACKINFO, batch)

    async def _post(self, path: str, batch: Sequence[str]) -> Response:
        return await self.http.request(
            "POST", self.url(path), json=[{"number": n} for n in batch], headers={"17token": self._api_key()}
        )

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)


async def _kept(call: Call, numbers: Sequence[str]) -> list[Fetched]:
    """``call(numbers)`` made after answers are in hand: a failure that is not auth or rate
    limit becomes one error per number instead of dropping those answers."""
    try:
        return await call(numbers)
    except (AuthError, RateLimited):
        raise
    except CarrierError as exc:
        return [Fetched(raw=b"", content_type="", result=ParseResult(errors=per_number(exc, numbers)))]


def _instead(answer: Fetched, instead: Mapping[str, list[CarrierError]]) -> Fetched:
    """``answer`` with each not-registered rejection of a number in ``instead`` replaced."""
    errors = answer.result.errors
    if not any(e.code == NOT_REGISTERED and e.tracking_number in instead for e in errors):
        return answer
    kept: list[CarrierError] = []
    for error in errors:
        number = error.tracking_number
        replaced = error.code == NOT_REGISTERED and number is not None and number in instead
        kept += instead[number] if replaced and number is not None else [error]
    return Fetched(
        answer.raw, answer.content_type, ParseResult(shipments=answer.result.shipments, errors=kept)
    )
