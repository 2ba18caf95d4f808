"""The API on a real aiohttp test server over a real store (SQLite file and PostgreSQL),
with the webhook receiver on the same application, as ``parcel-watch serve`` runs it.

The store holds: a delivered FedEx parcel (five events), a UPS parcel stuck in transit for
weeks (stalled and lost anomalies, a drafted loss claim) and a USPS parcel never scanned."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from claims import lifecycle
from claims.evaluation import evaluate
from parcel_watch import api
from parcel_watch.api import tokens
from parcel_watch.api.tokens import Scope
from parcel_watch.model import Shipment
from parcel_watch.status import Status
from parcel_watch.store import Store
from parcel_watch.webhooks import WebhookConfig, make_app
from tests.claims.builders import draft
from tests.factories import JOURNEY, event, item, update

NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
SECRET = "whsec_api_tests"
ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


@dataclass(frozen=True)
class Seeded:
    delivered: int
    stuck: int
    never_scanned: int
    claim: int
    read: str  # tokens
    write: str

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def build_app(store: Store) -> web.Application:
    app = make_app(store, WebhookConfig(secrets={"easypost": SECRET}))
    api.install(app, store, clock=lambda: NOW)
    return app


async def seed(store: Store) -> Seeded:
    await store.ingest([item(update("612345678901", *JOURNEY))])
    stuck_events = (
        event(0, Status.INFO_RECEIVED, "MP", text="Label created"),
        event(90, Status.IN_TRANSIT, "OR", text="Origin scan [bold red]x[/] \x1b[2J"),
    )
    await store.ingest([item(update("1Z5R89390357567127", *stuck_events, carrier="ups"), carrier="ups")])
    unscanned = await store.add(
        Shipment(tracking_number="9400111899223100000000", carrier="usps", label="Gift")
    )
    await evaluate(store, NOW)
    [delivered] = await store.find("612345678901", "fedex")
    [stuck] = await store.find("1Z5R89390357567127", "ups")
    assert delivered.id and stuck.id and unscanned.shipment.id
    [claim] = await lifecycle.record_drafts(store, [(draft(stuck.id), {"letter": "hi"})], by="alice", now=NOW)
    read, _ = await tokens.create(store, Scope.READ, "dashboard", NOW)
    write, _ = await tokens.create(store, Scope.WRITE, "helpdesk", NOW)
    return Seeded(delivered.id, stuck.id, unscanned.shipment.id, claim.id, read, write)


@pytest.fixture
async def seeded(store: Store) -> Seeded:
    return await seed(store)


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, store: Store, seeded: Seeded
) -> AsyncIterator[TestClient[Any, Any]]:
    yield await aiohttp_client(build_app(store))
