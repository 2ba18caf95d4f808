"""The carrier rules of add/import/the add dialog, in process against a SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcel_watch.adding import Conflict, add_number, alternatives, readings, upsert
from parcel_watch.detect import InvalidTrackingNumber, detect, require_valid
from parcel_watch.model import CarrierSource, Shipment, ShipmentUpdate, TrackingEvent
from parcel_watch.store import IngestItem, Store

AMBIGUOUS = "287809468872"  # Purolator and FedEx check digits both hold


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(f"sqlite+aiosqlite:///{tmp_path}/upsert.db")
    try:
        yield s
    finally:
        await s.close()


def _shipment(carrier: str, source: CarrierSource, label: str | None = None) -> Shipment:
    return Shipment(tracking_number=AMBIGUOUS, carrier=carrier, carrier_source=source, label=label)


async def test_detection_never_replaces_a_chosen_carrier(store: Store) -> None:
    detected = require_valid(AMBIGUOUS)
    assert detected.carrier == "purolator"
    assert [c.carrier for c in alternatives(detected)] == ["fedex"]

    await upsert(store, _shipment("fedex", CarrierSource.USER), None, explicit=True)
    again = await upsert(
        store, _shipment("purolator", CarrierSource.DETECTED, label="x"), detected, explicit=False
    )
    assert not again.created
    assert (again.shipment.carrier, again.shipment.carrier_source, again.shipment.label) == (
        "fedex",
        CarrierSource.USER,
        "x",
    )
    # An import naming the same carrier does not demote the user's choice.
    imported = await upsert(store, _shipment("fedex", CarrierSource.IMPORT), None, explicit=True)
    assert imported.shipment.carrier_source is CarrierSource.USER
    assert len(await store.find(AMBIGUOUS)) == 1


async def test_a_choice_replaces_a_guess_unless_the_guess_has_events(store: Store) -> None:
    detected = require_valid(AMBIGUOUS)
    await upsert(store, _shipment("purolator", CarrierSource.DETECTED), detected, explicit=False)
    fixed = await upsert(store, _shipment("fedex", CarrierSource.USER), None, explicit=True)
    assert fixed.created and fixed.replaced == ("purolator",) and fixed.also_stored == ()
    assert [s.carrier for s in await store.find(AMBIGUOUS)] == ["fedex"]

    # A guess with events is evidence: it stays, and the caller is told.
    event = TrackingEvent(occurred_at=datetime(2025, 3, 3, tzinfo=UTC), description="Picked up")
    await store.ingest(
        [IngestItem([ShipmentUpdate(carrier="purolator", tracking_number=AMBIGUOUS, events=(event,))])]
    )
    await store.remove(AMBIGUOUS, "fedex")
    kept = await upsert(store, _shipment("fedex", CarrierSource.USER), None, explicit=True)
    assert kept.replaced == () and kept.also_stored == ("purolator",)
    assert sorted(s.carrier for s in await store.find(AMBIGUOUS)) == ["fedex", "purolator"]

    # Now two carriers are stored: without one named, adding is a conflict.
    with pytest.raises(Conflict, match="several carriers"):
        await upsert(store, _shipment("purolator", CarrierSource.DETECTED), detected, explicit=False)


async def test_detection_fills_service_and_origin_for_its_own_carrier(store: Store) -> None:
    s10 = require_valid("RR876543216CN")
    ship = Shipment(tracking_number=s10.number, carrier="s10", carrier_source=CarrierSource.DETECTED)
    outcome = await upsert(store, ship, s10, explicit=False)
    assert (outcome.shipment.origin_country, outcome.shipment.service) == ("CN", s10.service)
    given = ship.model_copy(update={"origin_country": "HK"})
    assert (await upsert(store, given, s10, explicit=False)).shipment.origin_country == "HK"


async def test_a_typed_number_is_stored_detected_unless_its_carrier_was_named(store: Store) -> None:
    outcome, candidate = await add_number(store, " rr876543216cn ", fields={"label": "tea"})
    assert (candidate.carrier, outcome.created) == ("s10", True)
    stored = outcome.shipment
    assert (stored.tracking_number, stored.carrier_source, stored.label) == (
        "RR876543216CN",
        CarrierSource.DETECTED,
        "tea",
    )
    chosen, _ = await add_number(store, AMBIGUOUS, "fedex")
    assert (chosen.shipment.carrier, chosen.shipment.carrier_source) == ("fedex", CarrierSource.USER)


async def test_an_invalid_typed_number_stores_nothing(store: Store) -> None:
    with pytest.raises(InvalidTrackingNumber, match="not a valid"):
        await add_number(store, "RR876543217CN")
    assert await store.count() == (0, 0)


def test_readings_offer_each_carrier_once_best_first() -> None:
    assert [c.carrier for c in readings(AMBIGUOUS)][:2] == ["purolator", "fedex"]
    (s10,) = readings("RR876543217CN")  # the check digit is wrong: offered, but as failing
    assert (s10.carrier, s10.valid_checksum, s10.has_checksum) == ("s10", False, True)
    assert readings("") == []


@given(st.text(alphabet="0123456789RRCNZ1 ", max_size=36))
def test_readings_are_each_carriers_first_detection(raw: str) -> None:
    found = readings(raw)
    assert len({c.carrier for c in found}) == len(found)
    firsts = {}
    for c in detect(raw):
        firsts.setdefault(c.carrier, c)
    assert found == list(firsts.values())
