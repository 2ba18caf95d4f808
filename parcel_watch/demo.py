"""The main job on the embedded default: the sandbox carrier, a fresh SQLite store, and the
real adapters and poller between them, on a simulated clock.

Shipments across carriers and scenarios ship over the past weeks; the poller then runs from
the first shipment to "now" in simulated time, jumping straight to each next due poll, so a
month of tracking takes seconds and every scan lands in the past.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import SecretStr

from carriers import ADAPTERS
from carriers.credentials import Credentials
from carriers.sandbox.journeys import Scenario
from carriers.sandbox.server import start
from carriers.sandbox.world import SandboxClock, SandboxWorld
from parcel_watch.detect.samples import sample_number
from parcel_watch.model import CarrierSource, Shipment
from parcel_watch.poller import health, scheduler_for
from parcel_watch.store import Store

# (carrier slug as detection names it, number format) — S10 items go through 17TRACK.
CARRIERS = (
    ("fedex", "fedex_12"),
    ("ups", "ups"),
    ("dhl", "dhl_express"),
    ("usps", "usps_impb_c"),
    ("s10", "s10"),
)
HISTORY = timedelta(days=40)
SANDBOX_KEY = SecretStr("sandbox")
STEP = timedelta(hours=1)  # the simulation starts this long before now


@dataclass
class Progress:
    at: datetime
    polls: int
    events: int
    by_status: dict[str, int]


class VirtualTime:
    """Seconds the simulation has advanced; the sandbox clock and the poller both read it."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds

    async def sleep(self, seconds: float) -> None:
        self.seconds += seconds


async def run_demo(
    store: Store,
    *,
    seed: int = 7,
    per_scenario: int = 1,
    now: datetime | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    virtual = VirtualTime()
    clock = SandboxClock(now - HISTORY, speed=1.0, real=virtual)
    world = SandboxWorld(clock=clock, seed=seed, token_ttl_s=10**9)
    rng = random.Random(seed)
    shipments = []
    for carrier, fmt in CARRIERS:
        for scenario in Scenario:
            for _ in range(per_scenario):
                number = sample_number(fmt, rng)
                if carrier == "s10":
                    number = number[:-2] + "CN"  # cross-border: China Post origin
                shipped = clock.start + timedelta(hours=rng.uniform(0, 24 * 12))
                world.add(number, scenario, seed=seed, shipped_at=shipped)
                shipments.append(
                    Shipment(
                        tracking_number=number,
                        carrier=carrier,
                        carrier_source=CarrierSource.DETECTED,
                        label=f"demo: {scenario.value}",
                        origin_country="CN" if carrier == "s10" else None,
                    )
                )
    # A user adds a number when the order ships: each shipment enters the store at its
    # ship time in the simulation, not before.
    arrivals = sorted(
        zip((world.journeys[s.tracking_number].shipped_at for s in shipments), shipments, strict=True),
        key=lambda pair: pair[0],
    )

    runner, url = await start(world)
    try:
        creds = {
            slug: Credentials(
                slug=slug, api_key=SANDBOX_KEY, client_id="sandbox", client_secret=SANDBOX_KEY, base_url=url
            )
            for slug in ADAPTERS
        }

        def sim_now() -> datetime:
            return clock.now()

        polls = 0
        async with scheduler_for(store, creds, clock=sim_now, sleep=virtual.sleep) as scheduler:
            due: datetime | None = arrivals[0][0]
            step = 0
            while due is not None and due <= now:
                # Jump to the next due poll, but in steps of at least STEP: polls due within
                # a step are sent together, as a real poller would batch them.
                target = max(due, clock.now() + STEP)
                virtual.seconds = (target - clock.start).total_seconds()
                while arrivals and arrivals[0][0] <= target:
                    await store.add(arrivals.pop(0)[1])
                stats = await scheduler.poll_once()
                polls += stats.polled
                step += 1
                if on_progress is not None and step % 12 == 0:
                    n_ship, n_ev = await store.count()
                    by_status = Counter(s.status.value for s in await store.list())
                    on_progress(Progress(clock.now(), polls, n_ev, dict(by_status)))
                due = await store.next_due_at()
                if arrivals and (due is None or arrivals[0][0] < due):
                    due = arrivals[0][0]
            sources = health(scheduler)
    finally:
        await runner.cleanup()
    n_ship, n_ev = await store.count()
    listed = await store.list()
    return {
        "shipments": n_ship,
        "events": n_ev,
        "polls": polls,
        "by_status": dict(sorted(Counter(s.status.value for s in listed).items())),
        "by_carrier": dict(sorted(Counter(s.carrier for s in listed).items())),
        # Problems a user must look at: shipments whose last poll failed. Not-found answers
        # before a parcel's first scan are expected and not counted.
        "errors": sum(1 for s in listed if s.poll_error),
        "sources": sources,
    }
