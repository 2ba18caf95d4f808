"""The poller on fake time, against a real local server speaking the FedEx Track API."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from carriers.credentials import Credentials
from carriers.fedex import FedexClient
from carriers.http import CarrierHttp
from parcel_watch.model import Shipment
from parcel_watch.scheduler import Coordinator, Scheduler
from parcel_watch.status import Status
from parcel_watch.store import Store

FEDEX = Path(__file__).parent / "fixtures" / "carriers" / "fedex" / "delivered_mixed_offsets.json"
NUMBER = "738488882438"
ServerFactory = Callable[..., Awaitable[TestServer]]


class FakeTime:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
        self.slept: list[float] = []

    def clock(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


class FedexServer:
    """Answers like FedEx; `mode` switches it to failing the way FedEx does."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.track_calls = 0

    async def token(self, _: web.Request) -> web.Response:
        return web.json_response({"access_token": "t", "token_type": "bearer", "expires_in": 3600})

    async def track(self, _: web.Request) -> web.Response:
        self.track_calls += 1
        if self.mode == "down":
            return web.Response(status=503)
        if self.mode == "limited":
            return web.Response(status=429, headers={"Retry-After": "900"})
        return web.Response(body=FEDEX.read_bytes(), content_type="application/json")


@pytest.fixture
async def fedex(aiohttp_server: ServerFactory) -> tuple[FedexServer, str]:
    fake = FedexServer()
    app = web.Application()
    app.router.add_post("/oauth/token", fake.token)
    app.router.add_post("/track/v1/trackingnumbers", fake.track)
    server = await aiohttp_server(app)
    return fake, str(server.make_url("/"))


def scheduler(
    store: Store, base_url: str, time: FakeTime, http: CarrierHttp
) -> tuple[Scheduler, Coordinator]:
    creds = Credentials(slug="fedex", client_id="id", client_secret="secret")  # type: ignore[arg-type]
    coordinator = Coordinator(
        FedexClient(http, creds, base_url=base_url),
        store,
        clock=time.clock,
        sleep=time.sleep,
        rng=random.Random(1),
    )
    return Scheduler(
        store,
        {"fedex": coordinator},
        route=lambda s: "fedex" if s.carrier == "fedex" else None,
        clock=time.clock,
    ), coordinator


async def test_a_due_shipment_is_polled_ingested_and_rescheduled_by_its_state(
    store: Store, fedex: tuple[FedexServer, str]
) -> None:
    server, url = fedex
    time = FakeTime()
    await store.add(Shipment(tracking_number=NUMBER, carrier="fedex"))
    async with CarrierHttp("fedex") as http:
        sched, _ = scheduler(store, url, time, http)
        stats = await sched.poll_once()
        assert (stats.polled, stats.failed_batches) == (1, 0) and stats.new_events > 10
        [shipment] = await store.find(NUMBER)
        assert shipment.status is Status.DELIVERED
        # Delivered long ago (2024): past the grace period, so never polled again.
        assert shipment.next_poll_at is not None and shipment.next_poll_at.year == 9999
        assert shipment.poll_error is None
        again = await sched.poll_once()
        assert again.polled == 0 and server.track_calls == 1


async def test_a_failing_source_is_state_backs_off_and_recovers(
    store: Store, fedex: tuple[FedexServer, str]
) -> None:
    server, url = fedex
    time = FakeTime()
    await store.add(Shipment(tracking_number=NUMBER, carrier="fedex"))
    async with CarrierHttp("fedex") as http:
        sched, coordinator = scheduler(store, url, time, http)
        server.mode = "down"
        stats = await sched.poll_once()
        assert stats.failed_batches == 1
        health = coordinator.health
        assert health.failing_since == time.now and health.last_error and "unavailable" in health.last_error
        [shipment] = await store.find(NUMBER)
        assert shipment.poll_failures == 1 and shipment.poll_error and "HTTP 503" in shipment.poll_error
        assert health.retry_at is not None and shipment.next_poll_at == health.retry_at
        calls = server.track_calls
        await sched.poll_once()  # not due yet: no request is sent while backing off
        assert server.track_calls == calls
        time.now = health.retry_at
        server.mode = "ok"
        await sched.poll_once()
        assert coordinator.health.failing_since is None
        [shipment] = await store.find(NUMBER)
        assert (shipment.poll_failures, shipment.poll_error, shipment.status) == (0, None, Status.DELIVERED)


async def test_retry_after_is_honoured(store: Store, fedex: tuple[FedexServer, str]) -> None:
    server, url = fedex
    time = FakeTime()
    await store.add(Shipment(tracking_number=NUMBER, carrier="fedex"))
    async with CarrierHttp("fedex") as http:
        sched, coordinator = scheduler(store, url, time, http)
        server.mode = "limited"
        await sched.poll_once()
        assert coordinator.health.retry_at is not None
        assert coordinator.health.retry_at - time.now >= timedelta(seconds=900)


async def test_a_carrier_without_a_source_is_recorded_not_retried_at_once(
    store: Store, fedex: tuple[FedexServer, str]
) -> None:
    _, url = fedex
    time = FakeTime()
    await store.add(Shipment(tracking_number="RB123456785GB", carrier="s10"))
    async with CarrierHttp("fedex") as http:
        sched, _ = scheduler(store, url, time, http)
        await sched.poll_once()
        [shipment] = await store.find("RB123456785GB")
        assert shipment.poll_error == "no source configured for carrier 's10'"
        assert shipment.next_poll_at is not None and shipment.next_poll_at > time.now
        assert await store.due(time.now) == []
