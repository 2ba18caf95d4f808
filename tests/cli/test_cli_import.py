"""``parcel-watch import --preset/--map`` end to end: the real entry point on a SQLite file
(and PostgreSQL for re-importing), each platform's sample export."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import ROOT, Cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def stored(cli: Cli, db: str | None = None) -> dict[str, dict[str, object]]:
    return {s["tracking_number"]: s for s in cli("list", "--json", db=db).json()}


def test_shopify_preset_imports_the_good_rows_and_a_second_run_changes_nothing(cli: Cli) -> None:
    path = str(FIXTURES / "shopify_matrixify_orders_fulfillments.csv")
    first = cli("import", path, "--preset", "shopify", "--json")
    assert first.code == 6, first.err  # some rows failed, the rest are kept
    summary = first.json()
    assert (summary["added"], summary["unchanged"], summary["failed"], summary["duplicates"]) == (6, 0, 2, 2)
    assert [(e["line"], e["column"]) for e in summary["errors"]] == [(9, "tracking_number"), (10, "carrier")]
    assert [d["line"] for d in summary["duplicate_rows"]] == [4, 7]
    assert 'line 10, column carrier: unknown carrier "Speedy Parcelz"' in first.err
    assert "line 4: duplicate row (1Z7W4E180358304124" in first.err

    shipments = stored(cli)
    assert len(shipments) == 6
    ups = shipments["1Z7W4E180358304124"]
    assert (ups["carrier"], ups["carrier_source"], ups["order_ref"], ups["ship_date"]) == (
        "ups",
        "import",
        "#1042",
        "2025-03-05",
    )

    again = cli("import", path, "--preset", "shopify")
    assert again.code == 6
    assert "0 new, 0 updated, 6 unchanged, 2 failed, 2 duplicate (of 10 rows)" in again.err
    assert stored(cli) == shipments


def test_every_preset_on_its_platforms_sample(cli: Cli, tmp_path: Path) -> None:
    runs = cli.many(
        (
            "import",
            str(FIXTURES / "shipstation_shipments_export.csv"),
            "--preset",
            "shipstation",
            "--currency",
            "USD",
        ),
        (
            "import",
            str(FIXTURES / "woocommerce_ast_export.csv"),
            "--preset",
            "woocommerce",
            "--db",
            str(tmp_path / "woo.db"),
        ),
        (
            "import",
            str(FIXTURES / "amazon_fulfilled_shipments.txt"),
            "--preset",
            "amazon",
            "--db",
            str(tmp_path / "az.db"),
        ),
        (
            "import",
            str(FIXTURES / "ebay_orders_report.csv"),
            "--preset",
            "ebay",
            "--db",
            str(tmp_path / "ebay.db"),
        ),
    )
    shipstation, woo, amazon, ebay = runs
    assert "9 new, 0 updated, 0 unchanged, 2 failed (of 11 rows)" in shipstation.err
    assert "line 8, column ship_date" in shipstation.err
    dhl = stored(cli)["7319482052"]
    assert (dhl["carrier"], dhl["destination_country"], dhl["declared_value"], dhl["currency"]) == (
        "dhl",
        "NL",
        "138.00",
        "USD",
    )

    assert "8 new, 0 updated, 0 unchanged, 2 failed (of 10 rows)" in woo.err
    assert stored(cli, str(tmp_path / "woo.db"))["RR905173427GB"]["ship_date"] == "2025-03-05"

    assert "7 new, 0 updated, 0 unchanged, 2 failed (of 9 rows)" in amazon.err
    tba = stored(cli, str(tmp_path / "az.db"))["TBA318274650193"]
    assert (tba["carrier"], tba["promised_delivery"], tba["declared_value"]) == (
        "amazon",
        "2025-03-05",
        "24.99",
    )

    assert "6 new, 0 updated, 0 unchanged, 2 failed, 2 duplicate, 1 not shipped yet (of 10 rows)" in ebay.err
    assert stored(cli, str(tmp_path / "ebay.db"))["503819466350"]["carrier"] == "fedex"


def test_missing_columns_store_nothing(cli: Cli) -> None:
    run = cli("import", str(FIXTURES / "shopify_orders_export.csv"), "--preset", "shopify")
    assert run.code == 4
    assert 'missing required column tracking_number ("Fulfillment: Tracking Number")' in run.err
    assert "nothing was imported" in run.err
    assert cli("list", "--json").json() == []


def test_a_map_for_any_csv_with_its_encoding(cli: Cli, tmp_path: Path) -> None:
    gbk = tmp_path / "orders.csv"
    gbk.write_bytes(
        (
            "物流单号,快递,发货日期,时效,备注\r\n"
            "1Z7W4E180358304124,UPS,07/03/2025,3,山岚 亚麻桌布\r\n"
            "1ZA93F210304877168,UPS,31/02/2025,3,马克杯\r\n"
        ).encode("gbk")
    )
    mapping = "tracking=物流单号,carrier=快递,ship_date=发货日期,days=时效,label=备注"
    refused = cli("import", str(gbk), "--map", mapping, "--date-format", "DD/MM/YYYY")
    assert refused.code == 4 and "not UTF-8" in refused.err and "--encoding" in refused.err
    assert cli("list", "--json").json() == []

    run = cli("import", str(gbk), "--map", mapping, "--date-format", "DD/MM/YYYY", "--encoding", "gbk")
    assert run.code == 6, run.err
    assert "line 3, column ship_date" in run.err and "1 new" in run.err
    parcel = stored(cli)["1Z7W4E180358304124"]
    # Friday 7 March + 3 working days: Wednesday 12 March.
    assert (parcel["label"], parcel["ship_date"], parcel["promised_delivery"]) == (
        "山岚 亚麻桌布",
        "2025-03-07",
        "2025-03-12",
    )


def test_bad_options_are_refused_before_reading(cli: Cli, tmp_path: Path) -> None:
    path = str(FIXTURES / "woocommerce_ast_export.csv")
    no_tracking, unknown_field, bad_encoding = cli.many(
        ("import", path, "--map", "carrier=tracking_provider"),
        ("import", path, "--map", "colour=Colour"),
        ("import", path, "--preset", "woocommerce", "--encoding", "klingon"),
    )
    assert no_tracking.code == 4 and "--map must name the tracking number's column" in no_tracking.err
    assert unknown_field.code == 4 and 'unknown field "colour"' in unknown_field.err
    assert bad_encoding.code == 4 and "unknown encoding 'klingon'" in bad_encoding.err


def test_carrier_text_in_a_file_is_shown_literally(cli: Cli, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.csv"
    hostile.write_text("Number,Courier\n1Z7W4E180358304124,[bold red]x[/] \x1b[2J\n", encoding="utf-8")
    run = cli("import", str(hostile), "--map", "tracking=Number,carrier=Courier")
    assert run.code == 4
    assert "[bold red]x[/]" in run.err and "\x1b" not in run.err


def test_reimport_on_postgresql_changes_nothing(cli: Cli, pg_url: str) -> None:
    path = str(FIXTURES / "woocommerce_ast_export.csv")
    first = cli("import", path, "--preset", "woocommerce", db=pg_url)
    assert "8 new, 0 updated, 0 unchanged, 2 failed" in first.err, first.err
    before = stored(cli, pg_url)
    again = cli("import", path, "--preset", "woocommerce", "--json", db=pg_url)
    assert (again.json()["added"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 8)
    assert stored(cli, pg_url) == before


def test_a_changed_row_updates_its_shipment_and_the_rest_stay_unchanged(cli: Cli, tmp_path: Path) -> None:
    original = FIXTURES / "woocommerce_ast_export.csv"
    assert cli("import", str(original), "--preset", "woocommerce").code == 6
    edited = tmp_path / "edited.csv"
    edited.write_text(
        original.read_text().replace(
            "4823,FedEx,618403922751,04-03-2025", "4823,FedEx,618403922751,05-03-2025"
        )
    )
    run = cli("import", str(edited), "--preset", "woocommerce", "--json")
    assert (run.json()["added"], run.json()["updated"], run.json()["unchanged"]) == (0, 1, 7)
    assert stored(cli)["618403922751"]["ship_date"] == "2025-03-05"


def test_progress_bar_on_a_terminal_and_none_in_a_pipe(cli: Cli, tmp_path: Path) -> None:
    path = str(FIXTURES / "woocommerce_ast_export.csv")
    piped = cli("import", path, "--preset", "woocommerce")
    assert "importing" not in piped.err and "━" not in piped.err

    leader, follower = os.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")}
    env.update(PARCEL_WATCH_DB=str(tmp_path / "tty.db"), PYTHONIOENCODING="utf-8", TERM="xterm")
    proc = subprocess.Popen(
        [sys.executable, "-m", "parcel_watch", "import", path, "--preset", "woocommerce"],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
        cwd=ROOT,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command has ended
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 6
    text = seen.decode("utf-8", errors="replace")
    assert "importing" in text and "8 new" in text


def test_a_repeated_number_keeps_its_first_rows_shipment_on_every_run(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "repeats.csv"
    path.write_text(
        "Parcel,Courier,Order\n"
        "1Z7W4E180358304124,UPS,A-1\n"
        "9400128194633057182269,USPS,A-2\n"
        "1Z7W4E180358304124,UPS,B-9\n"
    )
    args = ("import", str(path), "--map", "tracking=Parcel,carrier=Courier,order=Order", "--json")
    first, again = cli(*args).json(), cli(*args).json()
    assert (first["added"], first["duplicates"], first["duplicate_rows"]) == (
        2,
        1,
        [{"line": 4, "tracking_number": "1Z7W4E180358304124"}],
    )
    assert (again["added"], again["updated"], again["unchanged"], again["duplicates"]) == (0, 0, 2, 1)
    assert stored(cli)["1Z7W4E180358304124"]["order_ref"] == "A-1"


def test_a_date_format_naming_a_part_twice_is_refused_before_reading(cli: Cli) -> None:
    path = str(FIXTURES / "woocommerce_ast_export.csv")
    run = cli("import", path, "--preset", "woocommerce", "--date-format", "MM-MM-YYYY")
    assert run.code == 4, run.err  # invalid input
    assert '--date-format: "MM-MM-YYYY" is not a date format: it names a part twice' in run.err
    assert "Traceback" not in run.err and cli("list", "--json").json() == []
