"""Rule thresholds: defaults, overridden per carrier, service and lane; the most specific wins.

Lookup order for a shipment: (carrier, service, lane) > (carrier, service) > (carrier, lane)
> carrier > defaults. An override names only the thresholds it changes; the others come
from the next less specific level. In the config file (TOML)::

    [rules]                       # defaults for every shipment
    stalled_business_days = 5

    [[rules.override]]
    carrier = "dhl"               # required
    service = "express"           # optional (compared case-insensitively)
    lane = "CN-DE"                # optional: origin-destination, ISO 3166 alpha-2
    stalled_business_days = 7
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

# Service names whose commitment is a time, not a day: their delivery is late to the minute.
_EXPRESS_WORDS = ("express", "overnight", "next day", "priority", "10:30", "9:00", "12:00", "sameday")


class ThresholdError(ValueError):
    """A rules configuration that cannot be used; the message says where."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    stalled_business_days: int = 5  # full business days without a scan while in transit
    stalled_min_business_days: int = 2  # lane statistics never make "stalled" quicker than this
    lost_business_days: int = 15  # without a scan: presumed lost (never before twice "stalled")
    customs_hold_business_days: int = 3
    failed_attempts: int = 2
    eta_slip_days: int = 1  # the estimate moved this many local days later, or more
    lane_min_delivered: int = 30  # delivered shipments a lane needs before its statistics count
    lane_sample: int = 500  # the lane's most recent delivered shipments the statistics use
    to_the_minute: bool | None = None  # delivered_late to the minute; None: by the service name

    def minute_precision(self, service: str | None) -> bool:
        if self.to_the_minute is not None:
            return self.to_the_minute
        name = (service or "").lower()
        return any(word in name for word in _EXPRESS_WORDS)


_NAMES = {f.name: f for f in fields(Thresholds)}
Key = tuple[str | None, str | None, str | None]  # (carrier, service, lane "CN-DE")


def _checked(values: Mapping[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in _NAMES:
            raise ThresholdError(f"{where}: unknown threshold {name!r} (known: {', '.join(sorted(_NAMES))})")
        if name == "to_the_minute":
            if not isinstance(value, bool):
                raise ThresholdError(f"{where}: {name} must be true or false")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ThresholdError(f"{where}: {name} must be a whole number >= 0")
        out[name] = value
    return out


class ThresholdTable:
    """Defaults plus overrides; ``lookup`` answers per (carrier, service, origin, destination)."""

    def __init__(
        self, defaults: Thresholds | None = None, overrides: Mapping[Key, Mapping[str, Any]] | None = None
    ) -> None:
        self.defaults = defaults or Thresholds()
        self._overrides: dict[Key, dict[str, Any]] = {}
        for (carrier, service, lane), values in (overrides or {}).items():
            key = (carrier.lower() if carrier else None, service.lower() if service else None, lane)
            self._overrides[key] = _checked(values, f"override {key}")
        self.lookup = lru_cache(maxsize=4096)(self._lookup)

    def _lookup(
        self, carrier: str, service: str | None, origin: str | None, destination: str | None
    ) -> Thresholds:
        carrier = carrier.lower()
        svc = service.lower() if service else None
        lane = f"{origin}-{destination}" if origin and destination else None
        merged = self.defaults
        levels: list[Key] = [(carrier, None, None)]  # least specific first: later ones win
        if lane:
            levels.append((carrier, None, lane))
        if svc:
            levels.append((carrier, svc, None))
        if svc and lane:
            levels.append((carrier, svc, lane))
        for key in levels:
            found = self._overrides.get(key)
            if found:
                merged = replace(merged, **found)
        return merged

    @classmethod
    def from_config(cls, data: Mapping[str, Any]) -> ThresholdTable:
        """From the ``[rules]`` table of a parsed config file (absent: the defaults)."""
        rules = data.get("rules", {})
        if not isinstance(rules, dict):
            raise ThresholdError("[rules] must be a table")
        plain = {k: v for k, v in rules.items() if k != "override"}
        defaults = Thresholds(**_checked(plain, "[rules]"))
        overrides: dict[Key, Mapping[str, Any]] = {}
        entries = rules.get("override", [])
        if not isinstance(entries, list):
            raise ThresholdError("[[rules.override]] must be an array of tables")
        for n, entry in enumerate(entries, start=1):
            where = f"[[rules.override]] #{n}"
            if not isinstance(entry, dict) or not isinstance(entry.get("carrier"), str):
                raise ThresholdError(f"{where}: 'carrier' is required")
            service, lane = entry.get("service"), entry.get("lane")
            if lane is not None and (not isinstance(lane, str) or len(lane.split("-")) != 2):
                raise ThresholdError(f'{where}: lane must look like "CN-DE" (origin-destination)')
            key: Key = (entry["carrier"], service, lane.upper() if lane else None)
            if key in overrides:
                raise ThresholdError(f"{where}: a second override for {key}")
            overrides[key] = {k: v for k, v in entry.items() if k not in ("carrier", "service", "lane")}
        return cls(defaults, overrides)

    @classmethod
    def load(cls, path: Path | None) -> ThresholdTable:
        """From a TOML config file; a missing file (or None) gives the defaults."""
        if path is None or not path.is_file():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # TOMLDecodeError, not UTF-8, an integer over 4,300 digits
            raise ThresholdError(f"{path}: {exc}") from exc
        try:
            return cls.from_config(data)
        except ThresholdError as exc:
            raise ThresholdError(f"{path}: {exc}") from exc
