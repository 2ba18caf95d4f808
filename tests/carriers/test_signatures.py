"""Webhook signatures: each provider's scheme accepts its own signature and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carriers.signatures import SIGNATURE_HEADERS, SIGNERS, ReplayGuard, sign_17track, sign_easypost, verify

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers"
EASYPOST_BODY = (FIXTURES / "easypost" / "webhook_tracker_updated_in_transit_fedex.raw.json").read_bytes()
PROVIDERS = sorted(SIGNERS)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_correct_signature_is_accepted(provider: str) -> None:
    headers = {SIGNATURE_HEADERS[provider]: SIGNERS[provider](EASYPOST_BODY, "whsec-test")}
    assert verify(provider, EASYPOST_BODY, headers, "whsec-test")


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    "forgery",
    ["missing", "empty", "wrong-secret", "tampered-body", "other-provider"],
)
def test_forged_or_missing_signatures_are_refused(provider: str, forgery: str) -> None:
    body, secret = EASYPOST_BODY, "whsec-test"
    signature = SIGNERS[provider](body, secret)
    headers = {SIGNATURE_HEADERS[provider]: signature}
    if forgery == "missing":
        headers = {}
    elif forgery == "empty":
        headers = {SIGNATURE_HEADERS[provider]: ""}
    elif forgery == "wrong-secret":
        headers = {SIGNATURE_HEADERS[provider]: SIGNERS[provider](body, "guess")}
    elif forgery == "tampered-body":
        body = body.replace(b'"in_transit"', b'"delivered"', 1)
    elif forgery == "other-provider":
        other = next(p for p in PROVIDERS if p != provider)
        headers = {SIGNATURE_HEADERS[provider]: SIGNERS[other](body, secret)}
    assert not verify(provider, body, headers, secret)


def test_header_names_are_case_insensitive_and_17track_hex_case_too() -> None:
    body = b'{"event":"TRACKING_UPDATED"}'
    assert verify("17track", body, {"SIGN": sign_17track(body, "key").upper()}, "key")


def test_easypost_secret_is_nfkd_normalized() -> None:
    body = b"{}"
    # "ﬁ" (U+FB01) normalizes to "fi" under NFKD: both spellings sign alike.
    assert sign_easypost(body, "ﬁnal") == sign_easypost(body, "final")


def test_no_secret_configured_accepts_nothing() -> None:
    body = b"{}"
    assert not verify("aftership", body, {"aftership-hmac-sha256": SIGNERS["aftership"](body, "")}, "")


@given(st.binary(max_size=200), st.text(max_size=10), st.text(max_size=40))
def test_random_headers_never_pass(body: bytes, secret: str, header: str) -> None:
    for provider in PROVIDERS:
        if header == SIGNERS[provider](body, secret):
            continue
        assert not verify(provider, body, {SIGNATURE_HEADERS[provider]: header}, secret)


def test_a_replayed_body_is_refused_until_the_window_passes() -> None:
    now = [0.0]
    guard = ReplayGuard(window_s=60, clock=lambda: now[0])
    assert guard.first_time(b"a") and guard.first_time(b"b")
    assert not guard.first_time(b"a")
    now[0] = 61
    assert guard.first_time(b"a")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_header_or_secret_with_bytes_that_are_not_utf8_is_a_failed_check(provider: str) -> None:
    # Found by benchmarks/fuzz.py: aiohttp and os.environ decode such bytes as lone surrogates,
    # which str.encode() refused with UnicodeEncodeError (a 500 instead of a 401).
    header = SIGNATURE_HEADERS[provider]
    assert not verify(provider, b"{}", {header: b"\xff\xfe".decode("utf-8", "surrogateescape")}, "whsec-test")
    odd_secret = b"whsec-\xff".decode("utf-8", "surrogateescape")
    signed = {header: SIGNERS[provider](b"{}", odd_secret)}  # signed with the secret's real bytes
    assert verify(provider, b"{}", signed, odd_secret)
    assert not verify(provider, b"{}", signed, "whsec-")
