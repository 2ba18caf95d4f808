"""`parcel-watch serve` in a real process: a signed push is stored; SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from carriers.signatures import sign_easypost
from tests.cli.conftest import ROOT, Cli

PUSH = (
    ROOT
    / "tests"
    / "fixtures"
    / "carriers"
    / "easypost"
    / "webhook_tracker_updated_in_transit_fedex.raw.json"
).read_bytes()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_serve_stores_a_signed_push_and_stops_on_sigterm(cli: Cli, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")}
    env |= {"PARCEL_WATCH_DB": cli.db, "PARCEL_WATCH_EASYPOST_WEBHOOK_SECRET": "whsec_cli"}
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
    try:
        url = f"http://127.0.0.1:{port}/webhooks/easypost"
        async with aiohttp.ClientSession() as http:
            for _ in range(100):  # wait for the listener
                try:
                    async with http.post(url, data=b"{}") as resp:
                        assert resp.status == 401  # unsigned: refused
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            headers = {
                "X-Hmac-Signature": sign_easypost(PUSH, "whsec_cli"),
                "Content-Type": "application/json",
            }
            async with http.post(url, data=PUSH, headers=headers) as resp:
                assert resp.status == 200, await resp.text()
                assert (await resp.json())["new_events"] > 0
    finally:
        proc.send_signal(signal.SIGTERM)
        _, raw_err = await asyncio.wait_for(proc.communicate(), timeout=30)
    err = raw_err.decode()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopped" in err
    shown = cli("show", "1", "--json")
    assert shown.code == 0 and shown.json()[0]["carrier"] == "fedex"
