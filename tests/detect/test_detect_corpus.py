"""Every test number of the packaged corpus, valid and invalid, through detect()."""

from __future__ import annotations

import pytest

from parcel_watch.detect import InvalidTrackingNumber, best, detect, normalize_number, require_valid
from parcel_watch.detect.spec import Format, formats

from ._corpus import invalid_numbers, valid_numbers


def test_corpus_is_packaged_and_complete() -> None:
    assert len(formats()) >= 39
    assert sum(len(f.valid) for f in formats()) > 150
    assert all(f.valid for f in formats()), "every format ships valid test numbers"


@pytest.mark.parametrize(("fmt", "raw"), valid_numbers())
def test_valid_number_is_detected(fmt: Format, raw: str) -> None:
    cands = detect(raw)
    confidences = [c.confidence for c in cands]
    assert confidences == sorted(confidences, reverse=True), "ranked by confidence"
    mine = [c for c in cands if c.format_id == fmt.id]
    assert mine, f"{fmt.id} did not match {raw!r}: {cands}"
    cand = mine[0]
    assert cand.carrier == fmt.courier_code
    assert cand.number == normalize_number(raw)
    assert cand.has_checksum == (fmt.checksum is not None)
    if fmt.checksum is None:
        assert not cand.valid_checksum
        assert 0.3 <= cand.confidence <= 0.6
        return
    assert cand.valid_checksum
    assert 0.7 <= cand.confidence <= 0.95
    rivals = {c.carrier for c in cands if c.valid_checksum} - {fmt.courier_code}
    if rivals:
        # Another carrier's checksum holds too: ours is present, nobody is near-certain.
        assert all(c.confidence <= 0.8 for c in cands)
    else:
        assert cands[0].carrier == fmt.courier_code
        assert best(raw) == cands[0]
        assert require_valid(raw).carrier == fmt.courier_code


@pytest.mark.parametrize(("fmt", "raw"), valid_numbers())
def test_valid_number_passes_require_valid_for_its_carrier(fmt: Format, raw: str) -> None:
    cand = require_valid(raw, fmt.courier_code)
    assert cand.carrier == fmt.courier_code
    assert cand.valid_checksum or not cand.has_checksum


@pytest.mark.parametrize(("fmt", "raw"), invalid_numbers())
def test_invalid_number_is_rejected_by_its_format(fmt: Format, raw: str) -> None:
    mine = [c for c in detect(raw) if c.format_id == fmt.id]
    assert not mine or not mine[0].valid_checksum
    if mine and fmt.checksum is not None:
        assert mine[0].confidence <= 0.1
    if fmt.checksum is None:
        assert not mine, "a format without checksum rejects only by not matching"
    try:
        accepted = require_valid(raw, fmt.courier_code)
    except InvalidTrackingNumber as exc:
        assert normalize_number(raw) in normalize_number(str(exc)) or raw.strip() in str(exc)
    else:
        # Only acceptable when another format of the same carrier vouches
        # for it (e.g. Purolator's alpha test "331426749957" is a valid
        # Purolator (12) number).
        assert accepted.format_id != fmt.id
        assert accepted.valid_checksum


def test_failing_checksum_ranks_below_unchecked_and_valid() -> None:
    # 1LS7... no checksum; a 15-digit FedEx Ground with a bad check digit.
    assert detect("5682 8361 0012 732")[0].confidence <= 0.1
    assert best("5682 8361 0012 732") is None
    assert best("5682 8361 0012 734") is not None


def test_overlapping_valid_carriers_share_the_doubt() -> None:
    # A Purolator (12) test number that also passes FedEx's 12-digit check.
    cands = detect("287809468872")
    valid = [c for c in cands if c.valid_checksum]
    assert {c.carrier for c in valid} == {"purolator", "fedex"}
    assert all(0.7 <= c.confidence <= 0.8 for c in valid)
    # The same FedEx format alone claims more.
    alone = [c for c in detect("986578788855") if c.valid_checksum]
    assert [c.carrier for c in alone] == ["fedex"]


def test_order_is_deterministic() -> None:
    number = "4201028200009261290113185417468510"  # USPS IMpb C and FedEx (34) both valid
    first = detect(number)
    assert [c.format_id for c in first] == ["usps_impb_c", "fedex_34"]
    assert all(detect(number) == first for _ in range(3))
