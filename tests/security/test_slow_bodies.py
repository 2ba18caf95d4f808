"""Slow and unbounded request bodies against a real server on a real socket: a body trickled a
byte at a time, or a declared length never completed, is cut off at the read deadline with
408 while other pushes are served meanwhile; a chunked body past the size cap is 413.
Nothing of a refused body is stored."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from parcel_watch import api
from parcel_watch.api import tokens
from parcel_watch.api.tokens import Scope
from parcel_watch.request_body import MAX_BODY_BYTES, BodyLimits
from parcel_watch.store import Store
from parcel_watch.webhooks import WebhookConfig, make_app
from tests.test_webhooks import EASYPOST_PUSH, SECRET, signed

DEADLINE_S = 0.8
ServerFactory = Callable[..., Awaitable[TestServer]]
# The same tracker under another number: stored only if the slow push got through.
SLOW_PUSH = EASYPOST_PUSH.replace(b'"tracking_code":"1"', b'"tracking_code":"2"')


@pytest.fixture
async def server(aiohttp_server: ServerFactory, store: Store) -> AsyncIterator[TestServer]:
    app = make_app(store, WebhookConfig(secrets={"easypost": SECRET}), BodyLimits(deadline_s=DEADLINE_S))
    api.install(app, store)
    yield await aiohttp_server(app)


def head(path: str, length: int | None, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: localhost", *(f"{k}: {v}" for k, v in headers.items())]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def trickle(writer: asyncio.StreamWriter, body: bytes, every_s: float) -> None:
    """One byte at a time: never idle long enough for a per-read timeout to fire."""
    for i in range(len(body)):
        writer.write(body[i : i + 1])
        try:
            await writer.drain()
        except ConnectionError:
            return
        await asyncio.sleep(every_s)


async def answer_of(reader: asyncio.StreamReader) -> tuple[bytes, float, bool]:
    """The status line, when it came, and whether the server then closed the connection."""
    status = await asyncio.wait_for(reader.readline(), timeout=10)
    came = time.perf_counter()
    try:
        while await asyncio.wait_for(reader.read(65536), timeout=3):
            pass
        closed = True
    except ConnectionError:
        closed = True  # reset: the server closed with our unsent body still coming — dropped
    except TimeoutError:
        closed = False
    return status, came, closed


async def test_a_trickled_push_is_cut_at_the_deadline_while_a_normal_push_is_accepted(
    server: TestServer, store: Store
) -> None:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(head("/webhooks/easypost", len(SLOW_PUSH), signed("easypost", SLOW_PUSH)))
    started = time.perf_counter()
    sender = asyncio.create_task(trickle(writer, SLOW_PUSH, every_s=0.02))  # ~100 s for the body
    await asyncio.sleep(0.2)
    async with ClientSession() as session:  # meanwhile, an ordinary push
        resp = await session.post(
            server.make_url("/webhooks/easypost"),
            data=EASYPOST_PUSH,
            headers=signed("easypost", EASYPOST_PUSH),
        )
        assert resp.status == 200, await resp.text()
        normal_done = time.perf_counter()
    status, came, closed = await answer_of(reader)
    sender.cancel()
    writer.close()
    assert normal_done - started < DEADLINE_S  # served while the slow body was still coming
    assert status.startswith(b"HTTP/1.1 408")
    assert DEADLINE_S <= came - started < DEADLINE_S + 1.5  # a total deadline, not per byte
    assert closed  # the connection is dropped, not drained for the rest of the body
    assert [s.tracking_number for s in await store.find("1", "fedex")] == ["1"]
    assert await store.find("2", "fedex") == []
    assert (await store.count())[0] == 1


async def test_a_declared_length_never_completed_is_408_and_nothing_is_stored(
    server: TestServer, store: Store
) -> None:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(head("/webhooks/easypost", len(SLOW_PUSH), signed("easypost", SLOW_PUSH)))
    writer.write(SLOW_PUSH[:100])  # then silence
    started = time.perf_counter()
    status, came, closed = await answer_of(reader)
    writer.close()
    assert status.startswith(b"HTTP/1.1 408") and closed
    assert DEADLINE_S <= came - started < DEADLINE_S + 1.5
    assert await store.count() == (0, 0)


async def test_a_slow_api_body_is_408_and_no_shipment_is_added(server: TestServer, store: Store) -> None:
    token, _ = await tokens.create(store, Scope.WRITE, "helpdesk", datetime.now(UTC))
    body = b'{"tracking_number": "1Z5R89390357567127"}'
    reader, writer = await asyncio.open_connection(server.host, server.port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    writer.write(head("/api/shipments", len(body), headers))
    sender = asyncio.create_task(trickle(writer, body, every_s=0.05))  # ~2 s for the body
    status, _, closed = await answer_of(reader)
    sender.cancel()
    writer.close()
    assert status.startswith(b"HTTP/1.1 408") and closed
    assert (await store.count())[0] == 0


async def chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        piece = b" " * min(size, total - sent)
        sent += len(piece)
        yield piece


async def test_a_chunked_body_without_length_past_the_cap_is_413_and_nothing_is_stored(
    server: TestServer, store: Store
) -> None:
    async with ClientSession() as session:
        resp = await session.post(
            server.make_url("/webhooks/easypost"),
            data=chunks(MAX_BODY_BYTES + 100_000),
            headers={"Content-Type": "application/json", "X-Hmac-Signature": "hmac-sha256-hex=00"},
        )
        assert resp.request_info.headers.get("Transfer-Encoding") == "chunked"
        assert "Content-Length" not in resp.request_info.headers
        assert resp.status == 413
    assert await store.count() == (0, 0)


async def test_an_api_body_past_the_cap_is_413_as_a_json_error_and_both_limits_are_documented(
    server: TestServer, store: Store
) -> None:
    token, _ = await tokens.create(store, Scope.WRITE, "helpdesk", datetime.now(UTC))
    async with ClientSession() as session:
        resp = await session.post(
            server.make_url("/api/shipments"),
            data=chunks(MAX_BODY_BYTES + 100_000),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert resp.status == 413
        assert (await resp.json())["error"]["status"] == 413
        spec = await (await session.get(server.make_url(api.OPENAPI_PATH))).json()
    assert {"408", "413"} <= set(spec["paths"]["/api/shipments"]["post"]["responses"])
    assert (await store.count())[0] == 0
