"""`parcel-watch poll` in a real process against a local server speaking the FedEx API."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.cli.conftest import ROOT, Cli

FEDEX = ROOT / "tests" / "fixtures" / "carriers" / "fedex" / "delivered_mixed_offsets.json"
ServerFactory = Callable[..., Awaitable[TestServer]]


async def run_cli(cli: Cli, *args: str, env: dict[str, str]) -> tuple[int, str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "parcel_watch",
        *args,
        env=base | {"PARCEL_WATCH_DB": cli.db} | env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert b"Traceback" not in err, err.decode()
    return proc.returncode or 0, out.decode(), err.decode()


async def test_poll_fetches_due_shipments_and_reports_each_source(
    cli: Cli, aiohttp_server: ServerFactory, tmp_path: Path
) -> None:
    calls: list[str] = []

    async def token(_: web.Request) -> web.Response:
        return web.json_response({"access_token": "tok", "expires_in": 3600})

    async def track(request: web.Request) -> web.Response:
        calls.append((await request.json())["trackingInfo"][0]["trackingNumberInfo"]["trackingNumber"])
        return web.Response(body=FEDEX.read_bytes(), content_type="application/json")

    app = web.Application()
    app.router.add_post("/oauth/token", token)
    app.router.add_post("/track/v1/trackingnumbers", track)
    server = await aiohttp_server(app)
    env = {
        "PARCEL_WATCH_FEDEX_CLIENT_ID": "id",
        "PARCEL_WATCH_FEDEX_CLIENT_SECRET": "s3cr3t-fedex",
        "PARCEL_WATCH_FEDEX_BASE_URL": str(server.make_url("/")).rstrip("/"),
    }
    assert cli("add", "738488882438", "--carrier", "fedex").code == 0
    code, out, err = await run_cli(cli, "poll", "--json", env=env)
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["polled"], summary["failed_batches"]) == (1, 0) and summary["new_events"] > 10
    assert summary["sources"]["fedex"]["ok"] is True
    assert calls == ["738488882438"]
    assert "s3cr3t-fedex" not in out + err
    shown = cli("show", "738488882438", "--json").json()[0]
    assert shown["status"] == "DELIVERED" and len(shown["events"]) > 10
    # Nothing is due any more: a second poll sends no request.
    code, out, _ = await run_cli(cli, "poll", "--json", env=env)
    assert json.loads(out)["polled"] == 0 and len(calls) == 1


async def test_poll_without_any_source_says_how_to_configure_one(cli: Cli) -> None:
    code, _, err = await run_cli(cli, "poll", env={})
    assert code == 4 and "no carrier source is configured" in err


async def test_watch_polls_then_stops_cleanly_on_sigterm(cli: Cli, aiohttp_server: ServerFactory) -> None:
    async def token(_: web.Request) -> web.Response:
        return web.json_response({"access_token": "tok", "expires_in": 3600})

    async def track(_: web.Request) -> web.Response:
        return web.Response(body=FEDEX.read_bytes(), content_type="application/json")

    app = web.Application()
    app.router.add_post("/oauth/token", token)
    app.router.add_post("/track/v1/trackingnumbers", track)
    server = await aiohttp_server(app)
    assert cli("add", "738488882438", "--carrier", "fedex").code == 0
    base = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")}
    env = base | {
        "PARCEL_WATCH_DB": cli.db,
        "PARCEL_WATCH_FEDEX_CLIENT_ID": "id",
        "PARCEL_WATCH_FEDEX_CLIENT_SECRET": "secret",
        "PARCEL_WATCH_FEDEX_BASE_URL": str(server.make_url("/")).rstrip("/"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "parcel_watch", "watch", env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    assert proc.stderr is not None
    line = b""
    while b"watching" not in line:
        line = await asyncio.wait_for(proc.stderr.readline(), timeout=30)
    for _ in range(100):  # the first poll stores the events
        shown = cli("show", "738488882438", "--json").json()[0]
        if shown["events"]:
            break
        await asyncio.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, err.decode()
    assert b"stopped: 1 polls" in err and b"Traceback" not in err
