"""``parcel-watch report carriers``: the report as JSON, CSV and a table, from a real store."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rich.console import Console

from parcel_watch.cli.commands_report import cards
from parcel_watch.cli.errors import ExitCode
from parcel_watch.model import Shipment
from parcel_watch.store import Store
from parcel_watch.views.carrier_report import By, carrier_report
from tests.cli.conftest import Cli
from tests.views import report_dataset


async def fill(url: str, *, hostile_service: bool = False) -> None:
    store = await Store.open(url)
    try:
        await report_dataset.build(store)
        if hostile_service:
            service = "[bold red]x[/]\x1b[2J"
            await store.add(Shipment(tracking_number="B1", carrier="acme", service=service))
    finally:
        await store.close()


async def test_json_and_csv_carry_the_same_numbers(cli: Cli) -> None:
    await fill(cli.url)
    as_json, as_csv = cli.many(
        ("report", "carriers", "--json"), ("report", "carriers", "--by", "month", "--csv")
    )
    assert as_json.code == 0, as_json.err
    [acme] = as_json.json()["rows"]
    assert (acme["shipments"], acme["delivered"]) == (5, 4)
    assert acme["on_time_vs_promise"]["count"] == 1 and acme["on_time_vs_promise"]["of"] == 3
    assert acme["transit_business_days"] == {"p50": 1, "p90": 4, "p99": 4}
    assert acme["open_claimed"] == {"EUR": "45.66"} and acme["recovered"] == {"EUR": "13.00"}

    assert as_csv.code == 0, as_csv.err
    march, april = csv.DictReader(io.StringIO(as_csv.out))
    assert (march["month"], march["shipments"], march["transit_bd_p50"]) == ("2026-03", "1", "1")
    assert (april["month"], april["shipments"], april["transit_bd_p90"]) == ("2026-04", "4", "4")
    assert (april["on_time_estimate"], april["on_time_estimate_of"], april["on_time_estimate_rate"]) == (
        "2",
        "2",
        "1.0000",
    )
    assert april["recovered"] == "EUR 13.00" and april["exceptions"].split() == [
        "anomaly:damaged=1",
        "anomaly:stalled=1",
        "exception.damaged=1",
    ]


async def test_the_table_shows_carrier_text_literally_and_since_filters(cli: Cli) -> None:
    await fill(cli.url, hostile_service=True)
    table, since, bad = cli.many(
        ("report", "carriers", "--by", "service"),
        ("report", "carriers", "--by", "service", "--since", "2026-04-07", "--json"),
        ("report", "carriers", "--since", "7 April"),
    )
    assert table.code == 0, table.err
    assert "Carrier performance by service" in table.out
    assert "[bold red]x[/]" in table.out and "\x1b" not in table.out  # markup shown, escape removed
    assert "33% (6%–79%)" in table.out  # on time vs promise, 1 of 3, with its interval
    # B1 was added today without events: its ship day is today, so it alone is that recent.
    assert [row["service"] for row in since.json()["rows"]] == ["[bold red]x[/]\x1b[2J"]
    assert bad.code == ExitCode.INVALID and "YYYY-MM-DD" in bad.err


async def test_a_narrow_terminal_gets_one_readable_table_per_group(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/narrow.db"
    await fill(url, hostile_service=True)
    store = await Store.open(url)
    try:
        report = await carrier_report(store, by=By.SERVICE)
    finally:
        await store.close()
    console = Console(width=80, record=True, emoji=False, highlight=False)
    for card in cards(report):
        console.print(card)
    text = console.export_text()

    assert all(len(line) <= 80 for line in text.splitlines())
    transit = [line for line in text.splitlines() if "transit p50/p90/p99 (business days)" in line]
    assert "33% (6%–79%)  1/3" in text and ["–/–/–" in transit[0], "1/4/4" in transit[1]] == [True, True]
    assert "[bold red]x[/]" in text and "\x1b" not in text  # carrier text literal, no escape
