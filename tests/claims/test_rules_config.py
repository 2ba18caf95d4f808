"""Rule thresholds: the most specific setting wins, read from the config file's [rules];
and what carrier text says (damage, duties), including text no rule expected."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.rules import Thresholds, ThresholdTable
from claims.rules.text import duties_notice, text_facts
from claims.rules.thresholds import ThresholdError

CONFIG = """
[rules]
stalled_business_days = 6

[[rules.override]]
carrier = "dhl"
stalled_business_days = 8
failed_attempts = 3

[[rules.override]]
carrier = "dhl"
lane = "CN-DE"
stalled_business_days = 10

[[rules.override]]
carrier = "DHL"
service = "Express"
to_the_minute = true

[[rules.override]]
carrier = "dhl"
service = "express"
lane = "CN-DE"
stalled_business_days = 4
"""


def test_the_most_specific_setting_wins_and_the_rest_comes_from_the_next_level(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    table = ThresholdTable.load(path)
    assert table.lookup("ups", None, "US", "US") == Thresholds(stalled_business_days=6)
    assert table.lookup("dhl", None, "US", "DE") == Thresholds(stalled_business_days=8, failed_attempts=3)
    assert table.lookup("dhl", "Economy", "CN", "DE").stalled_business_days == 10  # carrier + lane
    express = table.lookup("DHL", "EXPRESS", "US", "DE")  # carrier + service, case-insensitive
    assert (express.to_the_minute, express.stalled_business_days, express.failed_attempts) == (True, 8, 3)
    assert table.lookup("dhl", "express", "CN", "DE") == Thresholds(
        stalled_business_days=4, failed_attempts=3, to_the_minute=True
    )


def test_no_config_file_gives_the_defaults(tmp_path: Path) -> None:
    assert ThresholdTable.load(tmp_path / "missing.toml").lookup("ups", None, None, None) == Thresholds()
    assert ThresholdTable.load(None).defaults == Thresholds()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[rules]\nstaled_business_days = 3\n", "unknown threshold 'staled_business_days'"),
        ("[rules]\nfailed_attempts = -1\n", "whole number >= 0"),
        ("[rules]\nto_the_minute = 1\n", "true or false"),
        ('[[rules.override]]\nservice = "x"\n', "'carrier' is required"),
        ('[[rules.override]]\ncarrier = "dhl"\nlane = "CNDE"\n', 'lane must look like "CN-DE"'),
        ('[[rules.override]]\ncarrier = "dhl"\n[[rules.override]]\ncarrier = "dhl"\n', "a second override"),
        ("[rules\n", "config.toml"),
    ],
)
def test_a_bad_configuration_says_where_and_why(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThresholdError, match=message.replace("[", r"\[").replace("(", r"\(")):
        ThresholdTable.load(path)


def test_express_services_are_late_to_the_minute_by_name_unless_configured() -> None:
    assert Thresholds().minute_precision("UPS Next Day Air")
    assert Thresholds().minute_precision("Priority Overnight")
    assert not Thresholds().minute_precision("Ground")
    assert not Thresholds().minute_precision(None)
    assert not Thresholds(to_the_minute=False).minute_precision("Express")


@pytest.mark.parametrize(
    ("text", "damage", "duties"),
    [
        ("Departed facility", False, False),
        ("Shipment damaged - repackaged", True, False),
        ("快件外包装破损", True, False),
        ("Die Sendung wurde BESCHÄDIGT", True, False),
        ("Sendung beschaedigt", True, False),
        ("Colis abîmé", True, False),
        ("Customs duties and taxes are due", False, True),
        ("待缴税费", False, True),
        ("Einfuhrumsatzsteuer fällig", False, True),
        ("Frais de douane à payer", False, True),
        ("Customs clearance completed", False, False),  # customs without money to pay
    ],
)
def test_what_carrier_text_says(text: str, damage: bool, duties: bool) -> None:
    facts = text_facts(text)
    assert (facts.damage, facts.duties) == (damage, duties)


def test_amounts_are_decimals_with_their_currency() -> None:
    notice = duties_notice("Import duties of 1.234,56 EUR")
    assert (notice.amount, notice.currency) == (Decimal("1234.56"), "EUR")
    assert duties_notice("VAT of £5 to pay").amount == Decimal(5)
    assert duties_notice("Pay RMB 88 by 2026-02-31").due is None  # not a date


@given(st.text(max_size=200))
def test_any_carrier_text_is_read_without_error(text: str) -> None:
    text_facts(text)
    notice = duties_notice(text)
    assert notice.amount is None or notice.amount >= 0
    assert (notice.amount is None) == (notice.currency is None)


@pytest.mark.parametrize("text", ["x" * 40_000, "9" * 40_000, "999." * 10_000, "999 " * 10_000])
def test_duties_in_a_long_message_are_read_in_linear_time(text: str) -> None:
    # Found by benchmarks/fuzz.py: month names and amounts were retried from every position of a
    # long run (a 37,819-letter message: 13 s; 10,000 "999." groups: 28 s).
    started = time.perf_counter()
    assert duties_notice(text).due is None
    assert time.perf_counter() - started < 2


def test_amounts_and_dates_are_still_read_where_they_start() -> None:
    notice = duties_notice("Please pay 1 234 567,89 EUR before March 10, 2026")
    assert (notice.amount, notice.currency) == (Decimal("1234567.89"), "EUR")
    assert str(notice.due) == "2026-03-10"


def test_a_config_file_with_an_integer_python_will_not_read_is_a_threshold_error(tmp_path: Path) -> None:
    # Found by benchmarks/fuzz.py: tomllib's ValueError for an integer over 4,300 digits escaped.
    path = tmp_path / "config.toml"
    path.write_text(f"[rules]\nstalled_business_days = {'9' * 5000}\n")
    with pytest.raises(ThresholdError, match=f"{path}: Exceeds the limit"):
        ThresholdTable.load(path)
