"""`parcel-watch claims sweep`: the real command line on a SQLite file built by hand."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from parcel_watch.store import Store
from tests.claims.sweep_builders import delivered_parcel
from tests.cli.conftest import Cli

NDA = "1ZA1NDA00000000001"
GROUND = "1ZA1GND00000000004"
TRICKY_SERVICE = "Next Day Air [bold red]x[/] \x1b[2J"


async def _build(url: str, today: date) -> None:
    store = await Store.open(url)
    try:
        now = datetime.now(UTC)
        await delivered_parcel(
            store, NDA, "ups", service=TRICKY_SERVICE, shipped=today - timedelta(days=7),
            promised=today - timedelta(days=6), delivered=today - timedelta(days=4), shipping_cost="48.20", now=now,
        )  # fmt: skip
        await delivered_parcel(
            store, GROUND, "ups", service="UPS Ground", shipped=today - timedelta(days=7),
            promised=today - timedelta(days=5), delivered=today - timedelta(days=3), now=now,
        )  # fmt: skip
    finally:
        await store.close()


def test_sweep_lists_drafts_the_batch_once_and_the_packs_verify(cli: Cli, tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    asyncio.run(_build(cli.url, today))

    listed = cli("claims", "sweep", "--json")
    assert listed.code == 0, listed.err
    data = listed.json()
    [item] = data["items"]
    assert (item["carrier"], item["tracking_number"], item["policy"]) == ("ups", NDA, "ups.gsr")
    assert (item["amount"], item["currency"]) == ("48.20", "USD")
    assert data["left_out"] == {"guarantee not known to be in force on the ship date": 1}

    table = cli("claims", "sweep")
    assert table.code == 0, table.err
    assert NDA in table.out and "[bold red]x[/]" in table.out  # markup shown as typed
    assert "\x1b[2J" not in table.out
    assert "--out DIR" in table.err

    out = tmp_path / "batch"
    first = cli("claims", "sweep", "--out", str(out), "--json")
    assert first.code == 0, first.err
    assert first.json()["batch"]["csv"] == ["refund-requests-ups.csv"]
    [pack_claim] = first.json()["batch"]["packs_written"]
    [row] = list(csv.DictReader(io.StringIO((out / "refund-requests-ups.csv").read_text(encoding="utf-8"))))
    assert (row["Tracking Number"], row["Refund Amount"], row["Currency"]) == (NDA, "48.20", "USD")
    assert row["Request By"] == (today - timedelta(days=4) + timedelta(days=15)).isoformat()
    assert row["Service"] == "Next Day Air [bold red]x[/] "  # the escape gone from the file, markup kept

    pack = out / "packs" / f"claim-{pack_claim}"
    verified = cli("evidence", "verify", str(pack), "--json")
    assert verified.code == 0 and verified.json()["ok"], verified.out
    assert "Jane Doe" not in "".join(p.read_text(errors="replace") for p in pack.rglob("*") if p.is_file())

    again = cli("claims", "sweep", "--out", str(out))
    assert again.code == 0, again.err
    assert "0 evidence pack(s)" in again.err and "1 already there" in again.err
    assert sorted(p.name for p in (out / "packs").iterdir()) == [f"claim-{pack_claim}"]


def test_sweep_refuses_a_bad_since_and_says_when_nothing_is_due(cli: Cli) -> None:
    bad, empty = cli.many(("claims", "sweep", "--since", "last week"), ("claims", "sweep"))
    assert bad.code != 0 and "--since" in bad.err
    assert empty.code == 0 and "No late delivery" in empty.err
