"""Shipments written in bulk for worker tests, and the sandbox's credentials for them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from pydantic import SecretStr
from sqlalchemy import insert

from carriers.credentials import Credentials
from carriers.sandbox.counting import numbers
from parcel_watch.store import Store
from parcel_watch.store.schema import shipments

CHUNK = 5_000


async def add_shipments(
    store: Store, per_api: Mapping[str, int], now: datetime | None = None, due_at: datetime | None = None
) -> int:
    """``per_api`` never-polled shipments per API, numbered as the counting sandbox numbers
    them; due at once, or at ``due_at`` (so workers started one by one begin together)."""
    now = now or datetime.now(UTC)
    rows = [
        {
            "carrier": api,
            "tracking_number": number,
            "carrier_source": "user",
            "status": "PENDING",
            "created_at": now,
            "updated_at": now,
            "next_poll_at": due_at,
        }
        for api, count in per_api.items()
        for number in numbers(api, count)
    ]
    for i in range(0, len(rows), CHUNK):
        async with store.writing() as conn:
            await conn.execute(insert(shipments), rows[i : i + CHUNK])
    return len(rows)


def sandbox_credentials(url: str, apis: tuple[str, ...] = ("ups", "usps", "dhl")) -> dict[str, Credentials]:
    key = SecretStr("sandbox")
    return {
        api: Credentials(slug=api, api_key=key, client_id="sandbox", client_secret=key, base_url=url)
        for api in apis
    }


def sandbox_env(url: str, apis: tuple[str, ...] = ("ups", "usps", "dhl")) -> dict[str, str]:
    """The same credentials as environment variables, for worker processes."""
    env: dict[str, str] = {}
    for api in apis:
        prefix = f"PARCEL_WATCH_{api.upper()}_"
        if api == "dhl":
            env[prefix + "API_KEY"] = "sandbox"
        else:
            env[prefix + "CLIENT_ID"] = "sandbox"
            env[prefix + "CLIENT_SECRET"] = "sandbox"
        env[prefix + "BASE_URL"] = url
    return env
