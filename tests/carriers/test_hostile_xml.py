"""Hostile XML from a carrier (billion laughs, external entities, external DTDs) is refused by
every XML adapter as a MalformedPayload, quickly and without reading anything it points at."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import web
from pydantic import SecretStr

from carriers import canadapost, dpd, usps
from carriers.base import ParseResult
from carriers.credentials import Credentials
from carriers.errors import MalformedPayload
from carriers.http import CarrierHttp
from tests.carriers.test_fetch import ServerFactory, carrier, fixture

PIN = "7023210039414604"
CP_KEY = Credentials(slug="canadapost", api_key=SecretStr("cp-user:cp-password"))
SECRET_MARK = "secret-file-content-4711"

# Each adapter's parse, with the root element its real answers have.
ADAPTERS: dict[str, tuple[Callable[[bytes], ParseResult], str]] = {
    "usps": (usps.parse, "TrackResponse"),
    "canadapost": (lambda raw: canadapost.parse(raw, PIN), "tracking-detail"),
    "dpd": (lambda raw: dpd.parse(raw, "05222835034925"), "soap:Envelope"),
}


def billion_laughs(root: str) -> bytes:
    levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{"".join(levels)}]><{root}>&lol9;</{root}>'.encode()


def external_entity(root: str, path: Path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY x SYSTEM "file://{path}">]><{root}>&x;</{root}>'
    ).encode()


def external_dtd(root: str, path: Path) -> bytes:
    return f'<?xml version="1.0"?><!DOCTYPE {root} SYSTEM "file://{path}"><{root}/>'.encode()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "passwd"
    # Also a valid external DTD, so an adapter that loaded it would have something to expand.
    path.write_text(f'<!ENTITY leak "{SECRET_MARK}">{SECRET_MARK}\n')
    return path


def assert_refused(result: ParseResult) -> None:
    assert result.shipments == []
    (error,) = result.errors
    assert isinstance(error, MalformedPayload)
    assert "DTD/entity declaration is refused" in error.message
    assert SECRET_MARK not in repr(result.to_dict())


@pytest.mark.parametrize("slug", ADAPTERS)
def test_billion_laughs_is_refused_quickly(slug: str) -> None:
    parse, root = ADAPTERS[slug]
    started = time.perf_counter()
    result = parse(billion_laughs(root))
    assert time.perf_counter() - started < 1.0  # expanded, it would be 10^9 "lol"s
    assert_refused(result)


@pytest.mark.parametrize("slug", ADAPTERS)
def test_external_entity_is_refused_and_the_file_not_read(slug: str, secret_file: Path) -> None:
    parse, root = ADAPTERS[slug]
    assert_refused(parse(external_entity(root, secret_file)))


@pytest.mark.parametrize("slug", ADAPTERS)
def test_external_dtd_is_refused_and_the_file_not_read(slug: str, secret_file: Path) -> None:
    parse, root = ADAPTERS[slug]
    assert_refused(parse(external_dtd(root, secret_file)))


async def test_billion_laughs_over_http_fails_that_pin_and_the_others_are_polled(
    aiohttp_server: ServerFactory,
) -> None:
    bomb = "7023210039414612"

    async def detail(request: web.Request) -> web.Response:
        if request.match_info["pin"] == bomb:
            body = billion_laughs("tracking-detail")
        else:
            body = fixture("canadapost/tracking_detail_delivered.xml")
        return web.Response(body=body, content_type="application/vnd.cpc.track-v2+xml")

    api = await carrier(aiohttp_server, {"/vis/track/pin/{pin}/detail": detail})
    started = time.perf_counter()
    async with CarrierHttp("canadapost") as http:
        before, refused, after = await canadapost.CanadaPostClient(http, CP_KEY, base_url=api.base_url).fetch(
            [PIN, bomb, PIN]
        )
    assert time.perf_counter() - started < 5.0
    assert len(api.seen) == 3  # the bomb stopped nothing: the next PIN was still asked for
    expected = canadapost.parse(fixture("canadapost/tracking_detail_delivered.xml"), PIN).to_dict()
    assert before.result.to_dict() == expected and after.result.to_dict() == expected
    assert refused.result.shipments == []
    (error,) = refused.result.errors
    assert isinstance(error, MalformedPayload) and error.tracking_number == bomb


@pytest.mark.parametrize("slug", ADAPTERS)
@pytest.mark.parametrize(
    ("encoding", "reason"),
    [("UTF-4", "unknown encoding: UTF-4"), ("UTF-7", "multi-byte encodings are not supported")],
)
def test_an_unreadable_declared_encoding_is_a_malformed_payload(
    slug: str, encoding: str, reason: str
) -> None:
    # Found by benchmarks/fuzz.py: expat's LookupError / ValueError escaped parse (Canada Post, DPD)
    # or became USPS's vague "unexpected payload shape (LookupError)".
    parse, root = ADAPTERS[slug]
    result = parse(f'<?xml version="1.0" encoding="{encoding}"?><{root}/>'.encode())
    assert result.shipments == []
    (error,) = result.errors
    assert isinstance(error, MalformedPayload)
    assert f"its declared encoding cannot be read ({reason})" in error.message
