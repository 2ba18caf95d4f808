"""The claims vocabulary every part of ``claims/`` shares: anomalies, policies, drafts.

Rules produce :class:`Anomaly` values; policies (data, with their source) say who can claim
what from whom, by when and up to how much; drafting turns (anomaly, shipment, facts,
policy) into a :class:`ClaimDraft`. Money is ``Decimal`` with an ISO 4217 currency, never
a float; dates a claimant must meet are calendar dates in the claimant's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from parcel_watch.model import Money


class AnomalyKind(StrEnum):
    """Stable codes: stored, shown, and used in configuration."""

    LATE = "late"
    DELIVERED_LATE = "delivered_late"
    STALLED = "stalled"
    LOST = "lost"
    DAMAGED = "damaged"
    CUSTOMS_HOLD = "customs_hold"
    DUTIES_DUE = "duties_due"
    DELIVERY_FAILED = "delivery_failed"
    RETURNED_TO_SENDER = "returned_to_sender"
    ETA_SLIPPED = "eta_slipped"
    STATUS_REGRESSION = "status_regression"
    REFUND_OVERDUE = "refund_overdue"


@dataclass(frozen=True)
class Anomaly:
    """What one rule found about one shipment, with the events that show it.

    ``since``: when the condition began (the promised date passed, the last scan...);
    ``details``: small facts for the user and the drafts (days late, amount due...)."""

    kind: AnomalyKind
    shipment_id: int
    since: datetime
    evidence: tuple[int, ...] = ()  # event ids
    details: dict[str, str | int | None] = field(default_factory=dict, compare=False, hash=False)
    # The next instant at which this rule's answer may change without a new event
    # (a deadline crossing); None: only a new event can change it.
    recheck_at: datetime | None = field(default=None, compare=False)


class AnomalyState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


# -- policies (data) ---------------------------------------------------------------


class Party(StrEnum):
    """Who a claim is addressed to."""

    CARRIER = "carrier"
    SELLER = "seller"
    PLATFORM = "platform"
    CARD_ISSUER = "card_issuer"
    PAYPAL = "paypal"


class Claimant(StrEnum):
    SHIPPER = "shipper"  # the merchant / sender / bill-to party
    RECIPIENT = "recipient"  # the consumer / addressee
    EITHER = "either"


class Incident(StrEnum):
    LOSS = "loss"
    DAMAGE = "damage"
    DELAY = "delay"
    NON_DELIVERY = "non_delivery"  # consumer law: the goods never reached the buyer
    REFUND = "refund"  # a returned item's refund not paid in time


class Anchor(StrEnum):
    """The event a claim window's clock starts from (claims-rules.md §6.2)."""

    SHIP_DATE = "ship_date"  # mailing / tender / acceptance by the carrier
    SCHEDULED_DELIVERY = "scheduled_delivery"  # promised or committed delivery date
    DELIVERY = "delivery"  # actual delivery (signature)
    INVOICE = "invoice"  # the carrier's invoice date (FedEx MBG)
    PURCHASE = "purchase"  # contract / payment date
    RETURN_RECEIVED = "return_received"  # the seller got the returned goods back
    EXPECTED_DELIVERY = "expected_delivery"  # chargebacks: the expected date
    DISPUTE_OPENED = "dispute_opened"  # PayPal: escalate within 20 days of opening


class DayCount(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"  # Monday to Friday, not public holidays
    EXCLUDING_SUNDAYS = "excluding_sundays"  # CMR Art. 30: Sundays and public holidays skipped


class Scope(StrEnum):
    ANY = "any"
    DOMESTIC = "domestic"
    INTERNATIONAL = "international"


class TransportMode(StrEnum):
    AIR = "air"
    ROAD = "road"
    POST = "post"


class Document(StrEnum):
    """Stable names for what a claim needs (``Policy.documents``, ``ClaimFacts.documents_on_hand``)."""

    TRACKING = "tracking"  # tracking number / waybill number and the scan history
    PROOF_OF_POSTING = "proof_of_posting"  # receipt, label or certificate of posting
    INVOICE = "invoice"  # proof of value: invoice or receipt
    COMMERCIAL_INVOICE = "commercial_invoice"  # international express shipments
    INSURANCE_RECEIPT = "insurance_receipt"  # proof of declared value / insurance bought
    ITEM_DETAILS = "item_details"  # brand, model, serial number, quantity, price per line
    PHOTOS = "photos"  # item, inner packing, box sides, label
    PACKAGING_KEPT = "packaging_kept"  # goods and box kept for inspection
    CLAIM_FORM = "claim_form"  # the respondent's own form
    WRITTEN_NOTICE = "written_notice"  # reservation / notice sent in writing in time
    REPAIR_ESTIMATE = "repair_estimate"
    ORDER_CONFIRMATION = "order_confirmation"
    SELLER_MESSAGES = "seller_messages"  # what the buyer and seller wrote to each other
    RETURN_PROOF = "return_proof"  # proof the goods were sent back / received by the seller


@dataclass(frozen=True)
class Window:
    """Filing is possible from ``earliest`` to ``latest`` days after the anchor's date."""

    anchor: Anchor
    latest: int
    earliest: int = 0
    days: DayCount = DayCount.CALENDAR
    name: str = "claim"  # "claim", "notice", "inquiry", "dispute"...
    # Calendar months added to the anchor date before ``latest`` days are counted
    # ("file within 9 months": latest=0, months=9).
    months: int = 0
    # Where the earliest day counts from another event than the latest (Royal Mail: from
    # 10 working days after the due date, up to 80 days after posting).
    earliest_anchor: Anchor | None = None
    earliest_days: DayCount | None = None  # None: as ``days``
    incidents: frozenset[Incident] = frozenset()  # the incidents it is for (empty: all)
    # The window that applies instead when this one's anchor is unknown (CMR total loss:
    # 30 days after the agreed date, else 60 days after taking over the goods).
    otherwise: Window | None = None


@dataclass(frozen=True)
class Cap:
    """The liability limit; every part that is set applies and the smallest wins.

    Except: an accepted declared value replaces the included cover and the weight- and
    freight-based limits (declared interest, insurance); ``sdr_parts_add_up`` sums the SDR
    parts; ``package_or_kg_greater`` takes the larger of the flat and per-kg cover."""

    per_package: Money | None = None  # included cover without declared value
    declared_value_max: Money | None = None  # declared value / insurance accepted up to
    sdr_per_kg: Decimal | None = None  # convention caps by gross weight
    sdr_per_item: Decimal | None = None  # UPU: fixed part per item
    freight_multiple: Decimal | None = None  # SF: 7x freight; China Post: 3x postage
    refund_of_charges: bool = False  # delay remedies: the transport charges only
    per_kg: Money | None = None  # a money limit per kg of gross weight (DHL China: CNY 20/kg)
    # FedEx international: the greater of ``per_package`` and ``per_kg`` x weight is the cover.
    package_or_kg_greater: bool = False
    accepts_declared_value: bool = False  # a declared value / insurance replaces the limits
    sdr_parts_add_up: bool = False  # UPU parcels: 40 SDR per item + 4.50 SDR per kg
    postage_refunded_on: frozenset[Incident] = frozenset()  # postage paid back on top
    insured_pro_rata: bool = False  # China Post: partial loss paid in proportion insured/value
    refund_of_price: bool = False  # consumer remedies: the price paid comes back, whatever happened
    non_monetary: str | None = None  # the remedy is not money (stamps, a notice): what it is


@dataclass(frozen=True)
class Policy:
    """One carrier's or regime's claim rule, as data with where it comes from."""

    id: str  # "ups.us.loss", "eu.crd.art18"...
    name: str
    party: Party
    incidents: frozenset[Incident]
    claimant: Claimant
    windows: tuple[Window, ...]
    cap: Cap
    documents: tuple[str, ...]
    remedy: str
    legal_basis: str
    source: str
    verified_on: date
    verified: bool = True  # False: never auto-filed, and the draft says so
    carriers: frozenset[str] = frozenset()  # operators it applies to ("ups", "dhl_paket"; empty: any)
    countries: frozenset[str] = frozenset()  # buyer / origin countries it applies to (empty: any)
    complaint_channel: str | None = None  # where to escalate (12315, ECC-Net...)
    holiday_country: str | None = None  # whose public holidays working days skip ("GB-ENG")
    notes: str = ""
    scope: Scope = Scope.ANY
    mode: TransportMode | None = None  # conventions: the mode of transport they govern
    services: frozenset[str] = frozenset()  # service keywords it is limited to (empty: any)
    excluded_countries: frozenset[str] = frozenset()  # origin countries it does not cover
    destinations: frozenset[str] = frozenset()  # destination countries it is limited to
    payment_methods: frozenset[PaymentMethod] = frozenset()  # chargebacks: how it was paid
    # The respondent's own period (deliver within 30 days, refund within 14): the claim
    # arises once it has passed. Counted like a window; its ``latest`` is the due date.
    duty: Window | None = None
    conditions: tuple[str, ...] = ()  # gates to check before filing, as the draft shows them


# -- facts a claim needs that tracking does not give ---------------------------------------


class PaymentMethod(StrEnum):
    CARD = "card"
    PAYPAL = "paypal"
    ALIPAY = "alipay"
    WECHAT = "wechat"
    BANK = "bank"
    OTHER = "other"


@dataclass(frozen=True)
class ClaimFacts:
    """What the user tells about a shipment so claims can be drafted (all optional)."""

    role: Claimant = Claimant.RECIPIENT
    item_value: Money | None = None  # proven loss: what the goods cost
    shipping_cost: Money | None = None  # freight / postage paid
    declared_value: Money | None = None
    insured: bool = False
    weight_kg: Decimal | None = None
    purchased_on: date | None = None
    payment_method: PaymentMethod | None = None
    seller: str | None = None
    platform: str | None = None
    buyer_country: str | None = None
    time_zone: str = "UTC"  # the claimant's, for deadlines
    consumer_chose_carrier: bool = False  # EU/UK/China: then the risk in transit is the buyer's
    language: str = "en"  # "en" or "zh"
    # What the user already holds ("invoice", "photos"...): a draft lists the policy's
    # documents minus these as still missing.
    documents_on_hand: frozenset[str] = frozenset()


# -- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SdrConversion:
    sdr: Decimal  # the cap in SDR
    rate: Decimal  # currency units per SDR
    currency: str
    rate_date: date
    source: str


@dataclass(frozen=True)
class Amount:
    """min(proven loss, declared value or included cover, legal cap) + refunds, explained."""

    claimed: Money
    proven_loss: Money | None
    cover: Money | None  # declared value or included cover
    legal_cap: Money | None
    postage_refund: Money | None = None
    sdr: SdrConversion | None = None
    basis: tuple[str, ...] = ()  # one line per step, for the draft
    conversions: tuple[SdrConversion, ...] = ()  # every rate used (caps in SDR, other currencies)


@dataclass(frozen=True)
class Deadline:
    window: Window
    anchor_date: date
    earliest: date
    latest: date
    time_zone: str
    holiday_country: str | None = None
    basis: tuple[str, ...] = ()  # how the dates were counted, for the draft

    def expired(self, today: date) -> bool:
        return today > self.latest

    def too_early(self, today: date) -> bool:
        return today < self.earliest


class ClaimStatus(StrEnum):
    DRAFT = "draft"
    READY = "ready"
    FILED = "filed"
    ACKNOWLEDGED = "acknowledged"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    EXPIRED = "expired"


TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.DRAFT: frozenset({ClaimStatus.READY, ClaimStatus.EXPIRED}),
    ClaimStatus.READY: frozenset({ClaimStatus.DRAFT, ClaimStatus.FILED, ClaimStatus.EXPIRED}),
    ClaimStatus.FILED: frozenset(
        {ClaimStatus.ACKNOWLEDGED, ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED}
    ),
    ClaimStatus.ACKNOWLEDGED: frozenset({ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED}),
    ClaimStatus.PAID: frozenset(),
    ClaimStatus.PARTIALLY_PAID: frozenset({ClaimStatus.PAID, ClaimStatus.DENIED}),
    ClaimStatus.DENIED: frozenset({ClaimStatus.FILED}),  # an appeal files it again
    ClaimStatus.EXPIRED: frozenset(),
}


@dataclass(frozen=True)
class ClaimDraft:
    """A claim ready for the user to check and send."""

    shipment_id: int
    anomaly: AnomalyKind
    policy: Policy
    incident: Incident
    respondent: Party
    claimant: Claimant
    amount: Amount | None  # None where the policy gives no money (e.g. a notice)
    deadline: Deadline | None
    documents_missing: tuple[str, ...]
    fields: dict[str, str]  # what the respondent's claim form asks for
    escalation: str | None
    auto_file: bool  # False for an unverified rule or an expired window
    warnings: tuple[str, ...] = ()
