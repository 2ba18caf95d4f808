"""Importing what merchants already have: any CSV with a column mapping, and presets for
platform exports (pure: no I/O beyond the lines handed in).

A :class:`Mapping` says which of the file's columns holds each of our fields
(``parcel_watch.importer.COLUMNS``, plus ``service_days``) and how its values are written
(date formats, a currency for plain amounts). Each row is translated into our own format's
values (ISO dates, slugs, ISO country codes, plain decimals) and then checked by
:func:`parcel_watch.importer.validate_row`, so both formats obey the same rules.

* A cell may hold several tracking numbers (Shopify: ``1Z…, 1Z…``): one shipment each.
* A row without a tracking number that shows no sign of being shipped (no carrier, no ship
  date) is an order not shipped yet: :class:`NotShipped`, not an error.
* ``service_days`` is a promise in working days from the ship date (``promised_delivery``
  given in the file wins).
* Rows are read lazily: a file of any size is read in constant memory.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import chain

from parcel_watch import importer
from parcel_watch.detect import carriers
from parcel_watch.import_values import (
    CARRIER_NAMES,
    add_business_days,
    carrier_slug,
    fold_carrier,
    parse_country_name,
    parse_date_as,
    parse_days,
    parse_money_text,
    split_numbers,
    strptime_format,
)
from parcel_watch.importer import FileError, ImportRow, Problem, RowError

FIELDS = (*importer.COLUMNS, "service_days")
# Short names accepted in --map (tracking=..., value=..., promised=...).
FIELD_ALIASES = {
    "tracking": "tracking_number",
    "number": "tracking_number",
    "order": "order_ref",
    "origin": "origin_country",
    "destination": "destination_country",
    "country": "destination_country",
    "shipped": "ship_date",
    "promised": "promised_delivery",
    "value": "declared_value",
    "days": "service_days",
    "weight": "weight_kg",
}
_DATE_FIELDS = ("ship_date", "promised_delivery")
_TEXT_FIELDS = ("label", "order_ref", "service")


@dataclass(frozen=True)
class Mapping:
    """Where each field is in the file: header names to look for, the first present wins."""

    name: str
    columns: dict[str, tuple[str, ...]]
    date_formats: tuple[str, ...] = ()  # strptime formats; () = ISO 8601
    currency: str | None = None  # of amounts written without one
    required: frozenset[str] = frozenset({"tracking_number"})
    # Rows whose cell in this column is empty are not shipments (eBay's order summary rows
    # and its "N record(s) downloaded" footer).
    item_column: str | None = None
    carrier_from_service: bool = False  # "USPS Ground Advantage" names its carrier
    hint: str = ""  # said when a required column is missing

    def with_overrides(
        self, columns: dict[str, str], date_format: str | None, currency: str | None
    ) -> Mapping:
        """This mapping with --map columns (each then required), --date-format, --currency."""
        return replace(
            self,
            columns={**self.columns, **{f: (c,) for f, c in columns.items()}},
            date_formats=(strptime_format(date_format),) if date_format else self.date_formats,
            currency=currency or self.currency,
            required=self.required | frozenset(columns),
        )


PRESETS: dict[str, Mapping] = {
    # Shopify through Matrixify (the admin's own orders export has no tracking numbers).
    "shopify": Mapping(
        name="shopify",
        columns={
            "tracking_number": ("Fulfillment: Tracking Number", "Tracking Number"),
            "carrier": ("Fulfillment: Tracking Company", "Tracking Company"),
            "ship_date": ("Fulfillment: Created At", "Fulfilled at"),
            "order_ref": ("Name",),
            "destination_country": ("Shipping: Country Code", "Shipping Country"),
        },
        date_formats=("%Y-%m-%d",),
        hint="Shopify's own orders export has no tracking numbers: export orders with their "
        "fulfillments (Matrixify), or name the columns with --map",
    ),
    "shipstation": Mapping(
        name="shipstation",
        columns={
            "tracking_number": ("Shipment - Tracking Number",),
            "carrier": ("Shipment - Carrier", "Carrier - Name"),
            "service": ("Shipment - Service", "Carrier - Service Selected"),
            "ship_date": ("Date - Shipped Date",),
            "order_ref": ("Order - Number",),
            "destination_country": ("Ship To - Country",),
            "declared_value": ("Amount - Order Total",),
        },
        date_formats=("%m/%d/%Y",),
    ),
    # WooCommerce Advanced Shipment Tracking's CSV; its dates are day first unless the
    # merchant chose otherwise in the upload form (then --date-format MM-DD-YYYY).
    "woocommerce": Mapping(
        name="woocommerce",
        columns={
            "tracking_number": ("tracking_number",),
            "carrier": ("tracking_provider",),
            "ship_date": ("date_shipped",),
            "order_ref": ("order_id",),
        },
        date_formats=("%d-%m-%Y",),
    ),
    "amazon": Mapping(
        name="amazon",
        columns={
            "tracking_number": ("tracking-number",),
            "carrier": ("carrier",),
            "service": ("ship-service-level",),
            "ship_date": ("shipment-date",),
            "promised_delivery": ("estimated-arrival-date",),
            "order_ref": ("amazon-order-id",),
            "destination_country": ("ship-country",),
            "declared_value": ("item-price",),
            "currency": ("currency",),
        },
    ),
    "ebay": Mapping(
        name="ebay",
        columns={
            "tracking_number": ("Tracking Number",),
            "service": ("Shipping Service",),
            "ship_date": ("Shipped On Date",),
            "order_ref": ("Order Number",),
            "destination_country": ("Ship To Country",),
            "declared_value": ("Sold For",),
        },
        date_formats=("%b-%d-%y", "%d-%b-%y"),
        item_column="Item Number",
        carrier_from_service=True,
    ),
}


def parse_map(text: str) -> dict[str, str]:
    """``tracking=Tracking Number,carrier=Carrier`` as {field: column}."""
    out: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, column = part.partition("=")
        key = FIELD_ALIASES.get(name.strip().lower(), name.strip().lower())
        if not sep or not column.strip():
            raise ValueError(f'"{part.strip()}" is not field=Column Name')
        if key not in FIELDS:
            raise ValueError(f'unknown field "{name.strip()}" (fields: {", ".join(FIELDS)})')
        out[key] = column.strip()
    return out


@dataclass(frozen=True, slots=True)
class NotShipped:
    """A row of an order with no tracking number yet (and no sign of being shipped)."""

    line: int


def _fold_header(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


@dataclass
class MappedRows:
    """The rows of one file whose header has been checked against its mapping."""

    mapping: Mapping
    delimiter: str
    indices: dict[str, int]  # field -> column index
    item_index: int | None
    header_line: int
    _lines: Iterator[str] = field(default_factory=lambda: iter(()))
    notes: Counter[str] = field(default_factory=Counter)  # filled while the rows are read

    def __iter__(self) -> Iterator[ImportRow | RowError | NotShipped]:
        reader = csv.reader(self._lines, delimiter=self.delimiter, strict=True)
        next(reader, None)  # the header
        known = frozenset(slug for slug, _ in carriers())
        while True:
            start = self.header_line + reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RowError(start, (Problem(None, f"malformed CSV: {exc} (check the quotes)"),))
                continue
            if not any(c.strip() for c in cells):
                continue
            if self.item_index is not None and not _cell(cells, self.item_index):
                continue  # an order's summary row or the export's footer
            values = {f: _cell(cells, i) for f, i in self.indices.items()}
            yield from translate(start, values, self.mapping, known, self.notes)


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


_NAMES_LONGEST_FIRST = sorted(CARRIER_NAMES, key=len, reverse=True)


def _carrier_in_service(service: str) -> str | None:
    """The carrier a service name starts with (``UPS Ground`` → ups), if any."""
    folded = fold_carrier(service)
    for name in _NAMES_LONGEST_FIRST:
        if folded == name or folded.startswith(name + " "):
            return CARRIER_NAMES[name]
    return None


def translate(
    line: int, values: dict[str, str], mapping: Mapping, known: frozenset[str], notes: Counter[str]
) -> Iterator[ImportRow | RowError | NotShipped]:
    """One row of the merchant's file as rows of ours, one per tracking number; what was
    left out on the way (not an error of the row) is counted in ``notes``."""
    problems: list[Problem] = []
    ours: dict[str, str] = {f: values[f] for f in _TEXT_FIELDS if values.get(f)}

    def attempt(column: str, work: Callable[[], None]) -> None:
        try:
            work()
        except ValueError as exc:
            problems.append(Problem(column, str(exc)))

    def carrier() -> None:
        if values.get("carrier"):
            ours["carrier"] = carrier_slug(values["carrier"], known)
        elif mapping.carrier_from_service and values.get("service"):
            slug = _carrier_in_service(values["service"])
            if slug is not None:
                ours["carrier"] = slug

    def dates() -> None:
        for name in _DATE_FIELDS:
            if values.get(name):
                try:
                    ours[name] = parse_date_as(values[name], mapping.date_formats).isoformat()
                except ValueError as exc:
                    problems.append(Problem(name, str(exc)))

    def countries() -> None:
        for name in ("origin_country", "destination_country"):
            if values.get(name):
                try:
                    ours[name] = parse_country_name(values[name])
                except ValueError as exc:
                    problems.append(Problem(name, str(exc)))

    def money() -> None:
        if not values.get("declared_value"):
            return
        currency = values.get("currency") or mapping.currency
        amount, found = parse_money_text(values["declared_value"], currency)
        if found is None and "declared_value" not in mapping.required:
            notes["values without a currency (not kept; give --currency)"] += 1
            return  # a preset's value column in an export that does not say its currency
        if found is None:
            raise ValueError(
                f'"{values["declared_value"]}" has no currency (map a currency column or give --currency)'
            )
        ours["declared_value"], ours["currency"] = str(amount), found

    def weight() -> None:
        if values.get("weight_kg"):
            ours["weight_kg"] = str(parse_money_text(values["weight_kg"], "XXX")[0])

    attempt("carrier", carrier)
    dates()
    countries()
    attempt("declared_value", money)
    attempt("weight_kg", weight)
    if values.get("service_days") and "promised_delivery" not in ours:
        shipped = ours.get("ship_date")
        if shipped is None:
            problems.append(Problem("service_days", "needs a ship date to count the days from"))
        else:
            try:
                days = parse_days(values["service_days"])
                promised = add_business_days(date.fromisoformat(shipped), days)
                ours["promised_delivery"] = promised.isoformat()
            except ValueError as exc:
                problems.append(Problem("service_days", str(exc)))

    numbers: list[str] = []
    try:
        numbers = split_numbers(values.get("tracking_number", ""))
    except ValueError as exc:
        problems.append(Problem("tracking_number", str(exc)))
    else:
        if not numbers:
            if not (values.get("carrier") or values.get("ship_date")):
                yield NotShipped(line)
                return
            problems.append(Problem("tracking_number", "is empty, but the row says it was shipped"))
    if problems:
        yield RowError(line, tuple(problems))
        return
    for number in numbers:
        yield importer.validate_row(line, {**ours, "tracking_number": number})


def open_mapped(lines: Iterable[str], mapping: Mapping) -> MappedRows | FileError:
    """Find the header, its delimiter and every mapped column; rows are then read lazily.

    ``lines`` must keep their line ends (a file opened with ``newline=""``)."""
    it = iter(lines)
    found = importer.header_line(it)
    if found is None:
        return FileError("the file is empty (a header row is required)")
    line, number = found
    wanted = {_fold_header(c) for c in mapping.columns.get("tracking_number", ())}
    best: tuple[str, list[str]] | None = None
    for delimiter in importer.DELIMITERS:
        cells = importer.split_header(line, delimiter)
        if cells is None:
            continue
        if wanted & {_fold_header(c) for c in cells}:
            best = (delimiter, cells)
            break
        if best is None or len(cells) > len(best[1]):
            best = (delimiter, cells)
    if best is None:
        return FileError("the header row is not valid CSV")
    delimiter, header = best
    folded = [_fold_header(h) for h in header]
    indices: dict[str, int] = {}
    missing: list[str] = []
    for name, candidates in mapping.columns.items():
        index = next((folded.index(_fold_header(c)) for c in candidates if _fold_header(c) in folded), None)
        if index is not None:
            indices[name] = index
        elif name in mapping.required:
            missing.append(f'{name} ("{candidates[0]}")')
    if missing:
        shown = ", ".join(h.strip() for h in header if h.strip()) or "(none)"
        reason = (
            f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} (found: {shown})"
        )
        return FileError(f"{reason}; {mapping.hint}" if mapping.hint else reason)
    item = mapping.item_column
    item_index = folded.index(_fold_header(item)) if item and _fold_header(item) in folded else None
    return MappedRows(mapping, delimiter, indices, item_index, number - 1, chain([line], it))
