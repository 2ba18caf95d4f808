"""Loading and compiling the packaged corpus."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from parcel_watch.detect import normalize_number
from parcel_watch.detect.spec import (
    Format,
    couriers,
    drop_optional_whitespace,
    formats,
    ruby_to_python_regex,
    slugify,
)
from parcel_watch.detect.structure import analyse

from ._corpus import valid_numbers


def test_data_ships_inside_the_package() -> None:
    data = resources.files("parcel_watch.detect").joinpath("data")
    assert data.joinpath("LICENSE").read_text("utf-8").startswith("MIT License")
    assert data.joinpath("glossary.json").is_file()
    names = sorted(p.name for p in data.joinpath("couriers").iterdir())
    assert len(couriers()) == len([n for n in names if n.endswith(".json")])


@pytest.mark.parametrize(
    ("ruby", "python"),
    [
        ("(?<Serial>[0-9])", "(?P<Serial>[0-9])"),
        ("(?<=A)B(?<!C)", "(?<=A)B(?<!C)"),  # lookbehinds untouched
        (r"\(?<X>", r"\(?<X>"),  # an escaped parenthesis is no group
        ("(?:a)(?<A_1>b)", "(?:a)(?P<A_1>b)"),
    ],
)
def test_ruby_named_groups(ruby: str, python: str) -> None:
    assert ruby_to_python_regex(ruby) == python


def test_drop_optional_whitespace_only_touches_backslash_s_star() -> None:
    assert drop_optional_whitespace(r"\s*1\s*Z[\s*]\\s*\s+") == r"1Z[\s*]\\s*\s+"


def test_ids_are_unique_and_derived_when_missing() -> None:
    ids = [f.id for f in formats()]
    assert len(ids) == len(set(ids))
    derived = {f.name: f.id for f in formats() if f.name in {"UPS Waybill", "Old Dominion"}}
    assert derived == {"UPS Waybill": "ups_waybill", "Old Dominion": "old_dominion"}
    assert slugify("LaserShip 1LS7 (18)") == "lasership_1ls7_18"


@pytest.mark.parametrize(("fmt", "raw"), valid_numbers())
def test_whitespace_free_regex_agrees_with_the_corpus_regex(fmt: Format, raw: str) -> None:
    """The compiled (whitespace-free) regex parses exactly like the corpus'
    own, on the raw test number and on its normalised form."""
    source = re.compile(fmt.source_regex)
    number = normalize_number(raw)
    expected = source.fullmatch(number)
    got = fmt.regex.fullmatch(number)
    assert expected is not None and got is not None
    assert got.groupdict() == expected.groupdict()
    spaced = source.fullmatch(raw.upper())
    if spaced is not None:  # the corpus regexes accept their spaced test numbers too
        spaced_groups = {k: normalize_number(v) if v else v for k, v in spaced.groupdict().items()}
        assert spaced_groups == got.groupdict()
    assert fmt.min_len <= len(number) <= fmt.max_len


def test_structure_scores() -> None:
    assert analyse(r"\s*1\s*Z\s*(?P<S>([A-Z0-9]\s*){15})") == (17, 17, 2.0)
    lo, hi, credit = analyse("TB[ACM][0-9]{12}")
    assert (lo, hi) == (15, 15) and 2.6 < credit < 2.8  # [ACM] is worth ~0.7 of a literal
    assert analyse("(?:GM|LX)[0-9]{3}")[2] < 2  # an alternation is worth less than its branches


def test_every_checksum_is_known() -> None:
    names = {f.checksum["name"] for f in formats() if f.checksum}
    assert names == {"mod10", "mod7", "s10", "sum_product_with_weightings_and_modulo", "luhn", "mod_37_36"}
