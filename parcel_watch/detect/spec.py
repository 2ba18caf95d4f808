"""Load and compile the tracking_number_data corpus shipped in ./data.

The corpus (jkeen/tracking_number_data, MIT, see data/LICENSE) is the single
source of truth: formats, regexes, checksums, lookups and test numbers are all
read from it. It is compiled once per process (functools.cache).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from .checksums import ALGORITHMS, UnknownChecksum
from .structure import analyse

_PACKAGE = __name__.rpartition(".")[0]
_NAMED_GROUP = re.compile(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>")
# A required lookup ("validation.additional.exists") that matches is extra
# evidence, worth about half a fixed character.
_LOOKUP_CREDIT = 0.5


def ruby_to_python_regex(pattern: str) -> str:
    """Rewrite Ruby/PCRE named groups `(?<Name>` as Python `(?P<Name>`.

    Walks the pattern so escaped characters (`\\(`) are never mistaken for a
    group opener; lookbehinds `(?<=` / `(?<!` do not match the name rule."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        m = _NAMED_GROUP.match(pattern, i) if c == "(" else None
        if m:
            out.append(f"(?P<{m.group(1)}>")
            i = m.end()
            continue
        out.append(c)
        i += 1
    return "".join(out)


def drop_optional_whitespace(pattern: str) -> str:
    """Remove the corpus' `\\s*` allowances outside character classes.

    Numbers are matched after all whitespace is removed, so `\\s*` can only
    ever match the empty string there; dropping it roughly halves matching
    time. Anything else (including `\\s` inside a class) is kept verbatim."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            token = pattern[i : i + 2]
            if token == "\\s" and not in_class and pattern[i + 2 : i + 3] == "*":
                i += 3
                continue
            out.append(token)
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            # a "]" right after "[" or "[^" is a literal member, not the end
            j = i + 1 + (pattern[i + 1 : i + 2] == "^")
            if pattern[j : j + 1] == "]":
                out.append(pattern[i : j + 1])
                i = j + 1
                continue
        elif c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@dataclass(frozen=True, slots=True)
class LookupEntry:
    matches: str | None
    matches_regex: re.Pattern[str] | None
    data: Mapping[str, Any]  # the entry as in the corpus (name, courier, country, ...)

    def hit(self, value: str) -> bool:
        if self.matches is not None:
            return value == self.matches
        # Group values have a fixed shape, so a full match is what is meant.
        return self.matches_regex is not None and self.matches_regex.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class Lookup:
    name: str
    group: str
    entries: tuple[LookupEntry, ...]
    # Indexes built once: value -> position of the first entry whose `matches`
    # equals it, and the regex entries with their positions. The entry that
    # comes first in the corpus wins, as a linear scan would decide.
    exact: Mapping[str, int] = field(default_factory=dict, compare=False)
    patterns: tuple[tuple[int, LookupEntry], ...] = ()

    def find(self, value: str | None) -> LookupEntry | None:
        if value is None:
            return None
        first = self.exact.get(value, len(self.entries))
        for i, entry in self.patterns:
            if i >= first:
                break
            if entry.hit(value):
                return entry
        return self.entries[first] if first < len(self.entries) else None

    @classmethod
    def build(cls, name: str, group: str, entries: tuple[LookupEntry, ...]) -> Lookup:
        exact: dict[str, int] = {}
        for i, e in enumerate(entries):
            if e.matches is not None:
                exact.setdefault(e.matches, i)
        patterns = tuple((i, e) for i, e in enumerate(entries) if e.matches_regex is not None)
        return cls(name, group, entries, exact, patterns)


@dataclass(frozen=True, slots=True)
class Format:
    courier_code: str
    courier_name: str
    id: str
    name: str
    regex: re.Pattern[str]  # matched against normalised (whitespace-free) numbers
    # The same regex preferring to skip its optional groups, or None when it has none: a
    # number can parse two ways (USPS IMpb "420 ZIP [ZIP+4]" prefix), and the greedy
    # parse is not always the one whose check digit holds.
    lazy_regex: re.Pattern[str] | None
    source_regex: str  # the corpus regex in Python syntax, whitespace allowances kept
    checksum: Mapping[str, Any] | None
    prepend_if: tuple[re.Pattern[str], str] | None
    required_lookups: tuple[str, ...]  # lookup names that must match
    lookups: tuple[Lookup, ...]
    tracking_url: str | None
    valid: tuple[str, ...]
    invalid: tuple[str, ...]
    min_len: int
    max_len: int
    specificity: float  # fixed-character credit, see structure.py; higher = more distinctive

    def lookup(self, name: str) -> Lookup | None:
        return next((lk for lk in self.lookups if lk.name == name), None)

    def checksum_input(self, serial: str) -> str:
        """The SerialNumber as the checksum sees it (serial_number_format.prepend_if)."""
        if self.prepend_if is not None and self.prepend_if[0].search(serial):
            return self.prepend_if[1] + serial
        return serial


@dataclass(frozen=True, slots=True)
class Courier:
    code: str
    name: str
    formats: tuple[Format, ...]


def _read_json(*parts: str) -> Any:
    node = resources.files(_PACKAGE).joinpath("data", *parts)
    return json.loads(node.read_text(encoding="utf-8"))


def _checksum_credit(checksum: Mapping[str, Any] | None) -> float:
    # A stronger check (mod 36) is more evidence than a weak one (mod 7);
    # mod 10 is the baseline at 0.
    if not checksum:
        return 0.0
    modulo = int(checksum.get("modulo2") or checksum.get("modulo") or 10)
    return math.log(modulo / 10) / math.log(36)


_OPTIONAL_GROUP = re.compile(r"\)\?(?![?+])")


def _compile_format(courier: Mapping[str, Any], raw: Mapping[str, Any], used: set[str]) -> Format:
    regex_src = raw["regex"]
    source = ruby_to_python_regex("".join(regex_src) if isinstance(regex_src, list) else regex_src)
    pattern = drop_optional_whitespace(source)
    validation: Mapping[str, Any] = raw.get("validation") or {}
    checksum = validation.get("checksum") or None
    if checksum is not None and checksum["name"] not in ALGORITHMS:
        raise UnknownChecksum(f"{raw['name']}: unknown checksum {checksum['name']!r}")
    prepend = (validation.get("serial_number_format") or {}).get("prepend_if")
    required = tuple((validation.get("additional") or {}).get("exists") or ())
    lookups = tuple(
        Lookup.build(
            a["name"],
            a["regex_group_name"],
            tuple(
                LookupEntry(
                    matches=e.get("matches"),
                    matches_regex=re.compile(ruby_to_python_regex(e["matches_regex"]))
                    if "matches_regex" in e
                    else None,
                    data=e,
                )
                for e in a["lookup"]
            ),
        )
        for a in raw.get("additional") or ()
    )
    # Some entries have no id: derive one from the name, prefixed with the
    # courier code when that would collide (ids must be unique corpus-wide).
    fid = raw.get("id") or slugify(raw["name"])
    if fid in used:
        fid = f"{courier['courier_code']}_{fid}"
    used.add(fid)
    min_len, max_len, credit = analyse(source)
    tests = raw.get("test_numbers") or {}
    return Format(
        courier_code=courier["courier_code"],
        courier_name=courier["name"],
        id=fid,
        name=raw["name"],
        regex=re.compile(pattern),
        lazy_regex=re.compile(lazy) if (lazy := _OPTIONAL_GROUP.sub(")??", pattern)) != pattern else None,
        source_regex=source,
        checksum=checksum,
        prepend_if=(re.compile(ruby_to_python_regex(prepend["matches_regex"])), prepend["content"])
        if prepend
        else None,
        required_lookups=required,
        lookups=lookups,
        tracking_url=raw.get("tracking_url") or None,
        valid=tuple(tests.get("valid") or ()),
        invalid=tuple(tests.get("invalid") or ()),
        min_len=min_len,
        max_len=max_len,
        specificity=credit + _checksum_credit(checksum) + _LOOKUP_CREDIT * len(required),
    )


@cache
def couriers() -> tuple[Courier, ...]:
    """Every courier of the corpus, in file-name order (deterministic)."""
    data_dir = resources.files(_PACKAGE).joinpath("data", "couriers")
    names = sorted(p.name for p in data_dir.iterdir() if p.name.endswith(".json"))
    used: set[str] = set()
    result = []
    for file_name in names:
        raw = _read_json("couriers", file_name)
        formats = tuple(_compile_format(raw, t, used) for t in raw["tracking_numbers"])
        result.append(Courier(code=raw["courier_code"], name=raw["name"], formats=formats))
    return tuple(result)


@cache
def formats() -> tuple[Format, ...]:
    return tuple(f for c in couriers() for f in c.formats)


@cache
def glossary() -> Mapping[str, Mapping[str, str]]:
    """Group name -> {"label", "description"}, e.g. CountryCode -> Country Code."""
    data: Mapping[str, Mapping[str, str]] = _read_json("glossary.json")
    return data


def group_label(group: str) -> str:
    return glossary().get(group, {}).get("label", group)
