"""The detect --json contract other tools rely on, carriers, help and exit codes."""

from __future__ import annotations

from typing import Any

from tests.cli.conftest import Cli

CANDIDATE_TYPES: dict[str, type | tuple[type, ...]] = {
    "carrier": str,
    "name": str,
    "format_id": str,
    "number": str,
    "valid_checksum": bool,
    "has_checksum": bool,
    "confidence": float,
    "service": (str, type(None)),
    "origin_country": (str, type(None)),
    "origin_courier": (str, type(None)),
    "tracking_url": (str, type(None)),
}


def _check_contract(doc: Any) -> list[dict[str, Any]]:
    assert isinstance(doc, dict) and set(doc) == {"number", "candidates"}
    assert isinstance(doc["number"], str) and isinstance(doc["candidates"], list)
    for cand in doc["candidates"]:
        assert set(cand) == set(CANDIDATE_TYPES)
        for key, kind in CANDIDATE_TYPES.items():
            assert isinstance(cand[key], kind), (key, cand[key])
        assert 0.0 <= cand["confidence"] <= 1.0
    confidences = [c["confidence"] for c in doc["candidates"]]
    assert confidences == sorted(confidences, reverse=True)  # best first
    return doc["candidates"]


def test_detect_json_contract(cli: Cli) -> None:
    ups, ambiguous, s10, none, failed = cli.many(
        ("detect", "1Z 8V9 2A7 03 6720 3024", "--json"),  # one argument with spaces
        ("detect", "287809468872", "--json"),
        ("detect", "RR", "876543216", "CN", "--json"),  # or several
        ("detect", "hello", "--json"),
        ("detect", "1Z1111111111111111", "--json"),
    )
    assert ups.code == 0
    (cand,) = _check_contract(ups.json())
    assert ups.json()["number"] == "1Z8V92A70367203024"
    assert (cand["carrier"], cand["name"], cand["valid_checksum"]) == ("ups", "UPS", True)
    assert cand["tracking_url"].endswith("1Z8V92A70367203024")

    assert ambiguous.code == 0
    best, second = _check_contract(ambiguous.json())
    assert (best["carrier"], second["carrier"]) == ("purolator", "fedex")

    assert s10.code == 0
    assert _check_contract(s10.json())[0]["origin_country"] == "CN"

    # Not a tracking number: still one valid JSON object, and a non-zero exit code.
    assert none.code == 4 and none.json() == {"number": "HELLO", "candidates": []}
    assert failed.code == 4
    assert [c["valid_checksum"] for c in _check_contract(failed.json())] == [False]


def test_detect_table_carriers_help_and_usage(cli: Cli) -> None:
    table, bad, carriers, helped, usage, no_number = cli.many(
        ("detect", "287809468872"),
        ("detect", "1Z1111111111111111"),
        ("carriers", "--json"),
        ("--help",),
        ("list", "--bogus"),
        ("add",),
    )
    assert table.code == 0 and "purolator" in table.out and "fedex" in table.out
    assert bad.code == 4 and "check digit does not match" in bad.err and "FAILED" in bad.out

    known = carriers.json()
    assert {"carrier": "ups", "name": "UPS"} in known
    assert [c["carrier"] for c in known] == sorted(c["carrier"] for c in known)

    assert helped.code == 0
    for line in ("0  success", "3  not found", "4  invalid input", "5  database", "6  partial", "7  nothing"):
        assert line in helped.out
    assert usage.code == 2 and "usage:" in usage.err
    assert no_number.code == 2 and "NUMBER or --from-text" in no_number.err


def test_bad_input_exit_codes_without_tracebacks(cli: Cli) -> None:
    invalid, carrier, wrong_carrier, value, status, database = cli.many(
        ("add", "1Z1111111111111111"),
        ("add", "1Z8V92A70367203024", "--carrier", "acme"),
        ("add", "1Z8V92A70367203024", "--carrier", "fedex"),
        ("add", "1Z8V92A70367203024", "--ship-date", "03/01/2025", "--value", "12"),
        ("list", "--status", "lost"),
        ("--db", "postgresql://nobody:s3cret@127.0.0.1:1/x", "list"),
    )
    assert invalid.code == 4 and "not a valid UPS tracking number (check digit" in invalid.err
    assert carrier.code == 4 and 'unknown carrier "acme"' in carrier.err
    assert wrong_carrier.code == 4 and "looks like a UPS number" in wrong_carrier.err
    assert value.code == 4 and "--ship-date" in value.err
    assert status.code == 4 and "unknown status" in status.err and "IN_TRANSIT" in status.err
    assert database.code == 5 and "cannot open the database" in database.err
    assert "nobody:***@127.0.0.1" in database.err and "s3cret" not in database.err
    for run in (invalid, carrier, wrong_carrier, value, status, database):
        assert run.out == "" and run.err.startswith("error: ")
    # None of these touched the database: nothing was added.
    assert cli("list", "--json").json() == []
