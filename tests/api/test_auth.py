"""Who may call what: no token and wrong tokens are 401, a read token writing is 403; the
store keeps only a hash of each token."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from parcel_watch import api
from parcel_watch.api import tokens
from parcel_watch.api.tokens import Scope
from parcel_watch.store import Store
from parcel_watch.store.schema import api_tokens
from tests.api.conftest import NOW, Seeded

Client = TestClient[Any, Any]
# One call per route, with a body where it takes one.
CALLS = [
    (r.method, r.path.replace("{shipment_id}", "1").replace("{claim_id}", "1"), r.scope) for r in api.ROUTES
]
BODIES = {
    "/api/shipments": {"tracking_number": "1Z999AA10123456784"},
    "/api/claims/1/status": {"status": "ready"},
}


async def call(client: Client, method: str, path: str, headers: dict[str, str]) -> tuple[int, Any]:
    resp = await client.request(
        method, path, json=BODIES.get(path) if method == "POST" else None, headers=headers
    )
    return resp.status, await resp.json()


@pytest.mark.parametrize(("method", "path", "scope"), CALLS)
async def test_every_route_needs_a_valid_token(
    client: Client, seeded: Seeded, method: str, path: str, scope: Scope
) -> None:
    status, body = await call(client, method, path, {})
    assert status == 401 and "Bearer" in body["error"]["message"]
    for wrong in (
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer " + seeded.write[:-4] + "AAAA",  # the right id, a wrong secret
        "Bearer pw_0000000000000000_" + seeded.write.split("_", 2)[2],  # the right secret, no such id
    ):
        status, body = await call(client, method, path, {"Authorization": wrong})
        assert status == 401, wrong
    status, _ = await call(client, method, path, seeded.auth(seeded.write))
    assert status < 400
    status, body = await call(client, method, path, seeded.auth(seeded.read))
    if scope is Scope.WRITE:
        assert status == 403 and "this needs a write token" in body["error"]["message"]
    else:
        assert status == 200


async def test_a_missing_token_says_how_to_send_one(client: Client) -> None:
    resp = await client.get("/api/shipments")
    assert resp.headers["WWW-Authenticate"] == "Bearer"
    assert (await resp.json())["error"]["message"].endswith("send 'Authorization: Bearer <token>'")


async def test_a_revoked_token_is_refused_and_others_keep_working(
    client: Client, store: Store, seeded: Seeded
) -> None:
    token_id = tokens.split(seeded.read)
    assert token_id is not None and await tokens.revoke(store, token_id, NOW)
    assert not await tokens.revoke(store, token_id, NOW)  # already revoked
    assert (await client.get("/api/shipments", headers=seeded.auth(seeded.read))).status == 401
    assert (await client.get("/api/shipments", headers=seeded.auth(seeded.write))).status == 200
    listed = {t.token_id: t for t in await tokens.list_tokens(store)}
    assert not listed[token_id].active and listed[token_id].name == "dashboard"


async def test_the_store_keeps_a_hash_never_the_token(store: Store) -> None:
    token, info = await tokens.create(store, Scope.WRITE, "  ", NOW)
    assert info.name == f"token {info.token_id}" and token.startswith(f"pw_{info.token_id}_")
    async with store.reading() as conn:
        [row] = (await conn.execute(select(api_tokens))).all()
    secret = token.split("_", 2)[2]
    assert all(secret not in str(value) for value in row)
    assert len(row.secret_hash) == 64 and row.token_id == info.token_id
    verified = await tokens.verify(store, token)
    assert verified is not None and verified.scope is Scope.WRITE
    assert await tokens.verify(store, token + "x") is None
