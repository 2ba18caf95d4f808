"""The claim facts as form fields and back: what the dashboard's edit dialog reads and saves."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.facts import FactsError, checked
from claims.facts_form import FIELDS, facts_from_form, form_values, parse_money
from claims.model import ClaimFacts, PaymentMethod
from parcel_watch.model import Money


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("120.00 EUR", "120.00", "EUR"),
        ("EUR 120,50", "120.50", "EUR"),
        ("  99 usd ", "99", "USD"),
        ("120EUR", "120", "EUR"),
        ("CNY88.8", "88.8", "CNY"),
    ],
)
def test_money_is_an_amount_with_its_currency_in_either_order(text: str, amount: str, currency: str) -> None:
    assert parse_money(text) == Money(amount=Decimal(amount), currency=currency)


@pytest.mark.parametrize("text", ["120", "EUR", "120 EURO", "-5 EUR", "1 2 EUR", "ten EUR"])
def test_money_without_a_clear_amount_and_currency_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_money(text)


def test_a_bad_value_names_its_field_and_an_empty_one_clears_the_fact() -> None:
    old = ClaimFacts(
        item_value=Money(amount=Decimal(80), currency="USD"), seller="Shop", payment_method=PaymentMethod.CARD
    )
    with pytest.raises(FactsError, match="^Price paid: .*amount and its currency"):
        facts_from_form(old, {"item_value": "80"})
    with pytest.raises(FactsError, match="^Purchased on: "):
        facts_from_form(old, {"purchased_on": "30/11/2026"})
    with pytest.raises(FactsError, match="^Weight"):
        facts_from_form(old, {"weight_kg": "0"})
    cleared = facts_from_form(old, {"item_value": " ", "seller": ""})
    assert (cleared.item_value, cleared.seller) == (None, None)
    assert cleared.payment_method is PaymentMethod.CARD  # not on the form: kept


def test_the_form_fills_every_field_it_shows() -> None:
    assert set(form_values(ClaimFacts())) == {f.name for f in FIELDS}
    assert all(value == "" for value in form_values(ClaimFacts()).values())


money = st.builds(
    Money,
    amount=st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    currency=st.sampled_from(["EUR", "USD", "CNY", "GBP"]),
)
name = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=30)


@given(
    item=st.none() | money,
    shipping=st.none() | money,
    declared=st.none() | money,
    weight=st.none() | st.decimals(min_value=Decimal("0.001"), max_value=1000, places=3),
    purchased=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    seller=st.none() | name,
    documents=st.frozensets(st.sampled_from(["invoice", "photos", "receipt", "packaging_kept"])),
)
def test_facts_survive_the_form_unchanged(
    item: Money | None,
    shipping: Money | None,
    declared: Money | None,
    weight: Decimal | None,
    purchased: date | None,
    seller: str | None,
    documents: frozenset[str],
) -> None:
    facts = checked(
        replace(
            ClaimFacts(),
            item_value=item,
            shipping_cost=shipping,
            declared_value=declared,
            weight_kg=weight,
            purchased_on=purchased,
            seller=seller,
            documents_on_hand=documents,
        )
    )
    assert facts_from_form(ClaimFacts(), form_values(facts)) == facts


def test_a_long_name_cut_at_spaces_survives_the_form_unchanged() -> None:
    # Found by benchmarks/fuzz.py: the name was cut to 200 characters after stripping, so a cut
    # inside a run of spaces (carriage returns cleaned to spaces) kept them at the end, and saving
    # the form again, unchanged, stripped them: the stored fact changed by itself.
    platform = "/" + "\r" * 250 + "x"
    facts = checked(facts_from_form(ClaimFacts(), {"platform": platform}))
    assert facts.platform == "/"
    assert checked(facts_from_form(ClaimFacts(), form_values(facts))) == facts
