"""Export formatting (pure): JSON-ready values, CSV rows, redaction."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

from parcel_watch.exporter import (
    EVENT_COLUMNS,
    SHIPMENT_COLUMNS,
    JsonArrayWriter,
    csv_header,
    csv_rows,
    event_dict,
    local_time,
    shipment_dict,
)
from parcel_watch.importer import parse_text
from parcel_watch.model import Location, Money, Shipment, TrackingEvent, TzSource
from parcel_watch.status import Status

SHIP = Shipment(
    tracking_number="1Z5R89390357567127",
    carrier="ups",
    label="gift for anna@example.com",
    ship_date=date(2025, 3, 1),
    declared_value=Money(amount=Decimal("89.90"), currency="EUR"),
    weight_kg=1.25,
    status=Status.DELIVERED,
    substatus="delivered.signed",
    created_at=datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
)
EVENT = TrackingEvent(
    occurred_at=datetime(2025, 3, 4, 11, 30, tzinfo=UTC),
    utc_offset_minutes=-300,
    status=Status.DELIVERED,
    substatus="delivered.signed",
    carrier_code="KB",
    description="Delivered,\r\nsigned by ANNA LEE",
    location=Location(city="NEW YORK", region="NY", country="US"),
)


def test_shipment_dict_values_are_json_ready() -> None:
    data = shipment_dict(SHIP, [EVENT])
    assert json.loads(json.dumps(data)) == data
    assert (data["declared_value"], data["currency"], data["weight_kg"]) == ("89.90", "EUR", 1.25)
    assert (data["ship_date"], data["created_at"]) == ("2025-03-01", "2025-03-01T10:00:00+00:00")
    (ev,) = data["events"]
    assert ev["occurred_at"] == "2025-03-04T11:30:00+00:00"
    assert ev["local_time"] == "2025-03-04T06:30:00-05:00"  # derived from the offset
    assert ev["location"] == {"city": "NEW YORK", "region": "NY", "postal_code": None, "country": "US"}
    assert "events" not in shipment_dict(SHIP)


def test_local_time_forms() -> None:
    naive = EVENT.model_copy(update={"local_time": datetime(2025, 3, 4, 6, 30), "utc_offset_minutes": None})
    assert local_time(naive) == datetime(2025, 3, 4, 6, 30)  # wall clock, no offset known
    assert event_dict(naive)["local_time"] == "2025-03-04T06:30:00"
    unknown = EVENT.model_copy(update={"utc_offset_minutes": None, "tz_source": TzSource.UNKNOWN})
    assert local_time(unknown) is None


def test_redaction_is_the_default_of_callers_that_ask() -> None:
    kept = shipment_dict(SHIP, [EVENT], include_personal=True)
    gone = shipment_dict(SHIP, [EVENT], include_personal=False)
    assert kept["label"] == SHIP.label and kept["events"][0]["description"] == EVENT.description
    assert gone["label"] == "gift for [redacted]"
    assert gone["events"][0]["description"] == "Delivered,\r\nsigned by [redacted]"


def test_csv_rows_repeat_the_shipment_and_import_again() -> None:
    assert csv_header()[: len(SHIPMENT_COLUMNS)] == list(SHIPMENT_COLUMNS)
    assert len(csv_header()) == len(SHIPMENT_COLUMNS) + len(EVENT_COLUMNS)
    rows = csv_rows(SHIP, [EVENT, EVENT], include_personal=False)
    assert len(rows) == 2 and rows[0][: len(SHIPMENT_COLUMNS)] == rows[1][: len(SHIPMENT_COLUMNS)]
    (bare,) = csv_rows(SHIP, [])
    assert bare[len(SHIPMENT_COLUMNS) :] == [""] * len(EVENT_COLUMNS)

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_header())
    writer.writerows(rows)
    back = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert back[0]["event_description"] == "Delivered,\r\nsigned by [redacted]"
    # The export is in the import format (extra columns are ignored).
    parsed = parse_text(out.getvalue())
    assert parsed.errors == [] and [r.line for r in parsed.rows] == [2, 4]  # the description spans 2 lines
    assert parsed.rows[0].declared_value == SHIP.declared_value and parsed.rows[0].carrier == "ups"


def test_json_array_writer() -> None:
    for items in ([], [{"a": 1}], [{"a": 1}, {"b": "\x1b"}]):
        out = io.StringIO()
        writer = JsonArrayWriter(out)
        for item in items:
            writer.add(item)
        writer.close()
        assert json.loads(out.getvalue()) == items and "\x1b" not in out.getvalue()
