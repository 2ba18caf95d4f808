"""``parcel-watch purge`` through ``main()`` on SQLite and PostgreSQL: what it prints, its exit
codes, and that a refused age or a dry run changes nothing."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from parcel_watch.cli import main
from parcel_watch.cli.errors import ExitCode
from parcel_watch.status import Status
from parcel_watch.store import Store
from parcel_watch.store.schema import shipments
from tests.cli.conftest import Cli
from tests.store import purge_data as d

# Real time: the CLI purges against the wall clock, so the data is dated from it.
LONG_AGO = datetime.now(UTC) - timedelta(days=400)


async def _build(url: str) -> None:
    async with await Store.open(url) as store:
        old = await d.parcel(store, "1Z0000000000000501", LONG_AGO)
        await d.contacts(store, old)
        held = await d.parcel(store, "1Z0000000000000502", LONG_AGO)
        await d.claim(store, held, "filed")
        await d.parcel(store, "1Z0000000000000503", LONG_AGO, status=Status.IN_TRANSIT)
        await d.parcel(store, "1Z0000000000000504", datetime.now(UTC) - timedelta(days=20))


async def _labels(url: str) -> dict[str, str | None]:
    async with await Store.open(url) as store, store.reading() as conn:
        rows = await conn.execute(select(shipments.c.tracking_number, shipments.c.label))
        return {number[-3:]: label for number, label in rows.all()}


def _purge(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", url, "purge", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_purge_reports_then_purges_then_finds_nothing(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_build(db_url))

    code, out, _ = _purge(capsys, db_url, "--older-than", "180d", "--dry-run", "--json")
    dry = json.loads(out)
    assert code == ExitCode.OK and dry["dry_run"] is True
    assert asyncio.run(_labels(db_url)) == {"501": d.LABEL, "502": d.LABEL, "503": d.LABEL, "504": d.LABEL}

    code, out, _ = _purge(capsys, db_url, "--older-than", "26w", "--json")
    done = json.loads(out)
    assert code == ExitCode.OK
    expected = {"qualifying": 2, "purged": 1, "held": 1, "held_claim_open": 1, "payloads_deleted": 1}
    assert {k: done[k] for k in expected} == expected
    assert done["bytes_freed"] > 0 and done["bytes_freed"] == dry["bytes_freed"]
    assert {k: dry[k] for k in expected} == expected
    assert asyncio.run(_labels(db_url)) == {"501": None, "502": d.LABEL, "503": d.LABEL, "504": d.LABEL}

    code, out, _ = _purge(capsys, db_url, "--older-than", "180d", "--json")
    again = json.loads(out)
    assert (again["purged"], again["already_purged"], again["payloads_deleted"]) == (0, 1, 0)


def test_the_summary_says_what_went_and_what_a_claim_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "store.db")
    asyncio.run(_build(f"sqlite+aiosqlite:///{db}"))

    code, out, err = _purge(capsys, db, "--older-than", "180d")

    assert code == ExitCode.OK and err == ""
    assert "purged personal data of 1 shipments" in out
    assert "deleted 1 raw payloads" in out
    assert "held 1 shipments a claim may still need: 1 with an open claim" in out
    assert "claims set-status ID expired" in out


@pytest.mark.parametrize("age", ["6m", "180", "0d", "soon", "99999999d"])
def test_a_nonsense_age_is_refused_before_the_database_is_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], age: str
) -> None:
    db = tmp_path / "never.db"

    code, out, err = _purge(capsys, str(db), "--older-than", age)

    assert code == ExitCode.INVALID and out == ""
    assert f"error: age {age!r}" in err and "hint: --older-than 180d (days) or 26w (weeks)" in err
    assert not db.exists()


def test_the_age_is_required(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _purge(capsys, str(tmp_path / "x.db"), "--dry-run")
    assert code == ExitCode.USAGE and "--older-than" in err


def test_an_unreachable_database_is_exit_5(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _purge(capsys, "postgresql://nobody@127.0.0.1:1/none", "--older-than", "180d")
    assert code == ExitCode.DATABASE and "cannot open the database" in err


def test_the_command_runs_as_a_program(cli: Cli) -> None:
    asyncio.run(_build(cli.url))

    run = cli("purge", "--older-than", "180d", "--dry-run")

    assert run.code == 0, run.err
    assert "would purge personal data of 1 shipments" in run.out and "dry run: nothing was changed" in run.out
