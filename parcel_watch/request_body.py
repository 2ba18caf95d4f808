"""Reading an untrusted HTTP request body (webhook pushes, JSON API calls) with two limits.

A size cap: a declared Content-Length over it is refused unread, and a chunked body is
counted as it arrives and refused the moment it passes the cap (413). A deadline for the
whole body, not per read: a slow-loris client trickling a byte at a time (or declaring a
length it never sends) would pass any per-read timeout and hold its connection, and the
memory of its half-read body, indefinitely; past the deadline it gets 408 and the connection
is closed at once (a too-large body is drained for aiohttp's bounded lingering time instead,
so a client still sending it reads the 413 rather than a reset). Either way the caller has
stored nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # pushes and API calls are a few KB
BODY_DEADLINE_S = 10.0
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class BodyLimits:
    max_bytes: int = MAX_BODY_BYTES
    deadline_s: float = BODY_DEADLINE_S


LIMITS_KEY = web.AppKey("body_limits", BodyLimits)


def limits_of(request: web.Request) -> BodyLimits:
    return request.app.get(LIMITS_KEY) or BodyLimits()


class BodyTimedOut(Exception):
    """The body missed the deadline. ``response`` (408) is already sent and the connection
    marked to close: the handler returns it as it is."""

    def __init__(self, response: web.StreamResponse) -> None:
        super().__init__(response.reason)
        self.response = response


def _timeout_text(message: str) -> web.Response:
    return web.Response(status=408, text=message)


async def read_body(
    request: web.Request,
    limits: BodyLimits | None = None,
    answer: Callable[[str], web.Response] = _timeout_text,
) -> bytes:
    """The whole body. Raises HTTP 413 (too large) or :class:`BodyTimedOut` (not complete
    within the deadline; ``answer`` makes its 408 response from the message)."""
    limits = limits or limits_of(request)
    declared = request.content_length
    if declared is not None and declared > limits.max_bytes:
        raise web.HTTPRequestEntityTooLarge(max_size=limits.max_bytes, actual_size=declared)
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(limits.deadline_s):
            async for chunk in request.content.iter_chunked(_CHUNK):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise web.HTTPRequestEntityTooLarge(max_size=limits.max_bytes, actual_size=size)
                chunks.append(chunk)
    except TimeoutError:
        log.warning(
            "%s %s: body not complete within %g s (%d bytes so far) from %s: refused",
            request.method,
            request.path,
            limits.deadline_s,
            size,
            request.remote,
        )
        raise BodyTimedOut(await _send_and_close(request, answer(_late(limits)))) from None
    return b"".join(chunks)


def _late(limits: BodyLimits) -> str:
    return f"the request body was not received within {limits.deadline_s:g} s"


async def _send_and_close(request: web.Request, response: web.Response) -> web.Response:
    # Sent here, then the connection is closed: aiohttp would otherwise linger reading the
    # rest of the body (up to 10 s more) before closing.
    response.force_close()
    await response.prepare(request)
    await response.write_eof()
    request.protocol.force_close()
    return response
