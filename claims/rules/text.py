"""What carrier text says that its codes may not: damage, duties to pay (en, zh, de, fr).

Carriers put "Package damaged, repacked" under an ordinary in-transit code, and the duties
a recipient owes only in prose. Matching is case- and accent-insensitive. Results are
cached per distinct text: carriers repeat a handful of phrasings millions of times.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

_DAMAGE = re.compile(
    r"\bdamag|\bbroken\b|\bcrushed\b|破损|损坏|损毁|\bbeschadig|\bbeschaedig|\bendommag|\babime|\bdeterior|\bavarie",
)
_DUTIES = re.compile(
    r"\bdut(?:y|ies)\b|\bimport (?:tax|vat|charges?)|\bcustoms (?:charges?|fees?)|\btaxes\b|\bvat\b"
    r"|关税|税费|进口税|缴税|\bzoll(?:gebuhr|abgaben|gebuehr)|\beinfuhr(?:abgaben|umsatzsteuer)"
    r"|\bdroits de douane|\bfrais de douane|\btva\b"
)
_SYMBOLS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "￥": "CNY", "元": "CNY"}
_CODES = {"usd", "eur", "gbp", "cny", "rmb", "cad", "aud", "chf", "jpy", "hkd", "nzd", "sgd"}
_NUMBER = r"\d{1,3}(?:[.,\s]\d{3}){0,7}(?:[.,]\d{1,2})?|\d{1,24}(?:[.,]\d{1,2})?"  # bounded: see _AMOUNT
_CURRENCY = r"us\$|[$€£¥￥]|\b(?:" + "|".join(sorted(_CODES)) + r")\b"
# Numbers have at most 24 digits, one before its currency starts only where a run of digits
# starts, and a month name (_DATES) only where a word starts: otherwise each position of a long
# run was tried again to its end (quadratic: seconds for a few thousand digits or letters).
_AMOUNT = re.compile(
    rf"(?P<c1>{_CURRENCY})\s?(?P<n1>{_NUMBER})|(?<!\d)(?P<n2>{_NUMBER})\s?(?P<c2>{_CURRENCY}|元)",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan", "januar", "janvier"),
            ("february", "feb", "februar", "fevrier"),
            ("march", "mar", "marz", "maerz", "mars"),
            ("april", "apr", "avril"),
            ("may", "mai"),
            ("june", "jun", "juni", "juin"),
            ("july", "jul", "juli", "juillet"),
            ("august", "aug", "aout"),
            ("september", "sep", "sept", "septembre"),
            ("october", "oct", "oktober", "octobre"),
            ("november", "nov", "novembre"),
            ("december", "dec", "dezember", "decembre"),
        ),
        start=1,
    )
    for name in names
}
_DATES = re.compile(
    r"(?P<iso>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
    r"|(?P<zh>\d{4})年(?P<zh_m>\d{1,2})月(?P<zh_d>\d{1,2})日"
    r"|(?P<dot_d>\d{1,2})\.(?P<dot_m>\d{1,2})\.(?P<dot>\d{4})"
    r"|(?P<dm_d>\d{1,2})\.? (?P<dm_m>[a-z]+)\.? (?P<dm>\d{4})"
    r"|(?<![a-z])(?P<md_m>[a-z]+)\.? (?P<md_d>\d{1,2}),? (?P<md>\d{4})"
)
_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class TextFacts:
    damage: bool
    duties: bool


@dataclass(frozen=True, slots=True)
class DutiesNotice:
    """What a duties message says the recipient owes (each part only where it says so)."""

    amount: Decimal | None
    currency: str | None
    due: date | None


def fold(text: str) -> str:
    """Lower case without accents ("Beschädigt" -> "beschadigt"); CJK text is unchanged."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_facts_cache: dict[str, TextFacts] = {}
_NOTHING = TextFacts(False, False)


def text_facts(text: str) -> TextFacts:
    found = _facts_cache.get(text)
    if found is None:
        if not text:
            return _NOTHING
        folded = fold(text)
        found = (
            TextFacts(_DAMAGE.search(folded) is not None, _DUTIES.search(folded) is not None)
            if folded
            else _NOTHING
        )
        if len(_facts_cache) >= _CACHE_LIMIT:
            _facts_cache.clear()
        _facts_cache[text] = found
    return found


def _decimal(number: str) -> Decimal | None:
    number = number.replace(" ", "")
    if "," in number and "." in number:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
        number = number.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    elif "," in number:
        whole, _, fraction = number.rpartition(",")
        number = f"{whole.replace(',', '')}.{fraction}" if len(fraction) <= 2 else number.replace(",", "")
    elif number.count(".") > 1 or (number.count(".") == 1 and len(number.rpartition(".")[2]) == 3):
        number = number.replace(".", "")  # 1.234 = one thousand two hundred thirty-four
    try:
        return Decimal(number)
    except InvalidOperation:
        return None


def _currency(mark: str) -> str:
    mark = mark.lower()
    return _SYMBOLS.get(mark) or ("CNY" if mark == "rmb" else mark.upper())


def _date(match: re.Match[str]) -> date | None:
    g = match.groupdict()
    try:
        if g["iso"]:
            return date(int(g["iso"]), int(g["iso_m"]), int(g["iso_d"]))
        if g["zh"]:
            return date(int(g["zh"]), int(g["zh_m"]), int(g["zh_d"]))
        if g["dot"]:
            return date(int(g["dot"]), int(g["dot_m"]), int(g["dot_d"]))
        if g["dm"] and g["dm_m"] in _MONTHS:
            return date(int(g["dm"]), _MONTHS[g["dm_m"]], int(g["dm_d"]))
        if g["md"] and g["md_m"] in _MONTHS:
            return date(int(g["md"]), _MONTHS[g["md_m"]], int(g["md_d"]))
    except ValueError:  # 31.02.2026 and the like: not a date
        return None
    return None


def duties_notice(text: str) -> DutiesNotice:
    """The amount and due date a duties message gives (None where it gives none)."""
    folded = fold(text)
    amount: Decimal | None = None
    currency: str | None = None
    without_dates = _DATES.sub(" ", folded)  # "2026-03-10" is not an amount of 2026
    for match in _AMOUNT.finditer(without_dates):
        number = match.group("n1") or match.group("n2")
        value = _decimal(number)
        if value is not None:
            amount, currency = value, _currency(match.group("c1") or match.group("c2"))
            break
    due = next((d for d in map(_date, _DATES.finditer(folded)) if d is not None), None)
    return DutiesNotice(amount, currency, due)
