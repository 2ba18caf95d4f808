"""SDR exchange rates: IMF "currency units per SDR", each dated and with its source.

Convention limits are in SDR (Montreal 26/kg, CMR 8.33/kg, UPU 40 + 4.50/kg). Rates are
data, never constants in code: the bundled file (``claims/data/sdr_rates.json``) holds the
rates quoted in claims-rules.md §5; a newer IMF table can be loaded from JSON or CSV, or
rates configured directly. Every amount keeps the rate, its date and source. Montreal and
CMR convert at the judgment or payment date, so a draft's figure is an estimate.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from claims.model import SdrConversion

_CURRENCY = re.compile(r"[A-Z]{3}")


class RateFileError(ValueError):
    """A rate table that cannot be read: says which entry and why."""


class UnknownRate(LookupError):
    """No rate for a currency on or before the date asked for."""


@dataclass(frozen=True)
class SdrRate:
    currency: str
    units_per_sdr: Decimal  # 1 SDR = this many units of ``currency``
    rate_date: date
    source: str

    def to_currency(self, sdr: Decimal) -> Decimal:
        return sdr * self.units_per_sdr

    def to_sdr(self, amount: Decimal) -> Decimal:
        return amount / self.units_per_sdr

    def conversion(self, sdr: Decimal) -> SdrConversion:
        return SdrConversion(
            sdr=sdr,
            rate=self.units_per_sdr,
            currency=self.currency,
            rate_date=self.rate_date,
            source=self.source,
        )

    def describe(self) -> str:
        return f"1 SDR = {self.units_per_sdr} {self.currency}, rate of {self.rate_date.isoformat()}"


class SdrRates:
    """A table of dated rates; asks for the newest rate on or before a date."""

    def __init__(self, rates: Iterable[SdrRate]) -> None:
        by_currency: dict[str, list[SdrRate]] = {}
        for rate in rates:
            by_currency.setdefault(rate.currency, []).append(rate)
        self._rates = {c: sorted(rs, key=lambda r: r.rate_date) for c, rs in by_currency.items()}

    @property
    def currencies(self) -> frozenset[str]:
        return frozenset(self._rates)

    def rate(self, currency: str, on: date | None = None) -> SdrRate:
        """The newest rate for ``currency`` dated on or before ``on`` (the newest of all if None)."""
        known = self._rates.get(currency.upper(), [])
        usable = [r for r in known if on is None or r.rate_date <= on]
        if not usable:
            when = f" on or before {on.isoformat()}" if on is not None else ""
            have = ", ".join(sorted(self._rates)) or "none"
            raise UnknownRate(f"no SDR rate for {currency}{when} (rates known for: {have})")
        return usable[-1]


def _decimal(value: object, where: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RateFileError(f"{where}: {value!r} is not a number") from None
    if not number.is_finite() or number <= 0:
        raise RateFileError(f"{where}: a rate must be a positive number, not {value!r}")
    return number


def _day(value: object, where: str) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise RateFileError(f"{where}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _currency(value: object, where: str) -> str:
    code = str(value).strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise RateFileError(f"{where}: {value!r} is not an ISO 4217 currency code")
    return code


def configured_rates(units_per_sdr: Mapping[str, Decimal | str], rate_date: date, source: str) -> SdrRates:
    """Rates given by the user (configuration), all of one date."""
    return SdrRates(
        SdrRate(_currency(c, "configured rates"), _decimal(v, f"configured rate {c}"), rate_date, source)
        for c, v in units_per_sdr.items()
    )


def parse_json(text: str) -> SdrRates:
    """``{"rates": [{"date", "source", "units_per_sdr": {"USD": "1.3687", ...}}, ...]}``."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise RateFileError("not JSON we read: nested too deeply") from None
    except ValueError as error:  # JSONDecodeError, or a number over Python's 4300-digit limit
        raise RateFileError(f"not JSON: {error}") from None
    blocks = document.get("rates") if isinstance(document, dict) else None
    if not isinstance(blocks, list) or not blocks:
        raise RateFileError('expected an object with a non-empty "rates" list')
    rates: list[SdrRate] = []
    for number, block in enumerate(blocks, 1):
        where = f"rates[{number}]"
        if not isinstance(block, dict) or not isinstance(block.get("units_per_sdr"), dict):
            raise RateFileError(f'{where}: expected "date", "source" and a "units_per_sdr" object')
        day = _day(block.get("date"), where)
        source = str(block.get("source") or "").strip()
        if not source:
            raise RateFileError(f"{where}: every block of rates needs its source")
        for code, value in block["units_per_sdr"].items():
            rates.append(SdrRate(_currency(code, where), _decimal(value, f"{where} {code}"), day, source))
    return SdrRates(rates)


def parse_csv(text: str, source: str) -> SdrRates:
    """Rows of ``date,currency,units_per_sdr`` (header required); ``source`` names the table."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        return _csv_rates(reader, source)
    except csv.Error as error:  # a bare carriage return in a cell, a NUL
        reason = str(error).partition(" - ")[0]  # without "open the file in universal-newline mode"
        raise RateFileError(f"line {reader.line_num + 1}: not valid CSV ({reason})") from None


def _csv_rates(reader: csv.DictReader[str], source: str) -> SdrRates:
    needed = {"date", "currency", "units_per_sdr"}
    if reader.fieldnames is None or not needed <= {f.strip() for f in reader.fieldnames}:
        raise RateFileError(f"the header must name the columns {', '.join(sorted(needed))}")
    rates = []
    for row in reader:
        row = {k.strip(): v for k, v in row.items() if k is not None}
        where = f"line {reader.line_num}"
        rates.append(
            SdrRate(
                _currency(row["currency"], where),
                _decimal(row["units_per_sdr"], where),
                _day(row["date"], where),
                source,
            )
        )
    if not rates:
        raise RateFileError("the table has no rates")
    return SdrRates(rates)


def load_rates(path: Path) -> SdrRates:
    """A rate table from a ``.json`` or ``.csv`` file (a CSV's source is its file name)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        return parse_csv(text, source=path.name)
    return parse_json(text)


def bundled_rates() -> SdrRates:
    """The rates shipped with parcel-watch (claims-rules.md §5, IMF via Business Recorder)."""
    text = resources.files("claims").joinpath("data/sdr_rates.json").read_text(encoding="utf-8")
    return parse_json(text)
