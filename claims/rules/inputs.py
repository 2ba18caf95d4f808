"""What the rules read: light slotted records, built once per shipment from store rows.

Not the pydantic models: a full evaluation reads a million events, and these cost a
fraction of a validated model each. Times are aware UTC datetimes, as in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from parcel_watch.status import Status
from parcel_watch.store.types import micros_to_utc, utc_to_micros


class RuleEvent(NamedTuple):
    """One stored scan, with its id (anomalies cite event ids as evidence).

    A tuple in the column order the store is read in, so that a full pass can use the
    million rows it reads as they come, without building an object per scan (the summary
    reads events by position). ``status`` is a :class:`Status` value; the instant is integer
    microseconds since the Unix epoch (UTC), the store's own SQLite form, and only the few
    a rule reports become datetimes. Build one from a datetime with :meth:`at`."""

    id: int
    micros: int
    status: str
    substatus: str | None = None
    description: str = ""
    country: str | None = None
    utc_offset_minutes: int | None = None
    shipment_id: int = 0

    @property
    def occurred_at(self) -> datetime:
        return micros_to_utc(self.micros)

    @classmethod
    def at(
        cls,
        id: int,
        occurred_at: datetime,
        status: Status,
        substatus: str | None = None,
        description: str = "",
        country: str | None = None,
        utc_offset_minutes: int | None = None,
    ) -> RuleEvent:
        return cls(
            id, utc_to_micros(occurred_at), status, substatus, description, country, utc_offset_minutes
        )


@dataclass(frozen=True, slots=True)
class EtaRevision:
    """An estimated delivery the carrier announced, and when we first saw it."""

    estimated_delivery: datetime
    recorded_at: datetime


class RuleShipment(NamedTuple):
    """The facts of a shipment the rules use (its events are summarised separately).
    A named tuple: immutable, and built a hundred thousand times a pass at a tuple's cost."""

    id: int
    carrier: str
    service: str | None = None
    origin_country: str | None = None
    destination_country: str | None = None
    promised_delivery: date | None = None
    estimated_delivery: datetime | None = None
    eta_revisions: tuple[EtaRevision, ...] = ()  # oldest first
    return_of: int | None = None
    refund_regime: str | None = None
    refund_received_at: datetime | None = None

    @property
    def first_estimate(self) -> datetime | None:
        """The carrier's first announced delivery: its commitment, before any slip."""
        if self.eta_revisions:
            return self.eta_revisions[0].estimated_delivery
        return self.estimated_delivery
