"""An import's batch reads and inserts, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from parcel_watch.model import CarrierSource, Money, Shipment
from parcel_watch.store import Store
from parcel_watch.store.imports import insert_new, stored_for

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


async def test_new_shipments_in_one_go_and_read_back_by_number(store: Store) -> None:
    await store.add(Shipment(tracking_number="1Z7W4E180358304124", carrier="ups", label="kept"))
    new = [
        Shipment(
            tracking_number="9400128194633057182269",
            carrier="usps",
            carrier_source=CarrierSource.IMPORT,
            order_ref="#1041",
            ship_date=date(2025, 3, 4),
            declared_value=Money(amount=Decimal("57.95"), currency="USD"),
        ),
        # Already stored: skipped, the stored one is untouched.
        Shipment(tracking_number="1Z7W4E180358304124", carrier="ups", label="not this"),
    ]
    await insert_new(store, new, NOW)

    found = await stored_for(store, ["9400128194633057182269", "1Z7W4E180358304124", "772419350813"])
    assert sorted(found) == ["1Z7W4E180358304124", "9400128194633057182269"]
    [usps] = found["9400128194633057182269"]
    assert (usps.carrier, usps.carrier_source, usps.order_ref, usps.ship_date, usps.created_at) == (
        "usps",
        CarrierSource.IMPORT,
        "#1041",
        date(2025, 3, 4),
        NOW,
    )
    assert usps.declared_value == Money(amount=Decimal("57.95"), currency="USD")
    assert [s.label for s in found["1Z7W4E180358304124"]] == ["kept"]
    assert await stored_for(store, []) == {}
