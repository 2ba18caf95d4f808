"""The hand-computed claim cases of cases.json: deadlines and amounts as a claimant sees them.

Each case names a policy and an incident, gives the facts and anchors, and states the
filing windows (earliest, latest, expired on 'today') and the amount claimed, worked out
by hand from claims-rules.md in its "why".
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from claims import amounts
from claims.anchors import AnchorDates
from claims.deadlines import deadlines_for, duty_deadline
from claims.model import Amount, ClaimFacts, Incident
from claims.policies import policy
from claims.sdr import bundled_rates
from parcel_watch.model import Money

TABLE = Path(__file__).parent / "cases.json"
CASES: list[dict[str, Any]] = json.loads(TABLE.read_text(encoding="utf-8"))["cases"]
RATES = bundled_rates()


def money(text: str | None) -> Money | None:
    if text is None:
        return None
    amount, currency = text.split()
    return Money(amount=Decimal(amount), currency=currency)


def instant(text: str) -> datetime | date:
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def facts(case: dict[str, Any]) -> ClaimFacts:
    given = case["facts"]
    weight = given.get("weight_kg")
    return ClaimFacts(
        item_value=money(given.get("item_value")),
        shipping_cost=money(given.get("shipping_cost")),
        declared_value=money(given.get("declared_value")),
        weight_kg=Decimal(weight) if weight is not None else None,
        time_zone=case["time_zone"],
    )


def anchors(case: dict[str, Any]) -> AnchorDates:
    return AnchorDates(**{name: instant(value) for name, value in case["anchors"].items()})


def test_the_table_covers_every_family_and_at_least_25_cases() -> None:
    assert len(CASES) >= 25
    assert len({c["id"] for c in CASES}) == len(CASES)
    families = {c["policy"].split(".")[0] for c in CASES}
    expected = {
        "ups", "fedex", "usps", "dhl_express", "dhl_paket", "royalmail", "canadapost", "chinapost",
        "sfexpress", "montreal", "cmr", "upu", "eu", "uk", "us", "cn", "card", "paypal",
    }  # fmt: skip
    assert expected <= families
    assert all(c["why"].strip() for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_deadlines(case: dict[str, Any]) -> None:
    rule = policy(case["policy"])
    found = deadlines_for(
        rule, Incident(case["incident"]), anchors(case), case["time_zone"], case.get("holiday_country")
    )
    got = [
        {"name": d.window.name, "earliest": d.earliest.isoformat(), "latest": d.latest.isoformat()}
        for d in found.known
    ]
    want = [{k: w[k] for k in ("name", "earliest", "latest")} for w in case["windows"]]
    assert got == want
    assert [w.name for w, _ in found.unknown] == case.get("unknown", [])
    if "today" in case:
        today = date.fromisoformat(case["today"])
        for deadline, window in zip(found.known, case["windows"], strict=True):
            assert deadline.expired(today) is window.get("expired", False)
            assert deadline.too_early(today) is window.get("too_early", False)
    duty = duty_deadline(rule, anchors(case), case["time_zone"])
    assert (duty.latest.isoformat() if duty else None) == case.get("duty", {}).get("latest")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_amount(case: dict[str, Any]) -> None:
    rule = policy(case["policy"])
    on = date.fromisoformat(case["rates_on"]) if "rates_on" in case else None

    def compute() -> Amount:
        return amounts.amount(
            rule, Incident(case["incident"]), facts(case), RATES, on=on, loss=money(case.get("loss"))
        )

    if "error" in case:
        with pytest.raises(getattr(amounts, case["error"])):
            compute()
        return
    result = compute()
    assert result.claimed == money(case["amount"])
    assert f"Claimed: {amounts.format_money(result.claimed.amount, result.claimed.currency)}." in result.basis
    if "sdr" in case:
        assert result.sdr is not None
        assert (result.sdr.sdr, result.sdr.rate, result.sdr.rate_date.isoformat()) == (
            Decimal(case["sdr"]["sdr"]),
            Decimal(case["sdr"]["rate"]),
            case["sdr"]["rate_date"],
        )
        assert result.sdr.currency == result.claimed.currency
        assert "brecorder.com" in result.sdr.source
        assert any(f"x {case['sdr']['rate']} =" in line for line in result.basis)  # the draft shows the rate
    else:
        assert result.sdr is None
