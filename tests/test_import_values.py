"""The value parsers of merchant exports: properties over many inputs, and the odd cases."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcel_watch.import_values import (
    _country_names,
    add_business_days,
    carrier_slug,
    parse_country_name,
    parse_date_as,
    parse_days,
    parse_money_text,
    readable_format,
    split_numbers,
    strptime_format,
)

amounts = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False)


def grouped(amount: Decimal, thousands: str, decimal_mark: str) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return thousands.join(groups) + decimal_mark + cents


@given(amounts, st.sampled_from([("$", "", "USD"), ("", " €", "EUR"), ("£", "", "GBP"), ("AU $", "", "AUD")]))
def test_money_in_us_and_european_styles(amount: Decimal, style: tuple[str, str, str]) -> None:
    before, after, currency = style
    for thousands, mark in ((",", "."), (".", ","), ("", "."), ("", ","), (" ", ",")):
        text = before + grouped(amount, thousands, mark) + after
        assert parse_money_text(text) == (amount, currency), text


@given(amounts, st.sampled_from(["EUR", "USD", "CNY"]))
def test_plain_amounts_take_the_given_currency_and_a_code_in_the_cell_wins(
    amount: Decimal, code: str
) -> None:
    assert parse_money_text(f"{amount:.2f}", code) == (amount, code)
    assert parse_money_text(f"{amount:.2f}") == (amount, None)
    assert parse_money_text(f"{code} {amount:.2f}", "JPY") == (amount, code)


@pytest.mark.parametrize("text", ["-2.80", "abc", "1.2.3,4", "12.50.", "$", ""])
def test_not_money(text: str) -> None:
    with pytest.raises(ValueError):
        parse_money_text(text)


FORMATS = ["DD-MM-YYYY", "MM/DD/YYYY", "YYYY-MM-DD", "DD.MM.YYYY", "MMM-DD-YY", "DD-MMM-YY", "%d/%m/%Y"]


@given(
    st.dates(min_value=date(1970, 1, 1), max_value=date(2068, 12, 31)),
    st.sampled_from(FORMATS),
    st.sampled_from(["", " 09:15:00", " 9:15:00 AM", " 23:59", " 10:02:51 -0500", "T07:21:05+09:00"]),
)
def test_dates_in_the_files_format_with_any_time_after(day: date, spec: str, time: str) -> None:
    fmt = strptime_format(spec)
    if time.startswith("T") and not fmt.startswith("%Y"):
        time = " 09:15:00"
    assert parse_date_as(day.strftime(fmt) + time, (fmt,)) == day


@given(st.dates(min_value=date(1970, 1, 1), max_value=date(2099, 12, 31)))
def test_iso_dates_by_default(day: date) -> None:
    assert parse_date_as(day.isoformat(), ()) == day
    assert parse_date_as(f"{day.isoformat()}T23:30:00-08:00", ()) == day  # the date written, not UTC's


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("31-02-2025", "DD-MM-YYYY"),
        ("31/03/2025 9:15:00 AM", "MM/DD/YYYY"),
        ("03/04/2025 25:10:00", "MM/DD/YYYY"),
        ("Feb-30-25", "MMM-DD-YY"),
    ],
)
def test_impossible_dates_say_the_format(text: str, spec: str) -> None:
    fmt = strptime_format(spec)
    with pytest.raises(ValueError, match=f"not a date in the format {spec}"):
        parse_date_as(text, (fmt,))
    assert readable_format(fmt) == spec


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 60))
def test_service_days_count_working_days(start: date, days: int) -> None:
    end = add_business_days(start, days)
    between = [start + timedelta(n) for n in range(1, (end - start).days + 1)]
    assert sum(d.weekday() < 5 for d in between) == days
    assert days == 0 or end.weekday() < 5


def test_service_days_over_a_weekend() -> None:
    assert add_business_days(date(2025, 3, 7), 1) == date(2025, 3, 10)  # Friday + 1: Monday


def test_every_known_country_by_code_and_by_name() -> None:
    names = _country_names()
    assert len(set(names.values())) > 180
    for name, code in names.items():
        assert parse_country_name(code.lower()) == code
        assert parse_country_name(f"  {name.upper()} ") == code


@pytest.mark.parametrize(
    ("name", "code"),
    [("United States", "US"), ("United Kingdom", "GB"), ("Germany", "DE"), ("Korea", "KR"), ("中国", "CN")],
)
def test_country_names_exports_use(name: str, code: str) -> None:
    assert parse_country_name(name) == code


def test_unknown_country() -> None:
    with pytest.raises(ValueError, match="not a country we know"):
        parse_country_name("Narnia")


@given(
    st.lists(st.from_regex(r"[A-Z0-9]{8,22}", fullmatch=True), min_size=1, max_size=4),
    st.sampled_from([",", ", ", ";", "\n"]),
)
def test_numbers_in_one_cell(numbers: list[str], separator: str) -> None:
    assert split_numbers(separator.join(numbers)) == numbers


def test_spreadsheet_guards_are_removed_and_scientific_notation_refused() -> None:
    assert split_numbers("'0012345678") == ["0012345678"]
    assert split_numbers("No:78612345098712") == ["78612345098712"]
    with pytest.raises(ValueError, match="scientific notation"):
        split_numbers("4.43659E+11")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("USPS", "usps"),
        ("FedEx", "fedex"),
        ("Canada Post", "canada_post"),
        ("AMZN_US", "amazon"),
        ("UPS®", "ups"),
    ],
)
def test_carrier_names(name: str, slug: str) -> None:
    assert carrier_slug(name, frozenset()) == slug


def test_unknown_carrier() -> None:
    with pytest.raises(ValueError, match='unknown carrier "Speedy Parcelz"'):
        carrier_slug("Speedy Parcelz", frozenset({"ups"}))


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("MM-MM-YYYY", "names a part twice"),
        ("%m%m", "names a part twice"),
        ("%Q", "bad directive"),
        ("DD%", "stray %"),
    ],
)
def test_an_unusable_date_format_is_refused_up_front(spec: str, reason: str) -> None:
    # Found by benchmarks/fuzz.py: "MM-MM-YYYY" raised re.error from strptime on every cell.
    with pytest.raises(ValueError, match=reason) as caught:
        strptime_format(spec)
    assert f'"{spec}" is not a date format' in str(caught.value)


@pytest.mark.parametrize("text", ["²", "9" * 5000])
def test_service_days_that_are_no_plain_number_say_so(text: str) -> None:
    # Found by probing: isdigit() takes "²", and int() refused it (and 4,300+ digits) with
    # Python's own wording ("invalid literal for int()") as the row's reason.
    with pytest.raises(ValueError, match="is not a number of service days"):
        parse_days(text)
