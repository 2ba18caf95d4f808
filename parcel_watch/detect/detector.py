"""Match a single tracking number against every corpus format and rank the hits.

Confidence bands (interpretable, documented in the public API):

* checksum holds:        0.70 - 0.95 (0.70 - 0.80 when another carrier's
                         checksum also holds, so no one claims near-certainty)
* format has no checksum: 0.30 - 0.60 (>= 0.5 needs ~2 fixed characters, e.g. "YT")
* checksum fails:         0.02 - 0.10

Within a band the format's specificity (fixed characters, checksum strength,
required lookups - see structure.py / spec.py) decides.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from . import checksums
from .spec import Format, couriers, formats, group_label

SERVICE_LOOKUP = "Service Type"  # the "additional" lookup naming the service
VALID, UNCHECKED, FAILED = 2, 1, 0  # tiers, best first


class InvalidTrackingNumber(ValueError):
    """Raised by require_valid with a message meant for end users."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One reading of a number: which format of which carrier, and how sure.

    carrier is the corpus' courier_code; valid_checksum is False for formats
    without a checksum (see has_checksum); origin_* come from a lookup that
    names the issuing postal service (S10)."""

    carrier: str
    name: str
    format_id: str
    number: str
    valid_checksum: bool
    has_checksum: bool
    confidence: float
    service: str | None
    origin_country: str | None
    origin_courier: str | None
    tracking_url: str | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class _Hit(NamedTuple):
    """A regex match of one format, before ranking (a tuple: built per call)."""

    fmt: Format
    tier: int
    reason: str | None  # why validation failed, for require_valid
    service: str | None
    origin_country: str | None
    origin_courier: str | None


def normalize_number(raw: str) -> str:
    """Remove all whitespace and upper-case: the form every regex is matched on."""
    return "".join(raw.upper().split())


@cache
def _formats_by_length() -> dict[int, tuple[Format, ...]]:
    # A normalised number can only match formats whose width admits its
    # length; indexing by length skips most regexes outright.
    longest = max(f.max_len for f in formats())
    return {n: tuple(f for f in formats() if f.min_len <= n <= f.max_len) for n in range(longest + 1)}


def _evaluate(fmt: Format, groups: dict[str, str | None]) -> _Hit:
    reason = None
    if fmt.checksum is not None:
        serial = fmt.checksum_input(groups.get("SerialNumber") or "")
        if not checksums.verify(fmt.checksum, serial, groups.get("CheckDigit") or ""):
            reason = "check digit does not match"
    service = origin_country = origin_courier = None
    for lookup in fmt.lookups:
        value = groups.get(lookup.group)
        entry = lookup.find(value)
        if entry is None:
            if reason is None and lookup.name in fmt.required_lookups:
                reason = f'{group_label(lookup.group)} "{value or ""}" is not a known {lookup.name.lower()}'
            continue
        if lookup.name == SERVICE_LOOKUP and entry.data.get("name"):
            service = str(entry.data["name"])
        # Entries naming a "courier" identify the issuing postal service
        # (S10); other country lookups (DPD's destination) are no origin.
        if entry.data.get("courier") and value:
            origin_courier = str(entry.data["courier"])
            origin_country = entry.data.get("country_short_code") or (
                value if len(value) == 2 and value.isalpha() else None
            )
    if reason is None and any(fmt.lookup(name) is None for name in fmt.required_lookups):
        reason = "the corpus requires a lookup it does not define"  # data error; fail closed
    tier = FAILED if reason else VALID if fmt.checksum is not None else UNCHECKED
    return _Hit(fmt, tier, reason, service, origin_country, origin_courier)


def _confidence(fmt: Format, tier: int, ambiguous: bool) -> float:
    spec = max(0.0, fmt.specificity)
    if tier == VALID:
        span = 0.10 if ambiguous else 0.25
        value = 0.70 + span * min(1.0, spec / 4)
    elif tier == UNCHECKED:
        value = 0.30 + 0.30 * min(1.0, spec / 3)  # 3 fixed characters reach 0.6
    else:
        value = 0.02 + 0.08 * min(1.0, spec / 4)
    return round(value, 3)


@cache
def _scores() -> dict[tuple[str, int, bool], tuple[float, tuple[float, ...]]]:
    """(format id, tier, ambiguous) -> (confidence, sort key), precomputed
    because they depend on nothing else; the sort key orders by tier, then
    confidence, then specificity, then corpus order (deterministic)."""
    table: dict[tuple[str, int, bool], tuple[float, tuple[float, ...]]] = {}
    for order, fmt in enumerate(formats()):
        for tier in (VALID, UNCHECKED, FAILED):
            for ambiguous in (False, True):
                conf = _confidence(fmt, tier, ambiguous)
                table[fmt.id, tier, ambiguous] = (conf, (-tier, -conf, -fmt.specificity, order))
    return table


def _hits(number: str) -> list[_Hit]:
    hits = []
    for fmt in _formats_by_length().get(len(number), ()):
        m = fmt.regex.fullmatch(number)
        if m is None:
            continue
        hit = _evaluate(fmt, m.groupdict())
        if hit.tier != VALID and fmt.lazy_regex is not None:
            other = fmt.lazy_regex.fullmatch(number)
            if other is not None and other.groupdict() != m.groupdict():
                alt = _evaluate(fmt, other.groupdict())
                hit = alt if alt.tier == VALID else hit
        hits.append(hit)
    return hits


def _rank(number: str, hits: list[_Hit]) -> list[Candidate]:
    # Several carriers whose checksums all hold: nobody gets near-certainty.
    ambiguous = len({h.fmt.courier_code for h in hits if h.tier == VALID}) > 1
    table = _scores()
    scored = sorted(((table[h.fmt.id, h.tier, ambiguous], h) for h in hits), key=lambda sh: sh[0][1])
    return [
        Candidate(
            carrier=h.fmt.courier_code,
            name=h.fmt.name,
            format_id=h.fmt.id,
            number=number,
            valid_checksum=h.tier == VALID,
            has_checksum=h.fmt.checksum is not None,
            confidence=conf,
            service=h.service,
            origin_country=h.origin_country,
            origin_courier=h.origin_courier,
            tracking_url=h.fmt.tracking_url.replace("%s", number) if h.fmt.tracking_url else None,
        )
        for (conf, _), h in scored
    ]


def detect(raw: str) -> list[Candidate]:
    """Every format the number matches, best first ([] when none)."""
    number = normalize_number(raw)
    return _rank(number, _hits(number)) if number else []


def acceptable(c: Candidate) -> bool:
    """A reading detection stands by on its own: its check digit holds, or it has none but a
    distinctive format (confidence >= 0.5)."""
    return c.valid_checksum or (not c.has_checksum and c.confidence >= 0.5)


def best(raw: str) -> Candidate | None:
    """The first candidate whose checksum holds, or that has none but a
    distinctive format (confidence >= 0.5); None otherwise."""
    return next((c for c in detect(raw) if acceptable(c)), None)


def postal_operator(country: str | None) -> str | None:
    """The postal service of ``country`` (ISO alpha-2) as the S10 corpus names it: who
    carries a UPU item's leg there. None for a country the corpus does not list."""
    lookup = next((f.lookup("Courier") for f in formats() if f.courier_code == "s10"), None)
    entry = lookup.find(country) if lookup is not None and country else None
    courier = entry.data.get("courier") if entry is not None else None
    return str(courier) if courier else None


def carriers() -> list[tuple[str, str]]:
    """(courier_code, display name) for every courier in the corpus, sorted."""
    return sorted((c.code, c.name) for c in couriers())


def require_valid(raw: str, carrier: str | None = None) -> Candidate:
    """The best candidate (restricted to `carrier`), or InvalidTrackingNumber
    with a user-readable reason."""
    shown = raw.strip()
    names = dict(carriers())
    if carrier is not None and carrier not in names:
        raise InvalidTrackingNumber(
            f'unknown carrier "{carrier}"; known carriers: {", ".join(sorted(names))}'
        )
    number = normalize_number(raw)
    hits = _hits(number) if number else []
    # Rank among all carriers (so confidence equals detect()'s), then restrict.
    ranked = _rank(number, hits)
    cands = [c for c in ranked if carrier is None or c.carrier == carrier]
    if not cands:
        if carrier is None:
            raise InvalidTrackingNumber(
                f'"{shown}" does not look like a tracking number of any known carrier'
            )
        other = next((c for c in ranked if acceptable(c)), None)
        hint = f" (it looks like a {names[other.carrier]} number)" if other else ""
        raise InvalidTrackingNumber(
            f'"{shown}" does not match any {names[carrier]} tracking number format{hint}'
        )
    for c in cands:
        # Naming the carrier is the confirmation an unchecked format lacks.
        if c.valid_checksum or (not c.has_checksum and (carrier is not None or c.confidence >= 0.5)):
            return c
    top = cands[0]
    reason = next(h.reason for h in hits if h.fmt.id == top.format_id)
    if reason is None:  # only weak formats without a checksum matched
        options = " or ".join(dict.fromkeys(names[c.carrier] for c in cands))
        raise InvalidTrackingNumber(
            f'"{shown}" could be a tracking number from {options}, but it has no check digit '
            "to confirm it; say which carrier it is"
        )
    raise InvalidTrackingNumber(f'"{shown}" is not a valid {top.name} tracking number ({reason})')
