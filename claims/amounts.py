"""How much a claim is for: min(proven loss, declared value or included cover, legal limit).

Limits come from the policy's :class:`~claims.model.Cap` (claims-rules.md §6.4): a flat
cover per package, a declared value (which replaces the flat cover and the weight- and
freight-based limits, as declared interest or insurance does), SDR per kg of gross weight
and per item (UPU parcels add the two), money per kg, a multiple of the freight, or, for
delay guarantees, the transport charges only. Postage is added back where the rule says.

Money is ``Decimal`` with its ISO 4217 currency. The claim is in the currency of the
proven loss; a limit in another currency or in SDR is converted through SDR rates, each
rate stated in ``basis`` and kept in ``conversions``; without a rate the amount is refused
(:class:`CurrencyMismatch`), never compared across currencies. Every converted figure is
rounded down to the currency's minor unit, so the claim never exceeds a limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from claims.model import Amount, Cap, ClaimFacts, Incident, Policy, SdrConversion
from claims.sdr import SdrRate, SdrRates, UnknownRate
from parcel_watch.model import Money

# ISO 4217 currencies whose minor unit is not 1/100 (the rest use two decimals).
_MINOR_UNIT_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}

SDR_ESTIMATE_NOTE = (
    "SDR limits convert at the date of judgment or payment (Montreal Art. 23, CMR Art. 23(7)): "
    "this figure is an estimate; re-price it when filing."
)


class AmountError(ValueError):
    """The amount cannot be computed; the message says what is missing or wrong."""


class MissingFact(AmountError):
    pass


class CurrencyMismatch(AmountError):
    """Two currencies meet and no SDR rate links them."""


class NoMoneyRemedy(AmountError):
    """The policy's remedy is not money (stamps, a notice that preserves a right)."""


class NotCovered(AmountError):
    """The policy does not cover this incident."""


def minor_unit_exponent(currency: str) -> int:
    return _MINOR_UNIT_EXPONENTS.get(currency.upper(), 2)


def round_down(value: Decimal, currency: str) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-minor_unit_exponent(currency)), rounding=ROUND_DOWN)


def format_money(value: Decimal, currency: str) -> str:
    return f"{value:,.{minor_unit_exponent(currency)}f} {currency}"


def gives_money(policy: Policy) -> bool:
    """Whether :func:`amount` applies: False for remedies in kind or notices only."""
    return policy.cap.non_monetary is None


@dataclass
class _Pricer:
    """Converts into the claim currency through SDR rates and writes down every step."""

    rates: SdrRates
    on: date | None
    currency: str
    basis: list[str] = field(default_factory=list)
    conversions: list[SdrConversion] = field(default_factory=list)
    sdr: SdrConversion | None = None

    def _rate(self, currency: str, needed_for: str) -> SdrRate:
        try:
            return self.rates.rate(currency, self.on)
        except UnknownRate as error:
            raise CurrencyMismatch(f"{needed_for}: {error}") from None

    def money(self, value: Money, what: str) -> Decimal:
        """``value`` in the claim currency, rounded down; a conversion is stated."""
        if value.currency == self.currency:
            return round_down(value.amount, self.currency)
        needed_for = f"{what} is in {value.currency} and the claim in {self.currency}"
        source, target = self._rate(value.currency, needed_for), self._rate(self.currency, needed_for)
        sdr = source.to_sdr(value.amount)
        converted = round_down(target.to_currency(sdr), self.currency)
        self.conversions += [source.conversion(sdr), target.conversion(sdr)]
        self.basis.append(
            f"{what[0].upper()}{what[1:]}: {format_money(value.amount, value.currency)} = {sdr:.4f} SDR"
            f" ({source.describe()}) = {format_money(converted, self.currency)} ({target.describe()}), rounded down."
        )
        return converted

    def from_sdr(self, sdr: Decimal, how: str) -> Decimal:
        rate = self._rate(self.currency, "the legal limit is in SDR")
        converted = round_down(rate.to_currency(sdr), self.currency)
        self.sdr = rate.conversion(sdr)
        self.conversions.append(self.sdr)
        self.basis.append(
            f"Legal limit: {how} = {_plain(sdr)} SDR; x {rate.units_per_sdr} = "
            f"{format_money(converted, self.currency)}, rounded down ({rate.describe()})."
        )
        return converted

    def out(self, value: Decimal) -> Money:
        return Money(amount=value, currency=self.currency)


def _plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros (4.50 -> 4.5, 49.00 -> 49)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _proven_loss(
    policy: Policy, incident: Incident, facts: ClaimFacts, loss: Money | None
) -> tuple[Money, str]:
    if loss is not None:
        return loss, "the loss shown"
    if policy.cap.refund_of_price:
        if facts.item_value is None:
            raise MissingFact("give the price paid (item value): this remedy refunds it")
        return facts.item_value, "the price paid"
    if incident is Incident.DELAY:
        raise MissingFact(
            "a delay claim is for the loss the delay caused: give that loss (the goods' value is not it)"
        )
    if facts.item_value is None:
        raise MissingFact("give the item's value (the proven loss), with an invoice or receipt")
    return facts.item_value, "the item's value"


def _weight(facts: ClaimFacts, weight_kg: Decimal | None, what: str) -> Decimal:
    kg = weight_kg if weight_kg is not None else facts.weight_kg
    if kg is None:
        raise MissingFact(f"{what} is per kg of gross weight: give the shipment's weight in kg")
    if kg < 0:
        raise AmountError(f"a weight cannot be negative ({kg} kg)")
    return kg


def _declared_cover(
    cap: Cap, declared: Money, facts: ClaimFacts, loss: Money | None, pricer: _Pricer
) -> Decimal:
    cover = pricer.money(declared, "declared value")
    line = f"Declared value {format_money(declared.amount, declared.currency)}"
    if cap.declared_value_max is not None:
        ceiling = pricer.money(cap.declared_value_max, "the most a declared value can be")
        if ceiling < cover:
            line += f", accepted up to {format_money(ceiling, pricer.currency)}"
            cover = ceiling
    pricer.basis.append(f"{line}: it replaces the included cover and the weight- and freight-based limits.")
    if cap.insured_pro_rata and loss is not None and facts.item_value is not None:
        value = pricer.money(facts.item_value, "the item's full value")
        shown = pricer.money(loss, "the partial loss")
        if 0 < shown < value:
            share = round_down(cover * shown / value, pricer.currency)
            pricer.basis.append(
                f"Partial loss of an insured item is paid pro rata: {format_money(cover, pricer.currency)} x "
                f"{format_money(shown, pricer.currency)} / {format_money(value, pricer.currency)} = "
                f"{format_money(share, pricer.currency)}."
            )
            cover = share
    return cover


def _included_cover(
    cap: Cap, facts: ClaimFacts, weight_kg: Decimal | None, pricer: _Pricer
) -> Decimal | None:
    if cap.per_package is None:
        return None
    cover = pricer.money(cap.per_package, "included cover")
    text = f"Included cover without a declared value: {format_money(cover, pricer.currency)} per package"
    if cap.package_or_kg_greater and cap.per_kg is not None:
        kg = _weight(facts, weight_kg, "the cover")
        by_weight = pricer.money(
            Money(amount=cap.per_kg.amount * kg, currency=cap.per_kg.currency), "cover by weight"
        )
        text += f", or {format_money(by_weight, pricer.currency)} by weight ({_plain(kg)} kg) if greater"
        cover = max(cover, by_weight)
    pricer.basis.append(f"{text}.")
    return cover


def _weight_and_freight_limit(
    cap: Cap, facts: ClaimFacts, weight_kg: Decimal | None, pricer: _Pricer
) -> Decimal | None:
    limits: list[Decimal] = []
    sdr_parts: list[tuple[Decimal, str]] = []
    if cap.sdr_per_item is not None:
        sdr_parts.append((cap.sdr_per_item, f"{cap.sdr_per_item} SDR per item"))
    if cap.sdr_per_kg is not None:
        kg = _weight(facts, weight_kg, "the limit")
        sdr_parts.append((cap.sdr_per_kg * kg, f"{cap.sdr_per_kg} SDR/kg x {_plain(kg)} kg"))
    if sdr_parts:
        if cap.sdr_parts_add_up:
            total = sum((part for part, _ in sdr_parts), Decimal(0))
            how = " + ".join(text for _, text in sdr_parts)
        else:
            total, how = min(sdr_parts, key=lambda p: p[0])
        limits.append(pricer.from_sdr(total, how))
    if cap.per_kg is not None and not cap.package_or_kg_greater:
        kg = _weight(facts, weight_kg, "the limit")
        per_kg = Money(amount=cap.per_kg.amount * kg, currency=cap.per_kg.currency)
        limit = pricer.money(per_kg, "limit by weight")
        pricer.basis.append(
            f"Limit by weight: {format_money(cap.per_kg.amount, cap.per_kg.currency)}/kg x {_plain(kg)} kg"
            f" = {format_money(limit, pricer.currency)}."
        )
        limits.append(limit)
    if cap.freight_multiple is not None:
        if facts.shipping_cost is None:
            raise MissingFact(
                f"the limit is {_plain(cap.freight_multiple)} x the freight: give the postage paid"
            )
        freight = pricer.money(facts.shipping_cost, "freight")
        limit = round_down(freight * cap.freight_multiple, pricer.currency)
        pricer.basis.append(
            f"Limit: {_plain(cap.freight_multiple)} x freight {format_money(freight, pricer.currency)}"
            f" = {format_money(limit, pricer.currency)}."
        )
        limits.append(limit)
    return min(limits) if limits else None


def _charges_refund(policy: Policy, facts: ClaimFacts) -> Amount:
    if facts.shipping_cost is None:
        raise MissingFact("this remedy refunds the transport charges: give what was paid for shipping")
    charges = facts.shipping_cost
    claimed = Money(amount=round_down(charges.amount, charges.currency), currency=charges.currency)
    text = format_money(claimed.amount, claimed.currency)
    return Amount(
        claimed=claimed,
        proven_loss=None,
        cover=None,
        legal_cap=claimed,
        basis=(
            f"The remedy is a refund of the transport charges only: {text} ({policy.name}).",
            f"Claimed: {text}.",
        ),
    )


def amount(
    policy: Policy,
    incident: Incident,
    facts: ClaimFacts,
    rates: SdrRates,
    *,
    on: date | None = None,
    loss: Money | None = None,
    weight_kg: Decimal | None = None,
) -> Amount:
    """What to claim under ``policy`` for ``incident``, with each step in ``basis``.

    ``loss``: the proven loss when it is not the item's value (a repair bill, the part that
    went missing, the damage a delay caused; required for delay). ``weight_kg``: the gross
    weight concerned when only part of the shipment was lost (default: the shipment's).
    ``on``: the date whose SDR rates to use (the newest on or before it; default newest)."""
    cap = policy.cap
    if incident not in policy.incidents:
        covered = ", ".join(sorted(policy.incidents))
        raise NotCovered(f"{policy.name} covers {covered}, not {incident}")
    if cap.non_monetary is not None:
        raise NoMoneyRemedy(f"{policy.name}: the remedy is not money: {cap.non_monetary}")
    if cap.refund_of_charges:
        return _charges_refund(policy, facts)

    proven, label = _proven_loss(policy, incident, facts, loss)
    pricer = _Pricer(rates, on, proven.currency)
    proven_value = round_down(proven.amount, proven.currency)
    pricer.basis.append(f"Proven loss: {format_money(proven_value, proven.currency)} ({label}).")

    declared = facts.declared_value
    takes_declared = cap.accepts_declared_value or cap.declared_value_max is not None
    legal: Decimal | None = None
    if declared is not None and takes_declared:
        cover: Decimal | None = _declared_cover(cap, declared, facts, loss, pricer)
    else:
        if declared is not None:
            pricer.basis.append(
                "This rule takes no declared value: the declared value does not raise the limit."
            )
        cover = _included_cover(cap, facts, weight_kg, pricer)
        legal = _weight_and_freight_limit(cap, facts, weight_kg, pricer)

    candidates = [v for v in (proven_value, cover, legal) if v is not None]
    core = min(candidates)
    if len(candidates) > 1:
        listed = ", ".join(format_money(v, pricer.currency) for v in candidates)
        pricer.basis.append(f"The smallest of {listed}: {format_money(core, pricer.currency)}.")
    elif not cap.refund_of_price:
        pricer.basis.append("No limit is recorded for this rule: the proven loss is claimed.")

    refund: Decimal | None = None
    if incident in cap.postage_refunded_on and facts.shipping_cost is not None:
        refund = pricer.money(facts.shipping_cost, "postage")
        pricer.basis.append(f"Postage refunded on top: {format_money(refund, pricer.currency)}.")
    total = core + (refund or Decimal(0))
    pricer.basis.append(f"Claimed: {format_money(total, pricer.currency)}.")
    sources = dict.fromkeys(c.source for c in pricer.conversions)
    pricer.basis.extend(f"SDR rates: {source}." for source in sources)
    if pricer.sdr is not None:
        pricer.basis.append(SDR_ESTIMATE_NOTE)
    return Amount(
        claimed=pricer.out(total),
        proven_loss=pricer.out(proven_value),
        cover=pricer.out(cover) if cover is not None else None,
        legal_cap=pricer.out(legal) if legal is not None else None,
        postage_refund=pricer.out(refund) if refund is not None else None,
        sdr=pricer.sdr,
        basis=tuple(pricer.basis),
        conversions=tuple(pricer.conversions),
    )
