"""The facts a user gives for a shipment's claims: stored per shipment (SQLite and PostgreSQL),
read back exactly, replaced as a whole, and refused when they could not be used."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from claims import facts
from claims.facts import FactsError
from claims.model import Claimant, ClaimFacts, PaymentMethod
from parcel_watch.model import Money
from parcel_watch.store import Store
from tests.claims.builders import NOW, stored_shipment

FULL = ClaimFacts(
    role=Claimant.SHIPPER,
    item_value=Money(amount=Decimal("120.00"), currency="EUR"),
    shipping_cost=Money(amount=Decimal("9.90"), currency="EUR"),
    declared_value=Money(amount=Decimal(150), currency="EUR"),
    insured=True,
    weight_kg=Decimal("2.35"),
    purchased_on=date(2026, 2, 28),
    payment_method=PaymentMethod.PAYPAL,
    seller="Shop GmbH",
    platform="Marketplace",
    buyer_country="de",
    time_zone="Europe/Berlin",
    consumer_chose_carrier=True,
    language="zh",
    documents_on_hand=frozenset({"Invoice", "proof-of-posting"}),
)


def test_the_example_sets_every_fact_so_none_can_be_forgotten_in_storage() -> None:
    unset = [f.name for f in fields(ClaimFacts) if getattr(FULL, f.name) == getattr(ClaimFacts(), f.name)]
    assert unset == []


async def test_facts_are_stored_per_shipment_and_read_back_exactly(store: Store) -> None:
    first = await stored_shipment(store)
    second = await stored_shipment(store, "1Z5R89390357567128")
    saved = await facts.save(store, first, FULL, NOW)
    assert saved.buyer_country == "DE"
    assert saved.documents_on_hand == frozenset({"invoice", "proof_of_posting"})
    assert await facts.load(store, first) == saved
    assert await facts.load(store, second) is None


async def test_saving_again_replaces_the_facts(store: Store) -> None:
    sid = await stored_shipment(store)
    await facts.save(store, sid, FULL, NOW)
    changed = replace(FULL, seller="Other Shop", item_value=None, buyer_country="DE")
    await facts.save(store, sid, changed, NOW + timedelta(minutes=1))
    loaded = await facts.load(store, sid)
    assert loaded is not None and (loaded.seller, loaded.item_value) == ("Other Shop", None)
    assert await facts.load_many(store, [sid, sid + 100]) == {sid: loaded}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "IANA zone"),
        ({"language": "fr"}, "language"),
        ({"buyer_country": "Germany"}, "alpha-2"),
        ({"weight_kg": Decimal(0)}, "more than 0 kg"),
        ({"documents_on_hand": frozenset({"../etc/passwd"})}, "short code"),
    ],
)
def test_facts_that_could_not_be_used_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(FactsError, match=message):
        facts.checked(replace(FULL, **change))  # type: ignore[arg-type]


def test_control_characters_in_names_are_cleaned_and_old_documents_read_with_defaults() -> None:
    cleaned = facts.checked(replace(FULL, seller="Shop\x1b[2J GmbH\x07"))
    assert cleaned.seller == "Shop GmbH\ufffd"
    old = facts.from_json({"role": "recipient", "seller": "A", "a_key_from_a_newer_version": 1})
    assert old == ClaimFacts(seller="A")
    with pytest.raises(FactsError):
        facts.from_json({"item_value": {"amount": "abc", "currency": "EUR"}})
