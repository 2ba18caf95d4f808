"""SF Express route query (EXP_RECE_SEARCH_ROUTES): a pure parser of its response bodies
(carrier-apis.md §1.1, §9, §10.3).

Shapes: the open platform's envelope ``{"apiResultCode", "apiErrorMsg", "apiResponseID",
"apiResultData"}`` whose ``apiResultData`` is a JSON *string* holding the service answer
``{"success", "errorCode", "errorMsg", "msgData": {"routeResps": [{"mailNo", "routes": [...]}]}}``;
that inner answer alone (the fixture) parses too. A ``mailNo`` without routes is not found.

``acceptTime`` is China local time without an offset (``2019-05-09 10:11:26``): it is read in
SF's home zone, Asia/Shanghai. ``remark`` (Chinese) is kept verbatim, ``acceptAddress`` is the
city as printed. Status: ``opCode``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import quote_plus

from carriers.base import ParsedShipment, ParseResult
from carriers.errors import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    MalformedPayload,
    NotFound,
    RateLimited,
)
from carriers.parsing import (
    JsonLimitExceeded,
    array,
    load_json,
    malformed,
    malformed_error,
    nonblank,
    obj,
    parse_json,
    text,
)
from carriers.timeutil import from_aware, localize, parse_iso
from parcel_watch.model import Location, Source, TrackingEvent
from parcel_watch.status import Status, supersedes

SLUG = "sfexpress"
HOME_ZONE = "Asia/Shanghai"
SERVICE = "EXP_RECE_SEARCH_ROUTES"

Outcome = tuple[Status, str | None]
_UNKNOWN: Outcome = (Status.UNKNOWN, None)

# opCode -> outcome. 80 is in the fixture (§10.3); the others as SF's published route samples and
# public clients of the API use them [secondary]. Any other code is UNKNOWN, never guessed.
OP_CODES: dict[str, Outcome] = {
    "50": (Status.IN_TRANSIT, "in_transit.picked_up"),  # 顺丰速运 已收取快件 (see REMARK_RULES)
    "54": (Status.IN_TRANSIT, "in_transit.picked_up"),  # 上门收件
    "30": (Status.IN_TRANSIT, None),  # 完成分拣 / 已装车, 准备发往 …: sorted or loaded
    "31": (Status.IN_TRANSIT, "in_transit.arrived"),  # 快件到达 …
    "36": (Status.IN_TRANSIT, "in_transit.departed"),  # 快件已发车
    "605": (Status.IN_TRANSIT, "in_transit.customs_processing"),  # 清关中
    "204": (Status.OUT_FOR_DELIVERY, None),  # 派送中
    "80": (Status.DELIVERED, None),  # 已签收
}
# opCode -> (remark keywords, outcome): SF's samples use 50 for the pickup ("已收取快件") while the
# fixture and §10.3 read it as a delivery dispatch ("已派件"); the remark says which it is.
REMARK_RULES: dict[str, tuple[tuple[str, ...], Outcome]] = {
    "50": (("派件", "派送"), (Status.OUT_FOR_DELIVERY, None)),
}
# apiResultCode (other than A1000, success) -> error type [secondary: the open platform's table].
API_RESULT_CODES: dict[str, type[CarrierError]] = {
    "A1001": CarrierError,  # a required parameter is missing
    "A1002": CarrierError,  # request expired (timestamp too old)
    "A1003": AuthError,  # caller IP not allowed
    "A1004": AuthError,  # no permission for this service
    "A1005": RateLimited,  # traffic controlled
    "A1006": AuthError,  # invalid digest: wrong partnerID or checkword
    "A1007": CarrierError,  # duplicate requestID
    "A1008": CarrierError,  # data decryption failed
    "A1009": CarrierUnavailable,  # the target service is down or unreachable
    "A1099": CarrierUnavailable,  # system error
}
SUCCESS = ("A1000", "S0000")  # envelope, service answer


def digest(msg_data: str, timestamp: str, checkword: str) -> str:
    """``msgDigest``: Base64(MD5(urlencode(msgData + timestamp + checkword))), as SF's SDKs sign."""
    signed = quote_plus(msg_data + timestamp + checkword).encode("utf-8")
    # MD5 is SF's choice: the digest authenticates the request, it protects no secret at rest.
    return base64.b64encode(hashlib.md5(signed, usedforsecurity=False).digest()).decode("ascii")


def parse(raw: bytes | str) -> ParseResult:
    return parse_json(raw, SLUG, _parse)


def request_failure(raw: bytes | str) -> CarrierError | None:
    """The envelope's failure a client must raise, not report: refused credentials, rate limit,
    SF down. SF answers them with HTTP 200, so the HTTP layer cannot tell."""
    try:
        doc = load_json(raw)
    except ValueError:
        return None
    error = _envelope_error(doc) if isinstance(doc, dict) else None
    return error if isinstance(error, AuthError | RateLimited | CarrierUnavailable) else None


def _envelope_error(doc: dict[str, Any]) -> CarrierError | None:
    code = text(doc.get("apiResultCode"))
    if code is None or code == SUCCESS[0]:
        return None
    kind = API_RESULT_CODES.get(code, CarrierError)
    return kind(text(doc.get("apiErrorMsg")) or f"SF Express {code}", carrier=SLUG, code=code)


def _parse(doc: Any) -> ParseResult:
    if not isinstance(doc, dict):
        return malformed(SLUG, "not an SF Express object")
    if "apiResultCode" in doc:
        error = _envelope_error(doc)
        if error is not None:
            return ParseResult(errors=[error])
        data = doc.get("apiResultData")
        try:
            doc = load_json(data) if isinstance(data, str) else data
        except JsonLimitExceeded as exc:
            return malformed(SLUG, f"apiResultData: {exc}")
        except ValueError:
            return malformed(SLUG, "apiResultData is not JSON")
        if not isinstance(doc, dict):
            return malformed(SLUG, "apiResultData is not a service answer")
    code = text(doc.get("errorCode"))
    if doc.get("success") is not True or (code is not None and code != SUCCESS[1]):
        message = text(doc.get("errorMsg")) or f"SF Express service error {code}"
        return ParseResult(errors=[CarrierError(message, carrier=SLUG, code=code)])
    result = ParseResult()
    for item in array(obj(doc.get("msgData")).get("routeResps")):
        _route_resp(item, result)
    return result


def _route_resp(item: Any, result: ParseResult) -> None:
    number = text(item.get("mailNo")) if isinstance(item, dict) else None
    if number is None:
        result.errors.append(malformed_error(SLUG, "routeResps item without mailNo"))
        return
    routes = array(item.get("routes"))
    if not routes:
        result.errors.append(NotFound("no routes for this waybill", carrier=SLUG, tracking_number=number))
        return
    events: list[TrackingEvent] = []
    for raw in routes:
        event = _event(raw, number, result.errors)
        if event is not None:
            events.append(event)
    events.sort(key=lambda e: e.occurred_at)  # oldest first on the wire already; ties keep order
    status, substatus = _summary(events) or _UNKNOWN
    result.shipments.append(ParsedShipment(number, SLUG, status, substatus, None, events))


def _summary(events: list[TrackingEvent]) -> Outcome | None:
    """Status of the newest readable event; terminal states stay unless re-opened (§10.2)."""
    outcome: Outcome | None = None
    for event in events:
        if event.status is not Status.UNKNOWN and supersedes(outcome[0] if outcome else None, event.status):
            outcome = event.status, event.substatus
    return outcome


def map_status(code: str | None, remark: str) -> Outcome:
    rule = REMARK_RULES.get(code or "")
    if rule is not None and any(word in remark for word in rule[0]):
        return rule[1]
    return OP_CODES.get(code or "", _UNKNOWN)


def _event(raw: Any, number: str, errors: list[CarrierError]) -> TrackingEvent | None:
    if not isinstance(raw, dict):
        errors.append(malformed_error(SLUG, "routes[]: not an object", number))
        return None
    stamp = text(raw.get("acceptTime"))
    try:
        when = parse_iso(stamp or "")
        resolved = from_aware(when) if when.tzinfo else localize(when, None, home_zone=HOME_ZONE)
    except (ValueError, OverflowError):
        errors.append(malformed_error(SLUG, f"routes[].acceptTime: invalid date {stamp!r}", number))
        return None
    opcode = raw.get("opCode")
    code = str(opcode) if isinstance(opcode, int) and not isinstance(opcode, bool) else text(opcode)
    remark = nonblank(raw.get("remark")) or ""
    status, substatus = map_status(code, remark)
    try:
        return TrackingEvent(
            **resolved.event_time(),
            status=status,
            substatus=substatus,
            carrier_code=code,
            description=remark,
            location=Location(city=text(raw.get("acceptAddress"))),
            source=Source.POLL,
        )
    except ValueError as exc:
        errors.append(MalformedPayload(f"routes[]: {exc}", carrier=SLUG, tracking_number=number))
        return None


# -- fetch --

import time
import uuid
from collections.abc import Sequence

from carriers.fetching import CarrierClient
from carriers.http import Response


class SfExpressClient(CarrierClient):
    """SF Express open platform: ``POST /std/service``, a form of ``partnerID``, ``requestID``,
    ``serviceCode``, ``timestamp`` (ms), ``msgData`` (the query, up to 10 waybills [unverified])
    and ``msgDigest`` (see :func:`digest`). Credentials: ``client_id`` is the partnerID (顾客编码),
    ``client_secret`` the checkword (校验码), which only ever enters the digest.

    SF refuses credentials and throttles with HTTP 200 envelopes: those are raised here, as the
    HTTP layer raises a 401 or 429 for the other APIs."""

    SLUG = SLUG
    DEFAULT_BASE_URL = "https://sfapi.sf-express.com"
    max_batch = 10

    async def _send(self, batch: Sequence[str]) -> Response:
        creds = self.credentials
        if not creds.client_id or not (creds.client_secret and creds.client_secret.get_secret_value()):
            raise AuthError(f"{SLUG}: no partnerID/checkword configured", carrier=SLUG)
        query = {"language": "0", "trackingType": "1", "trackingNumber": list(batch), "methodType": "1"}
        msg_data = json.dumps(query, ensure_ascii=False, separators=(",", ":"))
        timestamp = str(int(time.time() * 1000))
        form = {
            "partnerID": creds.client_id,
            "requestID": str(uuid.uuid4()),
            "serviceCode": SERVICE,
            "timestamp": timestamp,
            "msgDigest": digest(msg_data, timestamp, creds.client_secret.get_secret_value()),
            "msgData": msg_data,
        }
        response = await self.http.request("POST", self.url("/std/service"), data=form)
        failure = request_failure(response.body)
        if failure is not None:
            raise failure
        return response

    def _parse(self, raw: bytes) -> ParseResult:
        return parse(raw)
