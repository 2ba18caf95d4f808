"""Check-digit algorithms named in the tracking_number_data corpus.

Each algorithm is written as "compute the check character for a serial", so the
same code validates a number (compare with its CheckDigit group) and builds test
numbers (append the result). Semantics follow jkeen's reference implementations
and were verified against every valid/invalid test number in the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

ChecksumSpec = Mapping[str, Any]

_ALNUM36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class UnknownChecksum(ValueError):
    """The corpus names an algorithm this module does not implement."""


# Digits count as themselves. Letters occur in UPS serials; the reference maps
# them with (ord - 3) % 10, which reproduces UPS's own table (A=2 ... J=1, K=2).
_MOD10_VALUE = {c: int(c) for c in "0123456789"} | {
    c: (ord(c) - 3) % 10 for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
}


def mod10(serial: str, spec: ChecksumSpec) -> str:
    """Weighted mod 10: 0-based even positions x evens_multiplier, odd x odds_multiplier."""
    chars = serial[::-1] if spec.get("reverse") else serial
    value = _MOD10_VALUE.__getitem__  # KeyError (a LookupError) on anything else
    evens = sum(map(value, chars[0::2])) * int(spec.get("evens_multiplier", 1))
    odds = sum(map(value, chars[1::2])) * int(spec.get("odds_multiplier", 1))
    return str((10 - (evens + odds) % 10) % 10)


def mod7(serial: str, spec: ChecksumSpec) -> str:
    """DHL Express: the serial as an integer, modulo 7."""
    return str(int(serial) % int(spec.get("modulo", 7)))


def s10(serial: str, spec: ChecksumSpec) -> str:
    """UPU S10: weights 8,6,4,2,3,5,9,7; 11 - sum % 11 with 10 -> 0 and 11 -> 5."""
    weights = spec.get("weightings") or [8, 6, 4, 2, 3, 5, 9, 7]
    modulo = int(spec.get("modulo", 11))
    total = sum(int(c) * int(w) for c, w in zip(serial, weights))
    r = modulo - total % modulo
    return "0" if r == 10 else "5" if r == 11 else str(r)


def sum_product_with_weightings_and_modulo(serial: str, spec: ChecksumSpec) -> str:
    """FedEx: sum(digit x weight), weights aligned from the left (zip, as the
    reference does - every weight list in the corpus is as long as its serial),
    then % modulo1 % modulo2."""
    weights: Sequence[int] = spec["weightings"]
    total = sum(int(c) * int(w) for c, w in zip(serial, weights))
    return str(total % int(spec["modulo1"]) % int(spec["modulo2"]))


def luhn(serial: str, spec: ChecksumSpec) -> str:
    """Standard Luhn: the check digit is appended, so doubling starts at the
    serial's last digit."""
    total = 0
    for i, c in enumerate(reversed(serial)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def mod_37_36(serial: str, spec: ChecksumSpec) -> str:
    """ISO 7064 MOD 37,36 (hybrid system) over the given alphabet (DPD)."""
    alphabet = str(spec.get("alphabet") or _ALNUM36)
    m = len(alphabet)
    p = m
    for c in serial:
        s = (p + alphabet.index(c)) % m or m
        p = (2 * s) % (m + 1)
    return alphabet[(m + 1 - p) % m]


ALGORITHMS: dict[str, Callable[[str, ChecksumSpec], str]] = {
    "mod10": mod10,
    "mod7": mod7,
    "s10": s10,
    "sum_product_with_weightings_and_modulo": sum_product_with_weightings_and_modulo,
    "luhn": luhn,
    "mod_37_36": mod_37_36,
}


def compute_check(spec: ChecksumSpec, serial: str) -> str:
    """The check character the corpus' checksum `spec` expects for `serial`."""
    try:
        algorithm = ALGORITHMS[str(spec["name"])]
    except KeyError:
        raise UnknownChecksum(f"unknown checksum algorithm {spec.get('name')!r}") from None
    return algorithm(serial, spec)


def verify(spec: ChecksumSpec, serial: str, check: str) -> bool:
    """True when `check` is the check character for `serial`. Malformed input
    (a letter where digits are expected) fails instead of raising."""
    algorithm = ALGORITHMS.get(str(spec["name"]))
    if algorithm is None:
        raise UnknownChecksum(f"unknown checksum algorithm {spec.get('name')!r}")
    try:
        return algorithm(serial, spec) == check
    except (ValueError, LookupError):
        return False
