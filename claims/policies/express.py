"""Express carriers' claim rules (claims-rules.md §1): UPS, FedEx, DHL Express, SF Express.

Numbers are the reference's, unchanged. Where it leaves the clock's start open, the earlier
event is used (the claimant is then never told a later date than the real one) and the
notes say so. Rows marked "?" in the reference are ``verified=False``.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from claims.model import (
    Anchor,
    Cap,
    Claimant,
    Document,
    Incident,
    Party,
    Policy,
    Scope,
    Window,
)
from claims.policies.common import REFERENCE_DATE, money
from claims.policies.guarantees import describe

LOSS, DAMAGE, DELAY = Incident.LOSS, Incident.DAMAGE, Incident.DELAY

_UPS_SOURCES = (
    "[1] icclogistics.com/?p=2738; [2] support.shipopti.com parcel-clai; [3] shipscience.com ups-declared-value; "
    "[6] ups.com …/sri/claim-document-requirements.page"
)
_UPS_CAP = Cap(per_package=money("100", "USD"), accepts_declared_value=True)
_UPS_DOCUMENTS = (
    Document.TRACKING,
    Document.INVOICE,
    Document.ITEM_DETAILS,
    Document.PHOTOS,
    Document.PACKAGING_KEPT,
)
_UPS_CONDITIONS = (
    "Brand, model and serial number are required for electronics worth more than $500 [6].",
    "Seven photos, including the label and the box certificate [6].",
    "Keep the goods and the packaging until the claim is settled [6].",
)

UPS_US = Policy(
    id="ups.us",
    name="UPS (US terms): loss and damage",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.EITHER,
    windows=(
        Window(Anchor.DELIVERY, latest=60, name="notice", incidents=frozenset({DAMAGE})),
        Window(Anchor.SCHEDULED_DELIVERY, latest=60, name="notice", incidents=frozenset({LOSS})),
        Window(Anchor.DELIVERY, latest=0, months=9, name="claim", incidents=frozenset({DAMAGE})),
        Window(Anchor.SCHEDULED_DELIVERY, latest=0, months=9, name="claim", incidents=frozenset({LOSS})),
    ),
    cap=_UPS_CAP,
    documents=_UPS_DOCUMENTS,
    remedy="The proven loss, up to the declared value, else up to $100 per package.",
    legal_basis="UPS Terms and Conditions of Service / UPS Tariff (United States)",
    source=_UPS_SOURCES,
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"ups"}),
    countries=frozenset({"US"}),
    holiday_country="US",
    conditions=_UPS_CONDITIONS,
    notes="Non-delivery counts from the scheduled delivery date [1].",
)

UPS_NON_US = Policy(
    id="ups.non_us",
    name="UPS (terms outside the US): loss, damage and delay",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE, DELAY}),
    claimant=Claimant.EITHER,
    windows=(
        Window(Anchor.DELIVERY, latest=14, name="claim", incidents=frozenset({DAMAGE})),
        Window(Anchor.DELIVERY, latest=21, name="claim", incidents=frozenset({DELAY})),
        Window(Anchor.SHIP_DATE, latest=0, months=6, name="claim", incidents=frozenset({LOSS})),
    ),
    cap=_UPS_CAP,
    documents=_UPS_DOCUMENTS,
    remedy="The proven loss, up to the declared value, else up to $100 per package.",
    legal_basis="UPS Terms and Conditions of Carriage of the origin country",
    source=_UPS_SOURCES,
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"ups"}),
    excluded_countries=frozenset({"US"}),
    conditions=_UPS_CONDITIONS,
    notes=(
        "'Some non-US terms' [2]: check the origin country's terms. The 6 months for other claims "
        "are counted from the ship date, the earliest start the reference allows."
    ),
)

UPS_GSR = Policy(
    id="ups.gsr",
    name="UPS Guaranteed Service Refund (Next Day Air, Worldwide Express)",
    party=Party.CARRIER,
    incidents=frozenset({DELAY}),
    claimant=Claimant.SHIPPER,
    # 15 days after the scheduled delivery, or after the delivery if that is later (it is,
    # when the parcel came late); before delivery, from the scheduled date.
    windows=(
        Window(
            Anchor.DELIVERY,
            latest=15,
            name="refund request",
            otherwise=Window(Anchor.SCHEDULED_DELIVERY, latest=15, name="refund request"),
        ),
    ),
    cap=Cap(refund_of_charges=True),
    documents=(Document.TRACKING,),
    remedy="Refund of the transport charges of a late shipment (Guaranteed Service Refund).",
    legal_basis="UPS Service Guarantee (Guaranteed Service Refund)",
    source="[4] ups.com …/sri/guaranteed-service-refund.page; [5] afms.com GSR suspension; shippingeasy 360044127972",
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"ups"}),
    countries=frozenset({"US"}),
    services=frozenset({"next day air", "worldwide express"}),
    conditions=("Only the payer may ask [4].", *describe("ups.gsr")),
)

UPS_GSR_GROUND = replace(
    UPS_GSR,
    id="ups.gsr.ground",
    name="UPS Guaranteed Service Refund (Ground)",
    services=frozenset({"ground"}),
    verified=False,
    conditions=("Only the payer may ask [4].", *describe("ups.gsr.ground")),
)

_FEDEX_SOURCES = "[7] shipopti parcel-claim-faqs; [8] FedEx intl T&C copy, th4.ilovetranslation.com"
_FEDEX_DOCUMENTS = (Document.TRACKING, Document.INVOICE, Document.PHOTOS, Document.PACKAGING_KEPT)
_FEDEX_CONDITIONS = (
    "Pay the shipping charges before filing [7][8].",
    "Give the ship date, number of pieces and weight with the claim [7].",
)

FEDEX_US = Policy(
    id="fedex.us",
    name="FedEx (US domestic): loss, damage, shortage and delay",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE, DELAY}),
    claimant=Claimant.SHIPPER,
    windows=(
        Window(Anchor.DELIVERY, latest=60, name="claim", incidents=frozenset({DAMAGE, DELAY})),
        Window(Anchor.SHIP_DATE, latest=0, months=9, name="claim", incidents=frozenset({LOSS})),
    ),
    cap=Cap(per_package=money("100", "USD"), accepts_declared_value=True),
    documents=_FEDEX_DOCUMENTS,
    remedy="The proven loss, up to the declared value, else up to $100 per package.",
    legal_basis="FedEx Service Guide (US), liability and claims",
    source=_FEDEX_SOURCES,
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"fedex"}),
    countries=frozenset({"US"}),
    scope=Scope.DOMESTIC,
    holiday_country="US",
    conditions=_FEDEX_CONDITIONS,
    notes="Shortage is claimed like damage. Non-delivery counts 9 months from the tender (ship date).",
)

FEDEX_INTERNATIONAL = Policy(
    id="fedex.intl",
    name="FedEx International Express: loss, damage and delay",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE, DELAY}),
    claimant=Claimant.SHIPPER,
    windows=(
        Window(Anchor.DELIVERY, latest=21, name="claim", incidents=frozenset({DAMAGE, DELAY})),
        Window(Anchor.SHIP_DATE, latest=0, months=9, name="claim", incidents=frozenset({LOSS})),
    ),
    cap=Cap(
        per_package=money("100", "USD"),
        per_kg=money("20", "USD"),
        package_or_kg_greater=True,
        accepts_declared_value=True,
    ),
    documents=(*_FEDEX_DOCUMENTS, Document.COMMERCIAL_INVOICE),
    remedy="The proven loss, up to the declared value, else the greater of $100 and $20 per kg.",
    legal_basis="FedEx International Terms and Conditions of Carriage; the Montreal or Warsaw Convention",
    source=f"{_FEDEX_SOURCES}; [9] gosweetspot 5897052084239",
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"fedex"}),
    scope=Scope.INTERNATIONAL,
    conditions=_FEDEX_CONDITIONS,
    notes=(
        "Where a convention applies its per-kg limit governs instead (the registry returns it too) [9]. "
        "The 9 months for non-delivery are the reference's FedEx figure, counted from the tender."
    ),
)

FEDEX_MBG = Policy(
    id="fedex.mbg",
    name="FedEx Money-Back Guarantee",
    party=Party.CARRIER,
    incidents=frozenset({DELAY}),
    claimant=Claimant.SHIPPER,
    windows=(Window(Anchor.INVOICE, latest=15, name="refund request"),),
    cap=Cap(refund_of_charges=True),
    documents=(Document.TRACKING,),
    remedy="Refund of the transport charges when delivery is late by 60 seconds or more.",
    legal_basis="FedEx Money-Back Guarantee (Service Guide)",
    source="[10] refundretriever.com fedex-late-delivery-refund; [11] elevate3pl 4000172254; [12] fedex.com/en-jo MBG FAQ",
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"fedex"}),
    countries=frozenset({"US"}),
    services=frozenset({"express", "overnight", "2day", "international priority", "international first"}),
    conditions=(
        "Only the payer may ask [10].",
        *describe("fedex.mbg"),
        "Outside the US only Express payers in APAC and MEISA may ask [12].",
    ),
)

DHL_EXPRESS = Policy(
    id="dhl_express",
    name="DHL Express (air): loss and damage",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.SHIPPER,
    windows=(Window(Anchor.SHIP_DATE, latest=30, name="written claim"),),
    cap=Cap(sdr_per_kg=Decimal(19)),
    documents=(
        Document.CLAIM_FORM,
        Document.TRACKING,
        Document.COMMERCIAL_INVOICE,
        Document.PHOTOS,
        Document.PACKAGING_KEPT,
    ),
    remedy="The value of the goods, up to 19 SDR per kg.",
    legal_basis="DHL Express Terms and Conditions of Carriage",
    source="[20] mydhl.express.dhl/us claims-faqs; [21] DHL China T&C copy, limitedtoo.cn; [23] studylib.net 18363838",
    verified_on=REFERENCE_DATE,
    verified=False,  # the limits come from an old copy; the current version is unconfirmed [21]
    carriers=frozenset({"dhl_express"}),
    conditions=(
        "The 30 days count from DHL's acceptance of the shipment [20].",
        "One claim per shipment; ask DHL to trace it first [20].",
        "The bill-to party claims [23].",
    ),
)

DHL_EXPRESS_ROAD = replace(
    DHL_EXPRESS,
    id="dhl_express.road",
    name="DHL Express (road): loss and damage",
    cap=Cap(sdr_per_kg=Decimal("8.33")),
    remedy="The value of the goods, up to 8.33 SDR per kg.",
    services=frozenset({"road"}),
)

DHL_EXPRESS_CHINA = replace(
    DHL_EXPRESS,
    id="dhl_express.cn",
    name="DHL Express (China domestic): loss and damage",
    cap=Cap(per_kg=money("20", "CNY")),
    remedy="The value of the goods, up to CNY 20 per kg.",
    countries=frozenset({"CN"}),
    scope=Scope.DOMESTIC,
)

DHL_EXPRESS_US_DELAY = Policy(
    id="dhl_express.us.delay",
    name="DHL Express (US): refund for late time-definite delivery",
    party=Party.CARRIER,
    incidents=frozenset({DELAY}),
    claimant=Claimant.SHIPPER,
    windows=(),
    cap=Cap(refund_of_charges=True),
    documents=(Document.TRACKING,),
    remedy="Refund of the transport charges when a 9:00, 10:30 or 12:00 shipment is late.",
    legal_basis="DHL Express USA Terms and Conditions of Carriage",
    source="[22] dhl-usa.com terms_conditions",
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"dhl_express"}),
    countries=frozenset({"US"}),
    services=frozenset({"9:00", "10:30", "12:00"}),
    notes="The reference gives no request period.",
)

SF_EXPRESS = Policy(
    id="sfexpress",
    name="SF Express: loss and damage",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.SHIPPER,
    windows=(),
    cap=Cap(
        freight_multiple=Decimal(7),
        declared_value_max=money("20000", "CNY"),
        postage_refunded_on=frozenset({LOSS, DAMAGE}),
    ),
    documents=(Document.TRACKING, Document.INVOICE, Document.PHOTOS),
    remedy=(
        "Without the Shipment Protection Plan: the actual loss up to 7 times the freight, and the freight "
        "waived; with it: up to the insured value (at most RMB 20,000)."
    ),
    legal_basis="SF Express terms of carriage (运单契约条款) and Shipment Protection Plan (保价)",
    source="[43] sf-express.com/cn/en order/quick; [44] sf-international.com SPP",
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"sfexpress"}),
    conditions=("The shipper proves the value [44].",),
    notes="No claim period from a primary source (?). Older terms paid 9 times the freight to account customers.",
)

POLICIES: tuple[Policy, ...] = (
    UPS_US,
    UPS_NON_US,
    UPS_GSR,
    UPS_GSR_GROUND,
    FEDEX_US,
    FEDEX_INTERNATIONAL,
    FEDEX_MBG,
    DHL_EXPRESS,
    DHL_EXPRESS_ROAD,
    DHL_EXPRESS_CHINA,
    DHL_EXPRESS_US_DELAY,
    SF_EXPRESS,
)
