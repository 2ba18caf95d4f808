"""The sandbox world: seeded journeys by tracking number, a fast-running clock and OAuth tokens.

The clock runs ``speed`` times faster than its base clock from ``start``; the base clock is
injectable (tests advance a fake one). Tokens expire on the base clock (real seconds), not on
the sandbox clock: a sped-up journey must not make every token stale.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from carriers.sandbox.journeys import Journey, Scenario, generate


class SandboxClock:
    """Sandbox time: ``start`` plus the base clock's elapsed seconds times ``speed``."""

    def __init__(self, start: datetime, speed: float = 1.0, real: Callable[[], float] = time.monotonic):
        if start.tzinfo is None:
            raise ValueError("the sandbox clock starts at an aware datetime")
        if speed < 0:
            raise ValueError(f"speed must not be negative, not {speed}")
        self.start = start
        self.speed = speed
        self.real = real
        self._origin = real()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(self.real() - self._origin) * self.speed)


@dataclass(frozen=True)
class Token:
    api: str  # the slug of the API that issued it: a FedEx token does not open UPS
    expires_at: float  # on the base clock


@dataclass
class SandboxWorld:
    """Journeys by number, the clock and the auth state the server checks against.

    ``api_key``: when set, API keys and client secrets must equal it (else any non-empty one
    is accepted). ``token_ttl_s``: the ``expires_in`` of issued tokens, enforced server side.
    ``require_registration``: 17TRACK answers gettrackinfo only for numbers registered first,
    as the real API does (on by default); ``registered`` holds them, ``register_requests`` the
    numbers of each register call, in order (each accepted one costs a quota credit).
    """

    clock: SandboxClock
    seed: int = 0
    api_key: str | None = None
    token_ttl_s: float = 3600.0
    require_registration: bool = True
    journeys: dict[str, Journey] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict, repr=False)
    tokens_issued: Counter[str] = field(default_factory=Counter)
    registered: set[str] = field(default_factory=set)
    register_requests: list[list[str]] = field(default_factory=list)

    def now(self) -> datetime:
        return self.clock.now()

    def add(
        self, number: str, scenario: Scenario, seed: int | None = None, shipped_at: datetime | None = None
    ) -> Journey:
        """A generated journey (shipped at the clock's start unless told) under ``number``."""
        journey = generate(
            number, scenario, shipped_at or self.clock.start, self.seed if seed is None else seed
        )
        return self.add_journey(journey)

    def add_journey(self, journey: Journey) -> Journey:
        self.journeys[journey.tracking_number] = journey
        return journey

    def visible(self, number: str) -> Journey | None:
        """The journey under ``number`` once its first scan has happened, else None (not found)."""
        journey = self.journeys.get(number)
        if journey is None or not journey.visible(self.now()):
            return None
        return journey

    def key_ok(self, key: str | None) -> bool:
        if not key:
            return False
        return self.api_key is None or secrets.compare_digest(key, self.api_key)

    def issue_token(self, api: str) -> tuple[str, float]:
        token = f"sbx-{api}-{secrets.token_urlsafe(16)}"
        self.tokens[token] = Token(api, self.clock.real() + self.token_ttl_s)
        self.tokens_issued[api] += 1
        return token, self.token_ttl_s

    def token_ok(self, api: str, token: str | None) -> bool:
        found = self.tokens.get(token or "")
        return found is not None and found.api == api and self.clock.real() < found.expires_at
