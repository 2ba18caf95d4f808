"""Find tracking numbers in free text (pasted e-mails, order confirmations).

Strategy, tuned for precision over recall (a wrong "tracking number" is worse
than a missed one, the user can still paste it on its own):

1. Mask what is certainly not a tracking number: phone numbers, dates,
   times, prices, and whatever directly follows an order/invoice label.
2. Scan ASCII alphanumeric tokens; also try tokens joined by a single space
   or hyphen, since carriers print numbers in groups ("1Z 999 AA1 01 ...").
3. Keep a number only when a format's checksum holds, or the format has no
   checksum but is distinctive (confidence >= 0.5: a literal prefix such as
   "TBA"). Short all-digit numbers (<= 12 digits; DHL's mod 7 passes one
   random number in seven) also need a tracking keyword or the carrier's name
   on the same line or the line before.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from functools import cache

from .detector import Candidate, detect
from .spec import couriers

_MAX_TOKENS = 10  # groups one printed number may be split into
_MIN_LEN = 10  # shortest format in the corpus is 10 characters
_MAX_FIRST_WORD = 4  # a letters-only first group longer than this is a word, not a prefix
_SHORT_DIGITS = 12  # all-digit numbers up to this length need a keyword nearby

_TOKEN = re.compile(r"[A-Za-z0-9]+")
_JOINERS = {" ", "\t", "\u00a0", "-"}  # a hyphen is kept (LaserShip "...-1"); spaces vanish

_PHONE_BODY = r"\(?\+?\d[\d \t().\-]{5,22}\d"
_MASKS = [
    # international phone numbers: "+1 (415) 555-0123", "+86 138 0013 8000"
    re.compile(r"\+[ \t]?\d[\d \t().\-]{5,22}\d"),
    # a phone label followed by a number: "Tel: 020 7946 0958", "call us at 07700 900123"
    re.compile(
        r"(?i)(?:\b(?:tel|telephone|phone|mobile|cell|fax|call(?:[ \t]+us)?(?:[ \t]+(?:at|on))?|"
        r"whatsapp|hotline)|电话|手机)\.?[ \t]*(?:number|no\.?|nr\.?)?[ \t]*[:#]?[ \t]*" + _PHONE_BODY
    ),
    # national formats: "(415) 555-0123", "415-555-0123", "07700 900123", "020 7946 0958"
    re.compile(r"\(\d{2,5}\)[ \t]?\d{3,4}[ \t.\-]?\d{3,4}"),
    re.compile(r"(?<![\d\-.])\b\d{3}[.\-]\d{3}[.\-]\d{4}\b(?![\-.]\d)"),
    re.compile(r"(?<!\d[ \t])\b0\d{2,4}[ \t]\d{3,6}(?:[ \t]\d{3,4})?\b(?![ \t]?\d)"),
    # dates and times: "2025-03-03", "03/04/2025", "3.4.2025", "14:22", "14:22:05"
    re.compile(r"\b\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}\b"),
    re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"),
    # prices: "$1,299.00", "€ 45,90", "12.50 USD", "199 元"
    re.compile(r"[$€£¥][ \t]?\d[\d,.]*"),
    # (starting only where a run of digits and separators starts, read possessively: each
    # position of a long run of digits was tried again, quadratic: 25 s for 20,000 digits)
    re.compile(r"(?i)(?<![\d,.])[,.]*\d[\d,.]*+[ \t]?(?:usd|eur|gbp|cny|rmb|cad|aud|元)\b"),
    # whatever directly follows an order/invoice label: "Order #100234",
    # "Invoice no. 1001 2345 6789", "订单号：2025030312345"
    re.compile(
        r"(?i)(?:\b(?:order|invoice|receipt|account|acct|customer|transaction|bestellung|"
        r"bestellnummer|rechnung|kundennummer)|订单号?|发票)[ \t]*(?:number|no\.?|nr\.?|id|#)?"
        r"[ \t]*[:#：]?[ \t]*#?[A-Za-z0-9]+(?:[ \t\-/](?=[A-Za-z]*\d)[A-Za-z0-9]+)*"
    ),
]

_KEYWORDS = (
    "tracking",
    "track",
    "waybill",
    "shipment",
    "parcel",
    "consignment",
    "awb",
    "sendungsnummer",
    "sendung",
    "运单",
    "快递单号",
    "物流单号",
)


def _mask(text: str) -> str:
    """The text with every masked span replaced by NULs (positions kept)."""
    chars = list(text)
    for pattern in _MASKS:
        for m in pattern.finditer(text):
            chars[m.start() : m.end()] = "\0" * (m.end() - m.start())
    return "".join(chars)


def _words_pattern(words: set[str], whole: bool) -> re.Pattern[str]:
    # ASCII words need a word boundary before them ("track" must not hit
    # "racetrack") and, for names, after them too ("UPS" is not "upstairs");
    # keywords may go on ("tracking"). CJK keywords match anywhere.
    end = r"\b" if whole else ""
    parts = sorted((rf"\b{re.escape(w)}{end}" if w.isascii() else re.escape(w)) for w in words)
    return re.compile("|".join(parts), re.IGNORECASE)


@cache
def _generic_keywords() -> re.Pattern[str]:
    return _words_pattern(set(_KEYWORDS), whole=False)


@cache
def _carrier_names(carrier: str) -> re.Pattern[str]:
    """The carrier's own names (courier name, code, format names without
    their "(12)"-style suffixes), which count as a keyword for its numbers."""
    words: set[str] = set()
    for courier in couriers():
        if courier.code == carrier:
            words |= {courier.name.lower(), courier.code.replace("_", " ")}
            words |= {re.sub(r"\s*\(.*?\)", "", f.name).strip().lower() for f in courier.formats}
            words |= {f.name.split()[0].lower() for f in courier.formats}
    return _words_pattern({w for w in words if len(w) >= 3}, whole=True)


def _runs(masked: str) -> Iterator[list[re.Match[str]]]:
    """Maximal runs of tokens that touch through a single joiner character."""
    run: list[re.Match[str]] = []
    for m in _TOKEN.finditer(masked):
        if run and masked[run[-1].end() : m.start()] not in _JOINERS:
            yield run
            run = []
        run.append(m)
    if run:
        yield run


def _joinable(tokens: list[re.Match[str]]) -> bool:
    first = tokens[0].group()
    if first.isalpha() and len(first) > _MAX_FIRST_WORD and len(tokens) > 1:
        return False
    for i, t in enumerate(tokens[1:], start=1):
        # Later groups of a printed number carry digits; a trailing group of
        # two letters is the S10 country code ("RB 1234 5678 5 GB").
        if not any(c.isdigit() for c in t.group()) and not (
            i == len(tokens) - 1 and t.group().isalpha() and len(t.group()) <= 2
        ):
            return False
    return True


class _Context:
    """Line lookups for the keyword rule, each line searched once per carrier (a text of one
    long line holding thousands of candidates was searched whole for each: quadratic)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self._keyword: dict[tuple[int, str], bool] = {}

    def nearby(self, pos: int) -> str:
        """The line holding `pos` and the closest non-blank line before it."""
        return self._nearby(bisect_right(self.starts, pos) - 1)

    def _nearby(self, i: int) -> str:
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
        lines = [self.text[self.starts[i] : end]]
        for j in range(i - 1, -1, -1):
            prev = self.text[self.starts[j] : self.starts[j + 1]]
            if prev.strip():
                lines.append(prev)
                break
        return "\n".join(lines)

    def has_keyword(self, pos: int, carrier: str) -> bool:
        """Whether a tracking keyword or the carrier's name is near `pos`."""
        i = bisect_right(self.starts, pos) - 1
        found = self._keyword.get((i, carrier))
        if found is None:
            context = self._nearby(i)
            found = bool(_generic_keywords().search(context) or _carrier_names(carrier).search(context))
            self._keyword[(i, carrier)] = found
        return found


def _accept(c: Candidate, ctx: _Context, pos: int) -> bool:
    if c.valid_checksum:
        if c.number.isdigit() and len(c.number) <= _SHORT_DIGITS:
            return ctx.has_keyword(pos, c.carrier)
        return True
    return not c.has_checksum and c.confidence >= 0.5


def _best_at(tokens: list[re.Match[str]], text: str, ctx: _Context) -> tuple[int, Candidate] | None:
    """The longest join of tokens[0:k] holding an acceptable number, as (k, candidate)."""
    for k in range(min(len(tokens), _MAX_TOKENS), 0, -1):
        group = tokens[:k]
        if sum(len(t.group()) for t in group) < _MIN_LEN or not _joinable(group):
            continue
        raw = text[group[0].start() : group[-1].end()]
        for candidate in detect(raw):
            if _accept(candidate, ctx, group[0].start()):
                return k, candidate
    return None


def extract(text: str) -> list[Candidate]:
    """Every tracking number found in `text`, in order of appearance, one
    (the best acceptable) candidate per number, without duplicates."""
    masked = _mask(text)
    ctx = _Context(text)
    found: dict[str, Candidate] = {}
    for run in _runs(masked):
        i = 0
        while i < len(run):
            hit = _best_at(run[i : i + _MAX_TOKENS], text, ctx)
            if hit is None:
                i += 1
                continue
            k, candidate = hit
            found.setdefault(candidate.number, candidate)
            i += k
    return list(found.values())
