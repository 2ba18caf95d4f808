"""Canada Post Tracking (VIS, REST + XML): a pure parser of its response bodies (carrier-apis.md §9,
§10.3 "Optional carriers").

Shapes: ``<tracking-detail>`` (``GET /vis/track/pin/{pin}/detail``, HTTP 200) and ``<messages>``
(errors: ``004`` "No Pin History" with HTTP 404, ``E002`` authentication). Either may sit one level
down (karrio's recorded samples wrap them in ``<wrapper>``). The not-found message does not name
the PIN: ``parse(raw, tracking_number)`` attributes it to the number asked for.

Time stamps: ``event-date`` + ``event-time`` are local, without offset; ``event-time-zone`` is an
abbreviation at best (``EST``), a place name or empty at worst. Resolved with the zone of
``event-province``, else a North American abbreviation's fixed offset, else Canada Post's home
zone (recorded as assumed). ``carrier_code`` is ``event-identifier`` verbatim (``0174``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from carriers.base import ParsedShipment, ParseResult
from carriers.errors import AuthError, CarrierError, MalformedPayload, NotFound
from carriers.parsing import malformed, malformed_error
from carriers.timeutil import Resolved, from_aware, localize
from carriers.xmlapi import Element, XmlError, read_xml, text
from parcel_watch.model import Location, Source, TrackingEvent, TzSource
from parcel_watch.status import Status, supersedes

SLUG = "canadapost"
CARRIER = "canada_post"  # the detection corpus' courier code, which shipments are stored under
HOME_ZONE = "America/Toronto"

Outcome = tuple[Status, str | None]


def _table(groups: Mapping[Outcome, tuple[str, ...]]) -> dict[str, Outcome]:
    """Invert outcome -> codes into code -> outcome, refusing (at import) a code listed twice."""
    table: dict[str, Outcome] = {}
    for outcome, codes in groups.items():
        for code in codes:
            if code in table:
                raise ValueError(f"Canada Post event {code} is mapped twice")
            table[code] = outcome
    return table


def _span(first: int, last: int) -> tuple[str, ...]:
    return tuple(str(code) for code in range(first, last + 1))


# event-identifier (leading zeros dropped: the API prints "0174" and "20") -> outcome. Delivered and
# picked-up sets are §10.3's; the others are karrio's Canada Post units [secondary]. Unlisted codes
# (e.g. 20 "Signature image recorded", informational) are UNKNOWN, never guessed.
EVENT_CODES: dict[str, Outcome] = _table(
    {
        (Status.DELIVERED, None): ("1408", "1409", *_span(1421, 1434), "1441", "1442", *_span(1496, 1499)),
        (Status.IN_TRANSIT, "in_transit.picked_up"): (*_span(100, 107), *_span(1400, 1405)),
        (Status.OUT_FOR_DELIVERY, None): ("174", "500"),
        # 159-163 weather; 172/173 "addressing error found; attempting to correct. Possible delay"
        (Status.IN_TRANSIT, "in_transit.delayed"): (*_span(159, 163), "172", "173", "2412"),
        (Status.AVAILABLE_FOR_PICKUP, None): (
            *("118", "156", "1407", "1410", *_span(1435, 1438)),
            *("1479", "1488", "1701", "2410"),
        ),
        (Status.DELIVERY_ATTEMPTED, "delivery_attempted.other"): (
            *("150", "154", *_span(167, 169), "179", *_span(181, 184), "190", "1100", *_span(1415, 1420)),
            *("1450", *_span(1481, 1483), *_span(1491, 1493), "2600", "2802", "3001", "4650"),
        ),
        # held: customs documents or duties, and holds karrio does not explain
        (Status.EXCEPTION, "exception.other"): (
            *("117", "120", "121", "125", "127", "810", "1411", "1414", "1443"),
            *("1484", "1487", "1494", "2411", "2414", "4700"),
        ),
    }
)
# messages/message/code -> error type; other codes are plain CarrierErrors.
ERROR_CODES: dict[str, type[CarrierError]] = {
    "004": NotFound,  # "No Pin History"
    "E002": AuthError,  # "AAA Authentication Failure"
}
# Province/territory -> its dominant zone (multi-zone ones by population, as timeutil does for US states).
PROVINCE_ZONES = {
    "NL": "America/St_Johns",
    "NS": "America/Halifax",
    "PE": "America/Halifax",
    "NB": "America/Moncton",
    "QC": "America/Toronto",
    "ON": "America/Toronto",
    "MB": "America/Winnipeg",
    "SK": "America/Regina",
    "AB": "America/Edmonton",
    "BC": "America/Vancouver",
    "YT": "America/Whitehorse",
    "NT": "America/Yellowknife",
    "NU": "America/Iqaluit",
}
# North American zone abbreviations -> UTC offset in minutes (an abbreviation names its DST state).
ZONE_ABBREVIATIONS = {
    "NST": -210,
    "NDT": -150,
    "AST": -240,
    "ADT": -180,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
}
# First letter of a postal code -> province (X is split between NT and NU: left to the home zone).
POSTAL_PROVINCES = {"A": "NL", "B": "NS", "C": "PE", "E": "NB", "R": "MB", "S": "SK", "T": "AB", "V": "BC"}
POSTAL_PROVINCES |= dict.fromkeys("GHJ", "QC") | dict.fromkeys("KLMNP", "ON") | {"Y": "YT"}


def map_status(code: str | None, signatory: str | None = None) -> Outcome:
    """``event-identifier`` -> normalized status; a delivery with a signatory is ``delivered.signed``."""
    key = (code or "").strip()
    # "0174" is code 174; a run of digits too long to be a code is read as is (int() refuses
    # over 4,300 digits, which failed the whole answer).
    key = str(int(key)) if key.isdecimal() and len(key) <= 9 else key
    outcome = EVENT_CODES.get(key, (Status.UNKNOWN, None))
    return (Status.DELIVERED, "delivered.signed") if outcome[0] is Status.DELIVERED and signatory else outcome


def parse(raw: bytes | str, tracking_number: str | None = None) -> ParseResult:
    """Parse one Canada Post tracking body; never raises. ``tracking_number``: the PIN asked for,
    given to errors that do not name one."""
    try:
        root = read_xml(raw)
    except XmlError as exc:
        return malformed(SLUG, str(exc), tracking_number)
    try:
        return _document(root, tracking_number)
    except Exception as exc:  # noqa: BLE001 - a parser reports, it never raises
        return malformed(SLUG, f"unexpected payload shape ({type(exc).__name__})", tracking_number)


def _document(root: Element, number: str | None) -> ParseResult:
    top = next((e for e in (root, *root) if e.tag in ("tracking-detail", "messages")), None)
    if top is None:
        return malformed(SLUG, f"not a Canada Post tracking answer (root <{root.tag}>)", number)
    result = ParseResult()
    if top.tag == "messages":
        for message in top.findall("message"):
            code = text(message, "code")
            kind = ERROR_CODES.get(code or "", CarrierError)
            message_text = text(message, "description") or "Canada Post error"
            result.errors.append(kind(message_text, carrier=SLUG, code=code, tracking_number=number))
        if not result.errors:
            result.errors.append(_malformed("messages without a message", number))
        return result
    pin = text(top, "pin") or number
    if pin is None:
        return malformed(SLUG, "tracking-detail without pin")
    events = []
    for index, occurrence in enumerate(top.findall("significant-events/occurrence")):
        event = _event(occurrence, f"significant-events/occurrence[{index}]", pin, result.errors)
        if event is not None:
            events.append(event)
    events.reverse()  # newest first on the wire; the stable sort keeps ties in carrier order
    events.sort(key=lambda e: e.occurred_at)
    shipment = ParsedShipment(tracking_number=pin, carrier=CARRIER, events=events)
    outcome: Outcome | None = None
    for event in events:  # newest interpretable event; terminal states stay unless re-opened (§10.2)
        if event.status is not Status.UNKNOWN and supersedes(outcome[0] if outcome else None, event.status):
            outcome = event.status, event.substatus
    shipment.status, shipment.substatus = outcome or (Status.UNKNOWN, None)
    shipment.estimated_delivery = _eta(top, pin, result.errors)
    result.shipments.append(shipment)
    return result


def _malformed(message: str, number: str | None) -> MalformedPayload:
    return malformed_error(SLUG, message, number)


def _local(date: str | None, time: str | None) -> datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(f"{date} {time}", fmt)
        except ValueError:
            continue
    return None


def _resolve(local: datetime, province: str | None, label: str | None) -> Resolved:
    zone = PROVINCE_ZONES.get(province or "")
    if zone is not None:
        return from_aware(local.replace(tzinfo=ZoneInfo(zone)), TzSource.INFERRED_FROM_LOCATION)
    offset = ZONE_ABBREVIATIONS.get((label or "").upper())
    if offset is not None:  # the carrier's own statement of the offset
        return from_aware(local.replace(tzinfo=timezone(timedelta(minutes=offset))))
    return localize(local, None, home_zone=HOME_ZONE)


def _event(occurrence: Element, path: str, number: str, errors: list[CarrierError]) -> TrackingEvent | None:
    date, time = text(occurrence, "event-date"), text(occurrence, "event-time")
    local = _local(date, time)
    if local is None:
        errors.append(_malformed(f"{path}: invalid date {date!r} {time!r}", number))
        return None
    province = (text(occurrence, "event-province") or "").upper() or None
    code = text(occurrence, "event-identifier")
    status, substatus = map_status(code, text(occurrence, "signatory-name"))
    location = Location(
        city=text(occurrence, "event-site"),
        region=province,
        country="CA" if province in PROVINCE_ZONES else None,
    )
    try:
        resolved = _resolve(local, province, text(occurrence, "event-time-zone"))
        return TrackingEvent(
            **resolved.event_time(),
            status=status,
            substatus=substatus,
            carrier_code=code,
            description=text(occurrence, "event-description") or "",
            location=location,
            source=Source.POLL,
        )
    except (ValueError, OverflowError, ValidationError):
        errors.append(_malformed(f"{path}: event out of range (date or offset)", number))
        return None


def _eta(detail: Element, number: str, errors: list[CarrierError]) -> datetime | None:
    """A changed expected date over the original one, by the end of that day at the destination."""
    field = "changed-expected-date" if text(detail, "changed-expected-date") else "expected-delivery-date"
    day = text(detail, field)
    if day is None:
        return None
    try:
        local = datetime.strptime(day, "%Y-%m-%d").replace(hour=23, minute=59, second=59)
        postal = text(detail, "destination-postal-id") or ""
        return _resolve(local, POSTAL_PROVINCES.get(postal[:1].upper()), None).utc
    except (ValueError, OverflowError):
        errors.append(_malformed(f"{field}: invalid date {day[:40]!r}", number))
        return None


# -- fetch --

import base64
from collections.abc import Sequence

from carriers.base import Fetched
from carriers.fetching import CarrierClient, path_segment
from carriers.http import Response
from carriers.xmlapi import fetch_each

ACCEPT = "application/vnd.cpc.track-v2+xml"  # "*/*" is refused by the API


class CanadaPostClient(CarrierClient):
    """Canada Post Get Tracking Details: ``GET /vis/track/pin/{pin}/detail``, one PIN per request,
    HTTP Basic with the API key's ``user:password`` pair (``PARCEL_WATCH_CANADAPOST_API_KEY``)."""

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://soa-gw.canadapost.ca"
    max_batch = 1

    async def fetch(self, numbers: Sequence[str], known: Mapping[str, int] | None = None) -> list[Fetched]:
        # "No Pin History" does not name the PIN: each answer is read with the PIN it answers.
        # (No fingerprints: ``known`` is ignored and every answer is parsed.)
        return await fetch_each(numbers, self._send, parse)

    async def _send(self, batch: Sequence[str]) -> Response:
        (pin,) = batch
        return await self.http.request(
            "GET",
            self.url(f"/vis/track/pin/{path_segment(pin)}/detail"),
            headers={"Accept": ACCEPT, "Accept-language": "en-CA", "Authorization": self._basic()},
        )

    def _basic(self) -> str:
        user, colon, password = self._api_key().partition(":")
        if not (user and colon and password):
            raise AuthError(f"{SLUG}: the API key must be user:password", carrier=SLUG)
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)
