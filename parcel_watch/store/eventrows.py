"""Pure, CPU-bound half of ingest: dedupe keys, new-event filtering, driver-ready rows."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from hashlib import blake2b
from typing import Any

from parcel_watch.model import Source, TzSource
from parcel_watch.status import Status
from parcel_watch.store.dedupe import norm_text
from parcel_watch.timeline import Fact

EVENT_COLUMNS = (
    "shipment_id",
    "dedupe_key",
    "occurred_at",
    "local_time",
    "utc_offset_minutes",
    "tz_source",
    "status",
    "substatus",
    "carrier_code",
    "description",
    "city",
    "region",
    "postal_code",
    "country",
    "source",
    "payload_id",
    "received_at",
)

# Exact str for each enum member: the sqlite3 driver binds a str subclass through its
# slow adapter path, and Enum.value is a descriptor call; a dict lookup is neither.
PLAIN: dict[StrEnum, str] = {m: m.value for e in (Status, TzSource, Source) for m in e}

Encode = Callable[[datetime], Any]
ShipmentKey = tuple[str, str]  # (carrier, tracking number)


@dataclass
class NewEvents:
    """Finds the events not stored yet, remembering what it has seen.

    ``ids`` maps shipment keys to ids; ``existing`` the keys each shipment already has.
    New events' facts are collected per shipment id. The key is dedupe.event_key's.
    """

    ids: dict[ShipmentKey, int]
    existing: dict[int, set[int]]  # shipment id -> dedupe keys already stored
    payload_ids: dict[str, int]
    received: Any
    as_time: Encode
    as_wall: Encode
    new: int = 0
    duplicates: int = 0
    facts: dict[int, list[Fact]] = field(default_factory=dict)
    etas: dict[int, datetime] = field(default_factory=dict)

    def rows(self, part: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Rows for the new events of ``part`` (IngestItems), in the driver's form."""
        out: list[tuple[Any, ...]] = []
        append = out.append
        existing, received, as_time, as_wall = self.existing, self.received, self.as_time, self.as_wall
        plain, norm, etas, all_facts = PLAIN, norm_text, self.etas, self.facts
        # dedupe.event_key() and the row, inlined: this loop runs once per event.
        with gc_paused():
            for item in part:
                payload = item.payload
                pid = self.payload_ids.get(payload.sha256) if payload is not None else None
                for upd in item.updates:
                    carrier, number = upd.carrier, upd.tracking_number
                    sid = self.ids.get((carrier, number))
                    if sid is None:
                        continue
                    if upd.estimated_delivery is not None:
                        etas[sid] = upd.estimated_delivery
                    seen = existing.setdefault(sid, set())
                    facts = all_facts.setdefault(sid, [])
                    prefix = f"{carrier}\x1f{number}\x1f"
                    for ev in upd.events:
                        occurred = ev.occurred_at
                        loc = ev.location
                        code = ev.carrier_code
                        what = norm(code) if code else f"{ev.status}|{norm(ev.description)}"
                        material = (
                            f"{prefix}{int(occurred.timestamp()) // 60}\x1f{what}\x1f"
                            f"{loc.country or ''}|{norm(loc.city)}|{norm(loc.postal_code)}"
                        )
                        key = int.from_bytes(
                            blake2b(material.encode(), digest_size=8).digest(), "big", signed=True
                        )
                        if key in seen:
                            self.duplicates += 1
                            continue
                        seen.add(key)
                        local = ev.local_time
                        append(
                            (
                                sid,
                                key,
                                as_time(occurred),
                                as_wall(local) if local is not None else None,
                                ev.utc_offset_minutes,
                                plain[ev.tz_source],
                                plain[ev.status],
                                ev.substatus,
                                code,
                                ev.description,
                                loc.city,
                                loc.region,
                                loc.postal_code,
                                loc.country,
                                plain[ev.source],
                                pid,
                                received,
                            )
                        )
                        facts.append(ev)
        self.new += len(out)
        return out


@contextmanager
def gc_paused() -> Iterator[None]:
    # The loop allocates a few objects per event and frees none; letting the cyclic GC
    # walk the caller's millions of live models meanwhile costs more than the loop.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
