"""Parse our shipment CSV format (pure: no I/O beyond the iterables handed in).

The format
==========

* UTF-8 text; a byte-order mark is allowed. Line ends: ``\\n``, ``\\r\\n`` or ``\\r``.
* The first non-blank line is the header row; every later line is one shipment.
* Delimiter: ``,`` by default; ``;``, tab and ``|`` are recognised from the header row
  (the delimiter that yields a ``tracking_number`` column wins). Quoting follows RFC 4180
  (``"..."``, ``""`` for a quote inside a quoted field; a quoted field may span lines).
* Columns are found by header name, in any order: case-insensitive, surrounding spaces
  ignored, inner spaces and hyphens read as ``_`` (``Tracking Number`` is
  ``tracking_number``). Unknown columns are ignored (and reported); a known column given
  twice is an error.
* Blank lines are skipped. An empty cell means "not given". Missing trailing cells are
  empty; extra trailing cells must be empty.

============================  ========  ====================================================
column                        required  value
============================  ========  ====================================================
``tracking_number``           yes       checked against the carrier's format and check digit
``carrier``                   no        a carrier slug (``parcel-watch carriers``); detected
                                        from the number when empty
``label``                     no        free text, at most 200 characters
``order_ref``                 no        free text, at most 120 characters
``service``                   no        free text, at most 120 characters
``origin_country``            no        ISO 3166 alpha-2 (``DE``); an S10 number fills it
``destination_country``       no        ISO 3166 alpha-2
``ship_date``                 no        ISO date ``YYYY-MM-DD``
``promised_delivery``         no        ISO date ``YYYY-MM-DD``
``declared_value``            no        a non-negative decimal (``12.50``; ``12,50`` is read
                                        as a decimal comma); needs ``currency``
``currency``                  no        ISO 4217 (``EUR``); needs ``declared_value``
``weight_kg``                 no        a non-negative decimal number
============================  ========  ====================================================

A row whose carrier column is filled is an import's choice of carrier
(``CarrierSource.IMPORT``); otherwise the carrier is detected (``DETECTED``).

Results are values: a bad row becomes a :class:`RowError` naming its line (physical line in
the file, the header is line 1 when it comes first), the column and the reason, and the
following rows are still read. Problems with the whole file (no header, no
``tracking_number`` column, not UTF-8) are a :class:`FileError`, found before any row.
The parser is a generator over lines, so a file of any size is read in constant memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import chain
from typing import TypeVar

from parcel_watch.detect import Candidate, InvalidTrackingNumber, carriers, require_valid
from parcel_watch.model import CarrierSource, Money, Shipment

REQUIRED = "tracking_number"
COLUMNS = (
    "tracking_number",
    "carrier",
    "label",
    "order_ref",
    "service",
    "origin_country",
    "destination_country",
    "ship_date",
    "promised_delivery",
    "declared_value",
    "currency",
    "weight_kg",
)
MAX_LENGTH = {"label": 200, "order_ref": 120, "service": 120}
DELIMITERS = (",", ";", "\t", "|")

T = TypeVar("T")

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"\d{1,15}(?:\.\d{1,6})?|\.\d{1,6}")
_DECIMAL_COMMA = re.compile(r"\d{1,15},\d{1,6}")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_CURRENCY = re.compile(r"[A-Za-z]{3}")


# -- field parsers (shared with the command line) -------------------------------------


def clean_text(value: str, column: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    limit = MAX_LENGTH.get(column)
    if limit is not None and len(value) > limit:
        raise ValueError(f"is {len(value)} characters long (at most {limit})")
    return value


def parse_date(value: str) -> date:
    value = value.strip()
    try:
        if _DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError(f'"{value}" is not a date (use YYYY-MM-DD)')


def parse_country(value: str) -> str:
    value = value.strip()
    if not _COUNTRY.fullmatch(value):
        raise ValueError(f'"{value}" is not a two-letter ISO 3166 country code')
    return value.upper()


def parse_currency(value: str) -> str:
    value = value.strip()
    if not _CURRENCY.fullmatch(value):
        raise ValueError(f'"{value}" is not a three-letter ISO 4217 currency code')
    return value.upper()


def parse_decimal(value: str, what: str = "number") -> Decimal:
    text = value.strip()
    if _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f'"{value.strip()}" is not a non-negative {what} (e.g. 12.50)')
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueError(f'"{value.strip()}" is not a {what}') from None


def parse_weight(value: str) -> float:
    weight = float(parse_decimal(value, "weight in kg"))
    if not math.isfinite(weight):  # pragma: no cover - bounded by the pattern
        raise ValueError(f'"{value.strip()}" is not a weight')
    return weight


def parse_money(amount: str | None, currency: str | None) -> Money | None:
    """Both or neither: a value without its currency means nothing."""
    if not amount and not currency:
        return None
    if not currency:
        raise ValueError("a declared value needs a currency")
    if not amount:
        raise ValueError("a currency needs a declared value")
    return Money(amount=parse_decimal(amount, "amount"), currency=parse_currency(currency))


def parse_carrier(value: str) -> str:
    slug = value.strip().lower()
    known = dict(carriers())
    if slug not in known:
        raise ValueError(f'unknown carrier "{value.strip()}" (see: parcel-watch carriers)')
    return slug


# -- results ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    column: str | None  # None: the row as a whole (malformed CSV, too many cells)
    reason: str


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class FileError:
    reason: str


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One valid row. Fields hold what the row said (None when empty); ``candidate`` is the
    validated reading of the number, and the source of carrier/origin/service otherwise."""

    line: int
    candidate: Candidate
    carrier: str | None = None
    label: str | None = None
    order_ref: str | None = None
    service: str | None = None
    origin_country: str | None = None
    destination_country: str | None = None
    ship_date: date | None = None
    promised_delivery: date | None = None
    declared_value: Money | None = None
    weight_kg: float | None = None

    @property
    def tracking_number(self) -> str:
        return self.candidate.number

    @property
    def carrier_source(self) -> CarrierSource:
        return CarrierSource.IMPORT if self.carrier else CarrierSource.DETECTED

    def to_shipment(self, *, fill_from_detection: bool = True) -> Shipment:
        """The shipment this row describes; detection fills service and (S10) origin country
        unless ``fill_from_detection`` is off (the caller decides once the carrier is final)."""
        detected = self.candidate if fill_from_detection else None
        return Shipment(
            tracking_number=self.candidate.number,
            carrier=self.candidate.carrier,
            carrier_source=self.carrier_source,
            label=self.label,
            order_ref=self.order_ref,
            service=self.service or (detected.service if detected else None),
            origin_country=self.origin_country or (detected.origin_country if detected else None),
            destination_country=self.destination_country,
            ship_date=self.ship_date,
            promised_delivery=self.promised_delivery,
            declared_value=self.declared_value,
            weight_kg=self.weight_kg,
        )


@dataclass
class ParseResult:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: FileError | None = None


# -- the reader -------------------------------------------------------------------------


def delimiter_name(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else f'"{delimiter}"'


def header_name(raw: str) -> str:
    return re.sub(r"[\s\-]+", "_", raw.strip().lower())


class CsvRows:
    """Rows of one CSV file whose header has been read and checked."""

    def __init__(self, lines: Iterator[str], delimiter: str, header: list[str], header_line: int) -> None:
        self.delimiter = delimiter
        self.width = len(header)
        names = [header_name(h) for h in header]
        self.columns = {name: i for i, name in enumerate(names) if name in COLUMNS}
        self.ignored = [
            h.strip() for h, name in zip(header, names, strict=True) if name and name not in COLUMNS
        ]
        self._lines = lines
        self._line = header_line  # physical lines before the header

    def __iter__(self) -> Iterator[ImportRow | RowError]:
        reader = csv.reader(self._lines, delimiter=self.delimiter, strict=True)
        offset = self._line
        next(reader, None)  # the header, checked already
        while True:
            start = offset + reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                reason = f"malformed CSV: {exc} (check the quotes in this row)"
                yield RowError(start, (Problem(None, reason),))
                continue
            if not any(c.strip() for c in cells):
                continue  # blank line
            yield self._row(start, cells)

    def _row(self, line: int, cells: list[str]) -> ImportRow | RowError:
        extra = [c for c in cells[self.width :] if c.strip()]
        if extra:
            reason = (
                f"row has {len(cells)} cells but the header has {self.width} "
                f"(check the delimiter {delimiter_name(self.delimiter)} and quoting)"
            )
            return RowError(line, (Problem(None, reason),))
        values = {name: cells[i].strip() for name, i in self.columns.items() if i < len(cells)}
        return validate_row(line, values)


def validate_row(line: int, values: dict[str, str]) -> ImportRow | RowError:
    """Check one row given as {column: text}; empty text means "not given"."""
    problems: list[Problem] = []

    def value(column: str, parse: Callable[[str], T]) -> T | None:
        raw = values.get(column) or None
        if raw is None:
            return None
        try:
            return parse(raw)
        except ValueError as exc:
            problems.append(Problem(column, str(exc)))
            return None

    carrier = value("carrier", parse_carrier)
    label = value("label", lambda v: clean_text(v, "label"))
    order_ref = value("order_ref", lambda v: clean_text(v, "order_ref"))
    service = value("service", lambda v: clean_text(v, "service"))
    origin = value("origin_country", parse_country)
    destination = value("destination_country", parse_country)
    ship_date = value("ship_date", parse_date)
    promised = value("promised_delivery", parse_date)
    weight = value("weight_kg", parse_weight)
    amount = value("declared_value", lambda v: parse_decimal(v, "amount"))
    currency = value("currency", parse_currency)
    money = None
    if values.get("declared_value") and not values.get("currency"):
        problems.append(Problem("currency", "is empty, but a declared_value needs its currency"))
    elif values.get("currency") and not values.get("declared_value"):
        problems.append(Problem("declared_value", "is empty, but a currency is given"))
    elif amount is not None and currency is not None:
        money = Money(amount=amount, currency=currency)

    candidate = None
    number = values.get("tracking_number") or None
    if number is None:
        problems.append(Problem("tracking_number", "is empty (the column is required)"))
    elif carrier is not None or not values.get("carrier"):  # an unknown carrier is reported above
        try:
            candidate = require_valid(number, carrier)
        except InvalidTrackingNumber as exc:
            problems.append(Problem("tracking_number", str(exc)))
    if problems or candidate is None:
        return RowError(line, tuple(problems))
    return ImportRow(
        line=line,
        candidate=candidate,
        carrier=carrier,
        label=label,
        order_ref=order_ref,
        service=service,
        origin_country=origin,
        destination_country=destination,
        ship_date=ship_date,
        promised_delivery=promised,
        declared_value=money,
        weight_kg=weight,
    )


def header_line(lines: Iterator[str]) -> tuple[str, int] | None:
    """The first non-blank line (BOM removed) and its line number."""
    for number, line in enumerate(lines, start=1):
        if number == 1:
            line = line.removeprefix("\ufeff")
        if line.strip():
            return line, number
    return None


def split_header(line: str, delimiter: str) -> list[str] | None:
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=True), [])
    except csv.Error:
        return None


def open_rows(lines: Iterable[str]) -> CsvRows | FileError:
    """Read and check the header; the returned object yields the rows lazily.

    ``lines`` must keep their line ends (a file opened with ``newline=""``)."""
    it = iter(lines)
    found = header_line(it)
    if found is None:
        return FileError("the file is empty (a header row with a tracking_number column is required)")
    line, number = found
    splits = {d: split_header(line, d) for d in DELIMITERS}
    usable = {d: cells for d, cells in splits.items() if cells is not None}
    chosen = next((d for d, cells in usable.items() if REQUIRED in map(header_name, cells)), None)
    if chosen is None:
        widest = max(usable.values(), key=len, default=[line.strip()])
        shown = ", ".join(h.strip() for h in widest if h.strip()) or "(none)"
        return FileError(f'missing required column "{REQUIRED}" in the header row (found: {shown})')
    header = usable[chosen]
    names = [header_name(h) for h in header]
    twice = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if twice:
        return FileError(f"column given more than once in the header row: {', '.join(twice)}")
    return CsvRows(chain([line], it), chosen, header, number - 1)


def check_utf8(chunks: Iterable[bytes]) -> FileError | None:
    """Whether a byte stream is UTF-8, read incrementally; the error names the line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    for chunk in chain(chunks, [b""]):
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            data = bytes(exc.object)  # a partial character held back from the last chunk + this one
            bad = data[exc.start : exc.start + 1].hex() or "?"
            line += data.count(b"\n", 0, exc.start)
            return FileError(
                f"the file is not UTF-8 text (byte 0x{bad} on line {line}); "
                "save it as UTF-8 (CSV UTF-8 in spreadsheet programs)"
            )
        line += chunk.count(b"\n")
    return None


def parse_text(text: str) -> ParseResult:
    """Parse a whole CSV document held in memory (tests, small inputs)."""
    result = ParseResult()
    rows = open_rows(io.StringIO(text, newline=""))
    if isinstance(rows, FileError):
        result.file_error = rows
        return result
    for item in rows:
        (result.rows if isinstance(item, ImportRow) else result.errors).append(item)  # type: ignore[arg-type]
    return result
