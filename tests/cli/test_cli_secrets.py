"""Secrets never leave their place: after a full demo, a poll with OAuth credentials and a
token, notifications to a URL with a password, exports and an evidence pack — all with
``--debug`` — no secret value is in any output, log line or file the runs wrote."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from pathlib import Path

from aiohttp import web

from parcel_watch.store.payloads import decompress
from tests.cli.conftest import ROOT, Cli
from tests.cli.test_cli_demo import DEMO_TIMEOUT_S
from tests.cli.test_cli_notify import NUMBER, ServerFactory, recent_fedex_answer
from tests.notify_receivers import JsonReceiver, receiver

__all__ = ["receiver"]  # fixture

# Distinctive values: a hit can only be a leak.
SECRETS = {
    "client_secret": "Zq8-client-secret-7Kp",
    "access_token": "Zq8-access-token-7Kp",
    "api_key": "Zq8-api-key-7Kp",
    "webhook_secret": "Zq8-webhook-secret-7Kp",
    "notify_password": "Zq8-notify-password-7Kp",
}


def raw_payloads(db: Path) -> list[tuple[str, bytes]]:
    """The stored carrier bodies, decompressed: zlib would hide a secret from a byte search."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, body FROM raw_payloads").fetchall()
    assert rows, f"{db.name} stored raw payloads"
    return [(f"{db.name} raw payload {i}", decompress(body)) for i, body in rows]


def credential_env() -> dict[str, str]:
    """Every carrier credential variable set, for each command (the demo itself uses its own)."""
    env = {}
    for slug in ("FEDEX", "UPS", "DHL", "USPS", "DPD", "ROYALMAIL", "SFEXPRESS"):
        env[f"PARCEL_WATCH_{slug}_CLIENT_SECRET"] = SECRETS["client_secret"]
    for slug in ("17TRACK", "CANADAPOST", "DHL", "USPS"):
        env[f"PARCEL_WATCH_{slug}_API_KEY"] = SECRETS["api_key"]
    for slug in ("AFTERSHIP", "EASYPOST"):
        env[f"PARCEL_WATCH_{slug}_WEBHOOK_SECRET"] = SECRETS["webhook_secret"]
    return env


async def fedex_with_secrets(aiohttp_server: ServerFactory) -> dict[str, str]:
    body = recent_fedex_answer()

    async def token(request: web.Request) -> web.Response:
        form = await request.post()
        assert form.get("client_secret") == SECRETS["client_secret"]  # the secret did reach the carrier
        return web.json_response({"access_token": SECRETS["access_token"], "expires_in": 3600})

    async def track(request: web.Request) -> web.Response:
        assert request.headers.get("Authorization") == f"Bearer {SECRETS['access_token']}"
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/oauth/token", token)
    app.router.add_post("/track/v1/trackingnumbers", track)
    server = await aiohttp_server(app)
    return {
        "PARCEL_WATCH_FEDEX_CLIENT_ID": "client-id",
        "PARCEL_WATCH_FEDEX_BASE_URL": str(server.make_url("/")).rstrip("/"),
    }


async def test_no_secret_in_any_output_log_database_or_export(
    cli: Cli, aiohttp_server: ServerFactory, receiver: JsonReceiver, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    url = receiver.url("all").replace("json://", f"json://user:{SECRETS['notify_password']}@")
    config.write_text(f'notify = ["{url}"]\n', encoding="utf-8")
    config.chmod(0o600)
    env = credential_env() | {"PARCEL_WATCH_CONFIG": str(config), "PARCEL_WATCH_DEBUG": "1"}
    outputs: list[str] = []

    async def run(*args: str) -> str:
        base = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")}
        proc = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "parcel_watch", "--debug", *args),
            env=base | {"PARCEL_WATCH_DB": cli.db} | env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        # The whole demo can take minutes on a busy machine.
        raw_out, raw_err = await asyncio.wait_for(proc.communicate(), timeout=DEMO_TIMEOUT_S)
        code, out, err = proc.returncode, raw_out.decode(), raw_err.decode()
        assert "Traceback" not in err, err
        outputs.extend((out, err))
        assert code == 0, err
        return out

    await run("--db", cli.db, "demo", "--headless", "--json", "--seed", "7")
    claims = json.loads(await run("claims", "list", "--json"))
    assert claims, "the demo drafted claims"
    await run("claims", "export", str(claims[0]["id"]), "--out", str(tmp_path / "pack"))
    # The poll has a database of its own (the demo's shipments are not FedEx's to answer),
    # and only credentials that are complete: a client secret without its id is another matter.
    env = {k: v for k, v in env.items() if "WEBHOOK" in k or not k.startswith("PARCEL_WATCH_")}
    env |= {"PARCEL_WATCH_CONFIG": str(config), "PARCEL_WATCH_DB": str(tmp_path / "poll.db")}
    env["PARCEL_WATCH_DEBUG"] = "1"
    env |= await fedex_with_secrets(aiohttp_server)
    env["PARCEL_WATCH_FEDEX_CLIENT_SECRET"] = SECRETS["client_secret"]
    await run("add", NUMBER, "--carrier", "fedex")
    poll = json.loads(await run("poll", "--json"))
    # The secrets were used: the token was granted, the tracking read, the news told.
    assert poll["notifications"]["sent"] >= 1 and poll["notifications"]["failed"] == 0, poll
    assert any(NUMBER in m["title"] for m in receiver.messages)
    await run("notify", "test")
    await run("export", "--format", "json", "--output", str(tmp_path / "export.json"))
    await run("export", "--format", "csv", "--output", str(tmp_path / "export.csv"))

    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != config]
    assert any(p.name == "export.csv" for p in written) and any(p.parent.name == "pack" for p in written)
    places = [
        *((f"output {i}", text.encode()) for i, text in enumerate(outputs)),
        *((str(p.relative_to(tmp_path)), p.read_bytes()) for p in written),
        *raw_payloads(Path(cli.db)),
        *raw_payloads(tmp_path / "poll.db"),
    ]
    leaks = [
        f"{name} in {where}"
        for name, value in SECRETS.items()
        for where, data in places
        if value.encode() in data
    ]
    assert leaks == []
    assert os.stat(config).st_mode & 0o077 == 0
