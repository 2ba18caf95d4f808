"""`parcel-watch token` and `serve` in real processes: a created token is printed once and
opens the JSON API of a running server; listed by id only; revoked, it no longer does."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import aiohttp

from tests.cli.conftest import ROOT, Cli
from tests.cli.test_cli_serve import free_port


async def test_a_created_token_opens_the_api_of_serve_until_revoked(cli: Cli) -> None:
    created = cli("token", "create", "--scope", "write", "--name", "crm sync")
    assert created.code == 0, created.err
    token = created.out.strip()
    assert token.startswith("pw_") and len(created.out.splitlines()) == 1
    token_id = token.split("_")[1]
    listed = cli("token", "list", "--json")
    assert listed.json() == [
        listed.json()[0] | {"id": token_id, "name": "crm sync", "scope": "write", "revoked_at": None}
    ]
    assert token.split("_", 2)[2] not in listed.out

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")}
    env |= {"PARCEL_WATCH_DB": cli.db}  # no webhook secret: the API alone
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "parcel_watch",
        "serve",
        "--port",
        str(port),
        env=env,
        cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {token}"}
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):  # wait for the listener
                try:
                    async with http.get(f"{base}/api/openapi.json") as resp:
                        assert resp.status == 200
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            async with http.post(
                f"{base}/api/shipments", json={"tracking_number": "1Z999AA10123456784"}, headers=auth
            ) as resp:
                assert resp.status == 201, await resp.text()
            async with http.get(f"{base}/api/shipments", headers=auth) as resp:
                assert (await resp.json())["total"] == 1
            revoked = await asyncio.to_thread(cli, "token", "revoke", token_id)
            assert revoked.code == 0 and token_id in revoked.err
            async with http.get(f"{base}/api/shipments", headers=auth) as resp:
                assert resp.status == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        _, raw_err = await asyncio.wait_for(proc.communicate(), timeout=30)
    err = raw_err.decode()
    assert proc.returncode == 0 and "JSON API on" in err and "no webhooks" in err
    assert token not in err and token.split("_", 2)[2] not in err  # never logged
    assert cli("token", "revoke", token_id).code == 3
