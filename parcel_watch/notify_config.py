"""Notification settings (the config file's ``notify``), routing a fact to its targets, and
apprise URLs shown without their secrets.

Either a plain list of apprise URLs, told about every kind of fact::

    notify = ["ntfy://ntfy.sh/my-parcels", "mailto://me:app-password@gmail.com"]

or a table with routes by kind, quiet hours and a daily digest::

    [notify]
    urls = ["ntfy://ntfy.sh/my-parcels"]      # every kind
    quiet_hours = "22:00-07:00"
    time_zone = "Europe/Berlin"                 # default: this computer's
    deadline_days = [7, 1]                      # claim-deadline reminders, days before the last day

    [[notify.route]]
    kinds = ["delivered", "claim_deadline"]
    urls = ["mailto://me:app-password@gmail.com"]
    digest = "08:00"                            # these go out once a day

URLs may also come from ``PARCEL_WATCH_NOTIFY_URLS`` (whitespace-separated), so secrets can
stay out of the file. Watchers (``parcel-watch notify watch NUMBER URL``) hear every kind of
fact about their shipment.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parcel_watch.notify_facts import Fact, FactKind
from parcel_watch.notify_schedule import QuietHours, ScheduleError, Timing, parse_clock

ENV_URLS = "PARCEL_WATCH_NOTIFY_URLS"
DEFAULT_DEADLINE_DAYS = (3,)
_KINDS = ", ".join(k.value for k in FactKind)


class NotifyConfigError(ValueError):
    """The ``notify`` settings cannot be used; the message says where and why (never a URL)."""


def target_key(url: str) -> str:
    """A URL's identity in the store, without storing the URL (it holds secrets)."""
    return hashlib.sha256(url.strip().encode()).hexdigest()


def redact(url: str) -> str:
    """A URL for logs and lists: apprise's privacy form (passwords and tokens shortened)
    without the query string, which may carry tokens and addresses too."""
    try:
        import apprise

        plugin = apprise.Apprise.instantiate(url.strip(), suppress_exceptions=True)
    except Exception:  # noqa: BLE001 - whatever apprise makes of a bad URL, show it redacted
        plugin = None
    shown = plugin.url(privacy=True) if plugin else _fallback_redaction(url)  # type: ignore[no-untyped-call]
    return str(shown).split("?", 1)[0][:240]


def scrub(text: str, url: str) -> str:
    """``text`` (a service's error message) without any part of ``url`` that may be secret:
    the user name and password, path segments and query values (the host stays)."""
    try:
        parts = urlsplit(url.strip())
        secrets = [parts.username, parts.password, *parts.path.split("/")]
    except ValueError:
        secrets = []
    secrets += [v for pair in urlsplit(url).query.split("&") for v in pair.split("=")[1:]]
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "****")
    return text


def _fallback_redaction(url: str) -> str:
    # A URL apprise cannot read: keep its scheme and host, nothing that may be a secret.
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or "?"
    except ValueError:
        return "<unreadable URL>"
    return f"{parts.scheme or '?'}://{host}/…"


@dataclass(frozen=True)
class Route:
    kinds: frozenset[FactKind]
    urls: tuple[str, ...]
    timing: Timing


@dataclass(frozen=True)
class Delivery:
    """One target of one fact, and how that target receives it."""

    url: str
    timing: Timing

    @property
    def target(self) -> str:
        return target_key(self.url)


@dataclass(frozen=True)
class NotifySettings:
    routes: tuple[Route, ...] = ()  # the first is the catch-all of ``urls`` (every kind)
    timing: Timing = field(default_factory=Timing)  # for watchers, and routes that say nothing
    zone: tzinfo = field(default_factory=lambda: _local_zone())
    deadline_days: tuple[int, ...] = DEFAULT_DEADLINE_DAYS

    @property
    def urls(self) -> tuple[str, ...]:
        """Every configured URL once, in the order given."""
        return tuple(dict.fromkeys(u for r in self.routes for u in r.urls))

    def deliveries(self, fact: Fact, watchers: Iterable[str] = ()) -> list[Delivery]:
        """Where ``fact`` goes: the routes naming its kind, then the shipment's watchers;
        a URL reached twice gets it once, with the timing of the first route to it."""
        chosen: dict[str, Delivery] = {}
        for route in self.routes:
            if fact.kind in route.kinds:
                for url in route.urls:
                    chosen.setdefault(target_key(url), Delivery(url, route.timing))
        for url in watchers:
            chosen.setdefault(target_key(url), Delivery(url, self.timing))
        return list(chosen.values())

    def url_for(self, target: str, watchers: Iterable[str] = ()) -> str | None:
        """The URL behind a stored target key, if it is still configured."""
        for url in (*self.urls, *watchers):
            if target_key(url) == target:
                return url
        return None

    @classmethod
    def load(cls, path: Path | None, env: Mapping[str, str] | None = None) -> NotifySettings:
        """From the TOML config file (missing: no routes) and ``PARCEL_WATCH_NOTIFY_URLS``."""
        data: dict[str, Any] = {}
        if path is not None and path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:  # TOMLDecodeError, not UTF-8, an integer over 4,300 digits
                raise NotifyConfigError(f"{path}: {exc}") from exc
        env_urls = (os.environ if env is None else env).get(ENV_URLS, "").split()
        try:
            return cls.from_config(data, env_urls)
        except NotifyConfigError as exc:
            raise NotifyConfigError(f"{path}: {exc}" if path else str(exc)) from exc

    @classmethod
    def from_config(cls, data: Mapping[str, Any], extra_urls: Sequence[str] = ()) -> NotifySettings:
        raw = data.get("notify", {})
        if isinstance(raw, list):
            raw = {"urls": raw}
        if not isinstance(raw, dict):
            raise NotifyConfigError("notify must be a list of apprise URLs or a [notify] table")
        known = {"urls", "route", "quiet_hours", "digest", "time_zone", "deadline_days"}
        if unknown := sorted(set(raw) - known):
            raise NotifyConfigError(f"[notify]: unknown setting(s) {', '.join(unknown)}")
        zone = _zone(raw.get("time_zone"))
        timing = _timing(raw, "[notify]", Timing())
        routes = [
            Route(frozenset(FactKind), (*_urls(raw.get("urls", []), "[notify] urls"), *extra_urls), timing)
        ]
        entries = raw.get("route", [])
        if not isinstance(entries, list):
            raise NotifyConfigError("[[notify.route]] must be an array of tables")
        for n, entry in enumerate(entries, start=1):
            where = f"[[notify.route]] #{n}"
            if not isinstance(entry, dict):
                raise NotifyConfigError(f"{where} must be a table")
            if unknown := sorted(set(entry) - {"kinds", "urls", "quiet_hours", "digest"}):
                raise NotifyConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}")
            routes.append(
                Route(
                    _kinds(entry.get("kinds"), where),
                    _urls(entry.get("urls"), where),
                    _timing(entry, where, timing),
                )
            )
        return cls(tuple(r for r in routes if r.urls), timing, zone, _deadline_days(raw.get("deadline_days")))


def _local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def _zone(name: object) -> tzinfo:
    if name is None:
        return _local_zone()
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise NotifyConfigError(f'[notify] time_zone: unknown zone {name!r} (e.g. "Europe/Berlin")') from None


def _urls(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(u, str) and "://" in u for u in value):
        raise NotifyConfigError(f"{where}: urls must be a list of apprise URLs (scheme://…)")
    return tuple(u.strip() for u in value)


def _kinds(value: object, where: str) -> frozenset[FactKind]:
    if not isinstance(value, list) or not value:
        raise NotifyConfigError(f"{where}: kinds must be a list of: {_KINDS}")
    try:
        return frozenset(FactKind(str(k)) for k in value)
    except ValueError:
        raise NotifyConfigError(f"{where}: unknown kind in {value!r}; known kinds: {_KINDS}") from None


def _timing(table: Mapping[str, Any], where: str, inherited: Timing) -> Timing:
    try:
        quiet = table.get("quiet_hours")
        digest = table.get("digest")
        return Timing(
            QuietHours.parse(quiet) if quiet else (None if quiet == "" else inherited.quiet_hours),
            parse_clock(digest, "digest") if digest else (None if digest == "" else inherited.digest),
        )
    except ScheduleError as exc:
        raise NotifyConfigError(f"{where}: {exc}") from None


def _deadline_days(value: object) -> tuple[int, ...]:
    if value is None:
        return DEFAULT_DEADLINE_DAYS
    days = value if isinstance(value, list) else [value]
    if not days or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 365 for d in days):
        raise NotifyConfigError("[notify] deadline_days must be a number of days (0-365) or a list of them")
    return tuple(sorted(set(days), reverse=True))
