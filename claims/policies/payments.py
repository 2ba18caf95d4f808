"""Payment disputes (claims-rules.md §3): card chargebacks and PayPal Buyer Protection.

They apply wherever the buyer lives, by how the order was paid, and give back what was
paid (goods and shipping) when the goods never arrived.
"""

from __future__ import annotations

from claims.model import (
    Anchor,
    Cap,
    Claimant,
    Document,
    Incident,
    Party,
    PaymentMethod,
    Policy,
    Window,
)
from claims.policies.common import REFERENCE_DATE

_NOT_RECEIVED = frozenset({Incident.NON_DELIVERY, Incident.LOSS})
_EVIDENCE = (Document.ORDER_CONFIRMATION, Document.SELLER_MESSAGES, Document.TRACKING)

CARD_CHARGEBACK = Policy(
    id="card.chargeback",
    name="Card chargeback: goods not received",
    party=Party.CARD_ISSUER,
    incidents=_NOT_RECEIVED,
    claimant=Claimant.RECIPIENT,
    windows=(
        # About 120 days from the expected delivery date; without one, the buyer waits 30
        # days from the transaction, which then stands in for the expected date.
        Window(
            Anchor.EXPECTED_DELIVERY,
            latest=120,
            name="dispute",
            otherwise=Window(Anchor.PURCHASE, earliest=30, latest=150, name="dispute"),
        ),
        Window(Anchor.PURCHASE, latest=540, name="outer limit (Mastercard 4853)"),
    ),
    cap=Cap(refund_of_price=True, postage_refunded_on=_NOT_RECEIVED),
    documents=_EVIDENCE,
    remedy="The card issuer reverses the payment.",
    legal_basis="Card network dispute rules (Mastercard reason code 4853, Cardholder Dispute)",
    source="[68] justt.ai MC 4853; paymentsandrisk.com",
    verified_on=REFERENCE_DATE,
    payment_methods=frozenset({PaymentMethod.CARD}),
    conditions=("Ask the seller first and keep the messages.",),
    notes="About 120 days; networks and issuers differ. The outer limit is 540 days from the transaction.",
)

PAYPAL_BUYER_PROTECTION = Policy(
    id="paypal.buyer_protection",
    name="PayPal Buyer Protection: item not received",
    party=Party.PAYPAL,
    incidents=_NOT_RECEIVED,
    claimant=Claimant.RECIPIENT,
    windows=(
        Window(Anchor.PURCHASE, latest=180, name="dispute"),
        Window(Anchor.DISPUTE_OPENED, latest=20, name="escalate the dispute to a claim"),
    ),
    cap=Cap(refund_of_price=True, postage_refunded_on=_NOT_RECEIVED),
    documents=_EVIDENCE,
    remedy="PayPal refunds the payment, shipping included.",
    legal_basis="PayPal User Agreement, Buyer Protection",
    source="[69] paypal.com faq1417",
    verified_on=REFERENCE_DATE,
    payment_methods=frozenset({PaymentMethod.PAYPAL}),
    conditions=("A dispute not escalated within 20 days closes [69].",),
)

POLICIES: tuple[Policy, ...] = (CARD_CHARGEBACK, PAYPAL_BUYER_PROTECTION)
