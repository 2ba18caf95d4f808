"""Shared pieces of the policy tables: money literals, country groups, the default date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from parcel_watch.model import Money


def codes(text: str) -> frozenset[str]:
    """Country codes written as one space-separated string."""
    return frozenset(text.split())


# claims-rules.md was checked against stored copies of its sources, the newest seen on
# 6 Jan 2026; a source without a date of its own counts as verified then.
REFERENCE_DATE = date(2026, 1, 6)

# EU member states, and the EEA states that apply the Consumer Rights Directive too.
EU_EEA = codes("AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO")

# Europe as Royal Mail's international tiers use it (the shorter wait before a claim).
EUROPE = EU_EEA | codes("AD AL BA BY CH FO GI MC MD ME MK RS SM TR UA VA XK")


def money(amount: str, currency: str) -> Money:
    return Money(amount=Decimal(amount), currency=currency)
