"""Route definitions and the one wrapper every API handler runs in.

A :class:`Route` says everything about an endpoint once: method, path, scope, the pydantic
models of its query, body and response, and the errors it may answer. The aiohttp routes
and the OpenAPI document (``openapi``) are both made from the same list, so they cannot
disagree. The wrapper checks the bearer token, parses and validates the path, query and
body (400 with every problem listed), runs the handler, and sends its model as JSON.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, get_origin

from aiohttp import web
from pydantic import BaseModel, ValidationError

from carriers.parsing import JsonLimitExceeded, load_json
from parcel_watch.api import tokens
from parcel_watch.api.schemas import ErrorBody, ErrorResponse
from parcel_watch.api.tokens import Scope, TokenInfo
from parcel_watch.request_body import BodyTimedOut, limits_of, read_body
from parcel_watch.store import Store

log = logging.getLogger(__name__)

MAX_ID = 2**62  # larger path ids cannot be stored on any backend
_PATH_PARAM = re.compile(r"\{(\w+)\}")


class ApiError(Exception):
    """An answer other than success, with a message meant for the client's developer."""

    def __init__(self, status: int, message: str, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = list(details)


@dataclass(frozen=True)
class ApiContext:
    store: Store
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


CONTEXT_KEY = web.AppKey("api_context", ApiContext)


@dataclass(frozen=True)
class Call:
    """What a handler gets: validated inputs, the caller's token, and the store."""

    request: web.Request
    context: ApiContext
    token: TokenInfo
    ids: dict[str, int]
    query: Any  # the route's query model, validated
    body: Any  # the route's body model, validated

    @property
    def store(self) -> Store:
        return self.context.store

    def now(self) -> datetime:
        return self.context.clock()


@dataclass(frozen=True)
class Reply:
    model: BaseModel
    status: int = 200


Handler = Callable[[Call], Awaitable[BaseModel | Reply]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # ``{name}`` segments are positive integer ids
    handler: Handler
    summary: str
    response: type[BaseModel]
    tag: str
    scope: Scope = Scope.READ
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()  # besides 400, 401 and 403, which every route may answer
    description: str = ""

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


def error_response(status: int, message: str, details: Sequence[str] = ()) -> web.Response:
    body = ErrorResponse(error=ErrorBody(status=status, message=message, details=list(details)))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return web.Response(
        status=status, text=body.model_dump_json(), content_type="application/json", headers=headers
    )


def _problems(exc: ValidationError, where: str) -> list[str]:
    out = []
    for e in exc.errors(include_url=False):
        place = ".".join(str(p) for p in e["loc"])
        out.append(f"{where} {place}: {e['msg']}" if place else f"{where}: {e['msg']}")
    return out


async def authenticate(request: web.Request, store: Store, needed: Scope) -> TokenInfo:
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if not header:
        raise ApiError(401, "an API token is needed: send 'Authorization: Bearer <token>'")
    if scheme.lower() != "bearer" or not presented.strip():
        raise ApiError(401, "the Authorization header must be 'Bearer <token>'")
    token = await tokens.verify(store, presented.strip())
    if token is None:
        raise ApiError(401, "this API token is not valid (unknown, revoked or mistyped)")
    if not token.scope.allows(needed):
        raise ApiError(403, f"this token may only {token.scope.value}; this needs a {needed.value} token")
    return token


def _ids(route: Route, request: web.Request) -> dict[str, int]:
    ids = {}
    for name in route.path_params:
        raw = request.match_info[name]
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
            raise ApiError(400, f"{name} must be a positive whole number, not {raw!r}")
        ids[name] = int(raw)
    return ids


def _query(route: Route, request: web.Request) -> BaseModel | None:
    if route.query is None:
        return None
    values: dict[str, Any] = {}
    for name in request.query:
        info = route.query.model_fields.get(name)
        many = info is not None and get_origin(info.annotation) is list
        values[name] = request.query.getall(name) if many else request.query[name]
    try:
        return route.query.model_validate(values)
    except ValidationError as exc:
        raise ApiError(400, "bad query parameters", _problems(exc, "query")) from None


async def _body(route: Route, request: web.Request) -> BaseModel | None:
    if route.body is None:
        return None
    # 413 over the size cap; past the read deadline a 408 is sent (BodyTimedOut)
    raw = await read_body(request, answer=lambda message: error_response(408, message))
    try:
        data = load_json(raw, max_bytes=limits_of(request).max_bytes)
    except JsonLimitExceeded as exc:
        raise ApiError(400, f"the request body is refused: {exc}") from None
    except ValueError:
        raise ApiError(400, "the request body must be a JSON object") from None
    try:
        return route.body.model_validate(data)
    except ValidationError as exc:
        raise ApiError(400, "bad request body", _problems(exc, "body")) from None


def endpoint(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        context = request.app[CONTEXT_KEY]
        token = await authenticate(request, context.store, route.scope)
        ids, query = _ids(route, request), _query(route, request)
        try:
            body = await _body(route, request)
        except BodyTimedOut as late:
            return late.response
        result = await route.handler(Call(request, context, token, ids, query, body))
        reply = result if isinstance(result, Reply) else Reply(result, route.status)
        return web.Response(
            status=reply.status, text=reply.model.model_dump_json(), content_type="application/json"
        )

    handle.__name__ = route.operation_id
    return handle


@web.middleware
async def json_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Under /api/, every failure is a JSON error body; the webhooks keep their own answers."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.message, exc.details)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, exc.reason)
    except Exception:
        log.exception("API %s %s failed", request.method, request.path)  # no headers: no tokens
        return error_response(500, "internal error")
