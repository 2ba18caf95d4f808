"""SF Express routes: the parser's own mappings, times and envelopes, and the signed client over
real HTTP. Every fixture's checked expected result and the fuzzing are in test_parser_contract.py."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from carriers import sfexpress
from carriers.base import ParseResult
from carriers.credentials import Credentials
from carriers.errors import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    MalformedPayload,
    NotFound,
    RateLimited,
)
from carriers.http import CarrierHttp
from parcel_watch.model import TzSource
from parcel_watch.status import Status
from tests.carriers.parsers import load_json, sound

ServerFactory = Callable[..., Awaitable[TestServer]]


def _check(doc: Any) -> ParseResult:
    return sound(sfexpress.parse(json.dumps(doc, ensure_ascii=False)))


def _wrapped(answer: dict[str, Any], code: str = "A1000") -> dict[str, Any]:
    """The open platform's envelope, the service answer as a JSON string (as SF sends it)."""
    data = json.dumps(answer, ensure_ascii=False)
    return {"apiErrorMsg": "", "apiResponseID": "0001", "apiResultCode": code, "apiResultData": data}


def _routes(*routes: dict[str, Any], number: str = "SF1011603494291") -> dict[str, Any]:
    resps = [{"mailNo": number, "routes": list(routes)}]
    return {"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": {"routeResps": resps}}


def _route(code: Any, remark: str = "x", when: str = "2019-05-09 10:11:26") -> dict[str, Any]:
    return {"acceptTime": when, "acceptAddress": "深圳", "opCode": code, "remark": remark}


def test_the_envelope_with_its_json_string_reads_as_the_bare_answer() -> None:
    answer = load_json("sfexpress", "routes_delivered.json")
    assert _check(_wrapped(answer)).to_dict() == _check(answer).to_dict()
    assert _check(_wrapped(answer)).shipments[0].status is Status.DELIVERED


@pytest.mark.parametrize(("code", "outcome"), list(sfexpress.OP_CODES.items()))
def test_every_listed_op_code_reads_as_its_table_entry(code: str, outcome: tuple[Status, str | None]) -> None:
    (event,) = _check(_routes(_route(code))).shipments[0].events
    assert (event.status, event.substatus, event.carrier_code) == (*outcome, code)


@pytest.mark.parametrize(
    ("remark", "status"),
    [
        ("顺丰速运 已收取快件", Status.IN_TRANSIT),
        ("已派件", Status.OUT_FOR_DELIVERY),
        ("正在派送途中", Status.OUT_FOR_DELIVERY),
    ],
)
def test_op_code_50_is_a_pickup_unless_the_remark_says_delivery_dispatch(remark: str, status: Status) -> None:
    assert sfexpress.map_status("50", remark)[0] is status


def test_unknown_codes_are_unknown_and_integers_are_codes_too() -> None:
    events = _check(_routes(_route(8000, when="2019-05-09 08:00:00"), _route("648"))).shipments[0].events
    assert [(e.carrier_code, e.status) for e in events] == [("8000", Status.UNKNOWN), ("648", Status.UNKNOWN)]


def test_china_time_without_offset_is_read_in_sfs_home_zone_and_remarks_stay_verbatim() -> None:
    (event,) = _check(_routes(_route("80", remark=" 已签收,感谢使用顺丰 "))).shipments[0].events
    assert event.tz_source is TzSource.ASSUMED_CARRIER_HOME_ZONE and event.utc_offset_minutes == 480
    assert event.occurred_at == datetime(2019, 5, 9, 2, 11, 26, tzinfo=UTC)
    assert event.local_time == datetime(2019, 5, 9, 10, 11, 26)
    assert (event.description, event.location.city) == (" 已签收,感谢使用顺丰 ", "深圳")


def test_an_invalid_accept_time_skips_that_route_and_names_the_number() -> None:
    result = _check(_routes(_route("50", when="2019-13-45 99:00:00"), _route("80")))
    assert [e.carrier_code for e in result.shipments[0].events] == ["80"]
    (error,) = result.errors
    assert isinstance(error, MalformedPayload) and error.tracking_number == "SF1011603494291"


def test_a_waybill_without_routes_is_not_found_without_failing_the_others() -> None:
    answer = _routes(_route("50"))
    answer["msgData"]["routeResps"].append({"mailNo": "SF0000000000000", "routes": []})
    result = _check(_wrapped(answer))
    assert [s.tracking_number for s in result.shipments] == ["SF1011603494291"]
    (error,) = result.errors
    assert isinstance(error, NotFound) and error.tracking_number == "SF0000000000000"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("A1006", AuthError),
        ("A1004", AuthError),
        ("A1005", RateLimited),
        ("A1099", CarrierUnavailable),
        ("A1001", CarrierError),
    ],
)
def test_envelope_refusals_are_typed_and_the_client_raises_the_request_level_ones(
    code: str, kind: type[CarrierError]
) -> None:
    body = {"apiErrorMsg": "数字签名无效", "apiResponseID": "1", "apiResultCode": code, "apiResultData": None}
    (error,) = _check(body).errors
    assert type(error) is kind and (error.code, error.message) == (code, "数字签名无效")
    raised = sfexpress.request_failure(json.dumps(body))
    assert (type(raised) if raised else None) is (None if kind is CarrierError else kind)


def test_a_failed_service_answer_is_an_error() -> None:
    (error,) = _check(
        _wrapped({"success": False, "errorCode": "8114", "errorMsg": "参数错误", "msgData": None})
    ).errors
    assert type(error) is CarrierError and (error.code, error.message) == ("8114", "参数错误")
    assert isinstance(_check({**_wrapped({}), "apiResultData": "{oops"}).errors[0], MalformedPayload)


def test_the_digest_is_base64_md5_of_the_urlencoded_data_timestamp_and_checkword() -> None:
    data, stamp, word = '{"trackingNumber":["SF1"]}', "1599015941786", "check word"
    by_hand = base64.b64encode(hashlib.md5(quote_plus(data + stamp + word).encode()).digest()).decode()
    assert sfexpress.digest(data, stamp, word) == by_hand


# -- fetch --


async def test_a_signed_form_per_ten_waybills_and_refusals_raised(aiohttp_server: ServerFactory) -> None:
    forms: list[dict[str, str]] = []

    async def service(request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        forms.append(form)
        if sfexpress.digest(form["msgData"], form["timestamp"], "the-checkword") != form["msgDigest"]:
            return web.json_response(
                {"apiResultCode": "A1006", "apiErrorMsg": "数字签名无效", "apiResultData": None}
            )
        numbers = json.loads(form["msgData"])["trackingNumber"]
        resps = [{"mailNo": n, "routes": [_route("50")] if n.endswith("1") else []} for n in numbers]
        answer = {"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": {"routeResps": resps}}
        return web.json_response(_wrapped(answer))

    app = web.Application()
    app.router.add_post("/std/service", service)
    server = await aiohttp_server(app)
    numbers = [f"SF{i:013d}" for i in range(12)]
    creds = Credentials(slug="sfexpress", client_id="partner-1", client_secret=SecretStr("the-checkword"))
    async with CarrierHttp("sfexpress") as http:
        got = await sfexpress.SfExpressClient(http, creds, base_url=str(server.make_url(""))).fetch(numbers)
        wrong = Credentials(slug="sfexpress", client_id="partner-1", client_secret=SecretStr("nope"))
        with pytest.raises(AuthError, match="数字签名无效"):
            await sfexpress.SfExpressClient(http, wrong, base_url=str(server.make_url(""))).fetch(numbers)

    sent = [json.loads(f["msgData"]) for f in forms[:2]]
    assert [q["trackingNumber"] for q in sent] == [numbers[:10], numbers[10:]]
    assert all(q["trackingType"] == "1" for q in sent)
    assert all(f["partnerID"] == "partner-1" and f["serviceCode"] == sfexpress.SERVICE for f in forms)
    assert len({f["requestID"] for f in forms}) == len(forms)
    assert not any("the-checkword" in value for f in forms for value in f.values())
    shipments = [s.tracking_number for f in got for s in f.result.shipments]
    assert shipments == [n for n in numbers if n.endswith("1")]
    missing = [e.tracking_number for f in got for e in f.result.errors]
    assert missing == [n for n in numbers if not n.endswith("1")]


async def test_without_partner_id_and_checkword_nothing_is_sent() -> None:
    async with CarrierHttp("sfexpress") as http:
        client = sfexpress.SfExpressClient(http, Credentials(slug="sfexpress"), base_url="http://127.0.0.1:9")
        with pytest.raises(AuthError, match="no partnerID/checkword"):
            await client.fetch(["SF1"])
