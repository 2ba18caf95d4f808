"""Outside JSON over the size or depth limit is refused, named, before it is decoded: on every
JSON adapter's parser, through the carrier HTTP client against a real local server (answers and
OAuth token answers), in webhook pushes and in JSON API request bodies. Never a RecursionError."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from carriers import dhl, fedex, parser
from carriers.credentials import Credentials
from carriers.errors import MalformedPayload
from carriers.http import CarrierHttp
from carriers.parsing import MAX_JSON_BYTES, MAX_JSON_DEPTH, JsonLimitExceeded, load_json
from claims.redaction import PayloadExport, export_payload
from tests.api.conftest import SECRET, Seeded, build_app, seed
from tests.carriers.test_fetch import ServerFactory, carrier, fixture
from tests.test_webhooks import signed

JSON_ADAPTERS = (
    "dhl",
    "ups",
    "fedex",
    "usps",
    "17track",
    "aftership",
    "easypost",
    "royalmail",
    "laposte",
    "sfexpress",
)
DEEP = b"[" * 100_000
DEPTH_NAMED = f"{MAX_JSON_DEPTH}-level limit"
ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


def nested(levels: int) -> bytes:
    """Valid JSON, ``levels`` deep: the decoder alone would accept it."""
    return b'{"a":' * (levels - 1) + b"[1]" + b"}" * (levels - 1)


def refusal(result: Any) -> str:
    assert result.shipments == []
    (error,) = result.errors
    assert isinstance(error, MalformedPayload)
    return str(error.message)


@pytest.mark.parametrize("slug", JSON_ADAPTERS)
@pytest.mark.parametrize("body", [DEEP, nested(MAX_JSON_DEPTH + 1)], ids=["100k-brackets", "limit+1"])
def test_every_json_adapter_refuses_a_too_deep_body_naming_the_limit(slug: str, body: bytes) -> None:
    assert DEPTH_NAMED in refusal(parser(slug)(body))


@pytest.mark.parametrize("slug", JSON_ADAPTERS)
def test_every_json_adapter_refuses_a_too_large_body_naming_the_limit(slug: str) -> None:
    body = b'{"pad": "' + b"x" * MAX_JSON_BYTES + b'"}'
    assert f"over the {MAX_JSON_BYTES}-byte limit" in refusal(parser(slug)(body))


@pytest.mark.parametrize("slug", JSON_ADAPTERS)
def test_a_body_at_the_depth_limit_is_decoded_as_before(slug: str) -> None:
    for error in parser(slug)(nested(MAX_JSON_DEPTH)).errors:
        assert "limit" not in error.message  # an unexpected shape, not a refusal


def test_sf_express_refuses_a_too_deep_document_inside_its_envelope() -> None:
    inner = nested(MAX_JSON_DEPTH + 1).decode()
    body = json.dumps({"apiResultCode": "A1000", "apiResultData": inner}).encode()
    assert DEPTH_NAMED in refusal(parser("sfexpress")(body))


def test_brackets_inside_strings_and_other_encodings_are_not_structure() -> None:
    text = {"description": "[" * 500 + "{" * 500 + '\\"]]', "n": [[1]]}
    raw = json.dumps(text)
    assert load_json(raw) == text
    assert load_json(raw.encode("utf-16")) == text  # the decoder's own encodings still work
    with pytest.raises(JsonLimitExceeded, match=DEPTH_NAMED):
        load_json(("[" * 65 + "]" * 65).encode("utf-32"))
    with pytest.raises(JsonLimitExceeded, match="over the 10-byte limit"):
        load_json(b"[1,2,3,4,5]", max_bytes=10)


async def test_a_too_deep_answer_over_http_fails_that_number_and_the_others_are_fetched(
    aiohttp_server: ServerFactory,
) -> None:
    good = fixture("dhl/express_multipiece_openapi_example.json")

    async def track(request: web.Request) -> web.Response:
        body = DEEP if request.query["trackingNumber"] == "BOMB" else good
        return web.Response(body=body, content_type="application/json")

    api = await carrier(aiohttp_server, {"/track/shipments": track})
    creds = Credentials(slug="dhl", api_key=SecretStr("key"), base_url=api.base_url)
    async with CarrierHttp("dhl") as http:
        before, refused, after = await dhl.DhlClient(http, creds).fetch(["7777777770", "BOMB", "7777777770"])
    assert len(api.seen) == 3
    assert before.result.to_dict() == after.result.to_dict() == dhl.parse(good).to_dict()
    assert DEPTH_NAMED in refusal(refused.result)


async def test_a_too_deep_oauth_token_answer_is_a_malformed_payload(aiohttp_server: ServerFactory) -> None:
    async def token(_: web.Request) -> web.Response:
        return web.Response(body=DEEP, content_type="application/json")

    api = await carrier(aiohttp_server, {"/oauth/token": token})
    creds = Credentials(slug="fedex", client_id="id", client_secret=SecretStr("s"), base_url=api.base_url)
    async with CarrierHttp("fedex") as http:
        with pytest.raises(MalformedPayload, match="no access_token"):
            await fedex.FedexClient(http, creds).fetch(["612345678901"])


@pytest.fixture
async def seeded(store: Any) -> Seeded:
    return await seed(store)


@pytest.fixture
async def served(aiohttp_client: ClientFactory, store: Any, seeded: Seeded) -> TestClient[Any, Any]:
    return await aiohttp_client(build_app(store))


async def test_a_too_deep_signed_push_is_answered_400_naming_the_limit(
    served: TestClient[Any, Any], store: Any
) -> None:
    before = await store.count()
    body = b'{"description":"tracker.updated","result":' + nested(MAX_JSON_DEPTH + 1) + b"}"
    resp = await served.post("/webhooks/easypost", data=body, headers=signed("easypost", body, SECRET))
    assert resp.status == 400
    assert DEPTH_NAMED in (await resp.json())["errors"][0]["message"]
    assert await store.count() == before


@pytest.mark.parametrize("body", [DEEP, b'{"tracking_number": ' + nested(MAX_JSON_DEPTH + 1) + b"}"])
async def test_a_too_deep_api_body_is_400_naming_the_limit(
    served: TestClient[Any, Any], seeded: Seeded, store: Any, body: bytes
) -> None:
    before = await store.count()
    resp = await served.post("/api/shipments", data=body, headers=seeded.auth(seeded.write))
    assert resp.status == 400
    assert DEPTH_NAMED in (await resp.json())["error"]["message"]
    assert await store.count() == before


def test_a_stored_payload_too_deep_to_redact_is_withheld_from_a_pack_not_a_crash() -> None:
    for body in (DEEP, nested(MAX_JSON_DEPTH + 1)):
        exported = export_payload(body, "application/json", include_personal=False)
        assert (exported.how, exported.data) == (PayloadExport.WITHHELD, b"")
    kept = export_payload(nested(MAX_JSON_DEPTH), "application/json", include_personal=False)
    assert kept.how is PayloadExport.EXACT
