"""What the sandbox-over-HTTP tests share: a hand-moved base clock, a world of journeys
part-way through (the fixtures are in conftest.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from carriers.sandbox.journeys import Scenario
from carriers.sandbox.server import SandboxClock, SandboxWorld

START = datetime(2025, 3, 10, 12, tzinfo=UTC)
# Journeys under way at START: number -> (scenario, shipped this long before START).
MID: dict[str, tuple[Scenario, timedelta]] = {
    "SBX00000001": (Scenario.ON_TIME, timedelta(days=1)),
    "SBX00000002": (Scenario.CUSTOMS_HOLD, timedelta(days=2)),
    "SBX00000003": (Scenario.FAILED_ATTEMPTS, timedelta(days=3)),
}
FUTURE, UNKNOWN = "SBX00000009", "SBX00000404"


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def make_world(
    real: FakeClock, mid: Mapping[str, tuple[Scenario, timedelta]] = MID, **kwargs: Any
) -> SandboxWorld:
    world = SandboxWorld(SandboxClock(START, speed=3600.0, real=real), seed=7, **kwargs)
    for number, (scenario, ago) in mid.items():
        world.add(number, scenario, shipped_at=START - ago)
    world.add(FUTURE, Scenario.LATE, shipped_at=START + timedelta(days=10))
    return world


Serve = Callable[..., Awaitable[str]]
