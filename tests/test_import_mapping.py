"""The mapping layer on each platform's sample export: hand-checked shipments, and the bad
rows reported by line with the rest kept (pure: no store)."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from parcel_watch.import_mapping import (
    PRESETS,
    MappedRows,
    Mapping,
    NotShipped,
    open_mapped,
    parse_map,
)
from parcel_watch.importer import FileError, ImportRow, RowError
from parcel_watch.model import CarrierSource, Money

FIXTURES = Path(__file__).parent / "fixtures" / "imports"

Read = tuple[list[ImportRow], list[RowError], list[NotShipped]]


def read_rows(rows: MappedRows | FileError) -> Read:
    assert not isinstance(rows, FileError), rows
    good: list[ImportRow] = []
    bad: list[RowError] = []
    waiting: list[NotShipped] = []
    for item in rows:
        if isinstance(item, ImportRow):
            good.append(item)
        elif isinstance(item, RowError):
            bad.append(item)
        else:
            waiting.append(item)
    return good, bad, waiting


def read(name: str, mapping: Mapping) -> Read:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as f:
        return read_rows(open_mapped(f, mapping))


def errors(bad: list[RowError]) -> list[tuple[int, str | None]]:
    return [(e.line, p.column) for e in bad for p in e.problems]


def test_shopify_matrixify_fulfillments() -> None:
    good, bad, waiting = read("shopify_matrixify_orders_fulfillments.csv", PRESETS["shopify"])
    got = [(r.line, r.tracking_number, r.carrier, r.order_ref, r.ship_date) for r in good]
    assert got == [
        (2, "9400128194633057182269", "usps", "#1041", date(2025, 3, 4)),
        (3, "1Z7W4E180358304124", "ups", "#1042", date(2025, 3, 5)),
        (4, "1Z7W4E180358304124", "ups", "#1042", date(2025, 3, 5)),  # second item, same parcel
        (5, "7302145988120648", "canada_post", "#1043", date(2025, 3, 6)),
        (6, "RR482137065GB", "s10", "#1044", date(2025, 3, 6)),  # Royal Mail: a UPU S10 number
        (7, "RR482137065GB", "s10", "#1044", date(2025, 3, 6)),
        (8, "772419350813", "fedex", "#1045", date(2025, 3, 7)),
        (11, "9400128194633057194316", "usps", "#1049", date(2025, 3, 10)),
    ]
    assert all(r.carrier_source is CarrierSource.IMPORT for r in good)
    assert errors(bad) == [(9, "tracking_number"), (10, "carrier")]
    assert "says it was shipped" in bad[0].problems[0].reason
    assert 'unknown carrier "Speedy Parcelz"' in bad[1].problems[0].reason
    assert waiting == []


def test_shopify_orders_export_without_tracking_columns_is_one_clear_error() -> None:
    with (FIXTURES / "shopify_orders_export.csv").open(encoding="utf-8", newline="") as f:
        result = open_mapped(f, PRESETS["shopify"])
    assert isinstance(result, FileError)
    assert 'missing required column tracking_number ("Fulfillment: Tracking Number")' in result.reason
    assert "has no tracking numbers" in result.reason and "Matrixify" in result.reason


def test_several_numbers_in_one_shopify_cell_are_one_shipment_each() -> None:
    text = (
        "Name,Fulfillment: Tracking Company,Fulfillment: Tracking Number,Fulfillment: Created At\n"
        '#7,UPS,"1Z7W4E180358304124, 1ZA93F210304877168",2025-03-04 23:30:00 -0800\n'
    )
    good, bad, _ = read_rows(open_mapped(io.StringIO(text, newline=""), PRESETS["shopify"]))
    assert bad == []
    # The date is the one written, on the shop's clock (UTC would already be the 5th).
    assert [(r.line, r.tracking_number, r.ship_date) for r in good] == [
        (2, "1Z7W4E180358304124", date(2025, 3, 4)),
        (2, "1ZA93F210304877168", date(2025, 3, 4)),
    ]


def test_shipstation_values_need_the_accounts_currency() -> None:
    mapping = PRESETS["shipstation"]
    good, bad, _ = read("shipstation_shipments_export.csv", mapping)
    assert errors(bad) == [(8, "ship_date"), (10, "tracking_number")]
    assert "MM/DD/YYYY" in bad[0].problems[0].reason
    assert all(r.declared_value is None for r in good)  # no currency: not kept (and said so)

    good, bad, _ = read("shipstation_shipments_export.csv", mapping.with_overrides({}, None, "USD"))
    got = [(r.line, r.tracking_number, r.carrier, r.service, r.order_ref, r.ship_date) for r in good]
    assert got[:3] == [
        (2, "9400141230751208849318", "usps", "USPS Priority Mail", "#2207", date(2025, 3, 4)),
        (3, "1ZA93F210304877168", "ups", "UPS® Ground", "#2208", date(2025, 3, 4)),
        (4, "391582047623", "fedex", "FedEx Home Delivery®", "#2209", date(2025, 3, 5)),
    ]
    assert [r.line for r in good] == [2, 3, 4, 5, 6, 7, 9, 11, 12]
    assert good[0].declared_value == Money(amount=Decimal("54.00"), currency="USD")
    by_line = {r.line: r for r in good}
    assert (by_line[5].order_ref, by_line[7].carrier, by_line[7].destination_country) == (
        "3187654321",
        "dhl",
        "NL",
    )


def test_woocommerce_ast_dates_day_first_and_slashes() -> None:
    good, bad, _ = read("woocommerce_ast_export.csv", PRESETS["woocommerce"])
    got = [(r.line, r.order_ref, r.tracking_number, r.carrier, r.ship_date) for r in good]
    assert got == [
        (2, "4821", "9400150917322844017368", "usps", date(2025, 3, 3)),
        (3, "4822", "1Z8R2K610311945205", "ups", date(2025, 3, 3)),
        (4, "4823", "618403922751", "fedex", date(2025, 3, 4)),
        (5, "4824", "9400150917322844020474", "usps", date(2025, 3, 4)),
        (6, "4825", "RR905173427GB", "s10", date(2025, 3, 5)),  # written 05/03/2025
        (7, "4826", "1029384756102938", "canada_post", date(2025, 3, 5)),
        (10, "4829", "1Z8R2K610211947330", "ups", date(2025, 3, 7)),
        (11, "4824", "9400150917322844025714", "usps", date(2025, 3, 8)),  # the order's 2nd parcel
    ]
    assert errors(bad) == [(8, "carrier"), (9, "ship_date")]
    assert '"31-02-2025" is not a date in the format DD-MM-YYYY' in bad[1].problems[0].reason


def test_amazon_tab_delimited_with_promise_and_value() -> None:
    good, bad, _ = read("amazon_fulfilled_shipments.txt", PRESETS["amazon"])
    first = good[0]
    assert (first.tracking_number, first.carrier, first.order_ref, first.service) == (
        "TBA318274650193",
        "amazon",
        "113-4829175-2038461",
        "Standard",
    )
    assert (first.ship_date, first.promised_delivery, first.destination_country) == (
        date(2025, 3, 3),
        date(2025, 3, 5),
        "US",
    )
    assert first.declared_value == Money(amount=Decimal("24.99"), currency="USD")
    assert [(r.line, r.carrier) for r in good] == [
        (2, "amazon"),
        (3, "ups"),
        (4, "usps"),
        (5, "amazon"),
        (6, "amazon"),
        (9, "amazon"),
        (10, "usps"),
    ]
    assert errors(bad) == [(7, "ship_date"), (8, "tracking_number")]


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USD")


def test_ebay_framing_summary_rows_and_carrier_from_service() -> None:
    good, bad, waiting = read("ebay_orders_report.csv", PRESETS["ebay"])
    got = [(r.line, r.tracking_number, r.carrier, r.ship_date, r.declared_value) for r in good]
    assert got == [
        (3, "9400174059218733066450", "usps", date(2025, 3, 4), usd("38.00")),
        (4, "9400174059218733071928", "usps", date(2025, 3, 5), usd("29.50")),
        # line 5 is order 4104's summary row; its three items share one parcel
        (6, "1Z4V91K20322071588", "ups", date(2025, 3, 5), usd("22.00")),
        (7, "1Z4V91K20322071588", "ups", date(2025, 3, 5), usd("36.00")),
        (8, "1Z4V91K20322071588", "ups", date(2025, 3, 5), usd("36.00")),
        (9, "9400174059218733078262", "usps", date(2025, 3, 6), usd("12.00")),
        (12, "503819466350", "fedex", date(2025, 3, 10), usd("64.00")),
        (14, "9400174059218733089510", "usps", date(2025, 3, 10), usd("29.50")),
    ]
    assert {r.destination_country for r in good} == {"US"}  # written "United States"
    assert errors(bad) == [(10, "ship_date"), (11, "tracking_number")]
    assert waiting == [NotShipped(13)]


def test_custom_map_with_service_days_and_currency_in_the_cell() -> None:
    text = (
        "Order;Parcel;Courier;Sent;Days;Worth;Land\n"
        "A1;1Z7W4E180358304124;UPS;07.03.2025;2;12,50 €;Deutschland\n"
        "A2;1ZA93F210304877168;UPS;07.03.2025;x;£1,200.00;United Kingdom\n"
    )
    columns = parse_map(
        "tracking=Parcel,carrier=Courier,order=Order,ship_date=Sent,days=Days,value=Worth,destination=Land"
    )
    mapping = Mapping("custom", {}).with_overrides(columns, "DD.MM.YYYY", None)
    good, bad, _ = read_rows(open_mapped(io.StringIO(text, newline=""), mapping))
    [row] = good
    # Friday the 7th + 2 working days: Tuesday the 11th.
    assert (row.order_ref, row.ship_date, row.promised_delivery) == (
        "A1",
        date(2025, 3, 7),
        date(2025, 3, 11),
    )
    assert (row.declared_value, row.destination_country) == (
        Money(amount=Decimal("12.50"), currency="EUR"),
        "DE",
    )
    assert errors(bad) == [(3, "service_days")]


def test_a_mapped_column_missing_from_the_file_is_one_error_naming_it() -> None:
    mapping = Mapping("custom", {}).with_overrides(parse_map("tracking=Tracking,carrier=Courier"), None, None)
    result = open_mapped(io.StringIO("Tracking,Carrier\n1Z7W4E180358304124,UPS\n", newline=""), mapping)
    assert isinstance(result, FileError)
    assert (
        'missing required column carrier ("Courier")' in result.reason
        and "found: Tracking, Carrier" in result.reason
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tracking", "not field=Column Name"),
        ("colour=Colour", 'unknown field "colour"'),
        ("tracking=", "not field=Column Name"),
    ],
)
def test_bad_map_options(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_map(text)


def test_spreadsheet_mangled_numbers_are_refused() -> None:
    text = "tracking-number\tcarrier\tshipment-date\n4.43659E+11\tYAMATO\t2025-03-03T07:21:05+09:00\n"
    _, bad, _ = read_rows(open_mapped(io.StringIO(text, newline=""), PRESETS["amazon"]))
    assert any("scientific notation" in p.reason for e in bad for p in e.problems)


def _generated_export(rows: int) -> Iterator[str]:
    yield "Name,Fulfillment: Tracking Company,Fulfillment: Tracking Number,Fulfillment: Created At\r\n"
    numbers = [("UPS", "1Z7W4E180358304124"), ("USPS", "9400128194633057182269"), ("FedEx", "772419350813")]
    for i in range(rows):
        company, number = numbers[i % 3]
        yield f"#{i},{company},{number},2025-03-{1 + i % 28:02d} 11:02:51 -0500\r\n"


def _peak_bytes(rows: int) -> int:
    tracemalloc.start()
    try:
        mapped = open_mapped(_generated_export(rows), PRESETS["shopify"])
        assert isinstance(mapped, MappedRows)
        assert sum(1 for _ in mapped) == rows
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_is_streamed_memory_does_not_grow_with_the_file() -> None:
    small, large = _peak_bytes(1_000), _peak_bytes(10_000)
    assert large < small + 256 * 1024, (small, large)


def test_the_command_line_offers_every_preset() -> None:
    from parcel_watch.cli import IMPORT_PRESETS

    assert sorted(IMPORT_PRESETS) == sorted(PRESETS)
