"""extract(): tracking numbers in pasted e-mails, without order/phone/date noise."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from parcel_watch.detect import extract

DATA = Path(__file__).parent / "data"
EXPECTED: dict[str, list[dict[str, str]]] = json.loads((DATA / "expected.json").read_text("utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_extract_finds_exactly_the_tracking_numbers(name: str) -> None:
    found = extract((DATA / name).read_text("utf-8"))
    assert [{"number": c.number, "carrier": c.carrier} for c in found] == EXPECTED[name]
    assert all(c.valid_checksum or (not c.has_checksum and c.confidence >= 0.5) for c in found)


def test_order_email_details() -> None:
    ups, s10, usps, amazon = extract((DATA / "order_email.txt").read_text("utf-8"))
    # The UPS number appears twice (grouped, and inside the tracking URL): reported once.
    assert ups.name == "UPS" and ups.service == "UPS United States Ground"
    assert s10.origin_country == "CN" and s10.origin_courier == "China Post"
    assert usps.format_id == "usps_impb_n"
    assert amazon.format_id == "amazon_logistics" and not amazon.has_checksum


@pytest.mark.parametrize(
    "noise",
    [
        "Order #100234",
        "Order 1001-2345-6789",
        "Order number: 1001 2345 6789 0123 4567",  # passes USPS 20's mod 10 by chance
        "Call +1 (415) 555-0123",
        "+1 (415) 555-0123",
        "415-555-0123",
        "+86 138 0013 8000",
        "07700 900123",
        "Phone: 020 7946 0958",
        "2025-03-03",
        "03/04/2025 14:22",
        "Total $1,249.99",
        "1262.49 USD",
        "Mountain View, CA 94043-1351",
        "London NW1 6XE",
        "Invoice INV-2025-000123",
        "Invoice no. 20250303001234",
        "Membership number 3318810025",  # DHL's mod 7 holds, but no tracking keyword
        "986578788855",  # FedEx 12 holds, but a bare 12-digit number needs a keyword
    ],
)
def test_noise_is_not_a_tracking_number(noise: str) -> None:
    assert extract(noise) == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("FedEx tracking: 986578788855", "986578788855"),
        ("Shipped with FedEx\n986578788855", "986578788855"),
        ("DHL 3318810025", "3318810025"),
        ("Track: 1Z5R89390357567127.", "1Z5R89390357567127"),
        ("see https://example.com/track?n=1Z5R89390357567127&x=1", "1Z5R89390357567127"),
        ("USPS 9400 1112 0108 0805 4830 16 (First-Class)", "9400111201080805483016"),
        ("Registered mail RB 1234 5678 5 GB", "RB123456785GB"),
        ("Landmark LTN74207623N1", "LTN74207623N1"),
        ("LaserShip 1LS7119013618127-1", "1LS7119013618127-1"),
    ],
)
def test_single_numbers_in_context(text: str, number: str) -> None:
    assert [c.number for c in extract(text)] == [number]


def test_keyword_must_be_on_the_same_or_previous_line() -> None:
    text = "Tracking numbers below\n\nnothing here\n986578788855"
    assert extract(text) == []


def test_duplicates_and_order() -> None:
    text = "1Z5R89390357567127 then RB123456785GB then 1Z 5R8 939 03 5756 7127 again"
    assert [c.number for c in extract(text)] == ["1Z5R89390357567127", "RB123456785GB"]


def test_invalid_check_digits_are_not_extracted() -> None:
    assert extract("Tracking: 1Z5R89390357567128, RB123456786US, RB123456785XX") == []


def test_carrier_name_must_be_a_whole_word() -> None:
    assert extract("Left upstairs: 986578788855") == []
    assert [c.carrier for c in extract("via FedEx: 986578788855")] == ["fedex"]


@pytest.mark.parametrize(
    "text", ["9" * 20_000, "0 " * 5_000, "1," * 10_000], ids=["digits", "zeros", "commas"]
)
def test_long_runs_of_digits_are_read_in_linear_time(text: str) -> None:
    # Found by benchmarks/fuzz.py: the price mask retried every digit of a run (25 s for 20,000
    # digits) and each short candidate searched its whole line for a keyword (~20 s for 5,000 "0 ").
    started = time.perf_counter()
    assert extract(text) == []
    assert time.perf_counter() - started < 2
