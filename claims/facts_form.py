"""The claim facts a draft's amount and letter depend on, as the text fields of a form, and
back (pure): what the dashboard's edit dialog shows and saves.

Money is one field, amount and currency together ("120.00 EUR", "EUR 120"), so a price
paid in euros and a value declared in dollars both keep their own currency. An empty
field clears the fact. A value that does not parse raises :class:`FactsError` naming the
field, so the form can say which one to fix; ``facts.save`` validates the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from claims.facts import FactsError, document_codes
from claims.model import ClaimFacts
from parcel_watch import importer
from parcel_watch.model import Money


@dataclass(frozen=True)
class FormField:
    name: str  # the ClaimFacts attribute
    label: str
    placeholder: str


FIELDS = (
    FormField("item_value", "Price paid", "amount and currency, e.g. 120.00 EUR"),
    FormField("shipping_cost", "Shipping paid", "e.g. 9.90 EUR"),
    FormField("declared_value", "Declared value", "as declared to the carrier, e.g. 150 USD"),
    FormField("weight_kg", "Weight (kg)", "gross weight, e.g. 1.2"),
    FormField("purchased_on", "Purchased on", "YYYY-MM-DD"),
    FormField("seller", "Seller", "the shop or person you bought from"),
    FormField("platform", "Platform", "marketplace, if any"),
    FormField("documents_on_hand", "Documents held", "e.g. invoice, photos, receipt"),
)
MONEY = frozenset({"item_value", "shipping_cost", "declared_value"})


def _money_text(value: Money | None) -> str:
    return "" if value is None else f"{value.amount} {value.currency}"


def form_values(facts: ClaimFacts) -> dict[str, str]:
    """Each field's text for ``facts`` (empty where the fact is unknown)."""
    return {
        "item_value": _money_text(facts.item_value),
        "shipping_cost": _money_text(facts.shipping_cost),
        "declared_value": _money_text(facts.declared_value),
        "weight_kg": "" if facts.weight_kg is None else str(facts.weight_kg),
        "purchased_on": "" if facts.purchased_on is None else facts.purchased_on.isoformat(),
        "seller": facts.seller or "",
        "platform": facts.platform or "",
        "documents_on_hand": ", ".join(sorted(facts.documents_on_hand)),
    }


def parse_money(text: str) -> Money:
    """ "120.00 EUR", "EUR 120,00" or "120EUR": an amount and an ISO 4217 currency."""
    text = text.strip()
    parts = text.split() if " " in text else _split_glued(text)
    if len(parts) != 2:
        raise ValueError(f'"{text}": give an amount and its currency, e.g. 120.00 EUR')
    if parts[0].isalpha():
        parts.reverse()
    return Money(
        amount=importer.parse_decimal(parts[0], "amount"), currency=importer.parse_currency(parts[1])
    )


def _split_glued(text: str) -> list[str]:
    """ "120EUR" / "EUR120" as two parts (else the text whole, which then fails)."""
    for cut in (len(text) - 3, 3):
        head, tail = text[:cut], text[cut:]
        if tail.isalpha() != head.isalpha():
            return [head, tail]
    return [text]


def _parse(name: str, text: str) -> Any:
    if name in MONEY:
        return parse_money(text)
    if name == "weight_kg":
        weight = importer.parse_decimal(text, "weight in kg")
        if weight <= Decimal(0):
            raise ValueError("the weight must be more than 0 kg")
        return weight
    if name == "purchased_on":
        return importer.parse_date(text)
    if name == "documents_on_hand":
        return document_codes(text.split(","))
    return text


def facts_from_form(old: ClaimFacts, values: Mapping[str, str]) -> ClaimFacts:
    """``old`` with every field given in ``values`` replaced (an empty one cleared)."""
    changes: dict[str, Any] = {}
    labels = {f.name: f.label for f in FIELDS}
    for name, raw in values.items():
        if name not in labels:
            raise FactsError(f"no field {name!r} in the claim facts form")
        text = raw.strip()
        if not text:
            changes[name] = frozenset() if name == "documents_on_hand" else None
            continue
        try:
            changes[name] = _parse(name, text)
        except ValueError as exc:  # FactsError is one too
            raise FactsError(f"{labels[name]}: {exc}") from exc
    return replace(old, **changes)
