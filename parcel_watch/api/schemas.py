"""The API's request and response bodies as pydantic models: the JSON Schema of each goes
into the OpenAPI document, and each response is validated against it before it is sent.

Text from carriers (descriptions, places) is passed on as received: JSON escapes it, and
what a client does with it is the client's business."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from claims.model import AnomalyKind, ClaimStatus, Party
from parcel_watch.status import Status
from parcel_watch.views.parcels import SortOrder

Item = TypeVar("Item", bound=BaseModel)

MAX_LIMIT = 500


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    status: int
    message: str
    details: list[str] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    error: ErrorBody


class Page(BaseModel, Generic[Item]):
    """One page of a list: ``next`` is the URL of the following page, null on the last."""

    items: list[Item]
    total: int
    limit: int
    offset: int
    next: str | None


class PageQuery(Strict):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="items per page")
    offset: int = Field(0, ge=0, le=10_000_000, description="items to skip")


class ShipmentQuery(PageQuery):
    status: list[Status] = Field(default_factory=list, description="any of these statuses (repeatable)")
    carrier: str | None = Field(None, max_length=40)
    anomaly: bool | None = Field(None, description="true: with an open anomaly; false: without")
    q: str = Field("", max_length=200, description="part of the number, label or order reference")
    archived: bool = Field(False, description="include archived shipments")
    sort: SortOrder = SortOrder.NEWEST_SCAN


class ShipmentSummary(BaseModel):
    id: int
    tracking_number: str
    carrier: str
    label: str | None
    status: Status
    substatus: str | None
    last_description: str | None
    last_place: str | None
    last_scan: datetime | None
    estimated_delivery: datetime | None
    promised_delivery: date | None
    open_anomalies: list[str]
    archived: bool


class Money(BaseModel):
    amount: Decimal
    currency: str


class Shipment(BaseModel):
    id: int
    tracking_number: str
    carrier: str
    carrier_name: str
    carrier_source: str
    status: Status
    substatus: str | None
    label: str | None
    order_ref: str | None
    service: str | None
    origin_country: str | None
    destination_country: str | None
    route: list[str]
    ship_date: date | None
    promised_delivery: date | None
    estimated_delivery: datetime | None
    declared_value: Money | None
    last_scan: datetime | None
    created_at: datetime
    archived_at: datetime | None
    polled_at: datetime | None
    events: int
    open_anomalies: list[str]
    claims: list[int]


class NewShipment(Strict):
    tracking_number: str = Field(min_length=1, max_length=100, examples=["1Z999AA10123456784"])
    carrier: str | None = Field(
        None, min_length=1, max_length=40, description="kept over detection", examples=["ups"]
    )
    label: str | None = Field(None, max_length=200)
    order_ref: str | None = Field(None, max_length=120)
    service: str | None = Field(None, max_length=120)
    origin_country: str | None = Field(None, pattern="^[A-Za-z]{2}$")
    destination_country: str | None = Field(None, pattern="^[A-Za-z]{2}$")
    ship_date: date | None = None
    promised_delivery: date | None = None


class AddedShipment(BaseModel):
    created: bool
    detected_carrier: str
    confidence: float
    replaced: list[str]
    also_stored: list[str]
    shipment: Shipment


class Event(BaseModel):
    id: int
    occurred_at: datetime
    local_time: datetime | None
    utc_offset_minutes: int | None
    tz_source: str
    status: Status
    substatus: str | None
    carrier_code: str | None
    description: str
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    source: str
    payload_sha256: str | None


class AnomalyQuery(PageQuery):
    kind: AnomalyKind | None = None
    shipment_id: int | None = Field(None, ge=1, le=2**62)
    state: Literal["open", "all"] = "open"


class ShipmentRef(BaseModel):
    id: int
    tracking_number: str
    carrier: str
    label: str | None


class Anomaly(BaseModel):
    id: int
    kind: str
    state: str
    since: datetime
    opened_at: datetime
    resolved_at: datetime | None
    summary: str
    details: dict[str, str | int | None]
    evidence_events: list[int]
    claims: int
    nearest_deadline: date | None
    days_left: int | None
    shipment: ShipmentRef


class ClaimQuery(PageQuery):
    status: ClaimStatus | None = None
    respondent: Party | None = None
    shipment_id: int | None = Field(None, ge=1, le=2**62)


class StatusChange(BaseModel):
    from_status: ClaimStatus | None
    to_status: ClaimStatus
    by: str
    at: datetime
    note: str | None


class Claim(BaseModel):
    id: int
    anomaly: str
    policy_id: str
    respondent: str
    incident: str
    status: ClaimStatus
    allowed_next: list[ClaimStatus]
    amount: Money | None
    earliest: date | None
    latest: date | None
    time_zone: str
    days_left: int | None
    created_at: datetime
    updated_at: datetime
    shipment: ShipmentRef


class ClaimDetail(Claim):
    history: list[StatusChange]
    document: dict[str, Any]


class StatusUpdate(Strict):
    status: ClaimStatus
    note: str | None = Field(None, max_length=2000)


class ReportQuery(Strict):
    by: Literal["carrier", "service", "lane", "month"] = "carrier"
    since: date | None = Field(None, description="shipments shipped on or after this day")


class Rate(BaseModel):
    count: int
    of: int
    rate: float | None
    ci95: list[float] | None = Field(description="Wilson 95 % interval [low, high]")


class Percentiles(BaseModel):
    p50: int | None
    p90: int | None
    p99: int | None = None


class ReportRow(BaseModel):
    carrier: str
    service: str | None
    origin: str | None
    destination: str | None
    month: str | None
    shipments: int
    delivered: int
    on_time_vs_promise: Rate
    on_time_vs_estimate: Rate
    transit_business_days: Percentiles
    first_scan_lag_hours: Percentiles
    stalled: Rate
    lost_or_damaged: Rate
    exceptions: dict[str, int]
    exception_rates: dict[str, float]
    open_claims: int
    open_claimed: dict[str, str] = Field(description="currency -> amount (exact decimal text)")
    recovered: dict[str, str] = Field(description="currency -> amount (exact decimal text)")


class Report(BaseModel):
    by: str
    since: date | None
    rows: list[ReportRow]
