"""DPD ParcelLifeCycleService 2.0 (SOAP): a pure parser of its answers (carrier-apis.md §9).

Shapes: ``getTrackingDataResponse/trackingresult`` with ``statusInfo`` blocks (HTTP 200) and SOAP
faults (HTTP 500: ``authenticationFault{errorCode, errorMessage}`` or ``faults{faultCode, message}``);
the LoginService's ``getAuthResponse`` is read by :func:`read_login`. A tracking answer does not
name its parcel: ``parse(raw, tracking_number)`` takes the number asked for (without it the
shipment's number is empty, and the store refuses it). A result without any reached status is
not found [unverified: DPD documents no not-found answer].

Time stamps: ``date`` is local wall time without offset (``8/17/2021 7:11:26 PM`` with
``messageLanguage`` en_US), resolved with the country in ``location`` (``Puurs (BE)``), else DPD's
home zone. ``carrier_code`` is ``statusInfo/status`` verbatim; blocks not yet reached are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError

from carriers.base import ParsedShipment, ParseResult
from carriers.errors import AuthError, CarrierError, MalformedPayload, NotFound
from carriers.parsing import malformed, malformed_error
from carriers.timeutil import localize, parse_iso
from carriers.xmlapi import Element, XmlError, read_xml, text
from parcel_watch.model import Location, Source, TrackingEvent
from parcel_watch.status import Status, supersedes

SLUG = "dpd"
HOME_ZONE = "Europe/Brussels"  # DPD Belux runs the web services of DEFAULT_BASE_URL

Outcome = tuple[Status, str | None]

# statusInfo/status -> outcome. [fixture]: seen in dpd/parcel_lifecycle_soap.xml with its labels;
# [secondary]: DPD NL's event list (viya.me DPD NL tracking docs); karrio maps "Delivered".
STATUSES: dict[str, Outcome] = {
    "PickedUp": (Status.IN_TRANSIT, "in_transit.picked_up"),  # "Parcel handed to DPD" [fixture]
    "BetweenDepots": (Status.IN_TRANSIT, None),  # "at the parcel dispatch centre" [fixture]
    "Depot": (Status.IN_TRANSIT, "in_transit.arrived"),  # "At parcel delivery centre." [fixture]
    "Customs": (Status.IN_TRANSIT, "in_transit.customs_processing"),  # cross-border check [secondary]
    "Consolidation": (Status.IN_TRANSIT, None),  # consolidated for a new delivery [secondary]
    "Warehouse": (Status.EXCEPTION, "exception.held_at_location"),  # held for rerouting [secondary]
    "Courier": (Status.OUT_FOR_DELIVERY, None),  # "left the parcel delivery centre" [fixture]
    "DeliveryFailure": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.other"),  # [fixture]
    # "After an unsuccessful delivery attempt the parcel is back at the recipient depot." [fixture]
    "ReturningFromDelivery": (Status.DELIVERY_ATTEMPTED, "delivery_attempted.other"),
    "ParcelShop": (Status.AVAILABLE_FOR_PICKUP, None),  # "Delivered by driver to Pickup parcelshop"
    "Delivered": (Status.DELIVERED, None),
}
# Fault codes -> error type; an authenticationFault with another code is an AuthError too.
FAULT_CODES: dict[str, type[CarrierError]] = {
    "DELICOM_ERR_AUTHENTICATION": AuthError,  # wrong delisId/password, or a malformed token
    "ERR_DELICOM_TOKEN_EXPIRED": AuthError,  # older than 24 h: log in again
    "ERR_DELICOM_TOKEN_INCORRECT": AuthError,  # not a token of this account
}
DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M")
_PLACE = re.compile(r"(.*?)\s*\(([A-Za-z]{2})\)")  # "Puurs (BE)"


def map_status(status: str | None) -> Outcome:
    """``statusInfo/status`` -> normalized status; unknown values give UNKNOWN."""
    return STATUSES.get(status or "", (Status.UNKNOWN, None))


def parse(raw: bytes | str, tracking_number: str | None = None) -> ParseResult:
    """Parse one ParcelLifeCycleService answer; never raises. ``tracking_number``: the parcel
    asked for (the answer does not name it)."""
    try:
        root = read_xml(raw)
    except XmlError as exc:
        return malformed(SLUG, str(exc), tracking_number)
    try:
        return _document(root, tracking_number)
    except Exception as exc:  # noqa: BLE001 - a parser reports, it never raises
        return malformed(SLUG, f"unexpected payload shape ({type(exc).__name__})", tracking_number)


def fault(root: Element, number: str | None = None) -> CarrierError | None:
    """The SOAP fault of an envelope as a typed error, or None when it holds none."""
    found = root.find("Body/Fault")
    if found is None:
        return None
    holder = found.find("detail")
    detail = next(iter(holder), None) if holder is not None else None
    code = text(detail, "errorCode") or text(detail, "faultCode") or text(found, "faultcode")
    message = text(detail, "errorMessage") or text(detail, "message") or text(found, "faultstring")
    kind = FAULT_CODES.get(code or "")
    if kind is None:
        kind = AuthError if detail is not None and detail.tag == "authenticationFault" else CarrierError
    return kind(message or "DPD fault", carrier=SLUG, code=code, tracking_number=number)


def _document(root: Element, number: str | None) -> ParseResult:
    error = fault(root, number)
    if error is not None:
        return ParseResult(errors=[error])
    found = root.find("Body/getTrackingDataResponse/trackingresult")
    if found is None:
        return malformed(SLUG, f"not a DPD tracking answer (root <{root.tag}>)", number)
    result = ParseResult()
    events = []
    for index, info in enumerate(found.findall("statusInfo")):
        if text(info, "statusHasBeenReached") != "true":  # a lifecycle step still to come
            continue
        event = _event(info, f"trackingresult/statusInfo[{index}]", number, result.errors)
        if event is not None:
            events.append(event)
    if not events:  # nothing reached (not found), or nothing readable (the errors say why)
        if not result.errors:
            result.errors.append(
                NotFound("DPD has no scan of this parcel", carrier=SLUG, tracking_number=number)
            )
        return result
    events.sort(key=lambda e: e.occurred_at)  # oldest first on the wire already; stable for ties
    shipment = ParsedShipment(tracking_number=number or "", carrier=SLUG, events=events)
    outcome: Outcome | None = None
    for event in events:  # newest interpretable event; terminal states stay unless re-opened (§10.2)
        if event.status is not Status.UNKNOWN and supersedes(outcome[0] if outcome else None, event.status):
            outcome = event.status, event.substatus
    shipment.status, shipment.substatus = outcome or (Status.UNKNOWN, None)
    result.shipments.append(shipment)
    return result


def _malformed(message: str, number: str | None) -> MalformedPayload:
    return malformed_error(SLUG, message, number)


def _local(value: str | None) -> datetime | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value or "", fmt)
        except ValueError:
            continue
    return None


def _location(value: str | None) -> Location:
    match = _PLACE.fullmatch(value or "")
    if match is None:
        return Location(city=value)
    return Location(city=match[1] or None, country=match[2].upper())


def _event(info: Element, path: str, number: str | None, errors: list[CarrierError]) -> TrackingEvent | None:
    stamp = text(info, "date/content")
    local = _local(stamp)
    if local is None:
        errors.append(_malformed(f"{path}/date: invalid date {stamp!r}", number))
        return None
    location = _location(text(info, "location/content"))
    lines = [t for line in info.findall("description/content") if (t := text(line, "content"))]
    code = text(info, "status")
    status, substatus = map_status(code)
    try:
        resolved = localize(local, location.country, home_zone=HOME_ZONE)
        return TrackingEvent(
            **resolved.event_time(),
            status=status,
            substatus=substatus,
            carrier_code=code,
            description=" ".join(lines) or text(info, "label/content") or "",
            location=location,
            source=Source.POLL,
        )
    except (ValueError, OverflowError, ValidationError):
        errors.append(_malformed(f"{path}: event out of range (date or offset)", number))
        return None


@dataclass(frozen=True)
class Login:
    """A LoginService answer: the token and when it expires (UTC; None when not said)."""

    token: str
    expires: datetime | None


def read_login(raw: bytes) -> Login | CarrierError:
    """``getAuthResponse/return`` -> Login; a fault or anything else -> a typed error."""
    try:
        root = read_xml(raw)
    except XmlError as exc:
        return _malformed(f"login answer: {exc}", None)
    error = fault(root)
    if error is not None:
        return error
    token = text(root, "Body/getAuthResponse/return/authToken")
    if token is None:
        return _malformed("login answer without authToken", None)
    try:  # "2021-03-09T12:40:08.9333333", UTC without offset
        expires = parse_iso(text(root, "Body/getAuthResponse/return/authTokenExpires") or "")
    except ValueError:
        return Login(token, None)
    return Login(token, expires.replace(tzinfo=UTC) if expires.tzinfo is None else expires.astimezone(UTC))


# -- fetch --

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from xml.sax.saxutils import escape

from carriers.base import Fetched
from carriers.credentials import Credentials
from carriers.errors import CarrierUnavailable
from carriers.fetching import CarrierClient
from carriers.http import CarrierHttp, Response
from carriers.xmlapi import fetch_each

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
LOGIN_NS = "http://dpd.com/common/service/types/LoginService/2.1"
AUTH_NS = "http://dpd.com/common/service/types/Authentication/2.0"
PLC_NS = "http://dpd.com/common/service/types/ParcelLifeCycleService/2.0"
TOKEN_LIFETIME_S = 24 * 3600.0  # the documented lifetime, when the answer states no expiry
# DPD answers a login with the *same* token until it expires: a token our clock already thinks
# stale is still used this long (until refused) instead of logging in on every request.
MIN_TOKEN_LIFETIME_S = 300.0


class DpdClient(CarrierClient):
    """DPD Shipper web services (SOAP 1.1). ``getAuth`` at ``/soap/services/LoginService/V2_1``
    with delisId + password (``PARCEL_WATCH_DPD_CLIENT_ID`` / ``…_CLIENT_SECRET``) gives a token
    for 24 h; DPD allows ~10 logins a day, so it is kept until it expires or is refused (then
    fetched again, once). ``getTrackingData`` at ``/soap/services/ParcelLifeCycleService/V2_0``
    carries it in the ``authentication`` header, one parcel per request (no bulk use allowed)."""

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://wsshipper.dpd.be"
    LOGIN_PATH = "/soap/services/LoginService/V2_1"
    TRACKING_PATH = "/soap/services/ParcelLifeCycleService/V2_0"
    LANGUAGE = "en_US"  # dates then come in the first of DATE_FORMATS
    max_batch = 1

    def __init__(
        self,
        http: CarrierHttp,
        credentials: Credentials,
        *,
        base_url: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(http, credentials, base_url=base_url)
        if credentials.client_id is None or credentials.client_secret is None:
            raise AuthError(f"{SLUG}: no delisId / password (client id / secret) configured", carrier=SLUG)
        self.delis_id, self._password = credentials.client_id, credentials.client_secret
        self.clock, self.now = clock, now
        self.logins = 0  # tokens fetched (tests, diagnostics)
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def fetch(self, numbers: Sequence[str], known: Mapping[str, int] | None = None) -> list[Fetched]:
        # The answer does not name its parcel: each body is parsed with the number asked for.
        # (No fingerprints: ``known`` is ignored and every answer is parsed.)
        return await fetch_each(numbers, self._send, parse)

    async def _send(self, batch: Sequence[str]) -> Response:
        (number,) = batch
        for attempt in (1, 2):
            token = await self._valid_token()
            response = await self._soap(self.TRACKING_PATH, "getTrackingData", self._tracking(token, number))
            refused = _fault_of(response) if response.status == 500 else None
            if not isinstance(refused, AuthError):
                return response  # other faults are this parcel's answer: parse reports them
            if attempt == 2:
                raise refused
            await self._invalidate(token)
        raise AssertionError("unreachable")

    async def _valid_token(self) -> str:
        async with self._lock:  # concurrent requests share one login
            if self._token is None or self.clock() >= self._expires_at:
                login = read_login((await self._soap(self.LOGIN_PATH, "getAuth", self._login())).body)
                if isinstance(login, CarrierError):
                    raise login
                lifetime = (login.expires - self.now()).total_seconds() if login.expires else TOKEN_LIFETIME_S
                self._token = login.token
                self._expires_at = self.clock() + max(lifetime, MIN_TOKEN_LIFETIME_S)
                self.logins += 1
            return self._token

    async def _invalidate(self, token: str) -> None:
        async with self._lock:
            if self._token == token:  # unless a concurrent request already replaced it
                self._token = None

    async def _soap(self, path: str, operation: str, envelope: str) -> Response:
        """POST one envelope. SOAP 1.1 sends faults as HTTP 500: those come back as answers; a
        500 without a fault is the service failing."""
        namespace = LOGIN_NS if path == self.LOGIN_PATH else PLC_NS
        response = await self.http.request(
            "POST",
            self.url(path),
            data=envelope.encode(),
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f"{namespace}/{operation}"},
            passthrough=(500,),
        )
        if response.status == 500 and _fault_of(response) is None:
            raise CarrierUnavailable(f"{self.url(path)}: HTTP 500", carrier=SLUG, code="500")
        return response

    def _login(self) -> str:
        return (
            f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:ns="{LOGIN_NS}"><soapenv:Header/>'
            f"<soapenv:Body><ns:getAuth><delisId>{escape(self.delis_id)}</delisId>"
            f"<password>{escape(self._password.get_secret_value())}</password>"
            f"<messageLanguage>{self.LANGUAGE}</messageLanguage></ns:getAuth>"
            "</soapenv:Body></soapenv:Envelope>"
        )

    def _tracking(self, token: str, number: str) -> str:
        return (
            f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:ns="{AUTH_NS}" xmlns:ns1="{PLC_NS}">'
            f"<soapenv:Header><ns:authentication><delisId>{escape(self.delis_id)}</delisId>"
            f"<authToken>{escape(token)}</authToken><messageLanguage>{self.LANGUAGE}</messageLanguage>"
            "</ns:authentication></soapenv:Header><soapenv:Body><ns1:getTrackingData>"
            f"<parcelLabelNumber>{escape(number)}</parcelLabelNumber></ns1:getTrackingData>"
            "</soapenv:Body></soapenv:Envelope>"
        )

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)


def _fault_of(response: Response) -> CarrierError | None:
    try:
        return fault(read_xml(response.body))
    except XmlError:
        return None
