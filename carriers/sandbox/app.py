"""The sandbox carrier's aiohttp application: the seven APIs on the paths their clients call.

Auth is real: OAuth token endpoints issue bearer tokens the tracking endpoints check (missing,
unknown, expired or another API's token: 401 in that API's error format); API-key APIs reject
an empty (or, with ``SandboxWorld.api_key``, a wrong) key with 401. Numbers the world does not
hold, or whose journey has not had its first scan, get the API's own not-found answer. 17TRACK
rejects a number until it is registered (-18019902), as the real API does.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from carriers.sandbox import render_17track, render_fedex, render_laposte, render_royalmail, render_sfexpress
from carriers.sandbox.faults import NONE, Draw, Faults
from carriers.sandbox.journeys import Journey
from carriers.sandbox.render import RENDERERS
from carriers.sandbox.world import SandboxClock, SandboxWorld
from carriers.sandbox.xml_apis import LOGIN_PATHS, add_xml_routes
from carriers.sfexpress import SERVICE as SF_SERVICE
from carriers.sfexpress import digest as sf_digest

WORLD = web.AppKey("world", SandboxWorld)
FAULTS = web.AppKey("faults", Faults)
STOPPING = web.AppKey("stopping", asyncio.Event)
DRAW = web.RequestKey("draw", Draw)
JSON = "application/json"

# token path -> the API whose tokens it issues
TOKEN_PATHS = {"/oauth/token": "fedex", "/security/v1/oauth/token": "ups", "/oauth2/v3/token": "usps"}
FEDEX_MAX, SEVENTEEN_MAX = 30, 40
SEVENTEEN_NUMBER = re.compile(r"[A-Za-z0-9-]{5,50}")  # what 17TRACK's register accepts as a number

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(status: int, doc: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=json.dumps(doc).encode(), content_type=JSON, headers=headers)


def _raw(status: int, body: bytes) -> web.Response:
    return web.Response(status=status, body=body, content_type=JSON)


# Each API's 401 (and 400) body, after the shapes its parser reads (carrier-apis.md).
def _unauthorized(api: str, message: str) -> web.Response:
    doc: Any
    if api == "fedex":
        doc = {"transactionId": "sandbox", "errors": [{"code": "NOT.AUTHORIZED.ERROR", "message": message}]}
    elif api == "ups":
        doc = {"response": {"errors": [{"code": "250002", "message": message}]}}
    elif api == "usps":
        doc = {"error": {"code": "401", "message": message, "errors": []}}
    elif api == "dhl":
        doc = {"status": 401, "title": "Unauthorized", "detail": message}
    elif api == "17track":
        doc = {"code": -18010002, "data": {"errors": [{"code": -18010002, "message": message}]}}
    elif api == "aftership":
        doc = {"meta": {"code": 401, "message": message, "type": "Unauthorized"}, "data": {}}
    else:  # easypost
        doc = {"error": {"code": "APIKEY.INACTIVE", "message": message, "errors": []}}
    scheme = "Bearer" if api in TOKEN_PATHS.values() else "Basic" if api == "easypost" else None
    return _json(401, doc, {"WWW-Authenticate": scheme} if scheme else None)


def _bad_request(api: str, message: str) -> web.Response:
    if api == "fedex":
        return _json(400, {"errors": [{"code": "TRACKING.TRACKINGNUMBERS.LIMIT", "message": message}]})
    if api == "17track":
        return _json(200, {"code": -18010014, "data": {"errors": [{"code": -18010014, "message": message}]}})
    if api == "dhl":
        return _json(400, {"status": 400, "title": "Bad Request", "detail": message})
    return _json(400, {"error": {"code": "BAD_REQUEST", "message": message, "errors": []}})


# --- auth -------------------------------------------------------------------------------------


def _basic(request: web.Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def _bearer(request: web.Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


async def token(request: web.Request) -> web.Response:
    """OAuth2 client credentials: UPS with HTTP Basic, FedEx and USPS with form fields."""
    world, api = request.app[WORLD], TOKEN_PATHS[request.path]
    form = await request.post()
    pair = _basic(request)
    if pair is None:
        pair = (str(form.get("client_id", "")), str(form.get("client_secret", "")))
    client_id, secret = pair
    if form.get("grant_type") != "client_credentials":
        return _json(400, {"error": "unsupported_grant_type"})
    if not client_id or not world.key_ok(secret):
        return _json(401, {"error": "invalid_client", "error_description": "client authentication failed"})
    access, ttl = world.issue_token(api)
    return _json(200, {"access_token": access, "token_type": "Bearer", "expires_in": int(ttl)})


def _checked(api: str, auth: Callable[[SandboxWorld, web.Request], bool], handler: Handler) -> Handler:
    async def checked(request: web.Request) -> web.StreamResponse:
        if not auth(request.app[WORLD], request):
            return _unauthorized(api, "The credentials given are missing, invalid or expired.")
        return await handler(request)

    return checked


def _by_token(api: str) -> Callable[[SandboxWorld, web.Request], bool]:
    return lambda world, request: world.token_ok(api, _bearer(request))


def _by_header(name: str) -> Callable[[SandboxWorld, web.Request], bool]:
    return lambda world, request: world.key_ok(request.headers.get(name))


def _by_basic_user(world: SandboxWorld, request: web.Request) -> bool:
    pair = _basic(request)
    return pair is not None and world.key_ok(pair[0])


# --- tracking ---------------------------------------------------------------------------------


def _draw(request: web.Request) -> Draw:
    try:
        return request[DRAW]
    except KeyError:  # a request that met no fault draw (faults off or not on this path)
        return NONE


def _one(api: str, request: web.Request, number: str) -> web.Response:
    """One number's answer from the API's renderer, or its not-found answer."""
    world = request.app[WORLD]
    render, not_found = RENDERERS[api]
    journey = world.visible(number)
    if journey is None:
        return _raw(*not_found(number))
    return _raw(200, render(_draw(request).mangle(journey), world.now()))


def _split(world: SandboxWorld, numbers: list[str], draw: Draw) -> tuple[list[Journey], list[str]]:
    found, missing = [], []
    for number in numbers:
        journey = world.visible(number)
        if journey is None:
            missing.append(number)
        else:
            found.append(draw.mangle(journey))
    return found, missing


async def fedex_track(request: web.Request) -> web.Response:
    try:
        body = await request.json()
        numbers = [str(item["trackingNumberInfo"]["trackingNumber"]) for item in body["trackingInfo"]]
    except (ValueError, KeyError, TypeError):
        return _bad_request("fedex", "The request body is not a valid tracking request.")
    if not 1 <= len(numbers) <= FEDEX_MAX:
        return _bad_request("fedex", f"Between 1 and {FEDEX_MAX} tracking numbers per request.")
    world = request.app[WORLD]
    found, missing = _split(world, numbers, _draw(request))
    return _raw(200, render_fedex.render_fedex_many(found, world.now(), missing))


async def ups_track(request: web.Request) -> web.Response:
    return _one("ups", request, request.match_info["number"])


async def usps_track(request: web.Request) -> web.Response:
    return _one("usps", request, request.match_info["number"])


async def dhl_track(request: web.Request) -> web.Response:
    number = request.query.get("trackingNumber", "")
    if not number:
        return _bad_request("dhl", "trackingNumber is required")
    return _one("dhl", request, number)


async def _seventeen_numbers(request: web.Request) -> list[str] | web.Response:
    try:
        body = await request.json()
        numbers = [str(item["number"]) for item in body]
    except (ValueError, KeyError, TypeError):
        return _bad_request("17track", "The request body is not a JSON array of numbers.")
    if not 1 <= len(numbers) <= SEVENTEEN_MAX:
        return _bad_request("17track", f"Between 1 and {SEVENTEEN_MAX} numbers per request.")
    return numbers


async def seventeen_track(request: web.Request) -> web.Response:
    numbers = await _seventeen_numbers(request)
    if isinstance(numbers, web.Response):
        return numbers
    world = request.app[WORLD]
    unregistered = [n for n in numbers if world.require_registration and n not in world.registered]
    asked = [n for n in numbers if n not in unregistered]
    found, missing = _split(world, asked, _draw(request))
    return _raw(200, render_17track.render_17track_many(found, world.now(), missing, unregistered))


async def seventeen_register(request: web.Request) -> web.Response:
    numbers = await _seventeen_numbers(request)
    if isinstance(numbers, web.Response):
        return numbers
    world = request.app[WORLD]
    world.register_requests.append(numbers)
    accepted, rejected = [], []
    for number in numbers:
        if not SEVENTEEN_NUMBER.fullmatch(number):
            error = {"code": -18010012, "message": f"The format of '{number}' is invalid."}
            rejected.append({"number": number, "error": error})
        elif number in world.registered:
            error = {"code": -18019901, "message": f"The tracking number '{number}' has been registered."}
            rejected.append({"number": number, "error": error})
        else:
            world.registered.add(number)
            accepted.append({"origin": 1, "number": number, "carrier": 0, "tag": None})
    return _json(200, {"code": 0, "data": {"accepted": accepted, "rejected": rejected}})


async def aftership_one(request: web.Request) -> web.Response:
    return _one("aftership", request, request.match_info["number"])


async def aftership_list(request: web.Request) -> web.Response:
    """The list page: the matching trackings (the renderer's one), or an empty page."""
    world = request.app[WORLD]
    numbers = [n for n in request.query.get("tracking_numbers", "").split(",") if n]
    trackings = []
    for journey in _split(world, numbers, _draw(request))[0]:
        rendered = json.loads(RENDERERS["aftership"][0](journey, world.now()))
        trackings.append(rendered["data"]["tracking"])
    page = {"page": 1, "limit": 100, "count": len(trackings), "trackings": trackings}
    return _json(200, {"meta": {"code": 200}, "data": page})


async def easypost_trackers(request: web.Request) -> web.Response:
    try:
        body = await request.json()
        number = str(body["tracker"]["tracking_code"])
    except (ValueError, KeyError, TypeError):
        return _bad_request("easypost", "tracker.tracking_code is required")
    return _one("easypost", request, number)


# --- Royal Mail, La Poste, SF Express ----------------------------------------------------------

LAPOSTE_MAX, SF_MAX = 10, 10
REFUSED = "The credentials given are missing, invalid or expired."
Refusal = Callable[[str], tuple[int, bytes]]


def _checked_with(
    refused: Refusal, auth: Callable[[SandboxWorld, web.Request], bool], handler: Handler
) -> Handler:
    """``_checked``, with the refusal body from the API's renderer."""

    async def checked(request: web.Request) -> web.StreamResponse:
        if not auth(request.app[WORLD], request):
            return _raw(*refused(REFUSED))
        return await handler(request)

    return checked


def _by_royalmail_ids(world: SandboxWorld, request: web.Request) -> bool:
    return bool(request.headers.get("X-IBM-Client-Id")) and world.key_ok(
        request.headers.get("X-IBM-Client-Secret")
    )


async def royalmail_events(request: web.Request) -> web.Response:
    if request.headers.get("X-Accept-RMG-Terms", "").lower() != "yes":
        return _raw(*render_royalmail.render_royalmail_terms_refused())
    world, number = request.app[WORLD], request.match_info["number"]
    found, _ = _split(world, [number], _draw(request))
    if not found:
        return _raw(*render_royalmail.render_royalmail_not_found(number))
    return _raw(200, render_royalmail.render_royalmail(found[0], world.now()))


async def laposte_idships(request: web.Request) -> web.Response:
    numbers = [n for n in request.match_info["ids"].split(",") if n]
    if not 1 <= len(numbers) <= LAPOSTE_MAX:
        return _raw(*render_laposte.render_laposte_bad_request(f"De 1 à {LAPOSTE_MAX} numéros par requête."))
    world = request.app[WORLD]
    found, missing = _split(world, numbers, _draw(request))
    return _raw(*render_laposte.render_laposte_many(found, world.now(), missing))


def _sf_signed(world: SandboxWorld, form: Mapping[str, str]) -> bool:
    """The digest proves the checkword (which never travels) when the world has one."""
    if not form.get("partnerID") or not form.get("msgDigest"):
        return False
    if world.api_key is None:
        return True
    expected = sf_digest(form.get("msgData", ""), form.get("timestamp", ""), world.api_key)
    return secrets.compare_digest(form["msgDigest"], expected)


async def sfexpress_service(request: web.Request) -> web.Response:
    form = {key: str(value) for key, value in (await request.post()).items()}
    world = request.app[WORLD]
    if form.get("serviceCode") != SF_SERVICE:
        return _raw(*render_sfexpress.render_sfexpress_refused("A1004", "无对应服务权限"))
    if not _sf_signed(world, form):
        return _raw(*render_sfexpress.render_sfexpress_refused("A1006", "数字签名无效"))
    try:
        numbers = [str(n) for n in json.loads(form.get("msgData", ""))["trackingNumber"]]
    except (ValueError, KeyError, TypeError):
        numbers = []
    if not 1 <= len(numbers) <= SF_MAX:
        return _raw(
            *render_sfexpress.render_sfexpress_refused("A1001", f"trackingNumber: 1 to {SF_MAX} waybills")
        )
    found, missing = _split(world, numbers, _draw(request))
    return _raw(200, render_sfexpress.render_sfexpress_many(found, world.now(), missing))


# --- faults -----------------------------------------------------------------------------------

MAINTENANCE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
    b"<body><h1>We'll be back soon</h1><p>Tracking is down for maintenance.</p></body></html>"
)


async def _wait(request: web.Request, seconds: float) -> None:
    """Sleep, cut short when the server shuts down (so a hung answer never holds cleanup)."""
    if seconds > 0:
        try:
            await asyncio.wait_for(request.app[STOPPING].wait(), timeout=seconds)
        except TimeoutError:
            pass


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    faults = request.app.get(FAULTS)
    token_path = request.path in TOKEN_PATHS or request.path in LOGIN_PATHS
    if faults is None or token_path or not faults.applies(request.path):
        return await handler(request)
    draw = request[DRAW] = faults.draw()
    await _wait(request, faults.slow_s)
    if draw.timeout:
        await _wait(request, faults.hang_s)
    if draw.rate_limit:
        return _json(
            429, {"error": "rate limited (sandbox)"}, {"Retry-After": str(int(faults.retry_after_s))}
        )
    if draw.server_error:
        return _json(503, {"error": "service unavailable (sandbox)"})
    if draw.wrong_content_type:
        return web.Response(status=200, body=MAINTENANCE_PAGE, content_type="text/html")
    response = await handler(request)
    if not isinstance(response, web.Response):
        return response
    if faults.reword and isinstance(response.body, bytes):
        response.body = faults.reworded(response.body)
    if not (draw.malformed or draw.truncate):
        return response
    body = response.body
    assert isinstance(body, bytes)
    half = body[: len(body) // 2]
    if draw.malformed:
        return web.Response(status=200, body=half, content_type=JSON)
    cut = web.StreamResponse(status=response.status)
    cut.content_type, cut.content_length = JSON, len(body)
    cut.force_close()
    await cut.prepare(request)
    await cut.write(half)
    if request.transport is not None:
        request.transport.close()
    return cut


# --- the applications -------------------------------------------------------------------------


def _base_app(middlewares: list[Any]) -> web.Application:
    app = web.Application(middlewares=middlewares)
    app[STOPPING] = asyncio.Event()

    async def stopping(app: web.Application) -> None:
        app[STOPPING].set()

    app.on_shutdown.append(stopping)
    return app


def make_app(world: SandboxWorld, faults: Faults | None = None) -> web.Application:
    """The sandbox carrier: the seven APIs over ``world``, with ``faults`` injected."""
    app = _base_app([fault_middleware])
    app[WORLD] = world
    if faults is not None:
        app[FAULTS] = faults
    for path in TOKEN_PATHS:
        app.router.add_post(path, token)
    r = app.router
    r.add_post("/track/v1/trackingnumbers", _checked("fedex", _by_token("fedex"), fedex_track))
    r.add_get("/api/track/v1/details/{number}", _checked("ups", _by_token("ups"), ups_track))
    r.add_get("/tracking/v3/tracking/{number}", _checked("usps", _by_token("usps"), usps_track))
    r.add_get("/track/shipments", _checked("dhl", _by_header("DHL-API-Key"), dhl_track))
    seventeen_key = _by_header("17token")
    r.add_post("/track/v2.2/gettrackinfo", _checked("17track", seventeen_key, seventeen_track))
    r.add_post("/track/v2.2/register", _checked("17track", seventeen_key, seventeen_register))
    aftership_key = _by_header("aftership-api-key")
    r.add_get("/v4/trackings", _checked("aftership", aftership_key, aftership_list))
    r.add_get("/v4/trackings/{slug}/{number}", _checked("aftership", aftership_key, aftership_one))
    r.add_post("/v2/trackers", _checked("easypost", _by_basic_user, easypost_trackers))
    royalmail_refused = render_royalmail.render_royalmail_unauthorized
    r.add_get(
        "/mailpieces/v2/{number}/events",
        _checked_with(royalmail_refused, _by_royalmail_ids, royalmail_events),
    )
    laposte_key = _by_header("X-Okapi-Key")
    r.add_get(
        "/suivi/v2/idships/{ids}",
        _checked_with(render_laposte.render_laposte_unauthorized, laposte_key, laposte_idships),
    )
    r.add_post("/std/service", sfexpress_service)  # SF signs each request: checked in the handler
    add_xml_routes(app, world, _draw)  # Canada Post, DPD
    return app


CONTENT_TYPES = {".json": JSON, ".xml": "application/xml", ".html": "text/html", ".txt": "text/plain"}


def make_replay_app(files: Mapping[str, Path | tuple[int, Path]]) -> web.Application:
    """Serve fixed bodies: request path -> file (HTTP 200) or (status, file), for any method and
    query. The three OAuth token paths issue tokens (never checked) unless ``files`` has them."""
    app = _base_app([])
    world = SandboxWorld(_frozen_clock())
    app[WORLD] = world
    for path in TOKEN_PATHS:
        if path not in files:
            app.router.add_post(path, token)
    for path, entry in files.items():
        status, file = entry if isinstance(entry, tuple) else (200, entry)
        app.router.add_route("*", path, _replay(status, file))
    return app


def _replay(status: int, file: Path) -> Handler:
    body = file.read_bytes()  # read now: a missing fixture fails at setup, not mid-test
    kind = CONTENT_TYPES.get(file.suffix.lower(), "application/octet-stream")

    async def replay(request: web.Request) -> web.Response:
        return web.Response(status=status, body=body, content_type=kind)

    return replay


def _frozen_clock() -> SandboxClock:
    return SandboxClock(datetime(2000, 1, 1, tzinfo=UTC), 0.0)
