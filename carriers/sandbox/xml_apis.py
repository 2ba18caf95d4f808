"""The sandbox's XML APIs: Canada Post tracking (REST + XML) and DPD's SOAP login and parcel
lifecycle services, on the paths their clients call, with the auth the real ones check.

Canada Post: HTTP Basic ``user:password``, the password being the key (any non-empty one, or
``SandboxWorld.api_key``); refused with HTTP 401 and message E002. DPD: ``getAuth`` takes delisId +
password (checked the same way) and issues a token the tracking call must carry; a refused login
or token is an ``authenticationFault`` with HTTP 500, as DPD answers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aiohttp import BasicAuth, web

from carriers.dpd import DpdClient
from carriers.sandbox.faults import Draw
from carriers.sandbox.render_canadapost import (
    CONTENT_TYPE,
    render_canadapost,
    render_canadapost_message,
    render_canadapost_not_found,
)
from carriers.sandbox.render_dpd import render_dpd, render_dpd_fault, render_dpd_login, render_dpd_not_found
from carriers.sandbox.world import SandboxWorld
from carriers.xmlapi import XmlError, read_xml, text

CANADAPOST_PATH = "/vis/track/pin/{pin}/detail"
DPD_LOGIN_PATH = DpdClient.LOGIN_PATH
DPD_TRACKING_PATH = DpdClient.TRACKING_PATH
LOGIN_PATHS = frozenset({DPD_LOGIN_PATH})  # token endpoints: never fault-injected

SOAP = "text/xml"


def _xml(status: int, body: bytes, content_type: str = SOAP) -> web.Response:
    return web.Response(status=status, body=body, content_type=content_type)


def add_xml_routes(app: web.Application, world: SandboxWorld, draw: Callable[[web.Request], Draw]) -> None:
    """Serve the two APIs over ``world``; ``draw`` gives a request's injected faults."""

    async def canadapost_detail(request: web.Request) -> web.Response:
        try:
            auth = BasicAuth.decode(request.headers.get("Authorization", ""))
        except ValueError:
            auth = None
        if auth is None or not auth.login or not world.key_ok(auth.password):
            return _xml(401, render_canadapost_message("E002", "AAA Authentication Failure"), CONTENT_TYPE)
        journey = world.visible(request.match_info["pin"])
        if journey is None:
            return _xml(*render_canadapost_not_found(request.match_info["pin"]), CONTENT_TYPE)
        return _xml(200, render_canadapost(draw(request).mangle(journey), world.now()), CONTENT_TYPE)

    async def dpd_login(request: web.Request) -> web.Response:
        try:
            root = read_xml(await request.read())
        except XmlError:
            return _xml(
                500, render_dpd_fault("DELICOM_ERR_AUTHENTICATION", "The request is not a getAuth call.")
            )
        delis_id, password = text(root, "Body/getAuth/delisId"), text(root, "Body/getAuth/password")
        if delis_id is None or not world.key_ok(password):
            message = "Authentication failure, check delisId and password."
            return _xml(500, render_dpd_fault("DELICOM_ERR_AUTHENTICATION", message))
        token, ttl = world.issue_token("dpd")
        return _xml(200, render_dpd_login(delis_id, token, datetime.now(UTC) + timedelta(seconds=ttl)))

    async def dpd_tracking(request: web.Request) -> web.Response:
        try:
            root = read_xml(await request.read())
        except XmlError:
            root = None
        token = text(root, "Header/authentication/authToken")
        if not world.token_ok("dpd", token):
            issued = world.tokens.get(token or "")
            if issued is not None and issued.api == "dpd":
                return _xml(500, render_dpd_fault("ERR_DELICOM_TOKEN_EXPIRED", "The token has expired."))
            return _xml(500, render_dpd_fault("ERR_DELICOM_TOKEN_INCORRECT", "The token is not recognised."))
        number = text(root, "Body/getTrackingData/parcelLabelNumber") or ""
        journey = world.visible(number)
        if journey is None:
            return _xml(*render_dpd_not_found(number))
        return _xml(200, render_dpd(draw(request).mangle(journey), world.now()))

    app.router.add_get(CANADAPOST_PATH, canadapost_detail)
    app.router.add_post(DPD_LOGIN_PATH, dpd_login)
    app.router.add_post(DPD_TRACKING_PATH, dpd_tracking)
