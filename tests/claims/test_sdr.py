"""SDR rate tables: the bundled IMF rates, loading newer ones, and clear errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from claims.sdr import (
    RateFileError,
    UnknownRate,
    bundled_rates,
    configured_rates,
    load_rates,
    parse_csv,
    parse_json,
)


def test_the_bundled_rates_are_the_references_with_their_dates_and_source() -> None:
    rates = bundled_rates()
    newest = rates.rate("usd")
    assert (newest.units_per_sdr, newest.rate_date) == (Decimal("1.3687"), date(2026, 1, 6))
    assert rates.rate("EUR").units_per_sdr == Decimal("1.1691")
    assert rates.rate("CNY").units_per_sdr == Decimal("9.5537")
    older = rates.rate("EUR", on=date(2025, 12, 31))
    assert (older.units_per_sdr, older.rate_date) == (Decimal("1.1718"), date(2025, 10, 20))
    assert "brecorder.com/news/40388541" in older.source
    assert rates.currencies == {"USD", "EUR", "CNY"}


def test_no_rate_before_the_oldest_or_for_an_unknown_currency() -> None:
    rates = bundled_rates()
    with pytest.raises(UnknownRate, match="on or before 2025-10-19"):
        rates.rate("USD", on=date(2025, 10, 19))
    with pytest.raises(UnknownRate, match="GBP.*USD"):
        rates.rate("GBP")


def test_a_csv_table_in_imf_units_per_sdr(tmp_path: Path) -> None:
    table = tmp_path / "imf_2026-02.csv"
    table.write_text(
        "\ufeffdate,currency,units_per_sdr\n2026-02-02,USD,1.3702\n2026-02-02,GBP,1.0011\n", encoding="utf-8"
    )
    rates = load_rates(table)
    gbp = rates.rate("GBP")
    assert (gbp.units_per_sdr, gbp.rate_date, gbp.source) == (Decimal("1.0011"), date(2026, 2, 2), table.name)
    assert gbp.to_currency(Decimal(30)) == Decimal("30.0330")


def test_a_json_table_and_configured_rates(tmp_path: Path) -> None:
    table = tmp_path / "rates.json"
    table.write_text(
        '{"rates": [{"date": "2026-03-02", "source": "IMF", "units_per_sdr": {"JPY": "214.5"}}]}',
        encoding="utf-8",
    )
    assert load_rates(table).rate("JPY").units_per_sdr == Decimal("214.5")
    configured = configured_rates({"chf": Decimal("1.0801")}, date(2026, 1, 6), "my settings")
    assert configured.rate("CHF").source == "my settings"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,currency\n2026-01-06,USD\n", "header"),
        ("date,currency,units_per_sdr\n2026-01-06,USD,abc\n", "line 2.*not a number"),
        ("date,currency,units_per_sdr\n2026-01-06,USD,-1\n", "positive"),
        ("date,currency,units_per_sdr\n06/01/2026,USD,1.3\n", "ISO date"),
        ("date,currency,units_per_sdr\n2026-01-06,DOLLAR,1.3\n", "ISO 4217"),
        ("date,currency,units_per_sdr\n", "no rates"),
    ],
)
def test_a_bad_csv_says_where_and_why(text: str, message: str) -> None:
    with pytest.raises(RateFileError, match=message):
        parse_csv(text, source="test.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ('{"rates": []}', "non-empty"),
        ('{"rates": [{"date": "2026-01-06", "units_per_sdr": {"USD": "1.3"}}]}', "source"),
        ('{"rates": [{"date": "2026-01-06", "source": "IMF"}]}', "units_per_sdr"),
    ],
)
def test_a_bad_json_table_says_why(text: str, message: str) -> None:
    with pytest.raises(RateFileError, match=message):
        parse_json(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [  # found by benchmarks/fuzz.py: csv.Error, RecursionError and ValueError escaped
        ("date,currency,units_per_sdr\n2026-01-06,U\rSD,1.3\n", "line 2: not valid CSV .new-line character"),
        ("da\rte,currency,units_per_sdr\n", "line 1: not valid CSV"),
    ],
)
def test_a_csv_with_broken_quoting_says_where(text: str, message: str) -> None:
    with pytest.raises(RateFileError, match=message):
        parse_csv(text, source="test.csv")


@pytest.mark.parametrize(
    ("text", "message"), [("[" * 100_000, "nested too deeply"), ("9" * 5000, "not JSON: Exceeds the limit")]
)
def test_a_hostile_json_table_is_a_rate_file_error(text: str, message: str) -> None:
    with pytest.raises(RateFileError, match=message):
        parse_json(text)
