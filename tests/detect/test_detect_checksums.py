"""Property tests: numbers built with our check-digit code are detected as
valid, and any other check character is rejected."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from parcel_watch.detect import best, detect, extract, normalize_number
from parcel_watch.detect.checksums import compute_check, mod_37_36, verify
from parcel_watch.detect.spec import Format

from ._corpus import by_id, checksum_formats

DIGITS = string.digits
ALNUM = string.ascii_uppercase + string.digits


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(DIGITS, min_size=n, max_size=n)


def letters(n: int) -> st.SearchStrategy[str]:
    return st.text(string.ascii_uppercase, min_size=n, max_size=n)


def check_alphabet(fmt: Format) -> str:
    assert fmt.checksum is not None
    return str(fmt.checksum.get("alphabet") or DIGITS)


def assert_round_trip(fmt: Format, prefix: str, serial: str, suffix: str = "") -> None:
    """prefix + serial + check + suffix is valid for `fmt`; every other check
    character makes it invalid for `fmt` (or unmatched)."""
    assert fmt.checksum is not None
    check = compute_check(fmt.checksum, fmt.checksum_input(serial))
    number = prefix + serial + check + suffix
    cands = detect(number)
    mine = [c for c in cands if c.format_id == fmt.id]
    assert mine and mine[0].valid_checksum, (number, cands)
    assert mine[0].carrier == fmt.courier_code
    assert best(number) is not None
    for other in check_alphabet(fmt):
        if other == check:
            continue
        changed = prefix + serial + other + suffix
        if _parses_another_way(fmt, changed, serial):
            continue  # then that other reading may rightly validate
        assert not any(c.valid_checksum for c in detect(changed) if c.format_id == fmt.id), changed


def _parses_another_way(fmt: Format, number: str, serial: str) -> bool:
    readings = [r.fullmatch(number) for r in (fmt.regex, fmt.lazy_regex) if r is not None]
    return any(m is not None and m.group("SerialNumber") != serial for m in readings)


@given(st.text(ALNUM, min_size=15, max_size=15))  # shipper 6 + service 2 + package 7
def test_ups(serial: str) -> None:
    assert_round_trip(by_id("ups"), "1Z", serial)


def _s10_countries() -> list[str]:
    lookup = by_id("s10").lookup("Courier")
    assert lookup is not None
    return sorted(e.matches for e in lookup.entries if e.matches)


@given(letters(2), digits(8), st.sampled_from(_s10_countries()))
def test_s10(service: str, serial: str, country: str) -> None:
    assert_round_trip(by_id("s10"), service, serial, country)
    check = compute_check({"name": "s10"}, serial)
    (cand,) = [c for c in detect(service + serial + check + country) if c.format_id == "s10"]
    assert cand.origin_country == country and cand.origin_courier


@given(digits(11))
def test_fedex_12(serial: str) -> None:
    assert_round_trip(by_id("fedex_12"), "", serial)


@given(digits(19))
def test_usps_20(serial: str) -> None:
    assert_round_trip(by_id("usps_20"), "", serial)


_impb_n_body = st.one_of(
    # mailer id starting with 9 is nine digits, package id 15, 11 or 7 digits
    st.tuples(digits(3), digits(8), st.sampled_from([15, 11, 7])).flatmap(
        lambda t: digits(t[2]).map(lambda pkg: "94" + t[0] + "9" + t[1] + pkg)
    ),
    # otherwise six digits, package id 14 or 10 digits
    st.tuples(digits(3), st.sampled_from("012345678"), digits(5), st.sampled_from([14, 10])).flatmap(
        lambda t: digits(t[3]).map(lambda pkg: "94" + t[0] + t[1] + t[2] + pkg)
    ),
)


@given(_impb_n_body, st.booleans(), digits(5))
# Parses two ways: ZIP+4 "9400" then a 21-digit body, or ZIP then this body.
@example(serial="9400940000000000000000000", routed=True, zip_code="00000")
def test_usps_impb_n(serial: str, routed: bool, zip_code: str) -> None:
    # The "420 + ZIP" routing prefix is only allowed before 22/26-digit bodies.
    prefix = "420" + zip_code if routed and len(serial) + 1 in (22, 26) else ""
    assert_round_trip(by_id("usps_impb_n"), prefix, serial)


@given(st.one_of(digits(9), digits(10)))
def test_dhl_express_mod7(serial: str) -> None:
    assert_round_trip(by_id("dhl_express"), "", serial)


@given(digits(14))
def test_dpd_14_mod_37_36(serial: str) -> None:
    assert_round_trip(by_id("dpd_14"), "", serial)


@given(digits(27))
def test_dpd_28_mod_37_36(serial: str) -> None:
    assert_round_trip(by_id("dpd"), "", serial)


@pytest.mark.parametrize("fmt", checksum_formats(), ids=lambda f: f.id)
@settings(max_examples=60, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_checksum_format_from_its_test_numbers(fmt: Format, data: st.DataObject) -> None:
    """Generic version for all checksum formats: take a valid corpus number as
    a template (so prefixes and lookaheads stay satisfied), randomise the last
    digits of its serial, recompute the check character, and round-trip."""
    template = normalize_number(data.draw(st.sampled_from(fmt.valid)))
    m = fmt.regex.fullmatch(template)
    assert m is not None
    start, end = m.span("SerialNumber")
    positions = [i for i in range(start, end) if template[i].isdigit()][-5:]
    chars = list(template)
    for i in positions:
        chars[i] = data.draw(st.sampled_from(DIGITS))
    number = "".join(chars)
    m2 = fmt.regex.fullmatch(number)
    # Randomised digits may leave the format (e.g. a lookahead on a mailer id).
    assume(m2 is not None and m2.span("SerialNumber") == (start, end))
    assert m2 is not None
    check_start, check_end = m2.span("CheckDigit")
    assert check_start == end, "the check digit follows the serial in every corpus format"
    assert_round_trip(fmt, number[:start], number[start:end], number[check_end:])


def test_mod_37_36_reference_values() -> None:
    spec = {"name": "mod_37_36", "alphabet": string.digits + string.ascii_uppercase}
    assert mod_37_36("09980000020033", spec) == "F"
    assert verify(spec, "09980000020034", "D")
    assert not verify(spec, "09980000020034", "E")
    assert not verify(spec, "0998000002003!", "D")  # outside the alphabet: False, no crash


@given(st.text())
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize_number(raw)
    assert normalize_number(once) == once
    assert not any(c.isspace() for c in once)


@settings(max_examples=300)
@given(st.text())
def test_detect_and_extract_never_raise(text: str) -> None:
    for cand in detect(text):
        assert 0.0 <= cand.confidence <= 1.0
    extract(text)


@given(st.text(ALNUM + " ", max_size=40))
def test_detect_never_raises_on_number_like_text(text: str) -> None:
    cands = detect(text)
    assert [c.confidence for c in cands] == sorted((c.confidence for c in cands), reverse=True)
