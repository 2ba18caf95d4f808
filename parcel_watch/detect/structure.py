"""Static analysis of a corpus regex: how long a match can be, and how
distinctive the format is.

Both are read off Python's own regex parse tree, so every format is scored by
the same rule instead of hand-tuned per-courier constants:

* width: the (min, max) number of non-whitespace characters a match consumes,
  used to skip formats cheaply before running the regex on a normalised number.
* literal credit: how many "fixed characters" the format demands. A literal
  counts 1; a character class of k symbols counts log(A/k)/log(A) (A = 10 for
  digit-only classes, 36 otherwise), so "any digit" is worth nothing and
  [ACM] about 0.7; an alternation is worth its branches' combined probability
  (-log36 of the sum of 36**-credit); optional parts count nothing.
"""

from __future__ import annotations

import importlib
import math
from typing import Any

# re._parser is the stdlib's regex parser (sre_parse's new home, which
# warns on import in 3.11). It has no type stubs, hence Any.
_p: Any = importlib.import_module("re._parser")

_UNBOUNDED = 1000
_SPACE_CATEGORIES = {_p.CATEGORY_SPACE}
_DIGIT_CATEGORIES = {_p.CATEGORY_DIGIT}
_REPEATS = {_p.MAX_REPEAT, _p.MIN_REPEAT} | (
    {_p.POSSESSIVE_REPEAT} if hasattr(_p, "POSSESSIVE_REPEAT") else set()
)
_ZERO_WIDTH = {_p.AT, _p.ASSERT, _p.ASSERT_NOT}
_WHITESPACE = frozenset(" \t\n\r\f\v")


def _class_info(items: list[tuple[Any, Any]]) -> tuple[int, bool, bool]:
    """(number of non-space symbols, whether it also accepts whitespace,
    whether all symbols are digits) for the items of a [...] class."""
    size, space, digits_only = 0, False, True
    for op, av in items:
        if op is _p.NEGATE:
            return 10_000, True, False
        if op is _p.LITERAL:
            if chr(av) in _WHITESPACE:
                space = True
            else:
                size += 1
                digits_only &= chr(av).isdigit()
        elif op is _p.RANGE:
            lo, hi = av
            size += hi - lo + 1
            digits_only &= chr(lo).isdigit() and chr(hi).isdigit()
        elif op is _p.CATEGORY:
            if av in _SPACE_CATEGORIES:
                space = True
            else:
                size += 10 if av in _DIGIT_CATEGORIES else 64
                digits_only &= av in _DIGIT_CATEGORIES
        else:  # anything exotic: treat as "matches a lot"
            size, digits_only = size + 64, False
    return size, space, digits_only


def _class_credit(size: int, digits_only: bool) -> float:
    alphabet = 10 if digits_only else 36
    return max(0.0, math.log(alphabet / size) / math.log(alphabet)) if size else 0.0


def _analyse(nodes: Any) -> tuple[int, int, float]:
    """(min width, max width, literal credit) of a parsed (sub)pattern."""
    lo_total, hi_total, credit = 0, 0, 0.0
    for op, av in nodes:
        if op is _p.LITERAL:
            w = 0 if chr(av) in _WHITESPACE else 1
            lo, hi, c = w, w, float(w)
        elif op is _p.IN:
            size, space, digits_only = _class_info(av)
            lo, hi = (0 if space else 1), (1 if size else 0)
            c = 0.0 if space else _class_credit(size, digits_only)
        elif op is _p.CATEGORY:
            w = 0 if av in _SPACE_CATEGORIES else 1
            lo, hi, c = w, w, 0.0
        elif op in (_p.ANY, _p.NOT_LITERAL):
            lo, hi, c = 1, 1, 0.0
        elif op in _REPEATS:
            rmin, rmax, sub = av
            slo, shi, sc = _analyse(sub)
            lo = rmin * slo
            if shi == 0:  # e.g. \s* - consumes nothing once whitespace is removed
                hi = 0
            else:
                hi = _UNBOUNDED if rmax == _p.MAXREPEAT else min(_UNBOUNDED, rmax * shi)
            c = rmin * sc
        elif op is _p.SUBPATTERN:
            lo, hi, c = _analyse(av[-1])
        elif op is _p.BRANCH:
            parts = [_analyse(b) for b in av[1]]
            lo = min(x[0] for x in parts)
            hi = max(x[1] for x in parts)
            c = -math.log(sum(36.0 ** -x[2] for x in parts), 36)
        elif op in _ZERO_WIDTH:
            lo, hi, c = 0, 0, 0.0
        elif hasattr(_p, "ATOMIC_GROUP") and op is _p.ATOMIC_GROUP:
            lo, hi, c = _analyse(av)
        else:  # back-references, conditionals: unknown width, no credit
            lo, hi, c = 0, _UNBOUNDED, 0.0
        lo_total += lo
        hi_total = min(_UNBOUNDED, hi_total + hi)
        credit += c
    return lo_total, hi_total, max(0.0, credit)


def analyse(pattern: str) -> tuple[int, int, float]:
    """(min width, max width, literal credit) of a Python regex, whitespace
    not counted (numbers are matched after whitespace is removed)."""
    return _analyse(_p.parse(pattern))
