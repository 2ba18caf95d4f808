"""The public API: names, Candidate shape, require_valid messages, carriers()."""

from __future__ import annotations

import dataclasses
import json

import pytest

import parcel_watch.detect as api
from parcel_watch.detect import Candidate, InvalidTrackingNumber, best, carriers, detect, require_valid

FIELDS = [
    "carrier",
    "name",
    "format_id",
    "number",
    "valid_checksum",
    "has_checksum",
    "confidence",
    "service",
    "origin_country",
    "origin_courier",
    "tracking_url",
]


def test_exports() -> None:
    for name in [
        "Candidate",
        "InvalidTrackingNumber",
        "best",
        "carriers",
        "detect",
        "extract",
        "normalize_number",
        "require_valid",
    ]:
        assert hasattr(api, name), name
    assert issubclass(InvalidTrackingNumber, ValueError)


def test_candidate_is_frozen_and_serialisable() -> None:
    (cand,) = detect(" 1 Z 8 V 9 2 A 7 0 3 6 7 2 0 3 0 2 4 ")
    assert [f.name for f in dataclasses.fields(Candidate)] == FIELDS
    d = cand.to_dict()
    assert list(d) == FIELDS
    assert json.loads(json.dumps(d)) == d
    assert d["number"] == "1Z8V92A70367203024"
    assert d["tracking_url"].endswith("trackNums=1Z8V92A70367203024")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cand.number = "x"  # type: ignore[misc]


def test_nothing_matches() -> None:
    assert detect("") == [] and detect("   ") == [] and detect("hello") == []
    assert best("hello") is None


def test_best_needs_a_checksum_or_a_distinctive_format() -> None:
    assert best("60120172242323") is None  # DHL eCommerce (14): any 14 digits, no checksum
    tba = best("TBA010000000000")
    assert tba is not None and tba.carrier == "amazon" and tba.confidence >= 0.5


@pytest.mark.parametrize(
    ("raw", "carrier", "message"),
    [
        (
            "1Z1111111111111111",
            None,
            '"1Z1111111111111111" is not a valid UPS tracking number (check digit does not match)',
        ),
        ("hello", None, '"hello" does not look like a tracking number of any known carrier'),
        ("hello", "ups", '"hello" does not match any UPS tracking number format'),
        ("1Z5R89390357567127", "fedex", "(it looks like a UPS number)"),
        ("60120172242323", None, "no check digit to confirm it"),
        ("1Z5R89390357567127", "acme", 'unknown carrier "acme"'),
    ],
)
def test_require_valid_messages(raw: str, carrier: str | None, message: str) -> None:
    with pytest.raises(InvalidTrackingNumber) as info:
        require_valid(raw, carrier)
    assert message in str(info.value)


def test_require_valid_with_carrier_accepts_unchecked_formats() -> None:
    assert require_valid("60120172242323", "dhl").format_id == "dhl_ecommerce_14"
    assert require_valid("1Z5R89390357567127").service == "UPS United States Ground"


def test_carriers() -> None:
    listing = carriers()
    assert listing == sorted(listing)
    codes = dict(listing)
    for code in ["ups", "fedex", "usps", "s10", "dhl", "yunexpress", "amazon", "dpd"]:
        assert code in codes
    assert codes["usps"] == "United States Postal Service"
