"""Markup and terminal escapes planted in carrier and user text — an event's description and
place, a shipment's label and service, claim facts — come out of every terminal output and
plain-text export literally (the markup as typed) or neutralised (the escapes gone): CLI
tables, ``show``, anomalies, claim letters as text and Markdown, evidence packs, CSV exports,
the carrier report, and the dashboard's detail screen. JSON keeps them, escaped."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from claims.evaluation import evaluate
from parcel_watch.model import Shipment
from parcel_watch.status import Status
from parcel_watch.store import Store
from tests.cli.conftest import Cli, Run
from tests.factories import T0, event, item, update
from tests.tui.conftest import FROZEN, SIZE, sample_app, sqlite_url
from tests.tui.pilot_tools import screen_text
from tests.tui.test_detail import opened
from tui.widgets.timeline_table import TimelineTable

HOSTILE = "\x1b]0;pwned\x07[bold red]x[/]\x1b[2J"
LITERAL = "[bold red]x[/]"
DAMAGED = "819482199352"
DUTIES = "1Z999AA10123456784"


async def build(url: str, now: datetime) -> int:
    """The hostile store; returns the damaged parcel's id."""
    start = (now - timedelta(days=6) - T0).total_seconds() / 60
    async with await Store.open(url) as store:
        added = await store.add(
            Shipment(
                tracking_number=DAMAGED, carrier="fedex", label=f"Lens {HOSTILE}", service=f"Prio {HOSTILE}"
            )
        )
        damaged = update(
            DAMAGED,
            event(start, Status.INFO_RECEIVED, "OC", text="Label created", city=f"MEMPHIS {HOSTILE}"),
            event(
                start + 600,
                Status.IN_TRANSIT,
                "AR",
                text=f"Package damaged {HOSTILE}",
                city=f"DALLAS {HOSTILE}",
            ),
            event(
                start + 1500, Status.DELIVERED, "DL", text=f"Delivered {HOSTILE}", city=f"AUSTIN {HOSTILE}"
            ),
        )
        duties = update(
            DUTIES,
            event(start, Status.IN_TRANSIT, "PU", text="Picked up", city=f"KOELN {HOSTILE}", country="DE"),
            event(start + 600, Status.EXCEPTION, "X1", text=f"Import duties of EUR 23.50 due {HOSTILE}"),
            carrier="ups",
        )
        await store.ingest([item(damaged), item(duties, carrier="ups")])
        await evaluate(store, now)
        assert added.shipment.id is not None
        return added.shipment.id


def assert_neutral(name: str, text: str, *, literal: bool = True) -> None:
    for raw in ("\x1b", "\x07", "\x9b", "pwned"):
        assert raw not in text, f"{name}: {raw!r} reached the output"
    if literal:
        assert LITERAL in text, f"{name}: the markup is not shown as typed"


@pytest.fixture
def hostile(tmp_path: Path) -> Cli:
    cli = Cli(str(tmp_path / "hostile.db"))
    asyncio.run(build(cli.url, datetime.now(UTC)))
    facts = cli(
        "claims", "facts", DAMAGED, "--value", "120", "--currency", "USD", "--role", "recipient",
        "--seller", f"Shop {HOSTILE}", "--platform", f"Market {HOSTILE}",
    )  # fmt: skip
    assert facts.code == 0, facts.err
    assert_neutral("claims facts", facts.out + facts.err)
    drafted = cli("claims", "draft", "--by", "alice")
    assert drafted.code == 0, drafted.err
    return cli


def test_every_terminal_output_and_text_export_shows_planted_text_literally(
    hostile: Cli, tmp_path: Path
) -> None:
    commands: dict[str, tuple[str, ...]] = {
        "list": ("list",),
        "show": ("show", DAMAGED),  # description and place
        "show duties": ("show", DUTIES),
        "anomalies": ("anomalies",),
        "claim letter": ("claims", "show", "1"),  # quotes the service and the facts
        "claim letter markdown": ("claims", "show", "1", "--markdown"),
        "claim letter zh": ("claims", "show", "1", "--lang", "zh"),
        "export csv": ("export", "--format", "csv"),
        "export csv personal": ("export", "--format", "csv", "--include-personal"),
        "report by service": ("report", "carriers", "--by", "service"),
        "report csv": ("report", "carriers", "--by", "service", "--csv"),
    }
    runs: list[Run] = hostile.many(*commands.values())
    for name, run in zip(commands, runs, strict=True):
        assert run.code == 0, (name, run.err)
        assert_neutral(name, run.out, literal=name != "report by service")  # (wrapped in its column)
        assert_neutral(name, run.err, literal=False)
    letter = runs[list(commands).index("claim letter")].out
    assert f"Shop {LITERAL}" in letter and f"Prio {LITERAL}" in letter

    pack = tmp_path / "pack"
    exported = hostile("claims", "export", "1", "--out", str(pack))
    assert exported.code == 0, exported.err
    assert_neutral("claims export", exported.out + exported.err, literal=False)
    files = {p.name: p.read_text(encoding="utf-8") for p in pack.rglob("*") if p.is_file()}
    assert {"timeline.csv", "draft.en.txt", "draft.en.md", "manifest.json"} <= set(files)
    for name, text in files.items():
        if name.endswith(".json"):
            json.loads(text)  # JSON keeps the text verbatim, its escapes made inert by JSON escaping
            assert "\x1b" not in text and "\x07" not in text, name
        else:
            assert_neutral(name, text)
    verified = hostile("evidence", "verify", str(pack))
    assert verified.code == 0, verified.err  # the neutralised files are what the manifest hashed


async def test_the_dashboard_detail_shows_planted_text_literally(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "hostile.db")
    damaged = await build(url, FROZEN)
    app = sample_app(url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, damaged)
        shown = screen_text(app)
        assert_neutral("detail screen", shown)
        assert f"Lens {LITERAL}" in shown
        rows = [[cell.plain for cell in screen.query_one(TimelineTable).get_row_at(r)] for r in range(3)]
        assert any(f"Package damaged {LITERAL}" in cell for row in rows for cell in row)
        assert any(f"DALLAS {LITERAL}" in cell for row in rows for cell in row)
