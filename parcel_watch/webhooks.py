"""Webhook receiver (aiohttp.web): 17TRACK, AfterShip and EasyPost pushes.

Each push is checked before anything else: body size and read deadline (``request_body``),
then the provider's signature over the raw bytes, then replay. An accepted body goes through the same idempotent ingest as
polling (so a scan seen by both is one event), with the raw bytes kept as evidence, even
when the body turns out to be malformed (then the answer is 400 with the parse errors).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from aiohttp import web

from carriers import parser
from carriers.signatures import ReplayGuard, verify
from parcel_watch.model import Source
from parcel_watch.request_body import LIMITS_KEY, BodyLimits, BodyTimedOut, read_body
from parcel_watch.store import IngestItem, RawPayload, Store

log = logging.getLogger(__name__)

PROVIDERS = ("17track", "aftership", "easypost")


@dataclass
class WebhookConfig:
    """Per provider, the secret its signatures are made with (17TRACK: the API key)."""

    secrets: Mapping[str, str]
    replay: ReplayGuard = field(default_factory=ReplayGuard)
    # Told after a push brought new events (the notifier looks for facts); returns at once.
    on_new_events: Callable[[], None] | None = None


STORE_KEY = web.AppKey("store", Store)
CONFIG_KEY = web.AppKey("webhook_config", WebhookConfig)


async def receive(request: web.Request) -> web.StreamResponse:
    provider = request.match_info["provider"]
    config = request.app[CONFIG_KEY]
    secret = config.secrets.get(provider)
    if provider not in PROVIDERS or not secret:
        raise web.HTTPNotFound(text=f"no webhook endpoint for {provider!r}")
    try:
        body = await read_body(request)  # 413 over the size cap, 408 past the deadline
    except BodyTimedOut as late:
        return late.response  # nothing stored
    if not verify(provider, body, request.headers, secret):
        log.warning(
            "webhook %s: bad or missing signature (%d bytes) from %s", provider, len(body), request.remote
        )
        raise web.HTTPUnauthorized(text="bad or missing signature")
    if not config.replay.first_time(body):
        raise web.HTTPConflict(text="this body was already received (replay refused)")
    result = parser(provider)(body)
    updates = result.updates()
    payload = RawPayload(
        provider, body, source=Source.WEBHOOK, content_type=request.content_type or "application/json"
    )
    ingested = await request.app[STORE_KEY].ingest([IngestItem(updates, payload)])
    if ingested.new_events and config.on_new_events is not None:
        config.on_new_events()
    summary = {
        "shipments": len(updates),
        "new_events": ingested.new_events,
        "duplicate_events": ingested.duplicate_events,
        "errors": [e.to_dict() for e in result.errors],
    }
    if not updates and result.errors:
        return web.json_response(summary, status=400)
    return web.json_response(summary)


def make_app(store: Store, config: WebhookConfig, limits: BodyLimits | None = None) -> web.Application:
    """``limits``: the body size cap and read deadline (the JSON API on this app uses them too)."""
    limits = limits or BodyLimits()
    app = web.Application(client_max_size=limits.max_bytes)
    app[STORE_KEY] = store
    app[LIMITS_KEY] = limits
    app[CONFIG_KEY] = config
    app.router.add_post("/webhooks/{provider}", receive)
    return app
