"""`parcel-watch demo`: the real adapters and poller against the sandbox carrier, end to end."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console

from parcel_watch.cli.commands_demo import live_demo
from tests.cli.conftest import Cli

DELIVERED_SCENARIOS = ("on_time", "late", "damaged", "customs_hold", "failed_attempts", "pickup_point")


# A whole demo is about a minute of CPU; on a busy 2-core machine it can take three.
DEMO_TIMEOUT_S = 400


def test_demo_tracks_every_scenario_to_its_outcome_through_every_adapter(cli: Cli) -> None:
    run = cli("--db", cli.db, "demo", "--headless", "--json", "--seed", "7", timeout=DEMO_TIMEOUT_S)
    assert run.code == 0, run.err
    summary = run.json()
    assert summary["database"] == cli.db
    assert summary["shipments"] == 40 and summary["events"] > 300 and summary["errors"] == 0
    assert set(summary["by_carrier"]) == {"dhl", "fedex", "s10", "ups", "usps"}
    assert all(source["ok"] for source in summary["sources"].values())
    shipments = cli("list", "--json").json()
    assert len(shipments) == 40
    for s in shipments:
        scenario = s["label"].removeprefix("demo: ")
        if scenario in DELIVERED_SCENARIOS:
            assert s["status"] == "DELIVERED", s
        elif scenario == "returned":
            assert s["status"] in ("RETURNED", "RETURNING"), s  # some APIs have no "returned" code
    # The rules and claims ran over what was tracked: each problem scenario was noticed,
    # and the carrier claims it gives were drafted.
    assert {"damaged", "lost", "stalled", "delivered_late", "returned_to_sender"} <= set(summary["anomalies"])
    assert {"carrier:loss", "carrier:damage", "carrier:delay"} <= set(summary["claims"])
    again = cli("--db", cli.db + ".2", "demo", "--headless", "--json", "--seed", "7", timeout=DEMO_TIMEOUT_S)
    same = ("shipments", "events", "by_status", "anomalies", "claims")
    assert {k: again.json()[k] for k in same} == {k: summary[k] for k in same}


async def test_on_a_terminal_the_demo_shows_a_live_table_and_ends_with_the_summary(tmp_path: Path) -> None:
    screen = io.StringIO()
    console = Console(force_terminal=True, file=screen, width=150, height=60, color_system="truecolor")
    summary = await live_demo(str(tmp_path / "demo.db"), console, max_steps=30)
    drawn = screen.getvalue()
    assert "\x1b[?25l" in drawn  # Live hid the cursor: frames were drawn in place
    out = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn)
    assert "sandbox time" in out and "Scan age" in out and "demo: " in out
    assert "done" in out  # the final frame
    assert "sources: dhl ok  ups ok  fedex ok  usps ok  17track ok" in out
    assert 0 < summary["shipments"] < 40  # cut short by max_steps
    tail = out.rsplit("done", 1)[1]
    assert f"{summary['shipments']} shipments, {summary['events']} events" in tail
    assert tail.rstrip().endswith(f"look around: parcel-watch --db {tmp_path / 'demo.db'} list")


def test_in_a_pipe_the_demo_prints_progress_lines(cli: Cli) -> None:
    run = cli("--db", cli.db, "demo", "--max-steps", "12")
    assert run.code == 0, run.err
    assert run.out == ""  # no table, no escape sequences: stdout is not a terminal
    lines = run.err.splitlines()
    assert lines[0] == f"demo: sandbox carrier on loopback, store {cli.db}"
    assert len([line for line in lines if " sandbox time: " in line]) == 1  # every 12 steps
    assert "\x1b" not in run.err
    assert " shipments, " in lines[-2] and lines[-1] == f"look around: parcel-watch --db {cli.db} list"
