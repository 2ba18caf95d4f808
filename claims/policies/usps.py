"""USPS claim rules (claims-rules.md §1): domestic indemnity and refunds, international
inquiries. Numbers are the reference's, unchanged; "?" rows are ``verified=False``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

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

_USPS_DOMESTIC_SOURCES = (
    "[13] Fed. Reg. 2025-24094 (90 FR 61328); [14] muzzleloadingforum post-2771562; "
    "[15] docs.easypost.com usps-claims; [16] USPS Pub. 122"
)

USPS_DOMESTIC = Policy(
    id="usps.domestic",
    name="USPS (domestic): loss and damage",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.EITHER,
    windows=(
        Window(Anchor.SHIP_DATE, earliest=15, latest=60, name="claim", incidents=frozenset({LOSS})),
        Window(Anchor.SHIP_DATE, latest=60, name="claim", incidents=frozenset({DAMAGE})),
    ),
    cap=Cap(
        per_package=money("100", "USD"), accepts_declared_value=True, postage_refunded_on=frozenset({LOSS})
    ),
    documents=(
        Document.PROOF_OF_POSTING,
        Document.INVOICE,
        Document.INSURANCE_RECEIPT,
        Document.PHOTOS,
        Document.PACKAGING_KEPT,
    ),
    remedy="The proven loss up to the insured amount (else the included $100), and the postage on loss.",
    legal_basis="USPS Domestic Mail Manual 609 (indemnity claims); Publication 122",
    source=_USPS_DOMESTIC_SOURCES,
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"usps"}),
    countries=frozenset({"US"}),
    scope=Scope.DOMESTIC,
    holiday_country="US",
    conditions=("Keep the item and the box until the claim is settled [16].",),
    notes=(
        "Loss: from 15 to 60 days after mailing (the 15-day floor applies again from 18 Jan 2026 [13]); "
        "damage: at once, up to 60 days. $100 is included on Priority Mail, Priority Mail Express and "
        "Ground Advantage [15]."
    ),
)

USPS_PRIORITY_MAIL_EXPRESS = replace(
    USPS_DOMESTIC,
    id="usps.domestic.pme",
    name="USPS Priority Mail Express (domestic): loss and damage",
    windows=(
        Window(Anchor.SHIP_DATE, earliest=7, latest=60, name="claim", incidents=frozenset({LOSS})),
        Window(Anchor.SHIP_DATE, latest=60, name="claim", incidents=frozenset({DAMAGE})),
    ),
    services=frozenset({"priority mail express", "express"}),
    notes="Loss: from 7 to 60 days after mailing; damage: at once, up to 60 days [13][14].",
)

USPS_REGISTERED = replace(
    USPS_DOMESTIC,
    id="usps.domestic.registered",
    name="USPS Registered Mail (domestic): loss and damage",
    cap=Cap(
        per_package=money("100", "USD"),
        declared_value_max=money("50000", "USD"),
        postage_refunded_on=frozenset({LOSS}),
    ),
    services=frozenset({"registered"}),
    remedy="The proven loss up to the declared value (at most $50,000), and the postage on loss.",
    notes="Registered Mail is covered up to $50,000 [16].",
)

USPS_PME_REFUND = Policy(
    id="usps.domestic.pme.delay",
    name="USPS Priority Mail Express: postage refund when late",
    party=Party.CARRIER,
    incidents=frozenset({DELAY}),
    claimant=Claimant.EITHER,
    windows=(Window(Anchor.SHIP_DATE, earliest=2, latest=30, name="refund request"),),
    cap=Cap(refund_of_charges=True),
    documents=(Document.PROOF_OF_POSTING, Document.TRACKING),
    remedy="Refund of the postage of a late Priority Mail Express item.",
    legal_basis="USPS Priority Mail Express money-back guarantee (DMM 604.9)",
    source="[17] stamps.com PME refund; [18] link.usps.com 2022/12/15",
    verified_on=date(2022, 12, 15),
    carriers=frozenset({"usps"}),
    countries=frozenset({"US"}),
    scope=Scope.DOMESTIC,
    services=frozenset({"priority mail express", "express"}),
    conditions=describe("usps.domestic.pme.delay"),
)

USPS_INTERNATIONAL = Policy(
    id="usps.intl",
    name="USPS (international): inquiry and claim for loss or damage",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.EITHER,
    windows=(Window(Anchor.SHIP_DATE, earliest=7, latest=0, months=6, name="inquiry"),),
    cap=Cap(),
    documents=(Document.TRACKING, Document.PROOF_OF_POSTING, Document.ITEM_DETAILS, Document.INVOICE),
    remedy="Indemnity for the lost or damaged item under IMM chapter 9.",
    legal_basis="USPS International Mail Manual 921 (inquiries) and chapter 9 (indemnity)",
    source="[19] USPS Postal Bulletin 22398; pe.usps.com IMM 921",
    verified_on=REFERENCE_DATE,
    verified=False,  # the limits of IMM ch. 9 are unverified ("?")
    carriers=frozenset({"usps"}),
    countries=frozenset({"US"}),
    scope=Scope.INTERNATIONAL,
    conditions=("Give the addresses, the contents and their value, and the mailing evidence [19].",),
    notes="Priority Mail International, Registered and parcels: 7 days to 6 months. UPU limits apply too.",
)

USPS_GXG = replace(
    USPS_INTERNATIONAL,
    id="usps.intl.gxg",
    name="USPS Global Express Guaranteed: inquiry and claim",
    windows=(Window(Anchor.SHIP_DATE, earliest=3, latest=30, name="inquiry"),),
    services=frozenset({"global express guaranteed", "gxg"}),
    notes="GXG: 3 to 30 days after mailing [19].",
)

USPS_PMEI = replace(
    USPS_INTERNATIONAL,
    id="usps.intl.pmei",
    name="USPS Priority Mail Express International: inquiry and claim",
    windows=(Window(Anchor.SHIP_DATE, earliest=3, latest=90, name="inquiry"),),
    services=frozenset({"priority mail express international", "pmei"}),
    notes="PMEI: 3 to 90 days after mailing [19].",
)

USPS_PMEI_GUARANTEE = Policy(
    id="usps.intl.pmei.delay",
    name="USPS Priority Mail Express International: postage refund when late",
    party=Party.CARRIER,
    incidents=frozenset({DELAY}),
    claimant=Claimant.EITHER,
    windows=(Window(Anchor.SHIP_DATE, earliest=3, latest=30, name="guarantee inquiry"),),
    cap=Cap(refund_of_charges=True),
    documents=(Document.TRACKING, Document.PROOF_OF_POSTING),
    remedy="Refund of the postage when the delivery guarantee is missed.",
    legal_basis="USPS International Mail Manual 921 (PMEI guarantee)",
    source="[19] USPS Postal Bulletin 22398; pe.usps.com IMM 921",
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"usps"}),
    countries=frozenset({"US"}),
    scope=Scope.INTERNATIONAL,
    services=frozenset({"priority mail express international", "pmei"}),
    conditions=("Only to the countries USPS lists for the PMEI guarantee [19].",),
)

POLICIES: tuple[Policy, ...] = (
    USPS_DOMESTIC,
    USPS_PRIORITY_MAIL_EXPRESS,
    USPS_REGISTERED,
    USPS_PME_REFUND,
    USPS_INTERNATIONAL,
    USPS_GXG,
    USPS_PMEI,
    USPS_PMEI_GUARANTEE,
)
