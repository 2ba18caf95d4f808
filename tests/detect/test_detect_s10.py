"""S10 (UPU) numbers: origin country/courier from the lookup, unknown countries rejected."""

from __future__ import annotations

import pytest

from parcel_watch.detect import InvalidTrackingNumber, best, detect, postal_operator, require_valid


@pytest.mark.parametrize(
    ("number", "country", "courier"),
    [
        ("RB123456785GB", "GB", "Royal Mail"),
        ("RB123456785US", "US", "United States Postal Service"),
        ("rb 1234 5678 5 cn", "CN", "China Post"),
    ],
)
def test_origin_is_filled(number: str, country: str, courier: str) -> None:
    cand = best(number)
    assert cand is not None and cand.carrier == "s10" and cand.valid_checksum
    assert cand.origin_country == country
    assert cand.origin_courier is not None and courier in cand.origin_courier
    assert cand.service == "Letter Post Registered"
    assert cand.tracking_url is None  # the corpus has no URL for S10


def test_unknown_country_is_rejected() -> None:
    (cand,) = detect("RB123456785XX")
    assert cand.carrier == "s10" and not cand.valid_checksum and cand.has_checksum
    assert cand.origin_country is None and cand.origin_courier is None
    assert cand.confidence <= 0.1
    assert best("RB123456785XX") is None
    with pytest.raises(InvalidTrackingNumber, match='Country Code "XX" is not a known courier'):
        require_valid("RB123456785XX")


def test_wrong_check_digit_is_rejected() -> None:
    with pytest.raises(InvalidTrackingNumber, match="check digit does not match"):
        require_valid("RB123456786US", "s10")


def test_s10_outranks_a_prefix_only_format() -> None:
    # "LX..." is also DHL eCommerce's prefix; the checked S10 reading wins.
    from parcel_watch.detect.checksums import s10

    number = "LX12345678" + s10("12345678", {}) + "DE"
    cands = detect(number)
    assert [c.format_id for c in cands][:2] == ["s10", "dhl_ecommerce"]
    assert cands[0].origin_courier == "Deutsche Post"
    assert cands[0].confidence > 0.7 > cands[1].confidence


def test_postal_operator_names_a_countrys_post() -> None:
    assert postal_operator("DE") == "Deutsche Post"
    assert postal_operator("US") == "United States Postal Service"
    assert postal_operator("XX") is None
    assert postal_operator(None) is None
