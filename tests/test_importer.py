"""The CSV import format: values round-trip, and any text yields values, never exceptions."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcel_watch.detect import InvalidTrackingNumber, normalize_number, require_valid
from parcel_watch.detect.spec import formats
from parcel_watch.importer import (
    COLUMNS,
    DELIMITERS,
    FileError,
    ImportRow,
    Problem,
    RowError,
    check_utf8,
    parse_text,
)
from parcel_watch.model import CarrierSource, Money


def _valid_numbers() -> list[tuple[str, str]]:
    """(number, carrier) from the corpus that validate without naming the carrier."""
    out = {}
    for fmt in formats():
        for raw in fmt.valid:
            try:
                cand = require_valid(raw)
            except InvalidTrackingNumber:
                continue
            out[cand.number] = cand.carrier
    return sorted(out.items())


NUMBERS = _valid_numbers()
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30)
OPTIONAL = [c for c in COLUMNS if c not in ("tracking_number", "currency")]


@st.composite
def documents(draw: Any) -> tuple[str, list[dict[str, Any]]]:
    """A CSV document in our format and, per row, the values the parser must return."""
    columns = ["tracking_number", *draw(st.lists(st.sampled_from(OPTIONAL), unique=True))]
    if "declared_value" in columns:
        columns.append("currency")
    columns = draw(st.permutations(columns))
    delimiter = draw(st.sampled_from(DELIMITERS))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    expected: list[dict[str, Any]] = []
    records: list[list[str]] = []
    for _ in range(draw(st.integers(0, 6))):
        number, carrier = draw(st.sampled_from(NUMBERS))
        cells: dict[str, str] = {"tracking_number": number}
        want: dict[str, Any] = {"tracking_number": number, "detected": carrier}
        for column in columns:
            if column == "carrier":
                given_carrier = draw(st.booleans())
                cells[column] = carrier if given_carrier else ""
                want[column] = carrier if given_carrier else None
            elif column in ("label", "order_ref", "service"):
                text = draw(TEXT)
                cells[column] = text
                want[column] = text.strip() or None
            elif column in ("origin_country", "destination_country"):
                cc = draw(st.none() | st.sampled_from(["de", "US", "Gb", "CN"]))
                cells[column] = cc or ""
                want[column] = cc.upper() if cc else None
            elif column in ("ship_date", "promised_delivery"):
                day = draw(st.none() | st.dates(date(1000, 1, 1), date(9999, 12, 31)))
                cells[column] = day.isoformat() if day else ""
                want[column] = day
            elif column == "weight_kg":
                kg = draw(st.none() | st.decimals(0, 10_000, places=3))
                cells[column] = str(kg) if kg is not None else ""
                want[column] = float(kg) if kg is not None else None
            elif column == "declared_value":
                amount = draw(st.none() | st.decimals(0, 10**9, places=2))
                currency = draw(st.sampled_from(["EUR", "usd", "Jpy"]))
                cells[column] = str(amount) if amount is not None else ""
                cells["currency"] = currency if amount is not None else ""
                want[column] = Money(amount=amount, currency=currency) if amount is not None else None
        records.append([cells[c] for c in columns])
        expected.append(want)

    out = io.StringIO(newline="")
    # With "\n" line ends csv.writer would not quote a field holding a lone "\r": quote all then.
    if newline == "\n":
        writer = csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_ALL)
    else:
        writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(columns)
    for record, want in zip(records, expected, strict=True):
        if draw(st.booleans()):
            out.write(newline)  # a blank line
        # The physical line the record starts on (quoted fields may hold line breaks).
        want["line"] = len(io.StringIO(out.getvalue(), newline="").readlines()) + 1
        writer.writerow(record)
    bom = "\ufeff" if draw(st.booleans()) else ""
    return bom + out.getvalue(), expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_valid_rows_round_trip(doc: tuple[str, list[dict[str, Any]]]) -> None:
    text, expected = doc
    result = parse_text(text)
    assert result.file_error is None and result.errors == []
    assert len(result.rows) == len(expected)
    for row, want in zip(result.rows, expected, strict=True):
        assert row.line == want["line"]
        assert row.tracking_number == want["tracking_number"]
        assert row.candidate.carrier == want["detected"]
        assert row.carrier_source is (CarrierSource.IMPORT if want.get("carrier") else CarrierSource.DETECTED)
        for column in OPTIONAL:
            if column in want:
                assert getattr(row, column) == want[column], column
        shipment = row.to_shipment()
        assert (shipment.tracking_number, shipment.carrier) == (want["tracking_number"], want["detected"])


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_values_never_exceptions(text: str) -> None:
    _check_values(parse_text(text), text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DELIMITERS), st.text(st.characters(exclude_categories=["Cs"])))
def test_any_rows_under_a_valid_header_give_values(delimiter: str, body: str) -> None:
    text = delimiter.join(COLUMNS) + "\n" + body
    result = parse_text(text)
    assert result.file_error is None
    _check_values(result, text)


def _check_values(result: Any, text: str) -> None:
    lines = len(io.StringIO(text, newline="").readlines())
    if result.file_error is not None:
        assert isinstance(result.file_error, FileError) and result.file_error.reason
        assert result.rows == [] and result.errors == []
    for item in [*result.rows, *result.errors]:
        assert 1 < item.line <= max(lines, 1) + 1
    for row in result.rows:
        assert isinstance(row, ImportRow) and row.tracking_number == normalize_number(row.tracking_number)
    for error in result.errors:
        assert isinstance(error, RowError) and error.problems
        assert all(isinstance(p, Problem) and p.reason for p in error.problems)


# -- examples ---------------------------------------------------------------------------

HEADER = "tracking_number,carrier,label,ship_date,declared_value,currency,weight_kg,origin_country\n"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("hello,,,,,,,", "tracking_number", "does not look like a tracking number"),
        ("1Z1111111111111111,,,,,,,", "tracking_number", "check digit does not match"),
        ("1Z5R89390357567127,acme,,,,,,", "carrier", 'unknown carrier "acme"'),
        ("1Z5R89390357567127,fedex,,,,,,", "tracking_number", "looks like a UPS number"),
        (",,label only,,,,,", "tracking_number", "is empty"),
        ("1Z5R89390357567127,,,2025-02-30,,,,", "ship_date", "is not a date"),
        ("1Z5R89390357567127,,,20250301,,,,", "ship_date", "use YYYY-MM-DD"),
        ("1Z5R89390357567127,,,,12.50,,,", "currency", "needs its currency"),
        ("1Z5R89390357567127,,,,,EUR,,", "declared_value", "currency is given"),
        ("1Z5R89390357567127,,,,-3,EUR,,", "declared_value", "not a non-negative amount"),
        ("1Z5R89390357567127,,,,1e3,EUR,,", "declared_value", "not a non-negative amount"),
        ('1Z5R89390357567127,,,,"1,299.00",EUR,,', "declared_value", "not a non-negative amount"),
        ("1Z5R89390357567127,,,,12,EURO,,", "currency", "ISO 4217"),
        ("1Z5R89390357567127,,,,,,heavy,", "weight_kg", "not a non-negative weight"),
        ("1Z5R89390357567127,,,,,,nan,", "weight_kg", "not a non-negative weight"),
        ("1Z5R89390357567127,,,,,,,DEU", "origin_country", "ISO 3166"),
        ("1Z5R89390357567127,," + "x" * 201 + ",,,,,", "label", "at most 200"),
        ("1Z5R89390357567127,,a\x00b,,,,,", "label", "NUL"),
        ("1Z5R89390357567127,,,,,,,,surplus", None, "row has 9 cells but the header has 8"),
        ('1Z5R89390357567127,,"bad"quote,,,,,', None, "malformed CSV"),
    ],
)
def test_bad_rows_name_line_column_and_reason(row: str, column: str | None, reason: str) -> None:
    result = parse_text(HEADER + "1Z8V92A70367203024,,good,,,,,\n" + row + "\nRB123456785GB,,,,,,,\n")
    assert [r.line for r in result.rows] == [2, 4]  # the rows around the bad one are kept
    (error,) = result.errors
    assert error.line == 3
    assert any(p.column == column and reason in p.reason for p in error.problems), error.problems


def test_all_problems_of_a_row_are_reported() -> None:
    (error,) = parse_text(HEADER + "hello,,,2025-13-01,,,x,\n").errors
    assert {p.column for p in error.problems} == {"tracking_number", "ship_date", "weight_kg"}


def test_lenient_details() -> None:
    text = (
        "\ufeff\n\n  Tracking Number ;CARRIER; Weight-KG ;Declared Value;currency;Notes\r\n"
        "1z5r 8939 0357 5671 27;UPS;1,5;12,50;eur;ignored\r\n"
        "\r\n"
        "RB123456785GB\r\n"  # missing trailing cells are empty
        "RB123456785GB;;;;;;\r\n"  # empty extra cells are fine
    )
    result = parse_text(text)
    assert result.errors == [] and result.file_error is None
    first, second, third = result.rows
    assert (first.line, first.tracking_number, first.carrier, first.weight_kg) == (
        4,
        "1Z5R89390357567127",
        "ups",
        1.5,
    )
    assert first.declared_value == Money(amount=Decimal("12.50"), currency="EUR")
    assert (second.line, third.line) == (6, 7)
    assert second.to_shipment().origin_country == "GB"  # S10: detected
    assert second.to_shipment(fill_from_detection=False).origin_country is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the file is empty"),
        ("\n \n", "the file is empty"),
        ("number,carrier\n1Z5R89390357567127,ups\n", 'missing required column "tracking_number"'),
        ("tracking_number,label,Label\n", "more than once in the header row: label"),
    ],
)
def test_file_errors(text: str, reason: str) -> None:
    result = parse_text(text)
    assert result.file_error is not None and reason in result.file_error.reason
    assert result.rows == [] and result.errors == []


def test_header_only_is_no_rows() -> None:
    result = parse_text("tracking_number\n")
    assert result.file_error is None and result.rows == [] and result.errors == []


@pytest.mark.parametrize(
    ("chunks", "line"),
    [
        ([b"tracking_number\n1Z\xff\n"], 2),
        ([b"a\nb\nc", b"\n\xe4\n"], 4),
        ([b"ok \xc3", b"\xa4\n", b"x\n\xc3"], 3),  # a character split across chunks is fine; a cut one is not
    ],
)
def test_check_utf8_names_the_line(chunks: list[bytes], line: int) -> None:
    error = check_utf8(chunks)
    assert error is not None and f"line {line}" in error.reason and "not UTF-8" in error.reason


def test_check_utf8_accepts_utf8_split_anywhere() -> None:
    data = "tracking_number,label\n1Z5R89390357567127,Straße 😀\n".encode()
    assert check_utf8([data[i : i + 1] for i in range(len(data))]) is None
    assert check_utf8([]) is None
