"""Domain model: shipments and normalized tracking events (pydantic v2).

Invariants enforced here, not by callers: every stored instant is timezone-aware UTC,
a substatus belongs to its status, countries are ISO 3166 alpha-2, currencies ISO 4217.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from parcel_watch.status import Status, check_substatus

_COUNTRY = re.compile(r"[A-Z]{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")


def _country(value: str) -> str:
    value = value.strip().upper()
    if not _COUNTRY.fullmatch(value):
        raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 country code")
    return value


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            "timestamp must be timezone-aware (a carrier time without offset must be resolved first)"
        )
    return value.astimezone(UTC)


CountryCode = Annotated[str, AfterValidator(_country)]
# The same limits wherever a shipment is named, so nothing is stored that cannot be read back.
TrackingNumber = Annotated[str, Field(min_length=1, max_length=64)]
CarrierSlug = Annotated[str, Field(min_length=1, max_length=40)]
UtcDateTime = Annotated[datetime, AfterValidator(_aware_utc)]


class Source(StrEnum):
    """How an event reached us."""

    POLL = "poll"
    WEBHOOK = "webhook"
    IMPORT = "import"


class TzSource(StrEnum):
    """Where the UTC instant of an event came from (carrier-apis.md §1.1)."""

    CARRIER_OFFSET = "carrier_offset"
    CARRIER_UTC_FIELD = "carrier_utc_field"
    INFERRED_FROM_LOCATION = "inferred_from_location"
    ASSUMED_CARRIER_HOME_ZONE = "assumed_carrier_home_zone"
    UNKNOWN = "unknown"


class CarrierSource(StrEnum):
    """Who chose a shipment's carrier: a user's choice is never overwritten by detection."""

    USER = "user"
    DETECTED = "detected"
    IMPORT = "import"

    @property
    def strength(self) -> int:
        """USER > IMPORT > DETECTED: a weaker source never replaces a stronger one."""
        return _CARRIER_SOURCE_STRENGTH[self]


_CARRIER_SOURCE_STRENGTH = {CarrierSource.DETECTED: 0, CarrierSource.IMPORT: 1, CarrierSource.USER: 2}


class Location(BaseModel):
    model_config = ConfigDict(frozen=True)

    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: CountryCode | None = None


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: Decimal = Field(ge=0)
    currency: str

    @field_validator("currency")
    @classmethod
    def _iso4217(cls, value: str) -> str:
        value = value.strip().upper()
        if not _CURRENCY.fullmatch(value):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return value


class TrackingEvent(BaseModel):
    """One carrier scan, normalized. The carrier's own code and text are kept verbatim."""

    model_config = ConfigDict(frozen=True)

    occurred_at: UtcDateTime
    local_time: datetime | None = None  # carrier's wall-clock time, naive, for display and evidence
    utc_offset_minutes: int | None = Field(default=None, ge=-16 * 60, le=16 * 60)  # see _MAX_OFFSET
    tz_source: TzSource = TzSource.CARRIER_OFFSET
    status: Status = Status.UNKNOWN
    substatus: str | None = None
    carrier_code: str | None = None
    description: str = ""
    location: Location = Location()
    source: Source = Source.POLL

    @field_validator("local_time")
    @classmethod
    def _naive_local(cls, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=None) if value is not None else None

    @model_validator(mode="after")
    def _substatus_matches(self) -> Self:
        check_substatus(self.status, self.substatus)
        return self

    @classmethod
    def trusted(
        cls,
        *,
        occurred_at: datetime,
        local_time: datetime | None,
        utc_offset_minutes: int | None,
        tz_source: TzSource,
        status: Status,
        substatus: str | None,
        carrier_code: str | None,
        description: str,
        location: Location,
        source: Source,
    ) -> TrackingEvent:
        """The event pydantic's validation would build, built in a quarter of its time.

        For parsers, which make tens of thousands a second from values they have already
        typed: the checks that remain are done here, and ValueError stands for what would
        have been a ValidationError. Equivalence with validation is property-tested."""
        if occurred_at.tzinfo is not UTC:
            occurred_at = _aware_utc(occurred_at)
        if local_time is not None and local_time.tzinfo is not None:
            local_time = local_time.replace(tzinfo=None)
        if utc_offset_minutes is not None and not -_MAX_OFFSET <= utc_offset_minutes <= _MAX_OFFSET:
            raise ValueError(f"utc_offset_minutes {utc_offset_minutes} out of range")
        if substatus is not None:
            check_substatus(status, substatus)
        if not (
            type(description) is str
            and (carrier_code is None or type(carrier_code) is str)
            and type(location) is Location
            and type(status) is Status
            and type(tz_source) is TzSource
            and type(source) is Source
            and (utc_offset_minutes is None or type(utc_offset_minutes) is int)
        ):
            return cls(  # anything unusual takes the validating path
                occurred_at=occurred_at,
                local_time=local_time,
                utc_offset_minutes=utc_offset_minutes,
                tz_source=tz_source,
                status=status,
                substatus=substatus,
                carrier_code=carrier_code,
                description=description,
                location=location,
                source=source,
            )
        event = cls.__new__(cls)
        # What BaseModel.model_construct sets, minus its per-field loop.
        _set(
            event,
            "__dict__",
            {
                "occurred_at": occurred_at,
                "local_time": local_time,
                "utc_offset_minutes": utc_offset_minutes,
                "tz_source": tz_source,
                "status": status,
                "substatus": substatus,
                "carrier_code": carrier_code,
                "description": description,
                "location": location,
                "source": source,
            },
        )
        _set(event, "__pydantic_fields_set__", set(_EVENT_FIELDS))
        _set(event, "__pydantic_extra__", None)
        _set(event, "__pydantic_private__", None)
        return event


_set = object.__setattr__
_MAX_OFFSET = 16 * 60
_EVENT_FIELDS = frozenset(TrackingEvent.model_fields)


class EstimateRevision(BaseModel):
    """The carrier's estimated delivery as it was at one moment: revisions are evidence of delay."""

    model_config = ConfigDict(frozen=True)

    estimated_delivery: UtcDateTime
    recorded_at: UtcDateTime


class Shipment(BaseModel):
    id: int | None = None  # set once stored
    tracking_number: TrackingNumber
    carrier: CarrierSlug
    carrier_source: CarrierSource = CarrierSource.DETECTED
    service: str | None = None
    origin_country: CountryCode | None = None
    destination_country: CountryCode | None = None
    ship_date: date | None = None
    promised_delivery: date | None = None
    estimated_delivery: UtcDateTime | None = None
    estimate_revisions: list[EstimateRevision] = Field(default_factory=list)
    declared_value: Money | None = None
    weight_kg: float | None = Field(default=None, ge=0)
    order_ref: str | None = None
    label: str | None = None
    # Current state: derived from the newest event by time (see status.supersedes).
    status: Status = Status.PENDING
    substatus: str | None = None
    last_event_at: UtcDateTime | None = None
    created_at: UtcDateTime = Field(default_factory=lambda: datetime.now(UTC))
    # Polling: shown to the user (a failing carrier is state, not just a log line).
    next_poll_at: UtcDateTime | None = None
    poll_failures: int = 0
    poll_error: str | None = None
    # A return: the shipment it sends back, the refund rule that applies ("eu", "uk", "cn",
    # "us"; claims.rules.refund) and when the user saw the refund (None: not yet).
    return_of: int | None = None
    refund_regime: str | None = Field(default=None, max_length=16)
    refund_received_at: UtcDateTime | None = None


class ShipmentUpdate(BaseModel):
    """What a parser (or an import) produced for one shipment: the unit of ingest."""

    model_config = ConfigDict(frozen=True)

    carrier: CarrierSlug
    tracking_number: TrackingNumber
    events: tuple[TrackingEvent, ...] = ()
    estimated_delivery: UtcDateTime | None = None
