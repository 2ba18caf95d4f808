"""Webhook authenticity: each provider's signature scheme over the raw body, plus replay
refusal. Pure functions; the server (aiohttp.web) reads the raw bytes and the header.

* 17TRACK: header ``sign`` = hex(SHA-256(raw_body + "/" + api_key)).
* AfterShip: header ``aftership-hmac-sha256`` = base64(HMAC-SHA256(secret, raw_body)).
* EasyPost: header ``X-Hmac-Signature`` = "hmac-sha256-hex=" + hex(HMAC-SHA256(NFKD(secret), raw_body)).

Comparisons are constant-time. A missing or malformed header is a failed check, not an error.
Text is encoded with ``surrogateescape``: aiohttp decodes header values and ``os.environ``
decodes secrets that way, so a byte that is not UTF-8 is compared as the byte it was, never
an encoding error (a 500 for a forged header).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Mapping

SIGNATURE_HEADERS = {
    "17track": "sign",
    "aftership": "aftership-hmac-sha256",
    "easypost": "X-Hmac-Signature",
}
EASYPOST_PREFIX = "hmac-sha256-hex="


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def sign_17track(body: bytes, api_key: str) -> str:
    return hashlib.sha256(body + b"/" + _bytes(api_key)).hexdigest()


def sign_aftership(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(_bytes(secret), body, hashlib.sha256).digest()).decode("ascii")


def sign_easypost(body: bytes, secret: str) -> str:
    key = _bytes(unicodedata.normalize("NFKD", secret))
    return EASYPOST_PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


SIGNERS: dict[str, Callable[[bytes, str], str]] = {
    "17track": sign_17track,
    "aftership": sign_aftership,
    "easypost": sign_easypost,
}


def header_value(headers: Mapping[str, str], provider: str) -> str | None:
    wanted = SIGNATURE_HEADERS[provider].lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def verify(provider: str, body: bytes, headers: Mapping[str, str], secret: str) -> bool:
    """Whether ``body`` carries a valid signature of ``provider`` made with ``secret``."""
    given = header_value(headers, provider)
    if not given or not secret:
        return False
    expected = SIGNERS[provider](body, secret)
    if provider == "17track":  # hex: case is not significant
        given, expected = given.lower(), expected.lower()
    return hmac.compare_digest(_bytes(given.strip()), expected.encode())


class ReplayGuard:
    """Refuses a body seen before within ``window_s`` (a captured request sent again).

    Keyed by the body's SHA-256: a provider re-sending the same event after a timeout is
    also refused, which is harmless, as ingest is idempotent and the first copy was kept.
    """

    def __init__(
        self,
        window_s: float = 24 * 3600,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.window_s = window_s
        self.max_entries = max_entries
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, body: bytes) -> bool:
        now = self.clock()
        while self._seen and (
            next(iter(self._seen.values())) < now - self.window_s or len(self._seen) > self.max_entries
        ):
            self._seen.popitem(last=False)
        digest = hashlib.sha256(body).hexdigest()
        if digest in self._seen:
            return False
        self._seen[digest] = now
        return True
