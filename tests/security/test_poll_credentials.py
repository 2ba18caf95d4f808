"""``parcel-watch poll``/``watch``/``worker``/``tui`` through ``main()`` with credentials in the environment: the
wrong kind or half of a pair is a configuration error naming the missing variables (exit 5)
before any request; credentials a carrier refuses are that source's recorded failure."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiohttp import web

from parcel_watch.cli import main
from parcel_watch.cli.errors import ExitCode

FEDEX_NUMBER = "738488882438"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("PARCEL_WATCH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PARCEL_WATCH_DB", str(tmp_path / "pw.db"))
    monkeypatch.setenv("PARCEL_WATCH_CONFIG", str(tmp_path / "absent.toml"))


@contextmanager
def serving(app: web.Application) -> Iterator[str]:
    """A real aiohttp server on its own loop and thread (``main()`` runs its own loop)."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@pytest.mark.parametrize("command", ["poll", "watch", "worker", "tui"])
@pytest.mark.parametrize(
    ("env", "missing", "unused"),
    [
        # The reported case: an API key for the OAuth USPS adapter.
        ({"USPS_API_KEY": "k-usps"}, ["USPS_CLIENT_ID", "USPS_CLIENT_SECRET"], "USPS_API_KEY"),
        ({"UPS_CLIENT_ID": "id-ups"}, ["UPS_CLIENT_SECRET"], None),
        ({"DHL_CLIENT_ID": "id", "DHL_CLIENT_SECRET": "s-dhl"}, ["DHL_API_KEY"], "DHL_CLIENT_ID"),
    ],
)
def test_incomplete_or_wrong_credentials_are_a_configuration_error_naming_the_variables(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    env: dict[str, str],
    missing: list[str],
    unused: str | None,
) -> None:
    monkeypatch.setenv("PARCEL_WATCH_FEDEX_CLIENT_ID", "fine")  # a complete source does not hide it
    monkeypatch.setenv("PARCEL_WATCH_FEDEX_CLIENT_SECRET", "fine-secret")
    for name, value in env.items():
        monkeypatch.setenv(f"PARCEL_WATCH_{name}", value)
    assert main([command]) == ExitCode.DATABASE
    err = capsys.readouterr().err
    assert "internal error" not in err and "AuthError" not in err
    assert "carrier credentials incomplete" in err
    for name in missing:
        assert f"PARCEL_WATCH_{name}" in err
    if unused:
        assert f"PARCEL_WATCH_{unused}" in err and "not used by" in err
    assert "fedex" not in err  # only the broken source is named
    assert not any(secret in err for secret in env.values() if "-" in secret)  # no value shown


def test_a_canada_post_key_that_is_not_user_password_is_refused_before_polling(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PARCEL_WATCH_CANADAPOST_API_KEY", "just-a-key")
    assert main(["poll"]) == ExitCode.DATABASE
    err = capsys.readouterr().err
    assert "PARCEL_WATCH_CANADAPOST_API_KEY must be user:password" in err and "just-a-key" not in err


def test_credentials_the_carrier_refuses_are_that_sources_recorded_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token_calls: list[str] = []

    async def token(_: web.Request) -> web.Response:
        token_calls.append("token")
        return web.json_response({"error": "invalid_client"}, status=401)

    app = web.Application()
    app.router.add_post("/oauth/token", token)
    assert main(["add", FEDEX_NUMBER, "--carrier", "fedex"]) == ExitCode.OK
    capsys.readouterr()
    with serving(app) as base_url:
        monkeypatch.setenv("PARCEL_WATCH_FEDEX_CLIENT_ID", "id")
        monkeypatch.setenv("PARCEL_WATCH_FEDEX_CLIENT_SECRET", "refused-secret")
        monkeypatch.setenv("PARCEL_WATCH_FEDEX_BASE_URL", base_url)
        code = main(["poll", "--json"])
    out, err = capsys.readouterr()
    assert code == ExitCode.OK, err
    assert "internal error" not in err
    summary = json.loads(out)
    fedex = summary["sources"]["fedex"]
    assert fedex["ok"] is False and "credentials refused" in fedex["last_error"]
    assert summary["failed_batches"] == 1 and token_calls
    assert "refused-secret" not in out + err
