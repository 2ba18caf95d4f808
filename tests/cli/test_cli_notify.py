"""``parcel-watch notify …``, and ``poll``/``watch`` sending notifications, in real processes
against a local FedEx-speaking server and a local receiver of apprise's ``json://`` posts."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.cli.conftest import ROOT, Cli
from tests.cli.test_cli_poll import FEDEX, run_cli
from tests.notify_receivers import JsonReceiver, receiver

__all__ = ["receiver"]  # fixture

NUMBER = "738488882438"
SECRET = "hunter22-token"
ServerFactory = Callable[..., Awaitable[TestServer]]


def recent_fedex_answer() -> bytes:
    """The fixture's journey moved so that its delivery was yesterday: news, not history."""
    shift = (datetime.now(UTC).date() - timedelta(days=1)) - date(2024, 8, 20)

    def moved(match: re.Match[str]) -> str:
        return (date.fromisoformat(match.group(1)) + shift).isoformat() + "T"

    return re.sub(r"(\d{4}-\d{2}-\d{2})T", moved, FEDEX.read_text(encoding="utf-8")).encode()


async def fedex(aiohttp_server: ServerFactory) -> dict[str, str]:
    body = recent_fedex_answer()

    async def token(_: web.Request) -> web.Response:
        return web.json_response({"access_token": "tok", "expires_in": 3600})

    async def track(_: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/oauth/token", token)
    app.router.add_post("/track/v1/trackingnumbers", track)
    server = await aiohttp_server(app)
    return {
        "PARCEL_WATCH_FEDEX_CLIENT_ID": "id",
        "PARCEL_WATCH_FEDEX_CLIENT_SECRET": "secret",
        "PARCEL_WATCH_FEDEX_BASE_URL": str(server.make_url("/")).rstrip("/"),
    }


def config(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)  # it holds secrets: one readable by others is refused
    # The tables are read whole: a terminal wide enough, whatever the test runner's is.
    return {"PARCEL_WATCH_CONFIG": str(path), "COLUMNS": "200"}


def secret_url(receiver: JsonReceiver, path: str) -> str:
    return receiver.url(path).replace("json://", f"json://user:{SECRET}@")


async def test_poll_tells_the_configured_url_and_the_watcher_and_the_log_shows_it(
    cli: Cli, aiohttp_server: ServerFactory, receiver: JsonReceiver, tmp_path: Path
) -> None:
    env = await fedex(aiohttp_server) | config(tmp_path, f'notify = ["{secret_url(receiver, "all")}"]\n')
    assert cli("add", NUMBER, "--carrier", "fedex").code == 0
    code, _, err = await run_cli(cli, "notify", "watch", NUMBER, receiver.url("mine"), env=env)
    assert code == 0 and f"now tells json://127.0.0.1:{receiver.server.port}/mine" in err  # type: ignore[union-attr]

    code, out, err = await run_cli(cli, "poll", "--json", env=env)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["notifications"]["failed"] == 0 and summary["notifications"]["sent"] >= 2
    for path in ("all", "mine"):
        titles = [m["title"] for m in receiver.messages if m["path"] == path]
        assert f"Delivered: fedex {NUMBER}" in titles and f"Out for delivery: fedex {NUMBER}" in titles
    assert len(receiver.messages) == summary["notifications"]["sent"]

    code, out, err = await run_cli(cli, "notify", "log", "--json", env=env)
    logged = json.loads(out)
    assert {(e["state"], e["title"]) for e in logged} >= {("sent", f"Delivered: fedex {NUMBER}")}
    code, out, err = await run_cli(cli, "notify", "log", env=env)
    assert code == 0 and "Delivered: fedex" in out and "user:****@127.0.0.1" in out
    assert SECRET not in out + err

    # Polling again finds nothing new: nothing is sent twice.
    code, out, _ = await run_cli(cli, "poll", "--json", env=env)
    assert json.loads(out)["notifications"] == {"sent": 0, "failed": 0}
    assert len(receiver.messages) == summary["notifications"]["sent"]


async def test_watch_sends_notifications_without_waiting_for_them(
    cli: Cli, aiohttp_server: ServerFactory, receiver: JsonReceiver, tmp_path: Path
) -> None:
    env = await fedex(aiohttp_server) | config(tmp_path, f'[notify]\nurls = ["{receiver.url()}"]\n')
    assert cli("add", NUMBER, "--carrier", "fedex").code == 0
    base = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "parcel_watch",
        "watch",
        env=base | {"PARCEL_WATCH_DB": cli.db} | env,
        cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        for _ in range(150):
            if f"Delivered: fedex {NUMBER}" in receiver.titles:
                break
            await asyncio.sleep(0.2)
        assert f"Delivered: fedex {NUMBER}" in receiver.titles
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, err.decode()
    assert b"stopped: 1 polls" in err


async def test_notify_test_reports_each_url_and_fails_when_one_is_refused(
    cli: Cli, receiver: JsonReceiver, tmp_path: Path
) -> None:
    env = config(tmp_path, f'notify = ["{receiver.url("ok")}", "{secret_url(receiver, "down")}"]\n')
    receiver.answers = [500]  # the first post to arrive is refused; which one is not known
    code, _, err = await run_cli(cli, "notify", "test", env=env)
    assert code == 4
    assert len(re.findall(r"^sent: json://", err, re.MULTILINE)) == 1
    assert len(re.findall(r"^failed: json://.*500", err, re.MULTILINE)) == 1
    assert [m["title"] for m in receiver.messages] == ["parcel-watch test message"]
    assert SECRET not in err
    code, _, err = await run_cli(cli, "notify", "test", receiver.url("given"), env={})
    assert code == 0 and receiver.messages[-1]["path"] == "given"


async def test_watchers_are_listed_redacted_and_removed(
    cli: Cli, receiver: JsonReceiver, tmp_path: Path
) -> None:
    env = config(tmp_path, '[notify]\nquiet_hours = "22:00-07:00"\nurls = ["ntfy://ntfy.sh/parcels"]\n')
    assert cli("add", NUMBER, "--carrier", "fedex").code == 0
    url = secret_url(receiver, "w")
    code, _, err = await run_cli(cli, "notify", "watch", NUMBER, url, env=env)
    assert code == 0 and SECRET not in err
    code, _, err = await run_cli(cli, "notify", "watch", NUMBER, url, env=env)
    assert "already told" in err
    code, out, _ = await run_cli(cli, "notify", "list", "--json", env=env)
    listed = json.loads(out)
    assert listed["routes"][0]["quiet_hours"] == "22:00-07:00"
    assert [w["url"] for w in listed["watchers"]] == [f"json://user:****@127.0.0.1:{receiver.server.port}/w"]  # type: ignore[union-attr]
    code, out, _ = await run_cli(cli, "notify", "list", env=env)
    assert "ntfy://ntfy.sh/parcels" in out and "every kind, fedex 738488882438" in out and SECRET not in out
    code, _, err = await run_cli(cli, "notify", "unwatch", NUMBER, url, env=env)
    assert code == 0 and "1 watcher(s) removed" in err
    code, _, err = await run_cli(cli, "notify", "unwatch", NUMBER, env=env)
    assert code == 3 and "no such watcher" in err
    code, _, err = await run_cli(cli, "notify", "watch", "999999999999", url, env=env)
    assert code == 3


async def test_a_bad_notify_setting_is_a_configuration_error(cli: Cli, tmp_path: Path) -> None:
    env = config(tmp_path, '[notify]\nurls = ["ntfy://ntfy.sh/x"]\nquiet_hours = "late"\n')
    code, _, err = await run_cli(cli, "notify", "list", env=env)
    assert code == 5 and "quiet_hours must look like" in err
