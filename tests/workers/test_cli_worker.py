"""``parcel-watch worker`` refuses bad options before touching anything, and a ``watch`` loop
survives a database that fails a whole poll."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from parcel_watch.cli import main
from parcel_watch.cli.commands_worker import parse_rates
from parcel_watch.cli.errors import CliError
from parcel_watch.poller import watch
from parcel_watch.scheduler import PollStats, Scheduler
from parcel_watch.store import Store
from parcel_watch.store.engine import make_engine

SANDBOX = {"PARCEL_WATCH_DHL_API_KEY": "k", "PARCEL_WATCH_DHL_BASE_URL": "http://127.0.0.1:9"}


def test_rates_are_source_equals_requests_per_second() -> None:
    assert parse_rates(["DHL=2", "ups=0.5"]) == {"dhl": 2.0, "ups": 0.5}
    for bad in ("dhl", "dhl=", "=3", "dhl=0", "dhl=-1", "dhl=fast", "dhl=inf"):
        with pytest.raises(CliError, match="bad --rate"):
            parse_rates([bad])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rate", "dhl=lots"], "bad --rate"),
        (["--concurrency", "0"], "--concurrency must be at least 1"),
        (["--lease", "0"], "--lease must be at least 1"),
        (["--lease-seconds", "10", "--request-timeout", "20"], "must be longer than a request's timeout"),
    ],
)
def test_bad_options_exit_4_naming_them(
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path,
) -> None:
    for name, value in SANDBOX.items():
        monkeypatch.setenv(name, value)
    code = main(["worker", "--db", str(tmp_path / "never.db"), *argv])
    assert code == 4
    assert message in capsys.readouterr().err
    assert not (tmp_path / "never.db").exists()  # refused before the store was opened


def test_a_worker_without_any_source_says_how_to_configure_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in [n for n in os.environ if n.startswith("PARCEL_WATCH_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PARCEL_WATCH_CONFIG", str(tmp_path / "none.toml"))
    assert main(["worker", "--db", str(tmp_path / "s.db")]) == 4
    assert "no carrier source is configured" in capsys.readouterr().err


async def test_watch_goes_on_when_the_database_fails_a_whole_poll() -> None:
    """Nothing listens on port 9: every statement fails past the store's own retries."""
    store = Store(make_engine("postgresql+asyncpg://postgres@127.0.0.1:9/none"))
    stop = asyncio.Event()
    seen: list[PollStats] = []

    def after(stats: PollStats) -> None:
        seen.append(stats)
        stop.set()

    total = await asyncio.wait_for(
        watch(Scheduler(store, {}, route=lambda s: None), stop, after_poll=after), 60
    )
    assert total.failed_batches == 1 and seen[0].failed_batches == 1
    await store.engine.dispose()
