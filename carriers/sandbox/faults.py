"""Injected failures for the sandbox server: all off by default, deterministic for a seed.

Rates are probabilities (0..1) drawn per tracking request from one seeded RNG, in a fixed
order, so the same request sequence meets the same faults. Token endpoints never fail:
faults are about tracking answers. ``only`` limits faults to request paths starting with one
of its prefixes (empty: every tracking path).

* ``timeout``: the answer waits ``hang_s`` (longer than any client timeout; cut short when the
  server shuts down), then comes normally.
* ``slow_s``: every answer waits this long first (not a rate).
* ``rate_limit``: HTTP 429 with ``Retry-After: <retry_after_s>``.
* ``server_error``: HTTP 503.
* ``duplicate_events``: every visible scan is rendered twice.
* ``out_of_order``: the scans are shuffled before rendering (every renderer takes any order).
* ``malformed``: HTTP 200 whose body is the first half of the real one (invalid JSON).
* ``truncate``: the real body's ``Content-Length`` but only its first half, then the
  connection closes.
* ``wrong_content_type``: HTTP 200 with a ``text/html`` error page instead of the API's
  answer, as a proxy or CDN in front of a carrier serves while it is down.
* ``reword`` (not a rate: on while set): each ``(old, new)`` text is replaced in every tracking
  answer, as a carrier rewording its scan descriptions between two polls does. Plain text
  only (no quotes or markup), so the body stays valid JSON or XML.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from carriers.sandbox.journeys import Journey

RATES = ("timeout", "rate_limit", "server_error", "duplicate_events", "out_of_order", "malformed", "truncate")
# Drawn after the shuffle seed, so adding it left every earlier seed's draws as they were.
LATER_RATES = ("wrong_content_type",)


@dataclass
class Faults:
    rate_limit: float = 0.0
    retry_after_s: int = 7
    server_error: float = 0.0
    slow_s: float = 0.0
    timeout: float = 0.0
    hang_s: float = 60.0
    truncate: float = 0.0
    malformed: float = 0.0
    duplicate_events: float = 0.0
    out_of_order: float = 0.0
    wrong_content_type: float = 0.0
    reword: tuple[tuple[str, str], ...] = ()
    only: tuple[str, ...] = ()
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in RATES + LATER_RATES:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a rate between 0 and 1, not {value}")
        if self.slow_s < 0 or self.hang_s < 0:
            raise ValueError("delays must not be negative")
        self._rng = random.Random(self.seed)

    def applies(self, path: str) -> bool:
        return not self.only or any(path.startswith(prefix) for prefix in self.only)

    def draw(self) -> Draw:
        """This request's faults: one draw per kind, always in the same order."""
        rng = self._rng
        hit = [rng.random() for _ in RATES]
        shuffle_seed = rng.getrandbits(32)
        return Draw(
            timeout=hit[0] < self.timeout,
            rate_limit=hit[1] < self.rate_limit,
            server_error=hit[2] < self.server_error,
            duplicate_events=hit[3] < self.duplicate_events,
            out_of_order=hit[4] < self.out_of_order,
            malformed=hit[5] < self.malformed,
            truncate=hit[6] < self.truncate,
            shuffle_seed=shuffle_seed,
            wrong_content_type=rng.random() < self.wrong_content_type,
        )

    def reworded(self, body: bytes) -> bytes:
        for old, new in self.reword:
            body = body.replace(old.encode(), new.encode())
        return body


@dataclass(frozen=True)
class Draw:
    """What one request meets. ``NONE`` is the draw of a request without faults."""

    timeout: bool = False
    rate_limit: bool = False
    server_error: bool = False
    duplicate_events: bool = False
    out_of_order: bool = False
    malformed: bool = False
    truncate: bool = False
    shuffle_seed: int = 0
    wrong_content_type: bool = False

    def mangle(self, journey: Journey) -> Journey:
        """The journey as this request's renderer sees it: scans repeated and/or shuffled."""
        scans = list(journey.scans)
        if self.duplicate_events:
            scans = [s for scan in scans for s in (scan, scan)]
        if self.out_of_order:
            random.Random(self.shuffle_seed).shuffle(scans)
        if not (self.duplicate_events or self.out_of_order):
            return journey
        return replace(journey, scans=tuple(scans))


NONE = Draw()
