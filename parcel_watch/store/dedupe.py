"""The identity of a scan, independent of how it reached us (poll, webhook or import).

Key = (carrier, tracking number, UTC instant to the minute, carrier code — or the status
and text when the carrier gives no code —, location). Carriers re-send identical scans,
re-order them and round seconds differently between their API and their webhooks, so the
minute is the finest grain that still matches (carrier-apis.md §1.2).
"""

from __future__ import annotations

from functools import lru_cache
from hashlib import blake2b

from parcel_watch.model import TrackingEvent


@lru_cache(maxsize=65536)  # cities, codes and texts repeat across millions of scans
def norm_text(text: str | None) -> str:
    return " ".join(text.split()).casefold() if text else ""


def event_key(carrier: str, tracking_number: str, event: TrackingEvent) -> int:
    """A signed 64-bit key (fits SQLite INTEGER and PostgreSQL BIGINT)."""
    minute = int(event.occurred_at.timestamp()) // 60
    code = event.carrier_code
    what = norm_text(code) if code else f"{event.status}|{norm_text(event.description)}"
    loc = event.location
    material = (
        f"{carrier}\x1f{tracking_number}\x1f{minute}\x1f{what}\x1f"
        f"{loc.country or ''}|{norm_text(loc.city)}|{norm_text(loc.postal_code)}"
    )
    return int.from_bytes(blake2b(material.encode(), digest_size=8).digest(), "big", signed=True)
