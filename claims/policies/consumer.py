"""Consumer law, buyer against seller (claims-rules.md §3): EU, UK, US and China.

These rules set no filing deadline of their own; they set the seller's period (``duty``:
deliver within 30 days, refund within 14 or 7), after which the buyer's claim arises. In the
EU, the UK and China the seller bears the risk until the buyer has the goods, so a lost or
damaged parcel is the seller's problem (those rules are in :data:`RISK_WITH_SELLER`),
unless the buyer chose a carrier the seller did not offer.
"""

from __future__ import annotations

from dataclasses import replace

from claims.model import (
    Anchor,
    Cap,
    Claimant,
    Document,
    Incident,
    Party,
    Policy,
    Window,
)
from claims.policies.common import EU_EEA, REFERENCE_DATE

LOSS, DAMAGE, DELAY = Incident.LOSS, Incident.DAMAGE, Incident.DELAY
NON_DELIVERY, REFUND = Incident.NON_DELIVERY, Incident.REFUND

# Delivery by the agreed date, else within 30 days of the contract.
_DELIVERY_DUTY = Window(
    Anchor.SCHEDULED_DELIVERY,
    latest=0,
    name="delivery by the agreed date",
    otherwise=Window(Anchor.PURCHASE, latest=30, name="delivery within 30 days of the contract"),
)
_EVIDENCE = (Document.ORDER_CONFIRMATION, Document.SELLER_MESSAGES, Document.TRACKING)
_ECC_NET = "European Consumer Centres Network (ECC-Net): the ECC of the buyer's country"
_CITIZENS_ADVICE = "Citizens Advice consumer service (citizensadvice.org.uk), then Trading Standards"
_CHINA_12315 = "12315 (market regulator, 全国12315平台); postal and express complaints: 12305"

EU_LATE_DELIVERY = Policy(
    id="eu.crd.art18",
    name="EU Consumer Rights Directive Art. 18: late delivery",
    party=Party.SELLER,
    incidents=frozenset({DELAY, NON_DELIVERY}),
    claimant=Claimant.RECIPIENT,
    windows=(),
    cap=Cap(refund_of_price=True, postage_refunded_on=frozenset({DELAY, NON_DELIVERY})),
    documents=_EVIDENCE,
    remedy=(
        "Ask the seller to deliver within an additional period; if it does not, terminate the contract "
        "(at once if it refused or the date was essential) and get all sums paid back without undue delay."
    ),
    legal_basis="Directive 2011/83/EU, Art. 18, as transposed in the buyer's country",
    source="[58] EUR-Lex 32011L0083",
    verified_on=REFERENCE_DATE,
    countries=EU_EEA,
    complaint_channel=_ECC_NET,
    duty=_DELIVERY_DUTY,
)

EU_RISK = Policy(
    id="eu.crd.art20",
    name="EU Consumer Rights Directive Art. 20: risk stays with the seller until delivery",
    party=Party.SELLER,
    incidents=frozenset({LOSS, DAMAGE, NON_DELIVERY}),
    claimant=Claimant.RECIPIENT,
    windows=(),
    cap=Cap(refund_of_price=True, postage_refunded_on=frozenset({LOSS, NON_DELIVERY})),
    documents=(*_EVIDENCE, Document.PHOTOS),
    remedy="The seller bears the loss until the buyer has the goods: ask for the goods again or a full refund.",
    legal_basis="Directive 2011/83/EU, Art. 20",
    source="[59] exlege.bg 2011/83 art. 20",
    verified_on=REFERENCE_DATE,
    countries=EU_EEA,
    complaint_channel=_ECC_NET,
    conditions=("Not if the buyer chose a carrier the seller did not offer [59].",),
)

EU_WITHDRAWAL_REFUND = Policy(
    id="eu.crd.withdrawal",
    name="EU Consumer Rights Directive Arts. 9-13: refund after withdrawal",
    party=Party.SELLER,
    incidents=frozenset({REFUND}),
    claimant=Claimant.RECIPIENT,
    windows=(),
    cap=Cap(refund_of_price=True, postage_refunded_on=frozenset({REFUND})),
    documents=(*_EVIDENCE, Document.RETURN_PROOF),
    remedy="Refund of all payments, standard delivery included, within 14 days of the withdrawal.",
    legal_basis="Directive 2011/83/EU, Arts. 9, 10, 13",
    source="[60] legislation.gov.uk/eudr/2011/83/article/9; [61] e-com.wiki right-of-withdrawal",
    verified_on=REFERENCE_DATE,
    countries=EU_EEA,
    complaint_channel=_ECC_NET,
    # 14 days from the withdrawal, but the seller may wait for the goods: counted from their
    # receipt, the later (never premature) date.
    duty=Window(Anchor.RETURN_RECEIVED, latest=14, name="refund"),
    conditions=(
        "Withdrawal within 14 days of receiving the goods (the last item if split) [60].",
        "12 months more if the buyer was not told of the right [60].",
    ),
    notes="A withdrawal button is required from 19 Jun 2026 [61].",
)

UK_LATE_DELIVERY = replace(
    EU_LATE_DELIVERY,
    id="uk.cra.s28",
    name="UK Consumer Rights Act 2015 s.28: late delivery",
    legal_basis="Consumer Rights Act 2015, s.28",
    source="[62] legislation.gov.uk ukpga/2015/15",
    countries=frozenset({"GB"}),
    complaint_channel=_CITIZENS_ADVICE,
)

UK_RISK = replace(
    EU_RISK,
    id="uk.cra.s29",
    name="UK Consumer Rights Act 2015 s.29: risk stays with the seller until delivery",
    legal_basis="Consumer Rights Act 2015, s.29",
    source="[62] legislation.gov.uk ukpga/2015/15",
    countries=frozenset({"GB"}),
    complaint_channel=_CITIZENS_ADVICE,
    conditions=("Not if the buyer chose a carrier the seller did not offer [62].",),
)

UK_CANCELLATION_REFUND = replace(
    EU_WITHDRAWAL_REFUND,
    id="uk.ccr.cancellation",
    name="UK Consumer Contracts Regulations 2013: refund after cancellation",
    legal_basis="Consumer Contracts (Information, Cancellation and Additional Charges) Regulations 2013",
    source="[62] legislation.gov.uk ukpga/2015/15",
    countries=frozenset({"GB"}),
    complaint_channel=_CITIZENS_ADVICE,
    conditions=("Cancellation within 14 days of receiving the goods [62].",),
    notes="The refund period is the 14 days of the EU rule these regulations implement.",
)

US_MAIL_ORDER = Policy(
    id="us.ftc.435",
    name="US FTC Mail, Internet, or Telephone Order Merchandise Rule (16 CFR 435)",
    party=Party.SELLER,
    incidents=frozenset({DELAY, NON_DELIVERY}),
    claimant=Claimant.RECIPIENT,
    windows=(),
    cap=Cap(refund_of_price=True, postage_refunded_on=frozenset({DELAY, NON_DELIVERY})),
    documents=_EVIDENCE,
    remedy=(
        "The seller must ship in the time it stated (else 30 days, 50 when applying for credit), and "
        "when it cannot, offer the buyer the choice to cancel; a cancelled order is refunded within "
        "7 working days (cash, cheque) or one billing cycle (card)."
    ),
    legal_basis="16 CFR Part 435",
    source="[63] FTC business guide; cliclaw.com",
    verified_on=REFERENCE_DATE,
    countries=frozenset({"US"}),
    complaint_channel="FTC: reportfraud.ftc.gov",
    duty=Window(Anchor.PURCHASE, latest=30, name="shipment within 30 days of the order"),
    conditions=("Without a consent to the delay (option notice), the buyer may cancel [63].",),
    notes="The rule is about shipping in time, not delivery; a stated shipping time replaces the 30 days.",
)

CHINA_RISK = Policy(
    id="cn.ecl.art20",
    name="China E-Commerce Law Art. 20: the seller bears the transport risk",
    party=Party.SELLER,
    incidents=frozenset({LOSS, DAMAGE, NON_DELIVERY}),
    claimant=Claimant.RECIPIENT,
    windows=(),
    cap=Cap(refund_of_price=True, postage_refunded_on=frozenset({LOSS, NON_DELIVERY})),
    documents=(*_EVIDENCE, Document.PHOTOS),
    remedy="The seller bears the risk in transport: ask for the goods again or a full refund.",
    legal_basis=(
        "电子商务法 (E-Commerce Law) Art. 20; Art. 51 and 民法典 (Civil Code) Art. 512 (delivery is the "
        "signature time); Civil Code Art. 604"
    ),
    source="[64] ECL + Civil Code texts (shadafang.com, nj64.com, cuoac.com, etrust.org.cn); [67] 4idols.com",
    verified_on=REFERENCE_DATE,
    countries=frozenset({"CN"}),
    complaint_channel=_CHINA_12315,
    conditions=("Not if the buyer chose the carrier [64].",),
    notes="Platforms keep the transaction records for at least 3 years (Art. 31) [64].",
)

CHINA_SEVEN_DAY_RETURN = Policy(
    id="cn.cpl.art25",
    name="China Consumer Rights Protection Law Art. 25: refund after a 7-day no-reason return",
    party=Party.SELLER,
    incidents=frozenset({REFUND}),
    claimant=Claimant.RECIPIENT,
    windows=(),
    cap=Cap(refund_of_price=True),
    documents=(*_EVIDENCE, Document.RETURN_PROOF),
    remedy="Refund of the price within 7 days of the seller receiving the returned goods.",
    legal_basis="消费者权益保护法 (Consumer Rights Protection Law) Art. 25",
    source="[65] CPL texts (bcrsw.com, cuoac.com, pintu360.com)",
    verified_on=REFERENCE_DATE,
    countries=frozenset({"CN"}),
    complaint_channel=_CHINA_12315,
    duty=Window(Anchor.RETURN_RECEIVED, latest=7, name="refund"),
    conditions=(
        "Returned within 7 days of receipt, counted from the day after signing [65].",
        "Not for custom-made, perishable or opened digital goods, or newspapers and periodicals [65].",
        "The buyer pays the return postage unless agreed otherwise [65].",
    ),
    notes="Art. 24 (defects): the seller pays the shipping; Art. 55 (fraud): 3 times the price, at least ¥500.",
)

POLICIES: tuple[Policy, ...] = (
    EU_LATE_DELIVERY,
    EU_RISK,
    EU_WITHDRAWAL_REFUND,
    UK_LATE_DELIVERY,
    UK_RISK,
    UK_CANCELLATION_REFUND,
    US_MAIL_ORDER,
    CHINA_RISK,
    CHINA_SEVEN_DAY_RETURN,
)

# The rules that rest on the seller bearing the transport risk: void when the buyer chose
# a carrier the seller did not offer.
RISK_WITH_SELLER = frozenset({EU_RISK.id, UK_RISK.id, CHINA_RISK.id})
