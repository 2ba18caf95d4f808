"""Posts' and parcel services' claim rules (claims-rules.md §1): DHL Paket, Royal Mail,
Canada Post, China Post / EMS (USPS is in :mod:`claims.policies.usps`).

Numbers are the reference's, unchanged; where it leaves the clock's start open the earlier
event is used and the notes say so. Rows marked "?" in the reference are ``verified=False``.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from claims.model import (
    Anchor,
    Cap,
    Claimant,
    DayCount,
    Document,
    Incident,
    Party,
    Policy,
    Scope,
    Window,
)
from claims.policies.common import EUROPE, REFERENCE_DATE, money

LOSS, DAMAGE, DELAY = Incident.LOSS, Incident.DAMAGE, Incident.DELAY

# -- DHL Paket (Germany) ------------------------------------------------------------------

_HGB_SOURCES = "[24] giga.de DHL Nachforschung; [25] HGB §438; [26] br.de Ärger mit Paketen"

DHL_PAKET = Policy(
    id="dhl_paket",
    name="DHL Paket (Germany): loss and damage",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.SHIPPER,
    windows=(
        # A trace (Nachforschung) from about day 7 after posting; the one-year limitation of
        # HGB §439 runs from the day the parcel should have arrived.
        Window(
            Anchor.SCHEDULED_DELIVERY,
            earliest=7,
            earliest_anchor=Anchor.SHIP_DATE,
            latest=0,
            months=12,
            name="trace and claim",
            incidents=frozenset({LOSS}),
            otherwise=Window(Anchor.SHIP_DATE, earliest=7, latest=0, months=12, name="trace and claim"),
        ),
        Window(Anchor.DELIVERY, latest=0, name="notice of visible damage", incidents=frozenset({DAMAGE})),
        Window(Anchor.DELIVERY, latest=7, name="notice of hidden damage", incidents=frozenset({DAMAGE})),
        Window(Anchor.DELIVERY, latest=0, months=12, name="limitation", incidents=frozenset({DAMAGE})),
    ),
    cap=Cap(per_package=money("500", "EUR")),
    documents=(Document.INVOICE, Document.PACKAGING_KEPT, Document.PROOF_OF_POSTING),
    remedy="The proven loss, up to EUR 500 per Paket.",
    legal_basis="DHL Paket AGB; HGB §§ 431, 438, 439",
    source=_HGB_SOURCES,
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"dhl_paket"}),
    countries=frozenset({"DE"}),
    holiday_country="DE",
    conditions=("The sender claims, with the invoice; keep the packing [24].",),
    notes="HGB §431 limits a carrier's statutory liability to 8.33 SDR/kg; DHL's terms give a Paket EUR 500 [26].",
)

DHL_PAECKCHEN = replace(
    DHL_PAKET,
    id="dhl_paket.paeckchen",
    name="DHL Päckchen (Germany): loss and damage",
    cap=Cap(
        non_monetary="DHL gives a Päckchen no liability cover [26]; only a timely notice keeps any claim."
    ),
    remedy="None: a Päckchen is carried without liability cover.",
    services=frozenset({"päckchen", "paeckchen"}),
    notes="",
)

DHL_PAKET_DELAY = Policy(
    id="dhl_paket.delay",
    name="DHL Paket (Germany): notice of delay",
    party=Party.CARRIER,
    incidents=frozenset({DELAY}),
    claimant=Claimant.SHIPPER,
    windows=(Window(Anchor.DELIVERY, latest=21, name="notice of delay"),),
    cap=Cap(non_monetary="DHL Paket pays no delay refund; the notice keeps a claim for proven delay damage."),
    documents=(Document.WRITTEN_NOTICE,),
    remedy="None from DHL's terms; a written notice within 21 days keeps the statutory delay claim (HGB §438(3)).",
    legal_basis="HGB §438(3)",
    source="[25] HGB §438",
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"dhl_paket"}),
    countries=frozenset({"DE"}),
    holiday_country="DE",
)

# -- Royal Mail -----------------------------------------------------------------------------

_ROYAL_MAIL_SOURCES = (
    "[27] loan-broker-opportunity.com late post; [29] ask.ofcom.org.uk post/dammail; "
    "[30] kb.intersoft.co.uk SD; [31] citizensadvice.org.uk lost post"
)

ROYAL_MAIL_INLAND = Policy(
    id="royalmail.inland",
    name="Royal Mail (inland, 1st and 2nd class): loss and damage",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.EITHER,
    windows=(
        Window(
            Anchor.SHIP_DATE,
            latest=80,
            earliest=10,
            earliest_anchor=Anchor.SCHEDULED_DELIVERY,
            earliest_days=DayCount.WORKING,
            name="claim",
            incidents=frozenset({LOSS}),
        ),
        Window(Anchor.SHIP_DATE, latest=80, name="claim", incidents=frozenset({DAMAGE})),
    ),
    cap=Cap(per_package=money("20", "GBP")),
    documents=(Document.PROOF_OF_POSTING, Document.INVOICE, Document.PHOTOS, Document.PACKAGING_KEPT),
    remedy="The proven loss, up to £20.",
    legal_basis="Royal Mail Scheme for inland letters and parcels (Ofcom-regulated)",
    source=_ROYAL_MAIL_SOURCES,
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"royalmail"}),
    countries=frozenset({"GB"}),
    scope=Scope.DOMESTIC,
    holiday_country="GB-ENG",
    conditions=("Tracked 24 / Tracked 48: only the sender may claim [31].",),
    notes="Loss: from 10 working days after the due date to 80 days after posting [27].",
)

ROYAL_MAIL_SIGNED_FOR = replace(
    ROYAL_MAIL_INLAND,
    id="royalmail.signed_for",
    name="Royal Mail Signed For (inland): loss and damage",
    cap=Cap(per_package=money("50", "GBP")),
    remedy="The proven loss, up to £50.",
    services=frozenset({"signed for"}),
)

ROYAL_MAIL_SPECIAL_DELIVERY = replace(
    ROYAL_MAIL_INLAND,
    id="royalmail.special_delivery",
    name="Royal Mail Special Delivery Guaranteed: loss and damage",
    cap=Cap(
        per_package=money("750", "GBP"),
        declared_value_max=money("2500", "GBP"),
        postage_refunded_on=frozenset({LOSS}),
    ),
    remedy="The proven loss, up to £750 (up to £2,500 with extra cover), and the postage on loss.",
    services=frozenset({"special delivery"}),
)

ROYAL_MAIL_DELAY = Policy(
    id="royalmail.delay",
    name="Royal Mail (inland): compensation for delay",
    party=Party.CARRIER,
    incidents=frozenset({DELAY}),
    claimant=Claimant.EITHER,
    windows=(),
    cap=Cap(non_monetary="6 first-class stamps; Special Delivery: £5 / £10 [29]."),
    documents=(Document.PROOF_OF_POSTING,),
    remedy="6 first-class stamps when 3 or more working days late; Special Delivery: £5 / £10.",
    legal_basis="Royal Mail Scheme for inland letters and parcels (Ofcom-regulated)",
    source="[29] ask.ofcom.org.uk post/dammail",
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"royalmail"}),
    countries=frozenset({"GB"}),
    scope=Scope.DOMESTIC,
    holiday_country="GB-ENG",
    conditions=("Only when delivered 3 or more working days after the due date [29].",),
)

ROYAL_MAIL_INTERNATIONAL = Policy(
    id="royalmail.intl",
    name="Royal Mail (international, outside Europe): loss and damage",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.EITHER,
    windows=(
        Window(
            Anchor.SHIP_DATE, earliest=25, earliest_days=DayCount.WORKING, latest=0, months=6, name="claim"
        ),
    ),
    cap=Cap(),
    documents=(Document.PROOF_OF_POSTING, Document.INVOICE),
    remedy="Compensation for the lost or damaged item.",
    legal_basis="Royal Mail International terms; UPU Convention",
    source="[28] wiki.polyinpictures.com MissingPost",
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"royalmail"}),
    countries=frozenset({"GB"}),
    scope=Scope.INTERNATIONAL,
    holiday_country="GB-ENG",
    notes=(
        "From 25 working days after posting (20 to Europe) to 6 months [28]. The reference gives no "
        "international limit: the UPU limits apply (returned with this rule)."
    ),
)

ROYAL_MAIL_INTERNATIONAL_EUROPE = replace(
    ROYAL_MAIL_INTERNATIONAL,
    id="royalmail.intl.europe",
    name="Royal Mail (international, Europe): loss and damage",
    windows=(
        Window(
            Anchor.SHIP_DATE, earliest=20, earliest_days=DayCount.WORKING, latest=0, months=6, name="claim"
        ),
    ),
    destinations=EUROPE,
)

# -- Canada Post ------------------------------------------------------------------------------

CANADA_POST = Policy(
    id="canadapost",
    name="Canada Post (Priority, Xpresspost, Expedited): loss and damage",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.SHIPPER,
    windows=(Window(Anchor.SHIP_DATE, latest=90, name="claim"),),
    cap=Cap(per_package=money("100", "CAD")),
    documents=(Document.TRACKING, Document.ITEM_DETAILS, Document.INVOICE),
    remedy="The proven loss, up to C$100.",
    legal_basis="Canada Post General Terms and Conditions",
    source="[32] canadapost.ca kb what_to_do_if_your_p; [33] canadapost.ca cst/terms-e.asp",
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"canadapost"}),
    countries=frozenset({"CA"}),
    holiday_country="CA",
    services=frozenset({"priority", "xpresspost", "expedited"}),
    conditions=(
        "Only the sender may claim, for an item mailed within the last 90 days [32].",
        "Items marked fragile are covered for loss only, not damage [32][33].",
    ),
)

CANADA_POST_GUARANTEE = Policy(
    id="canadapost.guarantee",
    name="Canada Post on-time guarantee: postage refund",
    party=Party.CARRIER,
    incidents=frozenset({DELAY}),
    claimant=Claimant.SHIPPER,
    windows=(Window(Anchor.SCHEDULED_DELIVERY, latest=30, days=DayCount.WORKING, name="refund request"),),
    cap=Cap(refund_of_charges=True),
    documents=(Document.TRACKING,),
    remedy="Refund of the postage when the guaranteed date is missed.",
    legal_basis="Canada Post on-time delivery guarantee",
    source="[34] airwayspostal.ca xpresspost-refund",
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"canadapost"}),
    countries=frozenset({"CA"}),
    holiday_country="CA",
    conditions=("Not for customs delays [34].", "Only services with a guaranteed delivery date."),
)

# -- China Post / EMS ---------------------------------------------------------------------------

CHINA_POST = Policy(
    id="chinapost",
    name="China Post (domestic): loss and damage of recorded items",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.SHIPPER,
    windows=(),
    cap=Cap(freight_multiple=Decimal(3), accepts_declared_value=True, insured_pro_rata=True),
    documents=(Document.PROOF_OF_POSTING, Document.INVOICE),
    remedy=(
        "Insured: the insured sum (a partial loss in proportion); uninsured: the actual loss, "
        "at most 3 times the postage."
    ),
    legal_basis="中华人民共和国邮政法 (Postal Law of the PRC) art. 47",
    source="[41] 邮政法 art. 47 (4idols.com lmmxouhpwq)",
    verified_on=REFERENCE_DATE,
    carriers=frozenset({"chinapost"}),
    countries=frozenset({"CN"}),
    scope=Scope.DOMESTIC,
    holiday_country="CN",
    notes="The reference gives no claim period. International registered items and parcels: the UPU rules.",
)

EMS_INTERNATIONAL = Policy(
    id="chinapost.ems.intl",
    name="China EMS (international, old terms): loss and damage",
    party=Party.CARRIER,
    incidents=frozenset({LOSS, DAMAGE}),
    claimant=Claimant.SHIPPER,
    windows=(),
    cap=Cap(per_package=money("400", "CNY")),
    documents=(Document.PROOF_OF_POSTING, Document.INVOICE),
    remedy="Up to ¥400 per item.",
    legal_basis="EMS international terms (old)",
    source="[42] mghqwtw.com.cn EMS terms; beatlessongs.us",
    verified_on=REFERENCE_DATE,
    verified=False,  # old terms, unverified ("?")
    carriers=frozenset({"chinapost"}),
    countries=frozenset({"CN"}),
    scope=Scope.INTERNATIONAL,
    services=frozenset({"ems"}),
    notes="The same old terms refunded 50 % of the postage for delay (?).",
)

POLICIES: tuple[Policy, ...] = (
    DHL_PAKET,
    DHL_PAECKCHEN,
    DHL_PAKET_DELAY,
    ROYAL_MAIL_INLAND,
    ROYAL_MAIL_SIGNED_FOR,
    ROYAL_MAIL_SPECIAL_DELIVERY,
    ROYAL_MAIL_DELAY,
    ROYAL_MAIL_INTERNATIONAL,
    ROYAL_MAIL_INTERNATIONAL_EUROPE,
    CANADA_POST,
    CANADA_POST_GUARANTEE,
    CHINA_POST,
    EMS_INTERNATIONAL,
)
