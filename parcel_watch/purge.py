"""Retention: what ``parcel-watch purge --older-than 180d`` removes, keeps and holds back (pure).

A shipment qualifies when its status is terminal (DELIVERED, RETURNED, CANCELLED, EXPIRED:
nothing more will happen to it; a RETURNED parcel's refund is watched by the
``refund_overdue`` anomaly, which holds it like any other) and its last event (the time it
was last changed, when it has no event) is strictly older than the cutoff, ``now - AGE``.
A shipment still moving is never purged, however old: it is still tracked or disputed.

A qualifying shipment is **held** (left as it is, and counted) while a claim may still
need its evidence:

- ``claim_open``: one of its claims is open — still to file (draft, ready) with its last
  filing day not passed, or waiting for the respondent (filed, acknowledged, partially
  paid). Paid, denied and expired claims are closed, as in the claims queue (an appeal of a
  denial is the user's to file before the purge).
- ``claim_window_open``: an open anomaly for which a claim could still be filed today (a
  policy's window has not closed, or cannot be counted yet for a missing fact), unless
  that policy's claim is already stored (its status then decides).

What the store keeps about a shipment, field by field, and what the purge does with it:

- ``shipments.label`` (the user's free text, often a person's name), ``order_ref`` (ties the
  parcel to a customer in the shop; imported orders land here): set to NULL.
  ``poll_error``: carrier text, redacted. Kept: carrier, tracking number (the key that stops
  a re-import or a late webhook from adding the shipment again), service, countries, dates,
  declared value, weight, status: the statistics.
- ``events.description``: carrier text such as "signed by J SMITH": redacted with
  ``parcel_watch.redact`` (names after hand-over phrases, phone numbers, e-mail addresses).
  ``postal_code``: NULL (a delivery scan's postcode can narrow to a few houses). Kept:
  times, status, substatus, carrier code, city, region, country.
- ``raw_payloads``: carrier documents name recipients, addresses and phones. A payload
  referenced only by purged shipments' events loses its body; one that another shipment's
  event still references stays (it goes when that shipment is purged too). A payload no
  event references, received before the cutoff, goes as well: no timeline or evidence pack
  can reach it. The row stays as a tombstone (carrier, source, content type, time; size 0,
  ``sha256`` ``purged:<id>``, so the same bytes received again are stored afresh): deleting
  the row would have each delete look through the whole events table, which has no index
  on ``payload_id`` (one would cost every ingest).
- ``anomalies.details`` / ``anomaly_changes.details``: carrier text (a duties notice) is
  redacted; kinds, states and times stay (the report counts them).
- ``claim_facts`` (purchase date, price, payment method, seller): deleted; only drafting
  reads them, and every claim of a purged shipment is closed.
- ``claims.draft`` (the letter's document): texts redacted, the order reference blanked;
  status, amounts, dates and policy stay (recovered amounts are statistics).
  ``claim_status_changes``: who changed a status (a person) becomes ``[redacted]`` (the
  tool's own name stays); notes are redacted.
- ``notify_log`` (messages sent: label, event text) and ``notify_watchers`` (apprise URLs:
  e-mail addresses, phone numbers): deleted; a terminal shipment has nothing more to tell.
- Evidence packs and letters already exported are files the store does not track: they
  are redacted unless asked otherwise; delete them yourself.

``parcel_watch.store.purge`` reads and writes; ``parcel_watch.purge_run`` runs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from parcel_watch.redact import REDACTED, redact
from parcel_watch.status import TERMINAL, Status

# Days and weeks only: "6m" could be months or minutes, and a month has no fixed length.
UNITS = {"d": 1, "w": 7}
MAX_DAYS = 36_500  # a hundred years: beyond it the cutoff falls before any record
_DURATION = re.compile(r"\s*([0-9]{1,9})\s*([a-zA-Z]+)\s*")
TOMBSTONE_PREFIX = "purged:"
SYSTEM_ACTOR = "parcel-watch"  # claims.lifecycle.SYSTEM_ACTOR (not imported: no claims here)


class DurationError(ValueError):
    """An age that is not a whole number of days or weeks (the message says how to write one)."""


def parse_duration(text: str) -> timedelta:
    """``"180d"`` → 180 days, ``"26w"`` → 182 days (1 to 36,500 days; case and spaces ignored)."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise DurationError(f"age {text!r}: write a number of days or weeks, e.g. 180d or 26w")
    number, unit = int(match.group(1)), match.group(2).lower()
    if unit not in UNITS:
        extra = " (months or minutes? use days, e.g. 183d)" if unit in ("m", "mo", "month", "months") else ""
        raise DurationError(f"age {text!r}: unit {unit!r} is not d (days) or w (weeks){extra}")
    days = number * UNITS[unit]
    if not 1 <= days <= MAX_DAYS:
        raise DurationError(f"age {text!r}: between 1 day and {MAX_DAYS} days")
    return timedelta(days=days)


def qualifies(status: Status, last_change: datetime, cutoff: datetime) -> bool:
    """Terminal, and last changed strictly before the cutoff (at the cutoff: kept)."""
    return status in TERMINAL and last_change < cutoff


class Hold(StrEnum):
    CLAIM_OPEN = "claim_open"
    CLAIM_WINDOW_OPEN = "claim_window_open"


# Claim statuses by whether the claim is still going somewhere (claims.model.ClaimStatus values).
UNFILED = frozenset({"draft", "ready"})
WAITING = frozenset({"filed", "acknowledged", "partially_paid"})


def claim_open(status: str, latest: date | None, claimant_today: date) -> bool:
    """An unfiled claim is open until its last filing day (no deadline: open); a filed one
    until the respondent answers for good (paid, denied) or it expired."""
    if status in WAITING:
        return True
    return status in UNFILED and (latest is None or claimant_today <= latest)


def window_open(latest: date | None, claimant_today: date) -> bool:
    """A claim not yet drafted could still be filed: its window is open, or not countable."""
    return latest is None or claimant_today <= latest


# -- scrubbing ---------------------------------------------------------------------------


def scrub_details(text: str) -> str | None:
    """Anomaly details (JSON text) with every string value redacted; None when nothing
    changes. Unreadable JSON becomes an empty object (it cannot be cleaned)."""
    return _scrub_json(text, frozenset())


# Keys of a claim document whose value ties it to a customer: blanked, not merely redacted.
BLANKED_KEYS = frozenset({"order_ref"})


def scrub_document(text: str) -> str | None:
    """A claim's stored document (JSON text): texts redacted, order references blanked;
    None when nothing changes."""
    return _scrub_json(text, BLANKED_KEYS)


def _scrub_json(text: str, blanked: frozenset[str]) -> str | None:
    try:
        value = json.loads(text)
    except ValueError:
        return "{}"
    scrubbed = _redact_json(value, blanked)
    return None if scrubbed == value else json.dumps(scrubbed, ensure_ascii=False)


def _redact_json(value: Any, blanked: frozenset[str]) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {
            key: ("" if isinstance(item, str) else None)
            if key in blanked and item is not None
            else _redact_json(item, blanked)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact_json(item, blanked) for item in value]
    return value


def scrub_actor(by: str) -> str:
    return by if by in (SYSTEM_ACTOR, REDACTED) else REDACTED


# Carriers word their scans from templates: most texts recur, and a second run meets only
# redacted ones: remembered answers spare most of the ~25 µs a redaction costs.
_redact_cached = lru_cache(maxsize=1 << 16)(redact)


def scrub_text(text: str | None) -> str | None:
    return None if text is None else _redact_cached(text)


# -- the run's outcome ---------------------------------------------------------------------


@dataclass
class PurgeReport:
    cutoff: datetime
    dry_run: bool
    qualifying: int = 0  # terminal and older than the cutoff
    purged: int = 0  # shipments whose personal data went (or would go)
    already_purged: int = 0  # qualifying, nothing personal left
    held_claim_open: int = 0
    held_claim_window_open: int = 0
    payloads_deleted: int = 0  # bodies deleted (tombstoned)
    payloads_shared: int = 0  # kept: another shipment's event still refers to them
    bytes_freed: int = 0  # stored (compressed) payload bytes
    events_redacted: int = 0
    sqlite_wal_truncated: bool | None = None  # SQLite only: the old pages left the WAL file

    def hold(self, reason: Hold) -> None:
        if reason is Hold.CLAIM_OPEN:
            self.held_claim_open += 1
        else:
            self.held_claim_window_open += 1

    @property
    def held(self) -> int:
        return self.held_claim_open + self.held_claim_window_open

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["cutoff"] = self.cutoff.isoformat()
        data["held"] = self.held
        return data
