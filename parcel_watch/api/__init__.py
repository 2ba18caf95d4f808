"""The JSON API (``/api/…``) beside the carriers' webhooks on ``parcel-watch serve``.

Modules: ``routing`` (route definitions, token check, validation, JSON errors), ``schemas``
(pydantic bodies), ``paging``, one module per resource (``shipments``, ``claims``,
``report``), ``openapi`` (the document, from the same routes) and ``tokens``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from aiohttp import web

from parcel_watch.api import claims, report, shipments
from parcel_watch.api.openapi import document
from parcel_watch.api.routing import CONTEXT_KEY, ApiContext, Route, endpoint, json_errors
from parcel_watch.store import Store

ROUTES: tuple[Route, ...] = (*shipments.ROUTES, *claims.ROUTES, *report.ROUTES)
OPENAPI_PATH = "/api/openapi.json"


def install(app: web.Application, store: Store, clock: Callable[[], datetime] | None = None) -> None:
    """Add the API's routes to ``app`` (the webhook receiver's application)."""
    app[CONTEXT_KEY] = ApiContext(store, clock or (lambda: datetime.now(UTC)))
    app.middlewares.append(json_errors)
    spec = document(ROUTES)

    async def openapi(request: web.Request) -> web.Response:
        return web.json_response(spec)

    app.router.add_get(OPENAPI_PATH, openapi)
    for route in ROUTES:
        app.router.add_route(route.method, route.path, endpoint(route))
