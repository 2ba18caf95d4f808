"""Claim amounts: limits, declared values, currencies, rounding, and what is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.amounts import (
    CurrencyMismatch,
    MissingFact,
    NoMoneyRemedy,
    NotCovered,
    amount,
    format_money,
    gives_money,
    round_down,
)
from claims.model import ClaimFacts, Incident, Policy
from claims.policies import ALL_POLICIES, policy
from claims.sdr import bundled_rates, configured_rates
from parcel_watch.model import Money

RATES = bundled_rates()


def m(value: str, currency: str) -> Money:
    return Money(amount=Decimal(value), currency=currency)


def test_a_limit_in_another_currency_is_converted_through_sdr_and_both_rates_are_kept() -> None:
    result = amount(policy("ups.us"), Incident.LOSS, ClaimFacts(item_value=m("200", "EUR")), RATES)
    assert result.claimed == m("85.41", "EUR")
    assert result.cover == m("85.41", "EUR")
    assert [(c.currency, c.rate) for c in result.conversions] == [
        ("USD", Decimal("1.3687")),
        ("EUR", Decimal("1.1691")),
    ]
    assert any("100.00 USD = 73.0620 SDR" in line and "85.41 EUR" in line for line in result.basis)


def test_a_currency_without_a_rate_is_refused_not_compared() -> None:
    with pytest.raises(CurrencyMismatch, match="GBP"):
        amount(policy("ups.us"), Incident.LOSS, ClaimFacts(item_value=m("300", "GBP")), RATES)


def test_configured_rates_let_the_same_claim_through_with_their_date_and_source() -> None:
    rates = configured_rates({"USD": "1.3687", "GBP": "1.0200"}, date(2026, 1, 6), "configured by the user")
    result = amount(policy("ups.us"), Incident.LOSS, ClaimFacts(item_value=m("300", "GBP")), rates)
    assert result.claimed == m("74.52", "GBP")  # 100 / 1.3687 x 1.02 = 74.524...
    assert "SDR rates: configured by the user." in result.basis


def test_sdr_limits_use_the_newest_rate_on_or_before_the_pricing_date() -> None:
    facts = ClaimFacts(item_value=m("500", "EUR"), weight_kg=Decimal("3.2"))
    with pytest.raises(CurrencyMismatch, match="on or before 2025-01-01"):
        amount(policy("montreal"), Incident.LOSS, facts, RATES, on=date(2025, 1, 1))
    result = amount(policy("montreal"), Incident.LOSS, facts, RATES, on=date(2026, 1, 5))
    assert result.sdr is not None and result.sdr.rate_date == date(2025, 10, 20)
    assert result.basis[-1].startswith("SDR limits convert at the date of judgment")


def test_a_delay_claim_needs_the_loss_the_delay_caused() -> None:
    facts = ClaimFacts(item_value=m("900", "USD"))
    with pytest.raises(MissingFact, match="delay"):
        amount(policy("fedex.us"), Incident.DELAY, facts, RATES)
    result = amount(policy("fedex.us"), Incident.DELAY, facts, RATES, loss=m("40", "USD"))
    assert result.claimed == m("40.00", "USD")


def test_a_guarantee_refunds_the_charges_only() -> None:
    with pytest.raises(MissingFact, match="transport charges"):
        amount(policy("ups.gsr"), Incident.DELAY, ClaimFacts(item_value=m("900", "USD")), RATES)
    result = amount(policy("ups.gsr"), Incident.DELAY, ClaimFacts(shipping_cost=m("31.999", "USD")), RATES)
    assert result.claimed == m("31.99", "USD")
    assert result.proven_loss is None


def test_a_declared_value_the_rule_does_not_take_does_not_raise_the_limit() -> None:
    facts = ClaimFacts(item_value=m("300", "EUR"), declared_value=m("300", "EUR"), weight_kg=Decimal("2.5"))
    result = amount(policy("dhl_express"), Incident.LOSS, facts, RATES)
    assert result.claimed == m("55.53", "EUR")
    assert any("does not raise the limit" in line for line in result.basis)


def test_a_declared_value_lifts_a_convention_limit() -> None:
    facts = ClaimFacts(item_value=m("400", "EUR"), declared_value=m("350", "EUR"), weight_kg=Decimal(1))
    result = amount(policy("montreal"), Incident.LOSS, facts, RATES)
    assert result.claimed == m("350.00", "EUR")
    assert result.legal_cap is None and result.sdr is None


def test_the_uninsured_limit_needs_the_postage_and_the_per_kg_limit_the_weight() -> None:
    with pytest.raises(MissingFact, match="postage"):
        amount(policy("chinapost"), Incident.LOSS, ClaimFacts(item_value=m("300", "CNY")), RATES)
    with pytest.raises(MissingFact, match="weight"):
        amount(policy("upu.parcel"), Incident.LOSS, ClaimFacts(item_value=m("300", "CNY")), RATES)


def test_a_partial_loss_counts_only_the_weight_lost() -> None:
    facts = ClaimFacts(item_value=m("1000", "USD"), weight_kg=Decimal(20))
    whole = amount(policy("cmr"), Incident.LOSS, facts, RATES)
    part = amount(policy("cmr"), Incident.LOSS, facts, RATES, loss=m("300", "USD"), weight_kg=Decimal(5))
    assert whole.claimed == m("228.02", "USD")  # 8.33 x 20 = 166.6 SDR x 1.3687 = 228.025
    assert part.claimed == m("57.00", "USD")  # 8.33 x 5 = 41.65 SDR x 1.3687 = 57.006


def test_remedies_that_are_not_money_and_incidents_not_covered_are_refused() -> None:
    assert not gives_money(policy("royalmail.delay"))
    with pytest.raises(NoMoneyRemedy, match="stamps"):
        amount(policy("royalmail.delay"), Incident.DELAY, ClaimFacts(item_value=m("5", "GBP")), RATES)
    with pytest.raises(NotCovered, match="delay"):
        amount(policy("usps.domestic"), Incident.DELAY, ClaimFacts(item_value=m("5", "USD")), RATES)


def test_rounding_is_down_to_the_currencys_minor_unit() -> None:
    assert round_down(Decimal("57.2859"), "EUR") == Decimal("57.28")
    assert round_down(Decimal("1999.99"), "JPY") == Decimal(1999)
    assert round_down(Decimal("12.34567"), "BHD") == Decimal("12.345")
    assert format_money(Decimal("50035.1"), "USD") == "50,035.10 USD"
    assert format_money(Decimal(1999), "JPY") == "1,999 JPY"


# -- property: never more than the loss, the cover or the limit ----------------------------

MONEY_POLICIES = [p for p in ALL_POLICIES if gives_money(p) and not p.cap.refund_of_charges]
# Every currency a policy uses; GBP and CAD at made-up rates (the property is about bounds).
TEST_RATES = configured_rates(
    {"USD": "1.3687", "EUR": "1.1691", "CNY": "9.5537", "GBP": "1.0200", "CAD": "1.8900"},
    date(2026, 1, 6),
    "test rates",
)
CURRENCIES = sorted(TEST_RATES.currencies)


def amounts_in(currency: str, top: int = 100_000) -> st.SearchStrategy[Money]:
    return st.decimals(min_value=Decimal("0.01"), max_value=Decimal(top), places=2).map(
        lambda value: Money(amount=value, currency=currency)
    )


@st.composite
def claims(draw: st.DrawFn) -> tuple[Policy, Incident, ClaimFacts, Money | None]:
    rule = draw(st.sampled_from(MONEY_POLICIES))
    incident = draw(st.sampled_from(sorted(rule.incidents)))
    currency = draw(st.sampled_from(CURRENCIES))
    facts = ClaimFacts(
        item_value=draw(amounts_in(currency)),
        shipping_cost=draw(amounts_in(draw(st.sampled_from(CURRENCIES)), 500)),
        declared_value=draw(st.none() | amounts_in(draw(st.sampled_from(CURRENCIES)))),
        weight_kg=draw(st.decimals(min_value=Decimal(0), max_value=Decimal(500), places=3)),
    )
    needs_loss = incident is Incident.DELAY and not rule.cap.refund_of_price
    loss = draw(amounts_in(currency) if needs_loss else st.none() | amounts_in(currency))
    return rule, incident, facts, loss


@settings(max_examples=500, deadline=None)
@given(claims())
def test_the_claim_never_exceeds_the_proven_loss_the_cover_or_the_limit(
    claim: tuple[Policy, Incident, ClaimFacts, Money | None],
) -> None:
    rule, incident, facts, loss = claim
    result = amount(rule, incident, facts, TEST_RATES, loss=loss)
    proven = loss or facts.item_value
    assert proven is not None
    refund = result.postage_refund.amount if result.postage_refund else Decimal(0)
    core = result.claimed.amount - refund
    assert result.claimed.currency == proven.currency
    assert Decimal(0) <= core <= proven.amount
    for bound in (result.proven_loss, result.cover, result.legal_cap):
        if bound is not None:
            assert bound.currency == result.claimed.currency
            assert core <= bound.amount
    # Bounds checked independently of the code's own figures, in the same currency.
    declared = facts.declared_value
    takes_declared = rule.cap.accepts_declared_value or rule.cap.declared_value_max is not None
    if declared is not None and takes_declared and declared.currency == proven.currency:
        assert core <= declared.amount
    flat = rule.cap.per_package
    flat_only = flat is not None and flat.currency == proven.currency and not rule.cap.package_or_kg_greater
    if (declared is None or not takes_declared) and flat_only:
        assert flat is not None and core <= flat.amount
    if (declared is None or not takes_declared) and rule.cap.sdr_per_kg and not rule.cap.sdr_parts_add_up:
        assert facts.weight_kg is not None
        rate = TEST_RATES.rate(proven.currency).units_per_sdr
        assert core <= rule.cap.sdr_per_kg * facts.weight_kg * rate
