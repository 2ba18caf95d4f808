"""Reading the values merchants' exports hold, in the file's own format (pure).

Each parser takes one cell's text and returns the value in the form our own CSV format
(``parcel_watch.importer``) uses, or raises ``ValueError`` with a reason a person can act
on. The mapping layer (``parcel_watch.import_mapping``) applies them per column.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources

# -- dates --------------------------------------------------------------------------------

# Spreadsheet-style tokens people write (DD/MM/YYYY) and the strptime directives they mean.
_TOKENS = (("YYYY", "%Y"), ("YY", "%y"), ("MMM", "%b"), ("MM", "%m"), ("DD", "%d"), ("M", "%m"), ("D", "%d"))
# A time after the date (dropped: the date is the one written). strptime says what it did not
# read ("unconverted data remains: 10:15:22 AM"), which must look like this.
_TIME_AFTER = re.compile(
    r"[ T](?P<h>\d{1,2}):(?P<m>[0-5]\d)(?::[0-5]\d(?:\.\d+)?)?(?P<ampm>\s?[AaPp][Mm])?"
    r"(?:\s?(?:[+-]\d{2}:?\d{2}|Z|UTC))?"
)


def strptime_format(spec: str) -> str:
    """``DD-MM-YYYY`` (or a strptime format such as ``%d-%m-%Y``) as a strptime format;
    ValueError for one strptime cannot use (checked here, once, rather than on every cell)."""
    fmt = (
        spec
        if "%" in spec
        else re.sub("|".join(t for t, _ in _TOKENS), lambda m: dict(_TOKENS)[m.group(0)], spec)
    )
    try:
        datetime.strptime("", fmt)
    except re.error:  # strptime builds a regex with a group per field: "MM-MM-YYYY" breaks it
        raise ValueError(f'"{spec}" is not a date format: it names a part twice (e.g. DD-MM-YYYY)') from None
    except ValueError as exc:
        if "does not match format" not in str(exc):  # "bad directive", "stray %"
            raise ValueError(f'"{spec}" is not a date format: {exc} (e.g. DD-MM-YYYY)') from None
    return fmt


def readable_format(fmt: str) -> str:
    """``%d-%m-%Y`` as people write it: ``DD-MM-YYYY``."""
    for token, directive in _TOKENS[:5]:
        fmt = fmt.replace(directive, token)
    return fmt


def parse_date_as(value: str, formats: tuple[str, ...]) -> date:
    """The calendar date a cell shows, read with the first of ``formats`` that fits.

    An empty ``formats`` means ISO 8601 (a date, or a date and time with or without offset).
    A time after the date is allowed and dropped: the date is the one written in the file,
    on the clock of whoever wrote it. ``/`` and ``-`` between date parts are the same."""
    text = value.strip()
    if not formats:
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            raise ValueError(f'"{text}" is not a date (YYYY-MM-DD; or give --date-format)') from None
    for fmt in formats:
        for candidate in (text, text.replace("/", "-")) if "/" in text else (text,):
            try:
                return datetime.strptime(candidate, fmt).date()
            except ValueError as exc:
                rest = str(exc).partition("unconverted data remains: ")[2]
            time = _TIME_AFTER.fullmatch(rest) if rest else None
            if time and int(time["h"]) <= (12 if time["ampm"] else 23):
                try:
                    return datetime.strptime(candidate[: -len(rest)], fmt).date()
                except ValueError:
                    pass
    shown = " or ".join(readable_format(f) for f in formats)
    raise ValueError(f'"{text}" is not a date in the format {shown}')


def add_business_days(start: date, days: int) -> date:
    """``days`` working days (Monday to Friday) after ``start``: a service level's promise."""
    if days < 0:
        raise ValueError("service days cannot be negative")
    current = start
    while days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def parse_days(value: str) -> int:
    text = value.strip().lower().removesuffix("days").removesuffix("day").strip()
    if not text.isdecimal() or len(text) > 3 or int(text) > 365:  # isdigit() takes "²", int() not
        raise ValueError(f'"{value.strip()}" is not a number of service days (0 to 365)')
    return int(text)


# -- money --------------------------------------------------------------------------------

_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "￥": "CNY", "₹": "INR", "₩": "KRW"}
# A prefix before "$" names which dollar it is (eBay writes "AU $3,000.00").
_DOLLAR_PREFIX = {"AU": "AUD", "C": "CAD", "CA": "CAD", "NZ": "NZD", "US": "USD", "HK": "HKD", "S": "SGD"}
_AMOUNT = re.compile(r"\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{1,6})?|\d+(?:[.,]\d{1,6})?|[.,]\d{1,6}")


def _number(text: str, raw: str) -> Decimal:
    """Digits with a decimal mark and thousands marks in either locale's style: the last of
    ``.``/``,`` is the decimal mark when both appear; one mark alone followed by exactly three
    digits (``1,234``, ``1.234``) separates thousands, otherwise it is the decimal mark."""
    digits = text.replace("'", "").replace(" ", "")
    if not _AMOUNT.fullmatch(text) or not digits:
        raise ValueError(f'"{raw}" is not an amount of money (e.g. 12.50, $12.50, 12,50 €)')
    marks = [c for c in digits if c in ".,"]
    if not marks:
        return Decimal(digits)
    last = max(digits.rfind("."), digits.rfind(","))
    head, tail = digits[:last], digits[last + 1 :]
    thousands_only = len(set(marks)) == 1 and (len(marks) > 1 or (len(tail) == 3 and head.lstrip("0") != ""))
    if thousands_only:
        return Decimal(digits.replace(marks[0], ""))
    return Decimal(re.sub(r"[.,]", "", head) + "." + tail)


def parse_money_text(value: str, currency: str | None = None) -> tuple[Decimal, str | None]:
    """An amount and its currency from ``$12.50``, ``12,50 €``, ``EUR 90,00``, ``AU $3,000.00``
    or a plain ``12.50`` (then ``currency``, from a column or the command line, is its currency).

    A currency written in the cell wins over ``currency``; a negative amount is refused."""
    raw = value.strip()
    text = raw.replace("\u00a0", " ")
    found: str | None = None
    code = re.search(r"^([A-Z]{3})\s*|\s*([A-Z]{3})$", text)
    if code and (code.group(1) or code.group(2)):
        found = code.group(1) or code.group(2)
        text = (text[code.end() :] if code.group(1) else text[: code.start()]).strip()
    dollar = re.match(r"^([A-Z]{1,2})\s*\$", text)
    if dollar and dollar.group(1) in _DOLLAR_PREFIX:
        found = found or _DOLLAR_PREFIX[dollar.group(1)]
        text = text[dollar.end() :].strip()
    for symbol, iso in _SYMBOLS.items():
        if text.startswith(symbol) or text.endswith(symbol):
            found = found or iso
            text = text.strip(symbol).strip()
            break
    if text.startswith("-"):
        raise ValueError(f'"{raw}" is negative (a value must be at least 0)')
    return _number(text, raw), found or (currency.strip().upper() if currency else None)


# -- countries ----------------------------------------------------------------------------

# Names exports use that the UPU list (below) spells otherwise.
_COUNTRY_ALIASES = {
    "united states": "US",
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "china": "CN",
    "中国": "CN",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "deutschland": "DE",
    "the netherlands": "NL",
    "holland": "NL",
    "tanzania": "TZ",
    "vietnam": "VN",
    "iran": "IR",
    "czech republic": "CZ",
    "czechia": "CZ",
    "hong kong": "HK",
    "taiwan": "TW",
}


def _fold(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


@cache
def _country_names() -> dict[str, str]:
    """Country names from the UPU member list that ships with the S10 number data."""
    path = resources.files("parcel_watch.detect").joinpath("data", "couriers", "s10.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for spec in data["tracking_numbers"]:
        for group in spec.get("additional", []):
            for entry in group.get("lookup", []):
                code, country = entry.get("matches"), entry.get("country")
                if isinstance(code, str) and len(code) == 2 and isinstance(country, str):
                    names.setdefault(_fold(country), code.upper())
                    # "Korea (Rep.)" is also written "Korea"
                    names.setdefault(_fold(re.sub(r"\s*\(.*\)", "", country)), code.upper())
    names.update(_COUNTRY_ALIASES)
    return names


def parse_country_name(value: str) -> str:
    """ISO 3166 alpha-2 from a code (``us``) or an English name (``United States``)."""
    text = value.strip()
    code = _country_names().get(_fold(text))  # first: "UK" is a name, not a code
    if code is None and re.fullmatch(r"[A-Za-z]{2}", text):
        return text.upper()
    if code is None:
        raise ValueError(f'"{text}" is not a country we know (use its ISO 3166 code, e.g. US)')
    return code


# -- tracking numbers and carriers ----------------------------------------------------------

_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+\d+", re.IGNORECASE)


def split_numbers(cell: str) -> list[str]:
    """The tracking numbers in one cell (Shopify writes several, comma-separated).

    Spreadsheet guards are removed (a leading ``'``, a ``No:`` prefix); a number Excel turned
    into scientific notation (``4.43659E+11``) is refused: its digits are gone."""
    numbers = []
    for part in re.split(r"[,;\n]+", cell):
        number = part.strip().lstrip("'").strip()
        number = re.sub(r"^No[:：]\s*", "", number, flags=re.IGNORECASE)
        if not number:
            continue
        if _SCIENTIFIC.fullmatch(number):
            raise ValueError(
                f'"{number}" is a number a spreadsheet turned into scientific notation '
                "(its digits are lost; export the column as text)"
            )
        numbers.append(number)
    return numbers


# Carrier names as the platforms write them, folded (lower case, no "®", spaces single).
CARRIER_NAMES = {
    "usps": "usps",
    "united states postal service": "usps",
    "us postal service": "usps",
    "ups": "ups",
    "united parcel service": "ups",
    "fedex": "fedex",
    "federal express": "fedex",
    "fedex ground": "fedex",
    "dhl": "dhl",
    "dhl express": "dhl",
    "dhl ecommerce": "dhl",
    "canada post": "canada_post",
    "postes canada": "canada_post",
    "royal mail": "s10",
    "amazon": "amazon",
    "amazon logistics": "amazon",
    "amzn_us": "amazon",
    "amzn": "amazon",
    "ontrac": "ontrac",
    "lasership": "lasership",
    "purolator": "purolator",
    "canpar": "canpar",
    "dpd": "dpd",
    "yodel": "yodel",
    "yunexpress": "yunexpress",
    "gofo": "gofo",
}


def fold_carrier(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("®", "").replace("™", "").strip().lower())


def carrier_slug(name: str, known: frozenset[str]) -> str:
    """Our slug for a carrier name from an export (``FedEx``, ``Canada Post``, ``ups``)."""
    folded = fold_carrier(name)
    slug = CARRIER_NAMES.get(folded) or (folded if folded in known else None)
    if slug is None:
        raise ValueError(f'unknown carrier "{name.strip()}" (see: parcel-watch carriers)')
    return slug
