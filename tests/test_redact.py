"""Personal data in carrier text: what is redacted, and what is deliberately kept."""

from __future__ import annotations

import time

import pytest

from parcel_watch.redact import REDACTED, redact, redact_optional

R = REDACTED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # names after hand-over phrases
        ("Delivered, signed by JOHN SMITH", f"Delivered, signed by {R}"),
        ("Delivered, signed by JOHN SMITH.", f"Delivered, signed by {R}."),
        ("Signed for by: J.SMITH at FRONT DOOR", f"Signed for by: {R} at FRONT DOOR"),
        ("Received by: smith", f"Received by: {R}"),
        ("signed by Dr. Jane O'Neil-Brown, thank you", f"signed by {R}, thank you"),
        ("Left with neighbour ANNA at No. 5", f"Left with neighbour {R} at No. 5"),
        ("Delivered to Mr Tom Jones (front porch)", f"Delivered to {R} (front porch)"),
        ("Collected by MARIA from the pickup point", f"Collected by {R} from the pickup point"),
        ("Recipient: Anna Lee", f"Recipient: {R}"),
        ("Empfänger: Jürgen Müller, Haustür", f"Empfänger: {R}, Haustür"),
        ("Zugestellt an Frau Schmidt", f"Zugestellt an {R}"),
        ("Colis remis à Émile Zola", f"Colis remis à {R}"),
        ("Entregado a Pedro", f"Entregado a {R}"),
        # e-mail addresses and phone numbers
        ("Contact jane.doe+parcels@example.co.uk today", f"Contact {R} today"),
        ("Call +44 20 7946 0958 or +1 (415) 555-0123.", f"Call {R} or {R}."),
        ("Driver phone (415) 555-0123; 415.555.0123", f"Driver phone {R}; {R}"),
        ("Tel: 020 7946 0958", f"Tel: {R}"),
        ("Handy 0171 1234567, signed by PAT", f"Handy {R}, signed by {R}"),
        # kept: no person, or numbers that are not phone numbers
        ("Left with neighbour", "Left with neighbour"),
        ("Delivered to front door", "Delivered to front door"),
        ("Delivered to Parcel Locker 12", "Delivered to Parcel Locker 12"),
        (
            "Delivered to mailbox. Thank you for choosing us",
            "Delivered to mailbox. Thank you for choosing us",
        ),
        ("Received by customs", "Received by customs"),
        ("RECIPIENT UNAVAILABLE", "RECIPIENT UNAVAILABLE"),
        ("Signature: waived", "Signature: waived"),
        ("Arrived at facility 2025-03-03 14:22", "Arrived at facility 2025-03-03 14:22"),
        ("Label 9400 1112 0108 0805 4830 16 created", "Label 9400 1112 0108 0805 4830 16 created"),
        ("Shipment 1Z8V92A70367203024, weight 2.5 kg", "Shipment 1Z8V92A70367203024, weight 2.5 kg"),
        ("", ""),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert redact(expected) == expected  # idempotent


def test_redact_optional() -> None:
    assert redact_optional(None) is None
    assert redact_optional("signed by ANNA") == f"signed by {R}"


def test_a_long_word_is_read_in_linear_time() -> None:
    # Found by benchmarks/fuzz.py: the e-mail pattern retried every position of a long run of
    # address characters (quadratic: ~8 s for this 50,000-letter carrier text, now milliseconds).
    text = "A" * 50_000 + " jane@example.com"
    started = time.perf_counter()
    assert redact(text) == "A" * 50_000 + " [redacted]"
    assert time.perf_counter() - started < 1.5
