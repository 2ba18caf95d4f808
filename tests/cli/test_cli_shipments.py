"""End to end: add, add --from-text, list, show, remove (subprocess, SQLite file)."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import DETECT_DATA, Cli

UPS = "1Z8V92A70367203024"
S10 = "RR876543216CN"
AMBIGUOUS = "287809468872"  # Purolator (0.706) and FedEx (0.70) check digits both hold


def test_add_list_show_remove(cli: Cli) -> None:
    empty = cli("list")
    assert empty.code == 0 and empty.out == "" and "parcel-watch add" in empty.err

    ups_added, s10_added = cli.many(
        # Detected carrier; the number may be typed in groups and lower case.
        ("add", "1z 8v9 2a7 03 6720 3024", "--label", "Shoes", "--value", "89.90", "--currency", "usd"),
        # S10: the issuing country comes from the number.
        ("add", S10, "--destination", "de", "--ship-date", "2025-03-01", "--weight", "0,4"),
    )
    assert ups_added.code == 0, ups_added.err
    assert ups_added.out.startswith(f"added {UPS}: UPS (ups), carrier detected")
    assert s10_added.code == 0 and "origin CN" in s10_added.out

    as_json, table, by_carrier, by_status = cli.many(
        ("list", "--json"),
        ("list",),
        ("list", "--carrier", "s10", "--json"),
        ("list", "--status", "delivered", "--json"),
    )
    listed = {s["tracking_number"]: s for s in as_json.json()}
    assert set(listed) == {UPS, S10}
    ups, s10 = listed[UPS], listed[S10]
    assert (ups["carrier"], ups["carrier_source"], ups["label"]) == ("ups", "detected", "Shoes")
    assert (ups["declared_value"], ups["currency"]) == ("89.90", "USD")  # Decimal as a string
    assert ups["created_at"].endswith("+00:00") and ups["status"] == "PENDING"
    assert (s10["carrier"], s10["origin_country"], s10["destination_country"]) == ("s10", "CN", "DE")
    assert (s10["ship_date"], s10["weight_kg"]) == ("2025-03-01", 0.4)

    assert table.code == 0 and UPS in table.out and S10 in table.out and "Shoes" in table.out
    assert [s["tracking_number"] for s in by_carrier.json()] == [S10]
    assert by_status.json() == []

    # Re-adding updates (and says so); fields not given keep their values.
    r = cli("add", UPS, "--order", "A-100")
    assert r.code == 0 and r.out.startswith(f"updated {UPS}")

    shown, text = cli.many(("show", UPS, "--json"), ("show", UPS))
    assert shown.code == 0
    (ship,) = shown.json()
    assert (ship["label"], ship["order_ref"], ship["events"]) == ("Shoes", "A-100", [])
    assert text.code == 0 and "UPS (ups), detected" in text.out and "No tracking events yet" in text.out

    r = cli("remove", UPS)
    assert r.code == 0 and f"removed {UPS}" in r.out
    gone, again, rest = cli.many(("show", UPS), ("remove", UPS), ("list", "--json"))
    assert gone.code == 3 and "no shipment" in gone.err
    assert again.code == 3
    assert [s["tracking_number"] for s in rest.json()] == [S10]


def test_user_carrier_is_kept_and_ambiguity_is_explained(cli: Cli) -> None:
    # Two carriers' check digits hold: the best is used, with a note on how to override.
    r = cli("add", AMBIGUOUS)
    assert r.code == 0 and "Purolator (purolator)" in r.out
    assert "could also be FedEx (fedex" in r.err and f"add {AMBIGUOUS} --carrier fedex" in r.err

    # The override replaces the guess (it has no events yet) ...
    r = cli("add", AMBIGUOUS, "--carrier", "fedex")
    assert r.code == 0 and "carrier user" in r.out and "replaced the detected carrier purolator" in r.err
    # ... and survives a re-add without --carrier: detection never overrides a user's choice.
    r = cli("add", AMBIGUOUS, "--label", "Monitor")
    assert r.code == 0 and r.out.startswith(f"updated {AMBIGUOUS}: FedEx (fedex), carrier user")
    (ship,) = cli("show", AMBIGUOUS, "--json").json()
    assert (ship["carrier"], ship["carrier_source"], ship["label"]) == ("fedex", "user", "Monitor")


def test_add_from_text_adds_exactly_the_numbers_in_the_mail(cli: Cli) -> None:
    expected = json.loads((DETECT_DATA / "expected.json").read_text())["order_email.txt"]
    r = cli("add", "--from-text", str(DETECT_DATA / "order_email.txt"), "--order", "100234")
    assert r.code == 0, r.err
    assert "found 4 tracking numbers" in r.err and "4 added, 0 updated" in r.err
    listed, nothing = cli.many(
        ("list", "--json"), ("add", "--from-text", str(DETECT_DATA / "noise_only.txt"))
    )
    assert nothing.code == 7 and "no tracking number found" in nothing.err
    stored = listed.json()
    assert sorted((s["tracking_number"], s["carrier"]) for s in stored) == sorted(
        (e["number"], e["carrier"]) for e in expected
    )
    assert {s["order_ref"] for s in stored} == {"100234"}

    # From standard input: the numbers found again are updates.
    mail = (DETECT_DATA / "order_email.txt").read_text()
    r = cli("add", "--from-text", "-", stdin=mail)
    assert r.code == 0 and "0 added, 4 updated" in r.err


@pytest.mark.postgres
def test_add_and_show_on_postgresql(pg_url: str, cli: Cli) -> None:
    r = cli("add", S10, "--label", "Letter", db=pg_url)
    assert r.code == 0, r.err
    (ship,) = cli("show", S10, "--json", db=pg_url).json()
    assert (ship["carrier"], ship["origin_country"], ship["label"]) == ("s10", "CN", "Letter")
