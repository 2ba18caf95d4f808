"""End to end: import (our CSV format), export (redaction), and terminal safety of show."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from parcel_watch.model import Location, ShipmentUpdate, TrackingEvent
from parcel_watch.status import Status
from parcel_watch.store import IngestItem, Store
from tests.cli.conftest import DATA, Cli

UPS = "1Z8V92A70367203024"
HOSTILE = "\x1b[2J\x1b]0;pwned\x07[bold]x[/bold]"
PERSONAL = "Delivered, signed by JOHN SMITH; questions: +44 20 7946 0958, jane.doe@example.com"


def test_import_keeps_good_rows_and_reports_bad_ones(cli: Cli) -> None:
    missing, mixed = cli("import", str(DATA / "import_missing_column.csv")), None
    assert missing.code == 4
    assert (
        'missing required column "tracking_number"' in missing.err and "nothing was imported" in missing.err
    )

    mixed = cli("import", str(DATA / "import_mixed.csv"), "--json")
    assert mixed.code == 6, mixed.err
    summary = mixed.json()
    assert (summary["rows"], summary["added"], summary["updated"], summary["failed"]) == (7, 5, 0, 2)
    assert [(e["line"], e["column"]) for e in summary["errors"]] == [(4, "tracking_number"), (8, "ship_date")]
    assert "check digit does not match" in summary["errors"][0]["reason"]
    assert "line 8, column ship_date" in mixed.err and "5 new, 0 updated, 0 unchanged, 2 failed" in mixed.err

    stored = {s["tracking_number"]: s for s in cli("list", "--json").json()}
    # The file with the missing column added nothing (its only number is a bad row of the other).
    assert set(stored) == {
        "1Z5R89390357567127",
        "RB123456785GB",
        "986578788855",
        "3318810025",
        "TBA000000000000",
    }
    shoes = stored["1Z5R89390357567127"]
    assert (shoes["carrier"], shoes["carrier_source"], shoes["label"]) == ("ups", "detected", "Running shoes")
    assert (shoes["declared_value"], shoes["currency"], shoes["weight_kg"]) == ("89.90", "USD", 1.2)
    assert (shoes["ship_date"], shoes["promised_delivery"], shoes["destination_country"]) == (
        "2025-03-01",
        "2025-03-05",
        "US",
    )
    assert stored["986578788855"]["carrier_source"] == "import"  # the row named its carrier
    assert stored["RB123456785GB"]["origin_country"] == "GB"  # S10: from the number

    # Importing again changes nothing: every good row says what is stored already.
    again = cli("import", str(DATA / "import_mixed.csv"), "--json").json()
    assert (again["added"], again["updated"], again["unchanged"], again["failed"]) == (0, 0, 5, 2)


def test_import_semicolons_bom_malformed_and_encoding(cli: Cli, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("tracking_number,label\n1Z5R89390357567127,Stra\xdfe\n".encode("latin-1"))
    semi, malformed, not_utf8 = cli.many(
        ("import", str(DATA / "import_semicolon_bom.csv"), "--json"),
        ("import", str(DATA / "import_malformed.csv"), "--db", str(tmp_path / "other.db")),
        ("import", str(latin1), "--db", str(tmp_path / "third.db")),
    )
    assert semi.code == 0, semi.err
    assert (semi.json()["delimiter"], semi.json()["added"], semi.json()["failed"]) == (";", 2, 0)
    stored = {s["tracking_number"]: s for s in cli("list", "--json").json()}
    assert stored["1Z5R89390357567127"]["label"] == "Schuhe"
    assert (stored["1Z5R89390357567127"]["declared_value"], stored["1Z5R89390357567127"]["weight_kg"]) == (
        "89.90",
        1.2,
    )
    assert stored["RB123456785GB"]["label"] == "Brief; London"

    assert malformed.code == 6
    assert (
        "line 3: malformed CSV" in malformed.err
        and "2 new, 0 updated, 0 unchanged, 1 failed" in malformed.err
    )

    assert not_utf8.code == 4 and "not UTF-8" in not_utf8.err and "line 2" in not_utf8.err


async def _seed(url: str) -> None:
    events = (
        TrackingEvent(
            occurred_at=datetime(2025, 3, 3, 8, 15, tzinfo=UTC),
            local_time=datetime(2025, 3, 3, 9, 15),
            utc_offset_minutes=60,
            status=Status.IN_TRANSIT,
            carrier_code="DP",
            description=HOSTILE,
            location=Location(city="KÖLN", country="DE"),
        ),
        TrackingEvent(
            occurred_at=datetime(2025, 3, 4, 12, 0, tzinfo=UTC),
            status=Status.DELIVERED,
            substatus="delivered.signed",
            carrier_code="KB",
            description=PERSONAL,
        ),
    )
    async with await Store.open(url) as store:
        await store.ingest([IngestItem([ShipmentUpdate(carrier="ups", tracking_number=UPS, events=events)])])


async def test_export_redacts_by_default_and_show_is_terminal_safe(cli: Cli, tmp_path: Path) -> None:
    assert cli("add", UPS, "--label", "for jane.doe@example.com").code == 0
    await _seed(cli.url)
    out_csv = tmp_path / "export.csv"
    as_json, as_csv, personal, shown, shown_json = cli.many(
        ("export",),
        ("export", "--format", "csv", "--output", str(out_csv)),
        ("export", "--format", "json", "--include-personal"),
        ("show", UPS),
        ("show", UPS, "--json"),
    )

    assert as_json.code == 0 and "redacted" in as_json.err
    (ship,) = as_json.json()
    assert ship["label"] == "for [redacted]" and ship["status"] == "DELIVERED"
    first, delivered = ship["events"]
    assert delivered["description"] == "Delivered, signed by [redacted]; questions: [redacted], [redacted]"
    assert first["occurred_at"] == "2025-03-03T08:15:00+00:00"
    assert first["local_time"] == "2025-03-03T09:15:00+01:00"
    assert first["description"] == HOSTILE  # JSON keeps the verbatim text, escaped
    assert "\x1b" not in as_json.out and "\\u001b" in as_json.out

    assert as_csv.code == 0 and as_csv.out == ""
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert len(rows) == 2 and {r["tracking_number"] for r in rows} == {UPS}
    assert (
        rows[1]["event_description"] == "Delivered, signed by [redacted]; questions: [redacted], [redacted]"
    )
    assert rows[0]["event_city"] == "KÖLN" and rows[0]["label"] == "for [redacted]"

    (full,) = personal.json()
    assert full["events"][1]["description"] == PERSONAL and full["label"] == "for jane.doe@example.com"

    # The terminal gets harmless text: no escape sequence, the markup shown literally.
    assert shown.code == 0
    assert "\x1b" not in shown.out and "\x07" not in shown.out and "pwned" not in shown.out
    assert "[bold]x[/bold]" in shown.out
    assert "2025-03-03 08:15 UTC" in shown.out and "2025-03-03 09:15 +01:00" in shown.out
    assert "DELIVERED (signed)" in shown.out and "JOHN SMITH" in shown.out  # show is not an export
    (detail,) = shown_json.json()
    assert [e["description"] for e in detail["events"]] == [HOSTILE, PERSONAL]
    assert json.loads(json.dumps(detail)) == detail
