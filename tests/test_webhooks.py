"""The webhook receiver over real HTTP: signatures, replay, size cap, and poll + push dedupe."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from carriers import easypost
from carriers.signatures import SIGNATURE_HEADERS, SIGNERS
from parcel_watch.model import Source
from parcel_watch.request_body import MAX_BODY_BYTES
from parcel_watch.store import IngestItem, RawPayload, Store
from parcel_watch.webhooks import WebhookConfig, make_app

FIXTURES = Path(__file__).parent / "fixtures" / "carriers"
EASYPOST_PUSH = (FIXTURES / "easypost" / "webhook_tracker_updated_in_transit_fedex.raw.json").read_bytes()
SECRET = "whsec_test_0123"
ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def hook(aiohttp_client: ClientFactory, store: Store) -> AsyncIterator[TestClient[Any, Any]]:
    config = WebhookConfig(secrets={"easypost": SECRET, "aftership": SECRET, "17track": SECRET})
    yield await aiohttp_client(make_app(store, config))


def signed(provider: str, body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {SIGNATURE_HEADERS[provider]: SIGNERS[provider](body, secret), "Content-Type": "application/json"}


async def test_a_signed_push_is_ingested_as_webhook_events_with_its_evidence(
    hook: TestClient[Any, Any], store: Store
) -> None:
    resp = await hook.post(
        "/webhooks/easypost", data=EASYPOST_PUSH, headers=signed("easypost", EASYPOST_PUSH)
    )
    assert resp.status == 200, await resp.text()
    summary = await resp.json()
    assert summary["shipments"] == 1 and summary["new_events"] > 0
    [shipment] = await store.find("1", "fedex")
    timeline = await store.timeline(shipment.id or 0)
    assert {e.source for e in timeline} == {Source.WEBHOOK}
    [sha] = await store.payload_of_events(shipment.id or 0)
    stored = await store.payload(sha)
    assert stored is not None and stored.body == EASYPOST_PUSH and stored.source == "webhook"


@pytest.mark.parametrize("case", ["missing", "wrong-secret", "tampered"])
async def test_bad_signatures_are_refused_and_nothing_is_stored(
    hook: TestClient[Any, Any], store: Store, case: str
) -> None:
    body, headers = EASYPOST_PUSH, signed("easypost", EASYPOST_PUSH)
    if case == "missing":
        headers = {"Content-Type": "application/json"}
    elif case == "wrong-secret":
        headers = signed("easypost", body, "guessed")
    else:
        body = body.replace(b'"in_transit"', b'"delivered"')
    resp = await hook.post("/webhooks/easypost", data=body, headers=headers)
    assert resp.status == 401
    assert await store.count() == (0, 0)


async def test_a_replayed_push_is_refused(hook: TestClient[Any, Any]) -> None:
    first = await hook.post(
        "/webhooks/easypost", data=EASYPOST_PUSH, headers=signed("easypost", EASYPOST_PUSH)
    )
    again = await hook.post(
        "/webhooks/easypost", data=EASYPOST_PUSH, headers=signed("easypost", EASYPOST_PUSH)
    )
    assert (first.status, again.status) == (200, 409)


async def test_an_oversized_body_is_refused_unread(hook: TestClient[Any, Any], store: Store) -> None:
    body = b"{" + b" " * (MAX_BODY_BYTES + 10) + b"}"
    resp = await hook.post("/webhooks/easypost", data=body, headers=signed("easypost", body))
    assert resp.status == 413
    assert await store.count() == (0, 0)


async def test_unknown_providers_have_no_endpoint(hook: TestClient[Any, Any]) -> None:
    assert (await hook.post("/webhooks/pigeon", data=b"{}")).status == 404


async def test_a_signed_but_malformed_push_is_kept_as_evidence_and_answered_400(
    hook: TestClient[Any, Any], store: Store
) -> None:
    body = b'{"description": "tracker.updated", "result": {"tracking_details": "garbage'
    resp = await hook.post("/webhooks/easypost", data=body, headers=signed("easypost", body))
    assert resp.status == 400
    assert (await resp.json())["errors"][0]["kind"] == "malformed"


async def test_poll_then_push_of_the_same_scans_stores_each_scan_once(
    hook: TestClient[Any, Any], store: Store
) -> None:
    polled = easypost.parse(EASYPOST_PUSH)  # the same tracker, as a poll would have fetched it
    await store.ingest(
        [IngestItem([s.to_update() for s in polled.shipments], RawPayload("easypost", b"poll-body"))]
    )
    events_before = (await store.count())[1]
    resp = await hook.post(
        "/webhooks/easypost", data=EASYPOST_PUSH, headers=signed("easypost", EASYPOST_PUSH)
    )
    summary = await resp.json()
    assert summary["new_events"] == 0 and summary["duplicate_events"] == events_before
    assert (await store.count())[1] == events_before


async def test_a_number_the_store_cannot_hold_is_an_error_not_a_crash(
    hook: TestClient[Any, Any], store: Store
) -> None:
    body = EASYPOST_PUSH.replace(b'"tracking_code":"1"', b'"tracking_code":"' + b"9" * 200 + b'"')
    resp = await hook.post("/webhooks/easypost", data=body, headers=signed("easypost", body))
    assert resp.status == 400
    assert "unusable shipment" in (await resp.json())["errors"][-1]["message"]
    assert (await store.count())[0] == 0
