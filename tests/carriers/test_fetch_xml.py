"""The Canada Post and DPD clients' ``fetch`` against a real local aiohttp server answering with
the real fixture bodies: the requests they send, their auth flows, and what comes back."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from pydantic import SecretStr

from carriers import canadapost, dpd
from carriers.credentials import Credentials
from carriers.errors import AuthError, CarrierError, CarrierUnavailable, NotFound, RateLimited
from carriers.fetching import CarrierClient
from carriers.http import CarrierHttp
from carriers.sandbox.render_dpd import render_dpd_login
from carriers.xmlapi import read_xml, text
from tests.carriers.test_fetch import Carrier, Handler, ServerFactory, carrier, dicts, fixture
from tests.carriers.test_fetching import SECRET, assert_clean, serve

PIN, MISSING = "7023210039414604", "0073938000549297"
PARCEL, UNKNOWN = "05222835034925", "05222835034933"
CP_KEY = Credentials(slug="canadapost", api_key=SecretStr("cp-user:cp-password"))
DPD_LOGIN = Credentials(slug="dpd", client_id="delis01", client_secret=SecretStr("shh-dpd-password"))
TOMORROW = datetime.now(UTC) + timedelta(days=1)


def xml_file(name: str, status: int = 200, content_type: str = "text/xml") -> Handler:
    async def handler(_: web.Request) -> web.Response:
        return web.Response(body=fixture(name), status=status, content_type=content_type)

    return handler


# -- Canada Post: HTTP Basic user:password, one PIN per GET ----------------------------------


async def canadapost_api(aiohttp_server: ServerFactory, fail_on: int | None = None) -> Carrier:
    async def detail(request: web.Request) -> web.Response:
        if len(api.seen) == fail_on:
            return web.Response(status=503, text="maintenance")
        if request.match_info["pin"] == PIN:
            return await xml_file("canadapost/tracking_detail_delivered.xml")(request)
        return await xml_file("canadapost/no_pin_history_004.xml", 404)(request)

    api = await carrier(aiohttp_server, {"/vis/track/pin/{pin}/detail": detail})
    return api


async def test_canadapost_gets_each_pin_and_a_missing_one_is_not_found_for_that_pin(
    aiohttp_server: ServerFactory,
) -> None:
    api = await canadapost_api(aiohttp_server)
    async with CarrierHttp("canadapost") as http:
        found, missing, again = await canadapost.CanadaPostClient(http, CP_KEY, base_url=api.base_url).fetch(
            [PIN, MISSING, PIN]
        )

    assert [(s.method, s.path) for s in api.seen] == [
        ("GET", f"/vis/track/pin/{n}/detail") for n in (PIN, MISSING, PIN)
    ]
    basic = "Basic " + base64.b64encode(b"cp-user:cp-password").decode("ascii")
    headers = [{k.lower(): v for k, v in s.headers.items()} for s in api.seen]
    assert {(h["authorization"], h["accept"], h["accept-language"]) for h in headers} == {
        (basic, "application/vnd.cpc.track-v2+xml", "en-CA")
    }
    expected = canadapost.parse(fixture("canadapost/tracking_detail_delivered.xml")).to_dict()
    assert dicts([found, again]) == [expected, expected]  # one missing PIN fails nothing else
    assert found.raw == fixture("canadapost/tracking_detail_delivered.xml")
    (error,) = missing.result.errors
    assert isinstance(error, NotFound) and error.tracking_number == MISSING and error.code == "004"


async def test_canadapost_refused_credentials_are_an_auth_error(aiohttp_server: ServerFactory) -> None:
    api = await carrier(
        aiohttp_server, {"/vis/track/pin/{pin}/detail": xml_file("canadapost/auth_error.xml", 401)}
    )
    async with CarrierHttp("canadapost") as http:
        with pytest.raises(AuthError):
            await canadapost.CanadaPostClient(http, CP_KEY, base_url=api.base_url).fetch([PIN, MISSING])
    assert len(api.seen) == 1


async def test_canadapost_key_without_a_password_is_refused_before_any_request(
    aiohttp_server: ServerFactory,
) -> None:
    api = await canadapost_api(aiohttp_server)
    creds = Credentials(slug="canadapost", api_key=SecretStr("only-a-user"))
    async with CarrierHttp("canadapost") as http:
        with pytest.raises(AuthError, match="user:password") as caught:
            await canadapost.CanadaPostClient(http, creds, base_url=api.base_url).fetch([PIN])
    assert api.seen == [] and "only-a-user" not in str(caught.value)


async def test_canadapost_503_on_a_later_pin_keeps_the_answers_before(aiohttp_server: ServerFactory) -> None:
    api = await canadapost_api(
        aiohttp_server, fail_on=3
    )  # the third request (each is recorded before it is answered)
    async with CarrierHttp("canadapost") as http:
        got = await canadapost.CanadaPostClient(http, CP_KEY, base_url=api.base_url).fetch(
            [PIN, MISSING, PIN, PIN]
        )
    first, missing, failed = got
    assert first.result.shipments and isinstance(missing.result.errors[0], NotFound)
    assert [(type(e), e.tracking_number) for e in failed.result.errors] == [(CarrierUnavailable, PIN)] * 2


# -- DPD: SOAP login (delisId + password) -> token in the authentication header ----------------


def login_ok(expires: datetime = TOMORROW) -> Handler:
    issued = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal issued
        issued += 1
        return web.Response(
            body=render_dpd_login("delis01", f"token-{issued}", expires), content_type="text/xml"
        )

    return handler


def tracking(answers: dict[str, Handler], refuse_first: int = 0) -> Handler:
    """Answer by parcel number; the first ``refuse_first`` calls get a token-expired fault."""
    calls = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        if calls <= refuse_first:
            return await xml_file("dpd/soap_fault.xml", 500)(request)
        number = text(read_xml(await request.read()), "Body/getTrackingData/parcelLabelNumber") or ""
        return await answers.get(number, xml_file("dpd/parcel_lifecycle_soap.xml"))(request)

    return handler


def sent(api: Carrier, path: str, field: str) -> list[str | None]:
    return [text(read_xml(s.body), field) for s in api.on(path)]


async def test_dpd_logs_in_once_and_reads_each_parcel_with_its_number(aiohttp_server: ServerFactory) -> None:
    empty = (
        f'<soap:Envelope xmlns:soap="{dpd.SOAP_ENV}"><soap:Body><getTrackingDataResponse xmlns="{dpd.PLC_NS}">'
        "<trackingresult/></getTrackingDataResponse></soap:Body></soap:Envelope>"
    )

    async def unknown(_: web.Request) -> web.Response:
        return web.Response(text=empty, content_type="text/xml")

    api = await carrier(
        aiohttp_server,
        {dpd.DpdClient.LOGIN_PATH: login_ok(), dpd.DpdClient.TRACKING_PATH: tracking({UNKNOWN: unknown})},
    )
    async with CarrierHttp("dpd") as http:
        client = dpd.DpdClient(http, DPD_LOGIN, base_url=api.base_url)
        found, missing, again = await client.fetch([PARCEL, UNKNOWN, PARCEL])

    (login,) = api.on(dpd.DpdClient.LOGIN_PATH)
    assert (login.method, login.headers["SOAPAction"]) == ("POST", f"{dpd.LOGIN_NS}/getAuth")
    assert sent(api, dpd.DpdClient.LOGIN_PATH, "Body/getAuth/password") == ["shh-dpd-password"]
    path = dpd.DpdClient.TRACKING_PATH
    assert {s.headers["SOAPAction"] for s in api.on(path)} == {f"{dpd.PLC_NS}/getTrackingData"}
    assert sent(api, path, "Header/authentication/authToken") == ["token-1"] * 3
    assert sent(api, path, "Header/authentication/delisId") == ["delis01"] * 3
    assert sent(api, path, "Body/getTrackingData/parcelLabelNumber") == [PARCEL, UNKNOWN, PARCEL]
    assert all(b"shh-dpd-password" not in s.body for s in api.on(path))
    expected = dpd.parse(fixture("dpd/parcel_lifecycle_soap.xml"), PARCEL).to_dict()
    assert dicts([found, again]) == [expected, expected]
    assert found.result.shipments[0].tracking_number == PARCEL
    (error,) = missing.result.errors
    assert isinstance(error, NotFound) and error.tracking_number == UNKNOWN
    assert client.logins == 1


async def test_dpd_refused_login_is_an_auth_error(aiohttp_server: ServerFactory) -> None:
    api = await carrier(
        aiohttp_server,
        {
            dpd.DpdClient.LOGIN_PATH: xml_file("dpd/soap_fault.xml", 500),
            dpd.DpdClient.TRACKING_PATH: tracking({}),
        },
    )
    async with CarrierHttp("dpd") as http:
        with pytest.raises(AuthError, match="check delisId and password"):
            await dpd.DpdClient(http, DPD_LOGIN, base_url=api.base_url).fetch([PARCEL])
    assert api.on(dpd.DpdClient.TRACKING_PATH) == []


@pytest.mark.parametrize(("refusals", "logins"), [(1, 2), (2, 2)])
async def test_a_refused_token_is_fetched_again_once(
    aiohttp_server: ServerFactory, refusals: int, logins: int
) -> None:
    api = await carrier(
        aiohttp_server,
        {
            dpd.DpdClient.LOGIN_PATH: login_ok(),
            dpd.DpdClient.TRACKING_PATH: tracking({}, refuse_first=refusals),
        },
    )
    async with CarrierHttp("dpd") as http:
        client = dpd.DpdClient(http, DPD_LOGIN, base_url=api.base_url)
        if refusals == 1:
            (fetched,) = await client.fetch([PARCEL])
            assert fetched.result.shipments[0].tracking_number == PARCEL
        else:
            with pytest.raises(AuthError):
                await client.fetch([PARCEL])
    assert client.logins == logins
    assert sent(api, dpd.DpdClient.TRACKING_PATH, "Header/authentication/authToken") == ["token-1", "token-2"]


async def test_dpd_token_is_renewed_when_the_login_said_it_expires(aiohttp_server: ServerFactory) -> None:
    api = await carrier(
        aiohttp_server,
        {dpd.DpdClient.LOGIN_PATH: login_ok(TOMORROW), dpd.DpdClient.TRACKING_PATH: tracking({})},
    )
    now, ticks = datetime.now(UTC), [0.0]
    async with CarrierHttp("dpd") as http:
        client = dpd.DpdClient(
            http, DPD_LOGIN, base_url=api.base_url, clock=lambda: ticks[0], now=lambda: now
        )
        await client.fetch([PARCEL])
        ticks[0] = (TOMORROW - now).total_seconds() - 10  # still valid: no login
        await client.fetch([PARCEL])
        ticks[0] += 20
        await client.fetch([PARCEL])
    assert client.logins == 2
    assert sent(api, dpd.DpdClient.TRACKING_PATH, "Header/authentication/authToken") == [
        "token-1",
        "token-1",
        "token-2",
    ]


async def test_dpd_other_faults_are_the_parcels_answer_and_a_bare_500_is_unavailable(
    aiohttp_server: ServerFactory,
) -> None:
    locked = (
        f'<soap:Envelope xmlns:soap="{dpd.SOAP_ENV}"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode>'
        "<faultstring>Fault</faultstring><detail><faults><faultCode>PARCEL_LOCKED</faultCode>"
        "<message>locked</message></faults></detail></soap:Fault></soap:Body></soap:Envelope>"
    )

    async def fault(_: web.Request) -> web.Response:
        return web.Response(status=500, text=locked, content_type="text/xml")

    async def down(_: web.Request) -> web.Response:
        return web.Response(status=500, text="Internal Server Error")

    api = await carrier(
        aiohttp_server,
        {
            dpd.DpdClient.LOGIN_PATH: login_ok(),
            dpd.DpdClient.TRACKING_PATH: tracking({UNKNOWN: fault, "DOWN": down}),
        },
    )
    async with CarrierHttp("dpd") as http:
        client = dpd.DpdClient(http, DPD_LOGIN, base_url=api.base_url)
        ok, odd, unfetched = await client.fetch([PARCEL, UNKNOWN, "DOWN"])
        with pytest.raises(CarrierUnavailable, match="HTTP 500"):
            await client.fetch(["DOWN"])
    assert ok.result.shipments
    (error,) = odd.result.errors
    assert (type(error), error.code, error.tracking_number) == (CarrierError, "PARCEL_LOCKED", UNKNOWN)
    assert [(type(e), e.tracking_number) for e in unfetched.result.errors] == [(CarrierUnavailable, "DOWN")]


def test_dpd_needs_a_delis_id_and_password() -> None:
    with pytest.raises(AuthError, match="delisId"):
        dpd.DpdClient(CarrierHttp("dpd"), Credentials(slug="dpd", api_key=SecretStr("k")))


@pytest.mark.parametrize(
    ("cls", "creds"),
    [
        (canadapost.CanadaPostClient, Credentials(slug="canadapost", api_key=SecretStr(f"user:{SECRET}"))),
        (dpd.DpdClient, Credentials(slug="dpd", client_id="id", client_secret=SecretStr(SECRET))),
    ],
    ids=["canadapost", "dpd"],
)
@pytest.mark.parametrize(
    ("status", "raised"), [(401, AuthError), (429, RateLimited), (503, CarrierUnavailable)]
)
async def test_no_raised_error_carries_the_secret(
    aiohttp_server: ServerFactory,
    cls: type[CarrierClient],
    creds: Credentials,
    status: int,
    raised: type[CarrierError],
) -> None:
    server = await serve(aiohttp_server, status)
    async with CarrierHttp(creds.slug) as http:
        client = cls(http, creds, base_url=str(server.make_url("")))
        assert SECRET not in repr(client) and SECRET not in repr(vars(client))
        with pytest.raises(raised) as caught:
            await client.fetch(["N1", "N2"])
    assert_clean(caught.value)
